//! The panel: every reviewer's submitted scores beside yours, per question,
//! with mean and spread. The server only answers after you submitted.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use takes_api::AssignmentStatus;

use crate::app::state::App;
use crate::config::Theme;
use crate::screens::widgets::fit;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(p) = app.panel() else { return };
    let block = Block::bordered()
        .title(Span::styled(" Panel ", theme.title))
        .border_style(theme.border);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(panel) = p.panel.as_ref() else {
        let (msg, style) = match &p.error {
            Some(e) => (format!("The panel is not available: {e}"), theme.error),
            None => ("Loading the panel…".to_string(), theme.dim),
        };
        f.render_widget(
            Paragraph::new(msg).style(style).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let w = inner.width as usize;
    let qw = (w / 3).clamp(12, 40);
    let n = panel.reviewers.len().max(1);
    let col = ((w.saturating_sub(qw + 14)) / n).clamp(6, 18);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {}", panel.candidate.display_name), theme.title),
        Span::styled(
            format!(" · {} reviewer(s)", panel.reviewers.len()),
            theme.dim,
        ),
    ])];
    let mut head = vec![Span::styled(format!(" {:<qw$}", "Question"), theme.dim)];
    for rv in &panel.reviewers {
        let name = if rv.is_me {
            format!("{} (you)", first_name(&rv.name))
        } else {
            first_name(&rv.name).to_string()
        };
        let style = if rv.is_me { theme.title } else { theme.dim };
        head.push(Span::styled(
            format!("{:>col$}", fit(&name, col - 1)),
            style,
        ));
    }
    head.push(Span::styled(
        format!("{:>7}{:>7}", "mean", "spread"),
        theme.dim,
    ));
    lines.push(Line::from(head));
    for q in &panel.questions {
        let mut row = vec![Span::styled(
            format!(
                " {:<qw$}",
                fit(&format!("Q{} {}", q.position, q.competency), qw)
            ),
            theme.text,
        )];
        for rv in &panel.reviewers {
            let s = rv.scores.iter().find(|s| s.question_id == q.question_id);
            let (txt, style) = match (s, rv.status) {
                (Some(s), _) => (
                    s.rating.to_string(),
                    if rv.is_me {
                        theme.score_current
                    } else {
                        theme.score_set
                    },
                ),
                (None, AssignmentStatus::Submitted) => ("–".into(), theme.dim),
                (None, _) => ("pending".into(), theme.score_unset),
            };
            row.push(Span::styled(format!("{:>col$}", txt), style));
        }
        let mean = q
            .mean
            .map(|m| format!("{m:.1}"))
            .unwrap_or_else(|| "–".into());
        let spread = q
            .spread
            .map(|s| s.to_string())
            .unwrap_or_else(|| "–".into());
        let spread_style = match q.spread {
            Some(s) if s >= 2 => theme.warning,
            _ => theme.text,
        };
        row.push(Span::styled(format!("{mean:>7}"), theme.text));
        row.push(Span::styled(format!("{spread:>7}"), spread_style));
        lines.push(Line::from(row));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Spread of 2 or more is worth a calibration discussion. Reviewers who have not submitted show as pending.",
        theme.dim,
    )));
    // Notes of submitted reviewers.
    for rv in panel
        .reviewers
        .iter()
        .filter(|r| r.scores.iter().any(|s| s.note.is_some()))
    {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(" Notes — {}", rv.name),
            theme.title,
        )));
        for s in &rv.scores {
            if let Some(n) = &s.note {
                let pos = panel
                    .questions
                    .iter()
                    .find(|q| q.question_id == s.question_id)
                    .map(|q| q.position)
                    .unwrap_or(0);
                lines.push(Line::from(Span::styled(
                    format!("  Q{pos}: {}", n.replace('\n', " ")),
                    theme.text,
                )));
            }
        }
    }
    let visible: Vec<Line> = lines.into_iter().skip(p.scroll).collect();
    f.render_widget(Paragraph::new(visible).wrap(Wrap { trim: false }), inner);
}

fn first_name(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}
