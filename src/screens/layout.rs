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
    /// Two columns (video and transcript left, rubric and note right).
    pub wide: bool,
}

pub fn is_wide(width: u16, settings: &Settings) -> bool {
    match settings.layout {
        LayoutMode::Wide => true,
        LayoutMode::Narrow => false,
        LayoutMode::Auto => width >= settings.wide_min_width,
    }
}

/// Below this height (of the panes' area) a narrow terminal that shows
/// video uses two columns too: stacked, the picture would get a few rows
/// only, and a picture is limited by its height (80x24 gave it none).
const SHORT: u16 = 30;
/// Two columns need at least this width; narrower terminals stack.
const TWO_COLUMNS_MIN: u16 = 60;

/// What the video pane can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoRoom {
    /// Content only: no pane.
    Hidden,
    /// A picture.
    Picture,
    /// No picture can be drawn here (no player, output off): the pane
    /// carries the playback status and why.
    StatusOnly,
}

/// Whether the review screen is drawn in two columns at this size.
pub fn two_columns(body: Rect, settings: &Settings, video: VideoRoom) -> bool {
    let main_h = body.height.saturating_sub(3);
    is_wide(body.width, settings)
        || (settings.layout == LayoutMode::Auto
            && video == VideoRoom::Picture
            && main_h < SHORT
            && body.width >= TWO_COLUMNS_MIN)
}

/// Title, panes, score strip.
fn rows(body: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(body)
}

/// `rubric_lines`: how many lines the rubric wants on a narrow terminal,
/// where it gets priority over the transcript.
pub fn review(body: Rect, settings: &Settings, room: VideoRoom, rubric_lines: u16) -> ReviewLayout {
    let [title, main, strip] = rows(body);
    let wide = two_columns(body, settings, room);
    let show_video = room != VideoRoom::Hidden;
    if wide {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(main);
        let (video, transcript) = if show_video {
            // Roughly 16:9 in cells (cells are about twice as tall as
            // wide), plus borders, caption and status; the transcript
            // keeps at least 3 rows of text.
            let vh = (left.width as u32 * 9 / 32 + 3) as u16;
            let vh = vh
                .min(left.height.saturating_sub(5))
                .max(5)
                .min(left.height);
            let [v, t] = Layout::vertical([Constraint::Length(vh), Constraint::Min(0)]).areas(left);
            (Some(v), t)
        } else {
            (None, left)
        };
        let note_h = (right.height / 4).clamp(4, 10).min(right.height / 2);
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
        let video_h = match room {
            VideoRoom::Hidden => 0,
            // Too short for a picture beside the rubric: the status line
            // only (`zoom` shows the picture).
            VideoRoom::Picture if main.height < 16 => 3,
            // The picture's 16:9 share of the width, at most 40% of the
            // height (the rubric and transcript need the rest).
            VideoRoom::Picture => {
                let want = (main.width as u32 * 9 / 32 + 4) as u16;
                want.min(main.height * 2 / 5).max(5).min(main.height)
            }
            VideoRoom::StatusOnly if main.height >= SHORT => 5,
            VideoRoom::StatusOnly => 3,
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

/// Zoomed: the picture (with its caption and status) over every pane; the
/// title and the score strip stay, so a rating shows while zoomed.
pub fn zoomed(body: Rect) -> (Rect, Rect, Rect) {
    let [title, main, strip] = rows(body);
    (title, main, strip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(w: u16, h: u16) -> Rect {
        // The frame's header and hint bar take two rows.
        Rect::new(0, 1, w, h - 2)
    }

    #[test]
    fn at_80x24_two_columns_give_the_picture_rows() {
        let s = Settings::default();
        let l = review(body(80, 24), &s, VideoRoom::Picture, 10);
        assert!(l.wide);
        let v = l.video.expect("video pane");
        assert!(v.height >= 12 && v.width >= 40, "{v:?}");
        // Without a picture to show the narrow stack stays, status only.
        let l = review(body(80, 24), &s, VideoRoom::StatusOnly, 10);
        assert!(!l.wide);
        assert_eq!(l.video.map(|v| v.height), Some(3));
        assert_eq!(review(body(80, 24), &s, VideoRoom::Hidden, 10).video, None);
    }

    #[test]
    fn tall_narrow_terminals_stack_and_the_setting_wins() {
        let s = Settings::default();
        let l = review(body(80, 44), &s, VideoRoom::Picture, 10);
        assert!(!l.wide);
        assert!(l.video.is_some_and(|v| v.height >= 12), "{l:?}");
        let narrow = Settings {
            layout: LayoutMode::Narrow,
            ..Settings::default()
        };
        assert!(!review(body(80, 24), &narrow, VideoRoom::Picture, 10).wide);
        // Too narrow for two columns.
        assert!(!review(body(59, 24), &s, VideoRoom::Picture, 10).wide);
    }

    #[test]
    fn panes_stay_inside_the_body_at_every_size() {
        let s = Settings::default();
        // Sampled: the layout solver is slow in debug builds.
        for w in (40..=200u16).step_by(9) {
            for h in (12..=60u16).step_by(4) {
                let b = body(w, h);
                for room in [VideoRoom::Picture, VideoRoom::StatusOnly, VideoRoom::Hidden] {
                    let l = review(b, &s, room, 12);
                    for r in [l.title, l.transcript, l.rubric, l.note, l.strip]
                        .into_iter()
                        .chain(l.video)
                    {
                        assert_eq!(r.intersection(b), r, "{w}x{h} {room:?}: {r:?}");
                    }
                }
            }
        }
    }
}
