//! The small formatting rules the Insights screen's sections share: rates,
//! numbers, a line of text in one style, and words wrapped to a width.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::config::Theme;

pub type Lines = Vec<Line<'static>>;

pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{:.0}%", v * 100.0))
}

pub fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.decimals$}"))
}

pub fn heading(s: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(s.into(), theme.title))
}

pub fn plain(s: impl Into<String>, style: Style) -> Line<'static> {
    Line::from(Span::styled(s.into(), style))
}

/// `text` broken at spaces into lines of at most `width` columns, the
/// lines after the first indented by `indent` (a word longer than a line
/// is cut by the screen, not here).
pub fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let words = text.trim_start_matches(' ');
    let lead = text.len() - words.len();
    let mut out: Vec<String> = Vec::new();
    let mut line = " ".repeat(lead);
    let mut len = lead;
    // Whether `line` holds a word yet (the indent alone is no line).
    let mut started = false;
    for word in words.split(' ') {
        let w = word.chars().count();
        if started && len + 1 + w > width {
            out.push(std::mem::take(&mut line));
            line.push_str(&" ".repeat(indent));
            len = indent;
        } else if started {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        started = true;
    }
    out.push(line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_indents_what_follows() {
        assert_eq!(
            wrap("  ab cd ef gh", 8, 4),
            vec!["  ab cd", "    ef", "    gh"]
        );
        assert_eq!(wrap("short", 80, 4), vec!["short"]);
        // A word longer than the line stays whole on its own line.
        assert_eq!(
            wrap("a abcdefghij b", 5, 2),
            vec!["a", "  abcdefghij", "  b"]
        );
        // No width at all: one word a line, never a loop.
        assert_eq!(wrap("a b", 0, 0), vec!["a", "b"]);
    }
}
