//! The completion-drop alerts section: each dropped role, then every
//! role's check, in words that wrap rather than run off the screen.

use ratatui::text::Line;
use takes_api::insights::{AlertsReport, CompletionCheck};

use super::words::{heading, pct, plain, wrap, Lines};
use crate::config::Theme;

/// A role's check in words: the rates and their n always; z and p only
/// where the server computed them (a quiet or too-small check has no z).
fn check_row(c: &CompletionCheck) -> String {
    let test = match (c.z, c.p_value) {
        (Some(z), Some(p)) => format!(", z {z:.2}, p {p:.4}"),
        (Some(z), None) => format!(", z {z:.2}"),
        (None, Some(p)) => format!(", p {p:.4}"),
        (None, None) => String::new(),
    };
    let changes = if c.changes.is_empty() {
        String::new()
    } else {
        format!("; changed: {}", c.changes.join("; "))
    };
    format!(
        "{}: recent {} ({}/{}) against baseline {} ({}/{}){test}{changes}",
        c.title,
        pct(c.recent_rate),
        c.recent_completed,
        c.recent_invited,
        pct(c.baseline_rate),
        c.baseline_completed,
        c.baseline_invited,
    )
}

/// The drop alerts, then every role's check, wrapped at `width`.
pub fn lines(a: &AlertsReport, width: usize, theme: &Theme) -> Lines {
    let day = |s: &str| s.chars().take(10).collect::<String>();
    let mut out = vec![
        heading("Completion drop alerts", theme),
        plain(
            format!(
                "  recent {} days from {} to {}, baseline from {}",
                a.days,
                day(&a.recent_from),
                day(&a.until),
                day(&a.baseline_from)
            ),
            theme.dim,
        ),
    ];
    if a.alerts.is_empty() {
        out.push(plain("  no role's completion dropped", theme.ok));
    }
    for c in &a.alerts {
        let row = format!("  ⚠ DROPPED {}", check_row(c));
        out.extend(
            wrap(&row, width, 4)
                .into_iter()
                .map(|l| plain(l, theme.warning)),
        );
    }
    out.push(Line::from(""));
    out.push(heading("Every role checked", theme));
    for c in &a.checked {
        let verdict = match c.verdict.as_str() {
            "dropped" => "DROPPED",
            "quiet" => "steady",
            "too_few" => "too few invitations",
            other => other,
        };
        let row = format!("  {verdict}: {}", check_row(c));
        out.extend(
            wrap(&row, width, 4)
                .into_iter()
                .map(|l| plain(l, theme.text)),
        );
    }
    out
}
