//! The board: stage tabs with counts, the filter line, and a table of the
//! interviews with what a decision needs at a glance; an opened interview
//! (panel side by side with transcripts); the bulk decision dialog and the
//! reassignment picker. Only the visible rows are built.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use takes_api::board::{BoardItem, BoardStage, SyncStatus};

use super::state::{BoardState, DialogStage, TABS};
use crate::app::state::App;
use crate::config::{Command, Scope, Theme};
use crate::format::{due_text, parse_ms};
use crate::screens::widgets::{bg_of, centered, dialog, fit, VideoPane};

pub fn draw(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    video: Option<&mut dyn VideoPane>,
) {
    let b = &app.board;
    match &b.opened {
        Some(_) => draw_opened(f, area, app, theme, video),
        None => draw_table(f, area, app, theme),
    }
    if b.dialog.is_some() {
        draw_dialog(f, area, app, theme);
    }
    if b.picker.is_some() {
        draw_picker(f, area, app, theme);
    }
    super::share::draw(f, area, app, theme);
}

fn tab_label(stage: Option<BoardStage>, b: &BoardState) -> String {
    match stage {
        None => {
            let c = &b.counts;
            format!(
                "all {}",
                c.invited + c.awaiting_reviews + c.ready_to_decide + c.decided
            )
        }
        Some(s) => format!("{} {}", s.label(), b.counts.get(s)),
    }
}

fn draw_table(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let b = &app.board;
    let [tabs, filter_line, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);

    let mut spans = vec![Span::styled(" Board ", theme.title)];
    for t in TABS {
        let style = if t == b.stage {
            theme.selection
        } else {
            theme.dim
        };
        spans.push(Span::styled(format!(" {} ", tab_label(t, b)), style));
        spans.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), tabs);

    let mut spans = Vec::new();
    match &b.editing {
        Some(_) => {
            spans.push(Span::styled(" Search: /", theme.input));
            spans.push(Span::styled(format!("{}▏", b.text), theme.input));
        }
        None if !b.text.is_empty() => {
            spans.push(Span::styled(format!(" Search: /{}", b.text), theme.input))
        }
        None => {}
    }
    match &b.range_input {
        Some(i) => {
            spans.push(Span::styled(" Filter: ", theme.input));
            spans.push(Span::styled(format!("{}▏", i.text), theme.input));
        }
        None if !b.ranges.is_empty() => {
            spans.push(Span::styled(format!(" {} ·", b.ranges.line()), theme.input))
        }
        None => {}
    }
    spans.push(Span::styled(
        format!(
            " role: {} · sort: {}{}",
            b.role.as_ref().map(|r| r.1.as_str()).unwrap_or("all"),
            b.sort.label(),
            if b.flagged_only {
                " · disagreement only"
            } else {
                ""
            }
        ),
        theme.dim,
    ));
    let loaded = if (b.items.len() as i64) < b.total {
        format!(" (loaded {} of {})", b.items.len(), b.total)
    } else {
        String::new()
    };
    spans.push(Span::styled(
        format!("  showing {}{loaded}", b.items.len()),
        theme.dim,
    ));
    let n = b.selection_count();
    if n > 0 {
        spans.push(Span::styled(format!("  {n} selected"), theme.info));
    }
    if b.visual.is_some() {
        spans.push(Span::styled("  -- RANGE --", theme.warning));
    }
    if b.loading {
        spans.push(Span::styled("  loading…", theme.info));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), filter_line);

    let block = Block::bordered().border_style(theme.border);
    let inner = block.inner(table);
    f.render_widget(block, table);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if b.items.is_empty() {
        let (msg, style) = if let Some(e) = &b.error {
            (
                format!("Could not load the board: {e}\nPress r to retry."),
                theme.error,
            )
        } else if !b.loaded_once {
            ("Loading the board…".to_string(), theme.dim)
        } else {
            (
                "No interview here. Another stage tab, or x to clear the filters.".to_string(),
                theme.dim,
            )
        };
        f.render_widget(
            Paragraph::new(msg).style(style).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }

    let w = inner.width as usize;
    let wide = w >= 120;
    let cols = Columns::new(w, wide);
    let rows = (inner.height as usize).saturating_sub(1);
    b.page_rows.set(rows.max(1));
    let mut offset = b.offset.get();
    if b.selected < offset {
        offset = b.selected;
    } else if rows > 0 && b.selected >= offset + rows {
        offset = b.selected + 1 - rows;
    }
    offset = offset.min(b.items.len().saturating_sub(rows.max(1)));
    b.offset.set(offset);

    let mut lines = Vec::with_capacity(rows + 1);
    lines.push(Line::from(Span::styled(fit(&cols.header(), w), theme.dim)));
    for (row, item) in b.items.iter().enumerate().skip(offset).take(rows) {
        lines.push(row_line(item, app, theme, row, &cols, w));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Column widths for a table `w` wide.
struct Columns {
    wide: bool,
    cand: usize,
    role: usize,
    date: usize,
    reviews: usize,
    score: usize,
    strip: usize,
    flags: usize,
    decision: usize,
}

impl Columns {
    fn new(w: usize, wide: bool) -> Columns {
        let (date, reviews, score, flags) = (11, 7, 5, 3);
        let strip = if wide { 12 } else { 0 };
        let min_decision = if wide { 26 } else { 14 };
        let fixed = 2 + date + reviews + score + flags + 5 + if wide { strip + 1 } else { 0 };
        let rest = w.saturating_sub(fixed + min_decision);
        // Names and titles stop growing; the decision and its sync state
        // take what is left.
        let cand = (rest * 55 / 100).clamp(4, 30);
        let role = rest.saturating_sub(cand).clamp(4, 28);
        let decision = w.saturating_sub(fixed + cand + role + 2).max(min_decision);
        Columns {
            wide,
            cand,
            role,
            date,
            reviews,
            score,
            strip,
            flags,
            decision,
        }
    }

    fn header(&self) -> String {
        let mut h = format!(
            "  {:<c$} {:<r$} {:<d$} {:>v$} {:>s$} ",
            "Candidate",
            "Role",
            "Completed",
            "Reviews",
            "Mean",
            c = self.cand,
            r = self.role,
            d = self.date,
            v = self.reviews,
            s = self.score
        );
        if self.wide {
            h.push_str(&format!("{:<w$} ", "Per question", w = self.strip));
        }
        h.push_str(&format!(
            "{:<w$} {}",
            "!~",
            "Decision / sync",
            w = self.flags
        ));
        h
    }
}

fn date_of(item: &BoardItem) -> String {
    item.completed_at
        .as_deref()
        .map(|c| c.get(..10).unwrap_or(c).to_string())
        .unwrap_or_else(|| format!("({})", item.status.as_str()))
}

/// The per-question means as a strip of digits (`·` where nobody scored).
pub fn strip(item: &BoardItem) -> String {
    item.question_means
        .iter()
        .map(|m| match m {
            Some(v) => format!("{}", v.round() as i64),
            None => "·".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The decision and its ATS sync state, or what the stage waits for.
fn decision_text(item: &BoardItem, now_ms: i64, wide: bool) -> (String, SyncKind) {
    if let Some(d) = &item.decision {
        let sync = item.sync.as_ref();
        let (s, kind) = match sync.map(|s| s.status) {
            Some(SyncStatus::Delivered) => ("delivered", SyncKind::Ok),
            Some(SyncStatus::Queued) => ("queued", SyncKind::Pending),
            Some(SyncStatus::Failed) => ("FAILED", SyncKind::Failed),
            Some(SyncStatus::NotConfigured) | None => ("no ATS", SyncKind::None),
        };
        let text = if wide {
            format!("{} by {} · {s}", d.action.as_str(), d.decided_by)
        } else {
            format!("{} · {s}", d.action.as_str())
        };
        return (text, kind);
    }
    let overdue: Vec<&str> = item
        .reviewers
        .iter()
        .filter(|r| r.overdue)
        .map(|r| r.name.as_str())
        .collect();
    let text = match item.stage {
        BoardStage::Invited => match parse_ms(&item.expires_at) {
            Some(t) if item.status.as_str() != "expired" => {
                format!("window {}", due_text(t, now_ms))
            }
            _ => "window closed".to_string(),
        },
        _ if !overdue.is_empty() => format!("overdue: {}", overdue.join(", ")),
        BoardStage::ReadyToDecide => "ready".to_string(),
        _ => "reviewing".to_string(),
    };
    let kind = if overdue.is_empty() {
        SyncKind::None
    } else {
        SyncKind::Failed
    };
    (text, kind)
}

#[derive(Clone, Copy)]
enum SyncKind {
    None,
    Ok,
    Pending,
    Failed,
}

fn row_line<'a>(
    item: &BoardItem,
    app: &App,
    theme: &Theme,
    row: usize,
    c: &Columns,
    w: usize,
) -> Line<'a> {
    let b = &app.board;
    let cursor = row == b.selected;
    let chosen = b.is_selected(row);
    let base = if cursor { theme.selection } else { theme.text };
    let sel = |s: Style| if cursor { s.patch(theme.selection) } else { s };
    let mark = match (chosen, cursor) {
        (true, _) => "● ",
        (false, true) => "▶ ",
        _ => "  ",
    };
    let mean = item
        .mean_score
        .map(|m| format!("{m:.1}"))
        .unwrap_or_else(|| "–".into());
    let flags = format!(
        "{}{}",
        if item.disagreement { "!" } else { " " },
        if item.shift { "~" } else { " " }
    );
    let (decision, kind) = decision_text(item, app.now_ms, c.wide);
    let dstyle = match kind {
        SyncKind::Ok => theme.ok,
        SyncKind::Pending => theme.info,
        SyncKind::Failed => theme.error,
        SyncKind::None => theme.dim,
    };
    let mut spans = vec![
        Span::styled(mark.to_string(), sel(theme.info)),
        Span::styled(
            format!("{:<w$} ", fit(&item.candidate_name, c.cand), w = c.cand),
            base,
        ),
        Span::styled(
            format!("{:<w$} ", fit(&item.role_title, c.role), w = c.role),
            base,
        ),
        Span::styled(
            format!("{:<w$} ", fit(&date_of(item), c.date), w = c.date),
            base,
        ),
        Span::styled(
            format!(
                "{:>w$} ",
                format!("{}/{}", item.reviewers_submitted, item.reviewers_assigned),
                w = c.reviews
            ),
            base,
        ),
        Span::styled(format!("{:>w$} ", mean, w = c.score), base),
    ];
    if c.wide {
        spans.push(Span::styled(
            format!("{:<w$} ", fit(&strip(item), c.strip), w = c.strip),
            sel(theme.anchor_score),
        ));
    }
    spans.push(Span::styled(
        format!("{:<w$} ", flags, w = c.flags),
        sel(theme.warning),
    ));
    spans.push(Span::styled(fit(&decision, c.decision), sel(dstyle)));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if used < w {
        spans.push(Span::styled(" ".repeat(w - used), base));
    }
    Line::from(spans)
}

fn draw_opened(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    video: Option<&mut dyn VideoPane>,
) {
    let Some(o) = &app.board.opened else {
        return;
    };
    let block = Block::bordered().border_style(theme.border);
    let Some(d) = &o.detail else {
        let msg = match &o.error {
            Some(e) => format!("Could not open the interview: {e}"),
            None => "Loading the interview…".to_string(),
        };
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(Paragraph::new(msg).style(theme.dim), inner);
        return;
    };
    let item = &d.item;
    let title = format!(
        " {} · {} · {} ",
        item.candidate_name,
        item.role_title,
        item.stage.label()
    );
    let block = block.title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let wide = inner.width >= 100;
    let [left, right] = if wide {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(inner)
    } else {
        [inner, Rect::new(inner.x, inner.y, 0, 0)]
    };

    // The panel: every submitted reviewer's rating, note and evidence per
    // question, with the question's mean.
    let mut lines: Vec<Line> = Vec::new();
    let (decision, _) = decision_text(item, app.now_ms, true);
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "Reviews {}/{} · mean {} ",
                item.reviewers_submitted,
                item.reviewers_assigned,
                item.mean_score
                    .map(|m| format!("{m:.2}"))
                    .unwrap_or("–".into())
            ),
            theme.text,
        ),
        Span::styled(
            format!(
                "{}{}",
                if item.disagreement {
                    "· disagreement "
                } else {
                    ""
                },
                if item.shift {
                    "· shifted after sound "
                } else {
                    ""
                }
            ),
            theme.warning,
        ),
        Span::styled(format!("· {decision}"), theme.dim),
    ]));
    if let Some(reason) = item.sync.as_ref().and_then(|s| s.reason.as_deref()) {
        let key = app.key_name(Scope::Board, Command::RetrySync);
        lines.push(Line::from(Span::styled(
            format!("ATS sync failed: {reason} ({key} retries)"),
            theme.error,
        )));
    }
    for r in &item.reviewers {
        let state = if r.submitted {
            "submitted".to_string()
        } else if r.overdue {
            format!("OVERDUE (due {})", r.due_at.get(..10).unwrap_or(&r.due_at))
        } else {
            "reviewing".to_string()
        };
        lines.push(Line::from(Span::styled(
            format!("  {} — {state}", r.name),
            if r.overdue { theme.error } else { theme.dim },
        )));
    }
    for q in &d.panel.questions {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                "Q{} {} [{}] mean {}",
                q.position,
                q.prompt,
                q.competency,
                q.mean.map(|m| format!("{m:.1}")).unwrap_or("–".into())
            ),
            theme.title,
        )));
        for r in &d.panel.reviewers {
            let Some(s) = r.scores.iter().find(|s| s.question_id == q.question_id) else {
                continue;
            };
            let muted = match s.muted_rating {
                Some(m) if m != s.rating => format!(" (muted {m})"),
                _ => String::new(),
            };
            let cues = s
                .evidence
                .iter()
                .map(|e| format!("{:.0}-{:.0}s", e.start_s, e.end_s))
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {:>2}{muted} ", s.rating), theme.anchor_score),
                Span::styled(format!("{}: ", r.name), theme.text),
                Span::styled(s.note.clone().unwrap_or_default(), theme.dim),
                Span::styled(
                    if cues.is_empty() {
                        String::new()
                    } else {
                        format!(" [evidence {cues}]")
                    },
                    theme.cue_evidence,
                ),
            ]));
        }
    }
    let mut transcript: Vec<Line> = Vec::new();
    for (i, a) in d.answers.iter().enumerate() {
        let (mark, style) = if i == o.answer {
            ("▸ ", theme.selection)
        } else {
            ("  ", theme.title)
        };
        transcript.push(Line::from(Span::styled(
            format!("{mark}Q{} {}", a.position, a.prompt),
            style,
        )));
        if a.transcript.is_empty() {
            let what = if a.response_id.is_some() {
                "(no transcript)"
            } else {
                "(no answer)"
            };
            transcript.push(Line::from(Span::styled(what, theme.dim)));
        }
        for cue in &a.transcript {
            transcript.push(Line::from(vec![
                Span::styled(format!("{:>5.1} ", cue.start_s), theme.cue_time),
                Span::styled(cue.text.clone(), theme.cue),
            ]));
        }
        transcript.push(Line::from(""));
    }
    // The asked-for video sits above the transcripts (the whole width
    // when narrow).
    let (left, right) = if o.playing {
        let host = if wide { right } else { left };
        let h = (host.height / 2).clamp(6.min(host.height), 16);
        let [top, rest] = Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(host);
        draw_video(f, top, app, theme, video);
        if wide {
            (left, rest)
        } else {
            (rest, right)
        }
    } else {
        (left, right)
    };
    if wide {
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((o.scroll as u16, 0)),
            left,
        );
        let tb = Block::bordered()
            .title(Span::styled(" Transcripts ", theme.title))
            .border_style(theme.border);
        let ti = tb.inner(right);
        f.render_widget(tb, right);
        f.render_widget(
            Paragraph::new(transcript)
                .wrap(Wrap { trim: false })
                .scroll((o.scroll as u16, 0)),
            ti,
        );
    } else {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled("Transcripts", theme.title)));
        lines.extend(transcript);
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((o.scroll as u16, 0)),
            left,
        );
    }
}

/// The selected answer's video: the picture the player decoded (the same
/// pane as the review screen's), a status line under it.
fn draw_video(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    video: Option<&mut dyn VideoPane>,
) {
    let position = super::playback::selected(app)
        .map(|a| a.position)
        .unwrap_or_default();
    let block = Block::bordered()
        .title(Span::styled(format!(" Video · Q{position} "), theme.title))
        .border_style(theme.border)
        .style(theme.video);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let status = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
    let picture = Rect::new(inner.x, inner.y, inner.width, inner.height - 1);
    f.render_widget(
        Paragraph::new(fit(&super::playback::status(app), inner.width as usize)).style(theme.video),
        status,
    );
    let drawn = match video {
        Some(v) if picture.height > 0 => v.draw_picture(picture, f.buffer_mut()),
        _ => false,
    };
    if !drawn {
        let why = match &app.player.playback {
            crate::app::state::Playback::Failed(e) => format!("This answer cannot be played: {e}"),
            _ => "Opening the answer…".to_string(),
        };
        f.render_widget(
            Paragraph::new(why)
                .style(theme.dim.patch(bg_of(theme.video)))
                .wrap(Wrap { trim: true }),
            picture,
        );
    }
}

fn draw_dialog(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(d) = &app.board.dialog else {
        return;
    };
    let key = |c: Command| app.key_name(Scope::Dialog, c);
    let n = d.ids.len();
    let r = centered(area, 70, 16);
    let inner = dialog(
        f,
        r,
        &format!("Decision — {n} candidate{}", if n == 1 { "" } else { "s" }),
        theme,
    );
    let mut lines = Vec::new();
    let opts = [
        (
            takes_api::DecisionAction::Advance,
            key(Command::DecideAdvance),
            "Advance",
        ),
        (
            takes_api::DecisionAction::Reject,
            key(Command::DecideReject),
            "Reject",
        ),
        (
            takes_api::DecisionAction::Hold,
            key(Command::DecideHold),
            "Hold",
        ),
    ];
    for (act, k, label) in opts {
        let chosen = d.choice == act;
        lines.push(Line::from(vec![
            Span::styled(format!(" {k} "), theme.hint_key.patch(bg_of(theme.dialog))),
            Span::styled(
                format!(" {} {label}", if chosen { "▶" } else { " " }),
                if chosen {
                    theme.selection
                } else {
                    theme.dialog
                },
            ),
        ]));
    }
    let cursor = if d.stage == DialogStage::Reason {
        "▏"
    } else {
        ""
    };
    lines.push(Line::from(vec![
        Span::styled(" Reason: ", theme.dialog),
        Span::styled(
            format!("{}{cursor}", d.reason.text),
            theme.input.patch(bg_of(theme.dialog)),
        ),
    ]));
    lines.push(Line::from(""));
    let names = d.names.join(", ");
    match d.stage {
        DialogStage::Confirm | DialogStage::Sending => {
            lines.push(Line::from(Span::styled(
                format!(" {} {n}: {names}?", d.choice.as_str()),
                theme.warning.patch(bg_of(theme.dialog)),
            )));
            if d.stage == DialogStage::Sending {
                lines.push(Line::from(Span::styled(" Sending…", theme.info)));
            } else {
                lines.push(Line::from(Span::styled(
                    format!(
                        " {} send · {} back",
                        key(Command::Confirm),
                        key(Command::Deny)
                    ),
                    theme.dialog,
                )));
            }
        }
        _ => lines.push(Line::from(Span::styled(
            format!(" For: {names}"),
            theme.dialog,
        ))),
    }
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(format!(" {e}"), theme.error)));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn draw_picker(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(p) = &app.board.picker else {
        return;
    };
    let r = centered(area, 60, 14);
    let inner = dialog(f, r, "Reassign a review", theme);
    let mut lines = vec![Line::from(Span::styled(
        if p.choosing_to {
            " To (the role's pool):"
        } else {
            " Withdraw the review of:"
        },
        theme.dialog,
    ))];
    let (list, idx) = if p.choosing_to {
        (&p.to, p.to_index)
    } else {
        (&p.from, p.from_index)
    };
    for (i, (_, name)) in list.iter().enumerate() {
        let style = if i == idx {
            theme.selection
        } else {
            theme.dialog
        };
        lines.push(Line::from(Span::styled(
            format!(" {} {name}", if i == idx { "▶" } else { " " }),
            style,
        )));
    }
    if p.choosing_to {
        if let Some((_, from)) = p.from.get(p.from_index) {
            lines.push(Line::from(Span::styled(
                format!(" {from}'s draft scores will no longer count (kept in the audit log)."),
                theme.dim,
            )));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
