//! Where things go. The review layout is public so the player (a later
//! issue) draws into exactly the rectangle the placeholder uses.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::config::{LayoutMode, Settings};

/// Header, body, hint bar.
pub fn frame(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The panes of the review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewLayout {
    pub title: Rect,
    /// `None` in content-only mode.
    pub video: Option<Rect>,
    pub transcript: Rect,
    pub rubric: Rect,
    pub note: Rect,
    pub strip: Rect,
    pub wide: bool,
}

pub fn is_wide(width: u16, settings: &Settings) -> bool {
    match settings.layout {
        LayoutMode::Wide => true,
        LayoutMode::Narrow => false,
        LayoutMode::Auto => width >= settings.wide_min_width,
    }
}

/// `rubric_lines`: how many lines the rubric wants on a narrow terminal,
/// where it gets priority over the transcript.
pub fn review(
    body: Rect,
    settings: &Settings,
    show_video: bool,
    rubric_lines: u16,
) -> ReviewLayout {
    let [title, main, strip] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(body);
    let wide = is_wide(body.width, settings);
    if wide {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(main);
        let (video, transcript) = if show_video {
            // Roughly 16:9 in cells (cells are about twice as tall as wide).
            let vh = ((left.width as u32 * 9 / 32) as u16)
                .clamp(5, left.height.saturating_sub(6).max(5));
            let [v, t] = Layout::vertical([Constraint::Length(vh), Constraint::Min(0)]).areas(left);
            (Some(v), t)
        } else {
            (None, left)
        };
        let note_h = (right.height / 4).clamp(4, 10);
        let [rubric, note] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(note_h)]).areas(right);
        ReviewLayout {
            title,
            video,
            transcript,
            rubric,
            note,
            strip,
            wide,
        }
    } else {
        let video_h = match (show_video, main.height >= 30) {
            (false, _) => 0,
            (true, true) => (main.height / 4).clamp(5, 8),
            (true, false) => 3,
        };
        let note_h = if main.height >= 20 { 4 } else { 3 };
        let rest = main.height.saturating_sub(video_h + note_h);
        // The rubric first (up to its content), leaving the transcript at
        // least 4 rows.
        let rubric_h = (rubric_lines + 2)
            .min(rest.saturating_sub(4))
            .max(rest.min(3));
        let [video, rubric, transcript, note] = Layout::vertical([
            Constraint::Length(video_h),
            Constraint::Length(rubric_h),
            Constraint::Min(0),
            Constraint::Length(note_h),
        ])
        .areas(main);
        ReviewLayout {
            title,
            video: show_video.then_some(video),
            transcript,
            rubric,
            note,
            strip,
            wide,
        }
    }
}
