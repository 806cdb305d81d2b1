//! The queue: the caller's assignments, closest to its review-by date first.
//! Only the visible rows are built, so 10,000 rows cost what 40 do.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use takes_api::{AssignmentStatus, QueueItem};

use crate::app::state::App;
use crate::config::Theme;
use crate::format::{due_text, parse_ms};
use crate::screens::widgets::fit;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let q = &app.queue;
    let [filter_line, table] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);

    // Filter and counts line.
    let mut spans = Vec::new();
    match &q.editing {
        Some(_) => {
            spans.push(Span::styled(" Filter: /", theme.input));
            spans.push(Span::styled(format!("{}▏", q.text), theme.input));
        }
        None if !q.text.is_empty() => {
            spans.push(Span::styled(format!(" Filter: /{}", q.text), theme.input))
        }
        None => spans.push(Span::styled(" Queue", theme.title)),
    }
    spans.push(Span::styled(
        format!(
            "  status: {} · role: {} · sort: {}",
            q.status.label(),
            q.role.as_deref().unwrap_or("all"),
            q.sort.label()
        ),
        theme.dim,
    ));
    let loaded = if (q.items.len() as i64) < q.total {
        format!(" (loaded {} of {})", q.items.len(), q.total)
    } else {
        String::new()
    };
    spans.push(Span::styled(
        format!("  showing {}{loaded}", q.view.len()),
        theme.dim,
    ));
    if q.loading {
        spans.push(Span::styled("  loading…", theme.info));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), filter_line);

    let block = Block::bordered().border_style(theme.border);
    let inner = block.inner(table);
    f.render_widget(block, table);
    if inner.height == 0 || inner.width == 0 {
        return;
    }

    if q.view.is_empty() {
        let msg = if let Some(e) = &q.error {
            format!("Could not load the queue: {e}\nPress r to retry.")
        } else if !q.loaded_once {
            "Loading your queue…".to_string()
        } else if q.items.is_empty() {
            "Nothing assigned to you. Press r to refresh.".to_string()
        } else {
            "No assignment matches the filters (x clears them).".to_string()
        };
        let style = if q.error.is_some() {
            theme.error
        } else {
            theme.dim
        };
        f.render_widget(
            Paragraph::new(msg)
                .style(style)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }

    // Columns, by width.
    let w = inner.width as usize;
    let wide = w >= 100;
    let due_w = 12;
    let status_w = 12;
    let scored_w = 7;
    let dept_w = if wide { 16 } else { 0 };
    let rest = w.saturating_sub(
        due_w + 1 + status_w + 1 + scored_w + if wide { dept_w + 1 } else { 0 } + 2,
    );
    let cand_w = (rest * 45 / 100).max(4);
    let role_w = rest.saturating_sub(cand_w).max(4);

    let header_h = 1usize;
    let rows = (inner.height as usize).saturating_sub(header_h);
    q.page_rows.set(rows.max(1));
    // Keep the selection visible.
    let mut offset = q.offset.get();
    if q.selected < offset {
        offset = q.selected;
    } else if rows > 0 && q.selected >= offset + rows {
        offset = q.selected + 1 - rows;
    }
    offset = offset.min(q.view.len().saturating_sub(rows.max(1)));
    q.offset.set(offset);

    let mut lines = Vec::with_capacity(rows + 1);
    let mut head = format!(
        "{:<due_w$} {:<cand_w$} {:<role_w$} ",
        "Due", "Candidate", "Role"
    );
    if wide {
        head.push_str(&format!("{:<dept_w$} ", "Department"));
    }
    head.push_str(&format!("{:<status_w$} {:>scored_w$}", "Status", "Scored"));
    lines.push(Line::from(Span::styled(fit(&head, w), theme.dim)));

    for (row, idx) in q.view.iter().skip(offset).take(rows).enumerate() {
        let Some(item) = q.items.get(*idx) else {
            continue;
        };
        let selected = offset + row == q.selected;
        lines.push(row_line(
            item,
            app,
            theme,
            selected,
            [due_w, cand_w, role_w, dept_w, status_w, scored_w],
            w,
        ));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn row_line<'a>(
    item: &QueueItem,
    app: &App,
    theme: &Theme,
    selected: bool,
    widths: [usize; 6],
    w: usize,
) -> Line<'a> {
    let [due_w, cand_w, role_w, dept_w, status_w, scored_w] = widths;
    let base = if selected {
        theme.selection
    } else {
        theme.text
    };
    let (due, due_style) = if item.status == AssignmentStatus::Submitted {
        ("done".to_string(), theme.status_submitted)
    } else {
        match parse_ms(&item.due_at) {
            Some(t) => {
                let left = t - app.now_ms;
                let style = if left < 0 {
                    theme.due_overdue
                } else if left < 24 * 3_600_000 {
                    theme.due_soon
                } else {
                    theme.due_ok
                };
                (due_text(t, app.now_ms), style)
            }
            None => ("?".to_string(), theme.dim),
        }
    };
    let (status, status_style) = match item.status {
        AssignmentStatus::Pending => ("pending", theme.status_pending),
        AssignmentStatus::InProgress => ("in progress", theme.status_in_progress),
        AssignmentStatus::Submitted => ("submitted", theme.status_submitted),
    };
    let sel = |s: ratatui::style::Style| {
        if selected {
            s.patch(theme.selection)
        } else {
            s
        }
    };
    let mut spans = vec![
        Span::styled(format!("{:<due_w$} ", fit(&due, due_w)), sel(due_style)),
        Span::styled(
            format!("{:<cand_w$} ", fit(&item.candidate.display_name, cand_w)),
            base,
        ),
        Span::styled(format!("{:<role_w$} ", fit(&item.role.title, role_w)), base),
    ];
    if dept_w > 0 {
        spans.push(Span::styled(
            format!("{:<dept_w$} ", fit(&item.role.department, dept_w)),
            base,
        ));
    }
    spans.push(Span::styled(
        format!("{:<status_w$} ", status),
        sel(status_style),
    ));
    spans.push(Span::styled(
        format!(
            "{:>scored_w$}",
            format!("{}/{}", item.scored_count, item.question_count)
        ),
        base,
    ));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if used < w {
        spans.push(Span::styled(" ".repeat(w - used), base));
    }
    Line::from(spans)
}
