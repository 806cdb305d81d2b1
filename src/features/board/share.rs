//! Sharing the opened interview: a results-page link for someone without
//! an API token (the same page the ATS links to), made by
//! `POST /v1/interviews/{id}/share-links`, shown in a small overlay as
//! plain text to select and sent to the clipboard by OSC 52 where the
//! terminal lets it through.

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::effect::Effect;
use crate::app::state::App;
use crate::client::board::SharedLink;
use crate::client::ClientError;
use crate::config::{Command, Scope, Theme};
use crate::screens::widgets::{centered, dialog};

pub use super::state::ShareOverlay;

/// The share key: only for the opened interview.
pub fn share(app: &mut App) -> Vec<Effect> {
    let Some(o) = app.board.opened.as_ref() else {
        let open = app.key_name(Scope::Board, Command::Open);
        app.warn(format!(
            "Open the interview ({open}) to share its results page"
        ));
        return vec![];
    };
    let id = o.id.clone();
    app.info("Making a share link…");
    vec![Effect::ShareInterview(id)]
}

pub fn on_shared(
    app: &mut App,
    id: String,
    result: Result<SharedLink, ClientError>,
) -> Vec<Effect> {
    match result {
        Ok(link) => {
            let candidate = app
                .board
                .items
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.candidate_name.clone())
                .unwrap_or_default();
            let url = link.url.clone();
            app.board.share = Some(ShareOverlay { candidate, link });
            app.ok("Share link made; sent to the clipboard where the terminal allows it");
            vec![Effect::CopyToClipboard(url)]
        }
        Err(e) => {
            app.request_failed("Share link not made", &e);
            vec![]
        }
    }
}

/// Any key closes the overlay (the link stays valid until it expires).
pub fn on_key(app: &mut App, _k: &KeyEvent) -> Vec<Effect> {
    app.board.share = None;
    vec![]
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(s) = &app.board.share else {
        return;
    };
    let width = area.width.saturating_sub(4).clamp(20, 100);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let url_rows = s.link.url.chars().count().div_ceil(inner_w).max(1) as u16;
    let r = centered(area, width, 7 + url_rows);
    let title = if s.candidate.is_empty() {
        "Share link".to_string()
    } else {
        format!("Share link — {}", s.candidate)
    };
    let inner = dialog(f, r, &title, theme);
    let expires = s.link.expires_at.get(..10).unwrap_or(&s.link.expires_at);
    let lines = vec![
        Line::from(Span::styled(
            "Opens the interview's results page without a token:",
            theme.dim,
        )),
        Line::from(""),
        Line::from(Span::styled(s.link.url.clone(), theme.title)),
        Line::from(""),
        Line::from(format!("Works until {expires} (revoke it over the API)")),
        Line::from(Span::styled(
            "Copied to the clipboard where the terminal allows it · any key closes",
            theme.dim,
        )),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
