//! The small formatting rules the Insights screen's sections share: rates,
//! numbers, and a line of text in one style.

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
