//! The runtime's video: the one libmpv [`Player`] and the renderer that
//! draws its frames into the review screen's video pane. The update
//! function never touches either; it asks with [`PlayerCmd`]s, and the
//! player answers with events that arrive as actions.

use std::sync::Arc;
use std::time::Instant;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use takes_player::{Detection, Frame, OutputKind, RenderOptions, VideoRenderer};
#[cfg(feature = "mpv")]
use takes_player::{Player, PlayerConfig};
use tokio::sync::mpsc::UnboundedSender;

use super::action::Action;
use super::effect::PlayerCmd;
use crate::config::Settings;
use crate::screens::VideoPane;

pub struct Video {
    #[cfg(feature = "mpv")]
    player: Player,
    renderer: VideoRenderer,
    #[cfg(feature = "mpv")]
    server: String,
    /// The frame on screen, redrawn while the frame cap holds new ones back.
    shown: Option<Arc<Frame>>,
    /// Pixel size asked of the player; (0, 0) while no pane shows video.
    size: (u32, u32),
    drawn: bool,
}

impl Video {
    /// Starts libmpv for the workstation, or says why there is no video.
    /// `det` comes from [`takes_player::detect::detect`], run in raw mode
    /// before the input task starts reading (it reads the terminal's answers).
    #[cfg_attr(not(feature = "mpv"), allow(unused_variables))]
    pub fn start(
        settings: &Settings,
        det: &Detection,
        server: &str,
        token: Option<&str>,
        tx: UnboundedSender<Action>,
    ) -> Result<Video, String> {
        let renderer = VideoRenderer::new(
            det,
            RenderOptions {
                max_fps: settings.max_fps,
                ..RenderOptions::default()
            },
        );
        #[cfg(feature = "mpv")]
        {
            let mut config = PlayerConfig {
                audio: settings.audio,
                volume: settings.volume,
                start_muted: true,
                ..PlayerConfig::default()
            };
            if let Some(t) = token {
                config = config.with_bearer(t);
            }
            let player = Player::start(config, move |ev| {
                let _ = tx.send(Action::Player(ev));
            })
            .map_err(|e| e.to_string())?;
            Ok(Video {
                player,
                renderer,
                server: server.trim_end_matches('/').to_string(),
                shown: None,
                size: (0, 0),
                drawn: false,
            })
        }
        #[cfg(not(feature = "mpv"))]
        {
            drop(renderer);
            Err(takes_player::PlayerError::Unavailable.to_string())
        }
    }

    /// The protocol frames are drawn with (`off` when only sound plays).
    pub fn output(&self) -> OutputKind {
        self.renderer.output()
    }

    #[cfg(feature = "mpv")]
    fn url(&self, url: &str) -> String {
        if url.contains("://") {
            url.to_string()
        } else {
            format!("{}{}", self.server, url)
        }
    }

    pub fn run(&mut self, cmd: PlayerCmd) {
        #[cfg(feature = "mpv")]
        {
            let p = &self.player;
            match cmd {
                PlayerCmd::Load(url) => {
                    self.shown = None;
                    p.load(&self.url(&url));
                    p.set_paused(false);
                }
                PlayerCmd::Prefetch(url) => p.prefetch(&self.url(&url)),
                PlayerCmd::Stop => {
                    self.shown = None;
                    p.stop();
                }
                PlayerCmd::TogglePause => p.toggle_pause(),
                PlayerCmd::SeekRelative(s) => p.seek_relative(s),
                PlayerCmd::SeekTo(s) => p.seek_to(s),
                PlayerCmd::Restart => p.restart(),
                PlayerCmd::SpeedStep(n) => p.speed_step(n),
                PlayerCmd::Volume(v) => p.set_volume(v),
                PlayerCmd::Mute(m) => p.set_muted(m),
            }
        }
        #[cfg(not(feature = "mpv"))]
        let _ = cmd;
    }

    /// Call before each redraw.
    pub fn begin_frame(&mut self) {
        self.drawn = false;
    }

    /// Call after each redraw: no pane showed video, so stop rendering
    /// frames nobody sees (content only, another screen).
    pub fn end_frame(&mut self) {
        if !self.drawn && self.size != (0, 0) {
            self.size = (0, 0);
            #[cfg(feature = "mpv")]
            self.player.set_render_size(0, 0);
        }
    }

    /// When the frame cap next allows a new frame, if it holds one back now.
    pub fn next_draw_at(&self) -> Option<Instant> {
        if self.size == (0, 0) {
            return None;
        }
        self.renderer.next_draw_at(Instant::now())
    }
}

impl VideoPane for Video {
    fn draw_picture(&mut self, area: Rect, buf: &mut Buffer) -> bool {
        if self.renderer.output() == OutputKind::Off {
            return false;
        }
        self.drawn = true;
        let size = self.renderer.pixel_size(area);
        if size != self.size {
            self.size = size;
            #[cfg(feature = "mpv")]
            self.player.set_render_size(size.0, size.1);
        }
        // Over the cap: keep showing the frame already there (the pane must
        // be redrawn in full each time, or it would flicker to blank).
        if self.renderer.next_draw_at(Instant::now()).is_none() {
            #[cfg(feature = "mpv")]
            if let Some(f) = self.player.latest_frame() {
                self.shown = Some(f);
            }
        }
        match self.shown.clone() {
            Some(f) => {
                self.renderer.render(Some(&f), area, buf);
                true
            }
            None => false,
        }
    }
}
