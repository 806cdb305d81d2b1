//! Small drawing helpers shared by every view: dialogs, centring,
//! truncation, background-only styles, and the video pane the review view
//! draws into.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Clear};
use ratatui::Frame;

use crate::config::Theme;

/// Draws decoded video into the review screen's video pane. The runtime
/// implements it over the player; without one (tests, no libmpv) the pane
/// shows what it would play and why it does not.
pub trait VideoPane {
    /// Draws the current picture into `area`; false when there is none yet.
    fn draw_picture(&mut self, area: Rect, buf: &mut ratatui::buffer::Buffer) -> bool;
}

/// The background of a style alone, to lay text over a filled area.
pub fn bg_of(s: Style) -> Style {
    match s.bg {
        Some(bg) => Style::default().bg(bg),
        None => Style::default(),
    }
}

/// A centred rectangle of at most `w`x`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// A bordered pane with a title; `focus` highlights the border.
pub fn pane<'a>(title: String, focus: bool, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .title(Span::styled(title, theme.title))
        .border_style(if focus {
            theme.border_focus
        } else {
            theme.border
        })
}

/// Clears and frames a dialog.
pub fn dialog(f: &mut Frame, r: Rect, title: &str, theme: &Theme) -> Rect {
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme.title))
        .border_style(theme.border_focus)
        .style(theme.dialog);
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// Truncates to `w` display columns with an ellipsis.
pub fn fit(s: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}
