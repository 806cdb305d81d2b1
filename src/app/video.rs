//! The runtime's video: the one libmpv [`Player`] and the renderer that
//! draws its frames into the review screen's video pane. The update
//! function never touches either; it asks with [`PlayerCmd`]s, and the
//! player answers with events that arrive as actions.
//!
//! The player (and libmpv with it, ~45 MB of libraries) starts when a
//! review first plays, in the background: commands given while it starts
//! wait in its queue, and keys are never held up by it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use takes_player::link::{describe_rate, Adapter, Class, Level, Sample};
use takes_player::{Detection, Frame, OutputKind, RenderOptions, VideoRenderer};
#[cfg(feature = "mpv")]
use takes_player::{Player, PlayerConfig};
use tokio::sync::mpsc::UnboundedSender;

use super::action::Action;
use super::effect::PlayerCmd;
use crate::config::Settings;
use crate::screens::VideoPane;

pub struct Video {
    /// Started by the first `Load` or `Prefetch`; again after a failed start.
    #[cfg(feature = "mpv")]
    player: Option<Player>,
    #[cfg(feature = "mpv")]
    config: PlayerConfig,
    #[cfg(feature = "mpv")]
    tx: UnboundedSender<Action>,
    renderer: VideoRenderer,
    #[cfg(feature = "mpv")]
    server: String,
    /// The frame on screen, redrawn while the frame cap holds new ones back.
    shown: Option<Arc<Frame>>,
    /// Pixel size asked of the player; (0, 0) while no pane shows video.
    size: (u32, u32),
    drawn: bool,
    link: LinkState,
    /// The terminal has no colour, so no picture (`takes_player::colors`).
    needs_colour: bool,
}

/// How the link shapes the picture (see `takes_player::link`).
struct LinkState {
    adapter: Adapter,
    /// False with `TAKES_VIDEO_ADAPT=0`: full rate, frames queue as before.
    adapt: bool,
    over_ssh: bool,
    user_max_fps: Option<f64>,
    started: Instant,
    /// The writer is idle: a new frame may be drawn this redraw.
    gate_open: bool,
    /// The player has a frame we have not fetched.
    frame_waiting: bool,
    /// This redraw drew a new frame (its bytes teach the adapter).
    fresh: bool,
    /// This redraw repaints the whole screen: its bytes are not the frame's.
    repaint: bool,
    /// Cells of the whole picture area, and the share drawn (1 = all).
    full_cells: usize,
    divisor: u16,
    /// When the SSH socket's send queue was last read.
    link_read: Option<Instant>,
    /// Probe padding to write before the next draw.
    pad: usize,
}

impl LinkState {
    #[cfg_attr(not(feature = "mpv"), allow(dead_code))]
    fn new(settings: &Settings, det: &Detection) -> LinkState {
        let adapt = std::env::var("TAKES_VIDEO_ADAPT").map_or(true, |v| v != "0");
        let mut adapter = Adapter::new(settings.max_fps.unwrap_or(30.0));
        if !adapt {
            adapter.force(Some(Level::Full));
        }
        // Pins a level, so a level's wire cost can be measured on any link.
        if let Some(l) = std::env::var("TAKES_VIDEO_LEVEL")
            .ok()
            .and_then(|v| Level::parse(&v))
        {
            adapter.force(Some(l));
        }
        LinkState {
            adapter,
            adapt,
            over_ssh: det.over_ssh,
            user_max_fps: settings.max_fps,
            started: Instant::now(),
            gate_open: true,
            frame_waiting: false,
            fresh: false,
            repaint: false,
            full_cells: 0,
            divisor: 1,
            link_read: None,
            pad: 0,
        }
    }
}

impl Video {
    /// Prepares video for the workstation (libmpv is not loaded yet), or
    /// says why there is none. `det` comes from [`takes_player::detect::detect`], run in raw mode
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
            Ok(Video {
                player: None,
                config,
                tx,
                renderer,
                server: server.trim_end_matches('/').to_string(),
                shown: None,
                size: (0, 0),
                drawn: false,
                link: LinkState::new(settings, det),
                needs_colour: det.no_colour.is_some() && det.output == OutputKind::Off,
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

    /// What the review screen is told: the protocol, or
    /// [`takes_player::colors::NEEDS_COLOUR`] on a terminal without colour.
    pub fn output_name(&self) -> &'static str {
        if self.needs_colour {
            takes_player::colors::NEEDS_COLOUR
        } else {
            self.renderer.output().name()
        }
    }

    #[cfg(feature = "mpv")]
    fn url(&self, url: &str) -> String {
        if url.contains("://") {
            url.to_string()
        } else {
            format!("{}{}", self.server, url)
        }
    }

    /// The player, started now if it is not running and `cmd` loads a
    /// response; `None` before, when a command has nothing to act on.
    #[cfg(feature = "mpv")]
    fn player_for(&mut self, cmd: &PlayerCmd) -> Option<&Player> {
        let running = self.player.as_ref().is_some_and(Player::is_running);
        if !running {
            // What the player starts with, when it starts.
            match cmd {
                PlayerCmd::Mute(m) => self.config.start_muted = *m,
                PlayerCmd::Volume(v) => self.config.volume = *v,
                _ => {}
            }
        }
        if !running && matches!(cmd, PlayerCmd::Load(_)) {
            // The old one's start failed (no libmpv, say): try again, so
            // the review screen hears why once more instead of waiting.
            self.player = None;
            let tx = self.tx.clone();
            match Player::spawn(self.config.clone(), move |ev| {
                let _ = tx.send(Action::Player(ev));
            }) {
                Ok(p) => {
                    p.set_render_size(self.size.0, self.size.1);
                    self.player = Some(p);
                }
                Err(e) => {
                    let _ = self
                        .tx
                        .send(Action::Player(takes_player::PlayerEvent::Error(
                            e.to_string(),
                        )));
                }
            }
        }
        self.player.as_ref()
    }

    pub fn run(&mut self, cmd: PlayerCmd) {
        #[cfg(feature = "mpv")]
        {
            let url = |u: &str| self.url(u);
            let cmd = match cmd {
                PlayerCmd::Load(u) => PlayerCmd::Load(url(&u)),
                PlayerCmd::Prefetch(u) => PlayerCmd::Prefetch(url(&u)),
                other => other,
            };
            if matches!(cmd, PlayerCmd::Load(_) | PlayerCmd::Stop) {
                self.shown = None;
            }
            let Some(p) = self.player_for(&cmd) else {
                return;
            };
            match cmd {
                PlayerCmd::Load(url) => {
                    p.load(&url);
                    p.set_paused(false);
                }
                PlayerCmd::Prefetch(url) => p.prefetch(&url),
                PlayerCmd::Stop => p.stop(),
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

    /// The link is slow: the whole screen goes out in 256 colours.
    pub fn slow_link(&self) -> bool {
        self.link.adapt && self.link.adapter.level() <= Level::LowRes
    }

    /// Whether frames are held back to what the link drains.
    pub fn adapting(&self) -> bool {
        self.link.adapt
    }

    /// The drain rate measured through the terminal at start-up (over SSH
    /// the pty's writes say nothing until the channel's window is full).
    pub fn set_link_ceiling(&mut self, bytes_per_s: Option<f64>) {
        self.link.adapter.set_ceiling(bytes_per_s);
    }

    /// The player said a frame is waiting.
    pub fn frame_event(&mut self) {
        self.link.frame_waiting = true;
    }

    /// A frame is waiting to be drawn (wake for it when the writer idles).
    pub fn wants_draw(&self) -> bool {
        self.link.frame_waiting && self.size != (0, 0)
    }

    /// Finished terminal writes: re-decides the level and applies its plan.
    pub fn observe(&mut self, samples: &[(Class, Sample)]) {
        let l = &mut self.link;
        let now = l.started.elapsed();
        for (class, s) in samples {
            l.adapter.observe(s);
            if *class == Class::Ui {
                l.adapter.input(now);
            }
        }
        // Over SSH the backlog sits in sshd and its socket, not in our pty:
        // the connection is the running measure of the link. Read often
        // while a frame waits for it to drain, so the frame goes as soon
        // as it may, and oftener while a probe paces its padding.
        let every = if l.adapter.probing() {
            takes_player::link::adapt::PROBE_TICK.as_millis()
        } else if l.frame_waiting {
            20
        } else {
            100
        };
        if l.adapt && l.over_ssh && l.link_read.is_none_or(|t| t.elapsed().as_millis() >= every) {
            l.link_read = Some(Instant::now());
            if let Some(r) = takes_player::link::socket::ssh_link() {
                l.adapter.observe_link(now, &r);
            }
        }
        if l.full_cells == 0 {
            return;
        }
        let was = l.adapter.level();
        let level = l.adapter.evaluate(now, l.full_cells);
        if l.adapt {
            l.pad += l.adapter.padding(now);
        }
        if level != was {
            tracing::info!(from = was.name(), to = level.name(), adapter = ?l.adapter, "video level");
        }
        let plan = l.adapter.plan();
        if !l.adapt {
            return;
        }
        let cap = match (l.user_max_fps, level) {
            (_, Level::Off) => None,
            (Some(u), _) => Some(u.min(plan.fps)),
            (None, Level::Full) => None,
            (None, _) => Some(plan.fps),
        };
        self.renderer.set_max_fps(cap);
        self.renderer.set_threshold(plan.threshold);
        l.divisor = plan.divisor.max(1);
    }

    /// Probe padding to write now, before the redraw (see
    /// [`takes_player::link::Adapter::padding`]).
    pub fn take_padding(&mut self) -> usize {
        std::mem::take(&mut self.link.pad)
    }

    /// The next redraw repaints the whole screen (after `begin_frame`).
    pub fn repaint(&mut self) {
        self.link.repaint = true;
    }

    /// Call before each redraw; `gate_open` says the writer is idle, so a
    /// new frame may be drawn (otherwise the frame on screen is kept).
    pub fn begin_frame(&mut self, gate_open: bool) {
        self.drawn = false;
        self.link.fresh = false;
        let l = &mut self.link;
        l.gate_open = !l.adapt || (gate_open && l.adapter.frame_fits(l.full_cells));
    }

    /// Call after each redraw with the bytes it wrote: no pane showed
    /// video, so stop rendering frames nobody sees (content only, another
    /// screen).
    pub fn end_frame(&mut self, bytes: usize) {
        let l = &mut self.link;
        let repaint = std::mem::take(&mut l.repaint);
        if l.fresh && l.full_cells > 0 && !repaint {
            let d = l.divisor as usize;
            l.adapter.frame_cost(bytes * d * d, l.full_cells);
        }
        if !self.drawn && self.size != (0, 0) {
            self.size = (0, 0);
            #[cfg(feature = "mpv")]
            if let Some(p) = &self.player {
                p.set_render_size(0, 0);
            }
        }
    }

    /// When the frame cap next allows a new frame, if it holds one back now.
    pub fn next_draw_at(&self) -> Option<Instant> {
        let now = Instant::now();
        let l = &self.link;
        // A probe paces its padding by the link's readings, with the video
        // off too (no frame wakes the loop then).
        let probe =
            (l.adapt && l.adapter.probing()).then(|| now + takes_player::link::adapt::PROBE_TICK);
        if self.size == (0, 0) {
            return probe;
        }
        // Held back until the link drains: look again shortly (nothing
        // else wakes us, since the pty's writer is idle).
        if l.adapt && l.frame_waiting && !l.adapter.frame_fits(l.full_cells) {
            return Some(now + Duration::from_millis(20));
        }
        match (self.renderer.next_draw_at(now), probe) {
            (Some(t), Some(p)) => Some(t.min(p)),
            (t, p) => t.or(p),
        }
    }
}

impl Video {
    /// "video 8 fps, 80x20, link ~1.6 Mbit/s"; "video 8 fps, 40x10 (lower
    /// resolution), link ~600 kbit/s".
    fn link_line(&self, picture: Rect) -> String {
        let l = &self.link;
        let rate = l
            .adapter
            .link_rate()
            .map(|r| format!(", link {}", describe_rate(r)))
            .unwrap_or_default();
        let fps = match (l.adapter.level(), self.renderer.max_fps()) {
            (Level::Stills, _) => "stills".to_string(),
            (_, Some(f)) => format!("{f:.0} fps"),
            (_, None) => "full rate".to_string(),
        };
        // Named, because the size alone does not say the picture was cut.
        let reduced = if l.adapter.level() == Level::LowRes {
            " (lower resolution)"
        } else {
            ""
        };
        format!(
            "video {fps}, {}x{}{reduced}{rate}",
            picture.width, picture.height
        )
    }

    fn stop_frames(&mut self) {
        if self.size != (0, 0) {
            self.size = (0, 0);
            #[cfg(feature = "mpv")]
            if let Some(p) = &self.player {
                p.set_render_size(0, 0);
            }
        }
        self.link.frame_waiting = false;
    }
}

impl VideoPane for Video {
    fn draw_picture(&mut self, area: Rect, buf: &mut Buffer) -> bool {
        if self.renderer.output() == OutputKind::Off {
            return false;
        }
        self.drawn = true;
        self.link.full_cells = area.width as usize * area.height as usize;
        // A modifier, not a colour: outside the picture, so `NO_COLOR` holds.
        let dim = Style::default().add_modifier(Modifier::DIM);
        if self.link.adapt && self.link.adapter.level() == Level::Off {
            self.stop_frames();
            let rate = self
                .link
                .adapter
                .link_rate()
                .map(|r| format!(", {}", describe_rate(r)))
                .unwrap_or_default();
            let text = format!("video off (slow link{rate}) — transcript and captions");
            let y = area.y + area.height / 2;
            Paragraph::new(text)
                .style(dim)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true })
                .render(
                    Rect::new(area.x, y, area.width, area.height - area.height / 2),
                    buf,
                );
            return true;
        }
        // Said whenever the link shapes the picture, so the reviewer knows
        // why it is small or slow.
        let show_line = self.link.adapt
            && area.height >= 3
            && (self.link.over_ssh || self.link.adapter.level() < Level::Full);
        let mut picture = area;
        if show_line {
            picture.height -= 1;
        }
        let d = self.link.divisor.max(1);
        let (w, h) = ((picture.width / d).max(2), (picture.height / d).max(1));
        let area = Rect::new(
            picture.x + (picture.width - w.min(picture.width)) / 2,
            picture.y + (picture.height - h.min(picture.height)) / 2,
            w.min(picture.width),
            h.min(picture.height),
        );
        if show_line {
            let line = self.link_line(area);
            Paragraph::new(line)
                .style(dim)
                .alignment(Alignment::Center)
                .render(
                    Rect::new(picture.x, picture.bottom(), picture.width, 1),
                    buf,
                );
        }
        let size = self.renderer.pixel_size(area);
        if size != self.size {
            self.size = size;
            #[cfg(feature = "mpv")]
            if let Some(p) = &self.player {
                p.set_render_size(size.0, size.1);
            }
        }
        // Over the cap: keep showing the frame already there (the pane must
        // be redrawn in full each time, or it would flicker to blank).
        // Behind a busy writer, too: a new frame would queue behind it.
        if self.link.gate_open && self.renderer.next_draw_at(Instant::now()).is_none() {
            #[cfg(feature = "mpv")]
            if let Some(f) = self.player.as_ref().and_then(Player::latest_frame) {
                self.link.fresh = self.shown.as_ref().is_none_or(|s| s.seq != f.seq);
                self.shown = Some(f);
            }
            self.link.frame_waiting = false;
        }
        match self.shown.clone() {
            Some(f) => {
                self.renderer.render(Some(&f), area, buf);
                // Below full size the link is slow: the 256-colour cube
                // halves each cell's colour sequence and lets neighbours
                // share one, so a redraw of the picture (after an overlay
                // closes) costs the reviewer's key less.
                if self.link.adapt && self.link.adapter.level() <= Level::LowRes {
                    coarse_colours(area, buf);
                }
                true
            }
            None => false,
        }
    }
}

/// Maps the picture's RGB cells in `area` to the xterm 256-colour cube.
fn coarse_colours(area: Rect, buf: &mut Buffer) {
    use ratatui::style::Color;
    let cube = |c: Color| match c {
        Color::Rgb(r, g, b) => {
            let q = |v: u8| (u16::from(v) * 5 + 127) / 255;
            Color::Indexed((16 + 36 * q(r) + 6 * q(g) + q(b)) as u8)
        }
        other => other,
    };
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.fg = cube(cell.fg);
                cell.bg = cube(cell.bg);
            }
        }
    }
}

#[cfg(test)]
mod coarse_tests {
    use super::*;
    use ratatui::style::Color;

    #[test]
    fn the_cube_keeps_primaries_and_leaves_other_colours() {
        let area = Rect::new(0, 0, 3, 1);
        let mut buf = Buffer::empty(area);
        buf[(0, 0)].fg = Color::Rgb(255, 0, 0);
        buf[(0, 0)].bg = Color::Rgb(0, 0, 0);
        buf[(1, 0)].fg = Color::Rgb(250, 250, 250);
        buf[(2, 0)].fg = Color::Reset;
        coarse_colours(area, &mut buf);
        assert_eq!(buf[(0, 0)].fg, Color::Indexed(196));
        assert_eq!(buf[(0, 0)].bg, Color::Indexed(16));
        assert_eq!(buf[(1, 0)].fg, Color::Indexed(231));
        assert_eq!(buf[(2, 0)].fg, Color::Reset);
    }
}

#[cfg(all(test, feature = "mpv"))]
mod probe_tests {
    use super::*;
    use takes_player::detect::ColorDepth;
    use takes_player::link::socket::Reading;

    /// With the video off (no frame, so no frame wakes the loop), a
    /// running probe still wakes it every tick: its padding is paced by
    /// the link's readings, and recovery from off waits on it.
    #[test]
    fn a_probe_wakes_the_loop_with_the_video_off() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let det = Detection::fixed(OutputKind::Halfblocks, ColorDepth::TrueColor);
        let Ok(mut v) = Video::start(&Settings::default(), &det, "http://x", None, tx) else {
            panic!("video starts without loading libmpv");
        };
        assert_eq!(v.size, (0, 0), "no pane has asked for frames");
        assert_eq!(v.next_draw_at(), None, "nothing to wake for");
        let a = &mut v.link.adapter;
        a.set_ceiling(Some(64_000.0));
        let reading = Reading {
            queued: 0,
            acked: Some(10_000),
            busy: Some(Duration::from_millis(5)),
            retrans: Some(0),
            rtt: None,
            min_rtt: None,
        };
        let now = Duration::from_secs(5);
        a.observe_link(now, &reading);
        a.evaluate(now, 80 * 24);
        assert!(
            a.probing(),
            "an idle, unmeasured link below full rate is probed"
        );
        let wake = v.next_draw_at().expect("woken for the probe");
        assert!(wake <= Instant::now() + takes_player::link::adapt::PROBE_TICK);
        assert!(v.link.adapter.padding(now) > 0);
    }
}
