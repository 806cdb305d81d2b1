//! In-terminal video for `takes`.
//!
//! - [`Player`] (feature `mpv`): libmpv decodes and scales in-process and
//!   renders frames in software at exactly the video pane's pixel size.
//!   libmpv is opened with `dlopen` when a player first starts, never
//!   linked: building needs no libmpv, and a process that plays nothing
//!   maps none of it.
//! - [`VideoRenderer`]: draws a [`Frame`] into a ratatui buffer with the best
//!   protocol the terminal has ([`OutputKind`]); half-blocks only repaint
//!   cells whose colour changed perceptibly.
//! - [`detect`]: chooses the protocol (`video.output`), colour depth and
//!   synchronized-output support.
//! - [`muted_first`]: the muted-first review policy as a pure state machine.
//! - [`play_command`] / [`doctor_report`]: the `takes play` and the
//!   terminal/libmpv half of `takes doctor`.
//!
//! How the TUI drives it:
//! 1. At start-up, in raw mode on the alternate screen and before reading
//!    events: `let det = detect::detect(setting, takes_player::QUERY_TIMEOUT)`.
//! 2. `let renderer = VideoRenderer::new(&det, RenderOptions::default())`.
//! 3. When a review first plays: `Player::spawn(config, move |ev|
//!    tx.send(Action::Player(ev)))` where `tx` is the app's action channel
//!    (it returns at once; commands wait until mpv is up). `PlayerEvent::Frame` means "a new
//!    frame is waiting"; it is not sent again until the frame is fetched.
//! 4. On layout: `player.set_render_size(renderer.pixel_size(pane))`.
//! 5. In the draw function: `renderer.render(player.latest_frame().as_deref(), pane, buf)`.

#[cfg(not(feature = "mpv"))]
use std::sync::Arc;

pub mod colors;
pub mod detect;
pub mod doctor;
pub mod halfblock;
pub mod link;
pub mod muted_first;
pub mod play;
pub mod terminal;
pub mod video;

#[cfg(feature = "mpv")]
mod mpv_ffi;
#[cfg(feature = "mpv")]
mod mpv_lib;
#[cfg(feature = "mpv")]
mod player;

pub use detect::{ColorDepth, Detection, OutputKind, OutputSetting};
pub use doctor::{doctor_report, DoctorReport};
pub use play::{play_command, PlayOptions, PlayStats, QUERY_TIMEOUT};
pub use video::{RenderOptions, VideoRenderer};

#[cfg(feature = "mpv")]
pub use player::Player;

/// Whether libmpv is mapped into this process (it is loaded only when a
/// video first plays, or `takes doctor` asks for it).
pub fn libmpv_loaded() -> bool {
    #[cfg(feature = "mpv")]
    {
        mpv_lib::loaded()
    }
    #[cfg(not(feature = "mpv"))]
    {
        false
    }
}

/// Playback speeds `[` and `]` move between.
pub const SPEED_STEPS: [f64; 7] = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0];

/// The next speed `n` steps away along [`SPEED_STEPS`], from the nearest step.
pub fn step_speed(current: f64, n: i32) -> f64 {
    let idx = SPEED_STEPS
        .iter()
        .enumerate()
        .min_by(|a, b| {
            (a.1 - current)
                .abs()
                .partial_cmp(&(b.1 - current).abs())
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(i, _)| i as i32)
        .unwrap_or(2);
    let j = (idx + n).clamp(0, SPEED_STEPS.len() as i32 - 1);
    SPEED_STEPS[j as usize]
}

/// How the player starts. `Default` is what the review screen wants.
#[derive(Debug, Clone)]
pub struct PlayerConfig {
    /// Play sound through the default audio output; false uses `ao=null`
    /// (tests, benchmarks, machines without sound).
    pub audio: bool,
    /// Extra HTTP headers for streamed media, e.g.
    /// `"Authorization: Bearer TOKEN"` (mpv `http-header-fields`).
    pub http_headers: Vec<String>,
    pub start_muted: bool,
    pub start_paused: bool,
    /// Percent, 0..=130.
    pub volume: f64,
    /// 0.5..=2.0.
    pub speed: f64,
}

impl Default for PlayerConfig {
    fn default() -> Self {
        Self {
            audio: true,
            http_headers: Vec::new(),
            start_muted: true,
            start_paused: false,
            volume: 100.0,
            speed: 1.0,
        }
    }
}

impl PlayerConfig {
    /// Adds `Authorization: Bearer TOKEN` for streaming from the platform.
    pub fn with_bearer(mut self, token: &str) -> Self {
        self.http_headers
            .push(format!("Authorization: Bearer {token}"));
        self
    }
}

/// What the player reports. Sent from the player's threads through the sink
/// given to [`Player::start`].
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerEvent {
    /// A file was opened and playback is about to start.
    Loaded,
    /// The duration became known (seconds).
    Duration(f64),
    /// Playback position; drives transcript and caption sync and the
    /// muted-first coverage.
    Position {
        time_s: f64,
        duration_s: Option<f64>,
    },
    /// A new frame is waiting in [`Player::latest_frame`]. Not repeated
    /// until that frame was fetched (frames are dropped, not queued).
    Frame,
    Paused(bool),
    Speed(f64),
    Muted(bool),
    Volume(f64),
    /// Waiting for the network.
    Buffering(bool),
    /// A seek finished (or playback (re)started).
    SeekDone,
    /// The end of the file was reached; the last frame stays shown.
    EndOfFile,
    /// The file could not be opened or decoded (missing, corrupt, HTTP error).
    Error(String),
    /// A command was refused (e.g. seeking with nothing loaded). Informational.
    CommandFailed(String),
    /// mpv shut down.
    Shutdown,
}

/// Why there is no player.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum PlayerError {
    /// Built without the `mpv` feature.
    #[error("video playback is not available: takes was built without libmpv")]
    Unavailable,
    #[error("libmpv could not start: {0}")]
    Init(String),
}

/// One decoded video frame, scaled to the size asked for with
/// [`Player::set_render_size`], packed RGB (3 bytes a pixel, no padding).
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub seq: u64,
    pub width: u32,
    pub height: u32,
    rgb: Vec<u8>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame#{} {}x{}", self.seq, self.width, self.height)
    }
}

impl Frame {
    /// A frame from packed RGB bytes; `None` if the length does not match.
    pub fn from_rgb(seq: u64, width: u32, height: u32, rgb: Vec<u8>) -> Option<Frame> {
        (rgb.len() == width as usize * height as usize * 3).then_some(Frame {
            seq,
            width,
            height,
            rgb,
        })
    }

    /// A frame of one colour.
    pub fn solid(width: u32, height: u32, rgb: [u8; 3]) -> Frame {
        let n = width as usize * height as usize;
        Frame {
            seq: 0,
            width,
            height,
            rgb: rgb.iter().copied().cycle().take(n * 3).collect(),
        }
    }

    #[cfg(feature = "mpv")]
    fn from_rgb0(seq: u64, (width, height, stride, bytes): (u32, u32, usize, &[u8])) -> Frame {
        let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
        for row in bytes.chunks(stride).take(height as usize) {
            for px in row[..width as usize * 4].chunks_exact(4) {
                rgb.extend_from_slice(&px[..3]);
            }
        }
        Frame {
            seq,
            width,
            height,
            rgb,
        }
    }

    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// The pixel at (x, y), clamped to the frame.
    #[inline]
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        if self.width == 0 || self.height == 0 {
            return [0, 0, 0];
        }
        let x = x.min(self.width - 1) as usize;
        let y = y.min(self.height - 1) as usize;
        let i = (y * self.width as usize + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    pub fn to_image(&self) -> image::RgbImage {
        image::RgbImage::from_raw(self.width, self.height, self.rgb.clone())
            .unwrap_or_else(|| image::RgbImage::new(self.width, self.height))
    }
}

/// Stub so the TUI compiles the same code without libmpv.
#[cfg(not(feature = "mpv"))]
pub struct Player {
    _private: (),
}

#[cfg(not(feature = "mpv"))]
impl Player {
    pub fn start(
        _config: PlayerConfig,
        _sink: impl Fn(PlayerEvent) + Send + Sync + 'static,
    ) -> Result<Player, PlayerError> {
        Err(PlayerError::Unavailable)
    }
    pub fn load(&self, _url: &str) {}
    pub fn stop(&self) {}
    pub fn prefetch(&self, _url: &str) {}
    pub fn set_paused(&self, _paused: bool) {}
    pub fn toggle_pause(&self) {}
    pub fn seek_relative(&self, _secs: f64) {}
    pub fn seek_to(&self, _secs: f64) {}
    pub fn restart(&self) {}
    pub fn set_speed(&self, _speed: f64) {}
    pub fn speed_step(&self, _steps: i32) {}
    pub fn set_volume(&self, _percent: f64) {}
    pub fn set_muted(&self, _muted: bool) {}
    pub fn set_render_size(&self, _width: u32, _height: u32) {}
    pub fn latest_frame(&self) -> Option<Arc<Frame>> {
        None
    }
    pub fn frame_counts(&self) -> (u64, u64) {
        (0, 0)
    }
}

/// libmpv's client API version, `None` without the `mpv` feature or
/// when libmpv cannot be loaded. Loads libmpv (see [`Player::spawn`]).
pub fn libmpv_version() -> Option<(u32, u32)> {
    #[cfg(feature = "mpv")]
    {
        mpv_lib::api().ok().map(|a| a.version())
    }
    #[cfg(not(feature = "mpv"))]
    {
        None
    }
}
