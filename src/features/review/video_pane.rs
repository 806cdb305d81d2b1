//! The review screen's video pane: the picture, the caption being spoken
//! under it and the playback status line; zoomed, the same over the whole
//! review area. Without a picture it says why (no player, output off, a
//! terminal without colour).

use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use takes_api::QuestionView;
use takes_player::colors::NEEDS_COLOUR;

use super::playback::pass_label;
use super::state::{Playback, TranscriptState};
use crate::app::state::{App, VideoSupport};
use crate::config::{Command, Scope, Theme};
use crate::format::fmt_time;
use crate::screens::widgets::{bg_of, fit, pane, VideoPane};

/// Whether this terminal cannot show a picture (no colour).
pub fn needs_colour(app: &App) -> bool {
    matches!(&app.video, VideoSupport::Available { output } if output == NEEDS_COLOUR)
}

/// The video pane: picture, caption, playback status. `zoomed`: over the
/// whole review area, with room for two caption lines.
pub fn draw(
    f: &mut Frame,
    area: Rect,
    app: &App,
    q: &QuestionView,
    theme: &Theme,
    video: Option<&mut dyn VideoPane>,
    zoomed: bool,
) {
    let title = if zoomed {
        format!(
            " Video ({} back) ",
            app.key_name(Scope::Review, Command::Zoom)
        )
    } else {
        format!(
            " Video ({} hides · {} zooms) ",
            app.key_name(Scope::Review, Command::ToggleVideo),
            app.key_name(Scope::Review, Command::Zoom)
        )
    };
    let block = pane(title, false, theme).style(theme.video);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let Some(resp) = &q.response else {
        f.render_widget(
            Paragraph::new("No response was recorded for this question.")
                .style(theme.warning)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let p = &app.player;
    let dim = theme.dim.patch(bg_of(theme.video));
    // Bottom line: playback status; above it the caption; the rest is picture.
    let status_area = Rect::new(inner.x, inner.bottom() - 1, inner.width, 1);
    let caption_h = match inner.height {
        0..=3 => 0,
        h if zoomed && h >= 10 => 2,
        _ => 1,
    };
    let caption_area = Rect::new(
        inner.x,
        status_area.y.saturating_sub(caption_h),
        inner.width,
        caption_h,
    );
    let picture = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(1 + caption_h),
    );
    let available = matches!(app.video, VideoSupport::Available { .. });
    let duration = p.duration_s.unwrap_or(resp.duration_s);
    let state = if !available {
        "■ no video".to_string()
    } else {
        match &p.playback {
            Playback::Idle => "■ stopped".into(),
            Playback::Loading => "… opening".into(),
            Playback::Playing => "▶".into(),
            Playback::Paused => "⏸ paused".into(),
            Playback::Buffering => "… buffering".into(),
            Playback::Ended => "■ end".into(),
            Playback::Failed(_) => "✗ failed".into(),
        }
    };
    // Never "sound on" where nothing can play.
    let sound = match (pass_label(app), &p.no_audio) {
        (Some(pass), Some(_)) => format!("no sound here · {pass}"),
        (None, Some(_)) => "no sound here (captions)".into(),
        (Some(pass), None) if p.muted => format!("sound off · {pass}"),
        (Some(pass), None) => format!("sound on · {pass}"),
        (None, None) if p.muted => "sound off".into(),
        (None, None) => "sound on".into(),
    };
    let status = format!(
        "{state} {} / {} · {:.2}x · {sound} · vol {:.0}%",
        fmt_time(p.position_s),
        fmt_time(duration),
        p.speed,
        p.volume,
    );
    f.render_widget(
        Paragraph::new(fit(&status, inner.width as usize))
            .style(theme.video)
            .alignment(Alignment::Center),
        status_area,
    );
    if caption_h > 0 {
        let caption = caption_at(app, p.position_s).unwrap_or_default();
        // Without sound the captions carry the speech: make them stand out.
        let style = if p.no_audio.is_some() && !p.muted {
            theme
                .cue
                .add_modifier(ratatui::style::Modifier::BOLD | ratatui::style::Modifier::REVERSED)
        } else {
            theme.cue.patch(bg_of(theme.video))
        };
        let caption = if caption_h > 1 {
            Paragraph::new(caption).wrap(Wrap { trim: true })
        } else {
            Paragraph::new(fit(&caption, inner.width as usize))
        };
        f.render_widget(
            caption.style(style).alignment(Alignment::Center),
            caption_area,
        );
    }
    if picture.height == 0 {
        return;
    }
    let drawn = match video {
        Some(v) if available && !needs_colour(app) && picture.width >= 2 => {
            v.draw_picture(picture, f.buffer_mut())
        }
        _ => false,
    };
    if drawn {
        return;
    }
    let about = format!(
        "Response to Q{} · {} · {} · retakes used: {}",
        q.position,
        fmt_time(resp.duration_s),
        resp.content_type,
        resp.retakes_used
    );
    let why = match (&app.video, &p.playback) {
        (VideoSupport::Unavailable(why), _) => {
            format!("No video: {why}. The transcript and rating keys work as usual.")
        }
        (VideoSupport::Available { output }, _) if output == NEEDS_COLOUR => {
            "Video needs colour: this terminal shows none. The transcript and captions carry the answer."
                .to_string()
        }
        (VideoSupport::Available { output }, _) if output == "off" => {
            "Video output is off (video.output): sound and transcript only.".to_string()
        }
        (_, Playback::Failed(e)) => format!("This response cannot be played: {e}"),
        (_, Playback::Loading) => "Opening the response…".to_string(),
        _ => String::new(),
    };
    let mut lines = vec![Line::from(Span::styled(about, theme.video))];
    if !why.is_empty() {
        let style = if matches!(p.playback, Playback::Failed(_)) {
            theme.error.patch(bg_of(theme.video))
        } else {
            dim
        };
        lines.push(Line::from(Span::styled(why, style)));
    }
    let h = (lines.len() as u16 + 1).min(picture.height);
    let y = picture.y + picture.height.saturating_sub(h) / 2;
    f.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect::new(picture.x, y, picture.width, h),
    );
}

/// The transcript text being spoken at `t` (the caption under the video).
fn caption_at(app: &App, t: f64) -> Option<String> {
    let r = app.review()?;
    match r.cues()? {
        TranscriptState::Loaded(c) => c
            .iter()
            .find(|c| c.start_s <= t + 0.05 && t < c.end_s)
            .map(|c| c.text.clone()),
        _ => None,
    }
}
