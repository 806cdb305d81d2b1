//! The embedded player: libmpv decoding and scaling in-process, frames
//! rendered in software to exactly the pane's pixel size.
//!
//! Threads (both owned by [`Player`], joined on drop):
//! - the *control* thread owns the `Mpv` handle: it applies [`Player`]
//!   commands and turns mpv events into [`PlayerEvent`]s. It sleeps on a
//!   condition variable raised by mpv's wakeup callback or by a command.
//! - the *render* thread owns the software render context and calls only
//!   `mpv_render_*` functions (render.h: a render thread must never wait on a
//!   thread that makes other libmpv calls). It sleeps until mpv's update
//!   callback or a size change raises its condition variable, renders, and
//!   puts the frame in a one-slot mailbox: a newer frame replaces an undrawn
//!   one, so frames are dropped, never queued.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::mpv_ffi::{Core, MpvEvent, SwRenderer, SwSurface, Value};
use crate::{step_speed, Frame, PlayerConfig, PlayerError, PlayerEvent};

/// Wake-up flags shared by a sleeping thread and whoever wakes it.
#[derive(Default)]
struct Signal {
    bits: Mutex<u32>,
    cv: Condvar,
}

const WAKE_MPV: u32 = 1;
const WAKE_COMMAND: u32 = 2;
const WAKE_RENDER: u32 = 4;
const WAKE_RESIZE: u32 = 8;
const WAKE_STOP: u32 = 16;

impl Signal {
    fn raise(&self, bits: u32) {
        if let Ok(mut b) = self.bits.lock() {
            *b |= bits;
        }
        self.cv.notify_one();
    }

    /// Blocks until some bit is raised, returns and clears them.
    fn wait(&self) -> u32 {
        let Ok(mut b) = self.bits.lock() else {
            return WAKE_STOP;
        };
        while *b == 0 {
            b = match self.cv.wait(b) {
                Ok(b) => b,
                Err(_) => return WAKE_STOP,
            };
        }
        std::mem::take(&mut *b)
    }
}

/// The one-slot frame mailbox between the render thread and the UI.
#[derive(Default)]
pub(crate) struct FrameSlot {
    latest: Mutex<Option<Arc<Frame>>>,
    /// A frame is in the slot that the UI has not fetched yet.
    pending: AtomicBool,
    pub(crate) decoded: AtomicU64,
    /// Frames replaced in the slot before the UI fetched them.
    pub(crate) superseded: AtomicU64,
}

enum Command {
    Load(String),
    Stop,
    Prefetch(String),
    SetPause(bool),
    TogglePause,
    SeekRelative(f64),
    SeekAbsolute(f64),
    Speed(f64),
    SpeedStep(i32),
    Volume(f64),
    Mute(bool),
    Quit,
}

type Sink = Arc<dyn Fn(PlayerEvent) + Send + Sync + 'static>;

/// A running libmpv instance. Cheap to keep idle; drop it to stop.
///
/// All methods are non-blocking: they queue a command for the control thread.
pub struct Player {
    commands: Sender<Command>,
    control: Arc<Signal>,
    render: Arc<Signal>,
    size: Arc<Mutex<(u32, u32)>>,
    frames: Arc<FrameSlot>,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    /// Starts mpv (idle, nothing loaded) and waits until it is ready.
    /// `sink` receives every event; it is called from the player's threads,
    /// so it should only forward (e.g. send on a channel) and return.
    pub fn start(
        config: PlayerConfig,
        sink: impl Fn(PlayerEvent) + Send + Sync + 'static,
    ) -> Result<Player, PlayerError> {
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let mut player = Player::launch(config, Arc::new(sink), Some(ready_tx))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(player),
            Ok(Err(e)) => {
                player.join();
                Err(e)
            }
            Err(_) => {
                player.join();
                Err(PlayerError::Init(
                    "the player thread ended during start-up".into(),
                ))
            }
        }
    }

    /// Starts mpv in the background and returns at once: commands given
    /// meanwhile wait in order, and a failed start (no libmpv, say) arrives
    /// as [`PlayerEvent::Error`], after which [`Player::is_running`] is false.
    /// Loading libmpv takes a while and maps ~45 MB; the workstation does it
    /// when a review first plays, so keys are never held up by it.
    pub fn spawn(
        config: PlayerConfig,
        sink: impl Fn(PlayerEvent) + Send + Sync + 'static,
    ) -> Result<Player, PlayerError> {
        Player::launch(config, Arc::new(sink), None)
    }

    fn launch(
        config: PlayerConfig,
        sink: Sink,
        ready: Option<mpsc::SyncSender<Result<(), PlayerError>>>,
    ) -> Result<Player, PlayerError> {
        let (commands, rx) = mpsc::channel();
        let control = Arc::new(Signal::default());
        let render = Arc::new(Signal::default());
        let size = Arc::new(Mutex::new((0u32, 0u32)));
        let frames = Arc::new(FrameSlot::default());
        let shared = Shared {
            control: control.clone(),
            render: render.clone(),
            size: size.clone(),
            frames: frames.clone(),
            sink,
        };
        let thread = std::thread::Builder::new()
            .name("takes-mpv-control".into())
            .spawn(move || control_thread(config, shared, rx, ready))
            .map_err(|e| PlayerError::Init(format!("cannot start the player thread: {e}")))?;
        Ok(Player {
            commands,
            control,
            render,
            size,
            frames,
            thread: Some(thread),
        })
    }

    /// False once the player's thread has ended (its start failed, or mpv
    /// shut down); commands then go nowhere.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    fn join(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn send(&self, c: Command) {
        if self.commands.send(c).is_ok() {
            self.control.raise(WAKE_COMMAND);
        }
    }

    /// Replaces whatever plays with `url` (a path, `file://` or `http(s)://`).
    /// If `url` was the last [`prefetch`](Self::prefetch), mpv switches to the
    /// already opened stream.
    pub fn load(&self, url: &str) {
        self.send(Command::Load(url.to_string()));
    }

    /// Stops playback and closes the file (leaving the review screen).
    pub fn stop(&self) {
        self.send(Command::Stop);
    }

    /// Opens `url` in the background as the next entry, so that a later
    /// [`load`](Self::load) of the same URL starts at once.
    pub fn prefetch(&self, url: &str) {
        self.send(Command::Prefetch(url.to_string()));
    }

    pub fn set_paused(&self, paused: bool) {
        self.send(Command::SetPause(paused));
    }

    pub fn toggle_pause(&self) {
        self.send(Command::TogglePause);
    }

    /// Seeks by `secs` (negative: back), precisely (not to a key frame).
    pub fn seek_relative(&self, secs: f64) {
        self.send(Command::SeekRelative(secs));
    }

    /// Seeks to `secs` from the start.
    pub fn seek_to(&self, secs: f64) {
        self.send(Command::SeekAbsolute(secs));
    }

    /// Starts the current file over and plays.
    pub fn restart(&self) {
        self.send(Command::SeekAbsolute(0.0));
        self.send(Command::SetPause(false));
    }

    /// Sets the speed, clamped to 0.5..=2.0; pitch is corrected.
    pub fn set_speed(&self, speed: f64) {
        self.send(Command::Speed(speed));
    }

    /// Moves `steps` along [`SPEED_STEPS`] (`[` is -1, `]` is +1).
    pub fn speed_step(&self, steps: i32) {
        self.send(Command::SpeedStep(steps));
    }

    /// Volume in percent, 0..=130.
    pub fn set_volume(&self, percent: f64) {
        self.send(Command::Volume(percent));
    }

    /// Mutes or unmutes. The muted-first policy is the caller's business (see
    /// [`crate::muted_first`]); the player does what it is told.
    pub fn set_muted(&self, muted: bool) {
        self.send(Command::Mute(muted));
    }

    /// The pixel size frames are rendered at (the video pane's pixel size,
    /// see [`crate::VideoRenderer::pixel_size`]). (0, 0) stops rendering.
    pub fn set_render_size(&self, width: u32, height: u32) {
        if let Ok(mut s) = self.size.lock() {
            if *s == (width, height) {
                return;
            }
            *s = (width, height);
        }
        self.render.raise(WAKE_RESIZE);
    }

    /// The newest frame, if any. Call it when drawing; it also re-arms the
    /// [`PlayerEvent::Frame`] notification.
    pub fn latest_frame(&self) -> Option<Arc<Frame>> {
        let f = self.frames.latest.lock().ok()?.clone();
        self.frames.pending.store(false, Ordering::Release);
        f
    }

    /// Frames rendered by mpv so far, and frames replaced before being fetched.
    pub fn frame_counts(&self) -> (u64, u64) {
        (
            self.frames.decoded.load(Ordering::Relaxed),
            self.frames.superseded.load(Ordering::Relaxed),
        )
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Quit);
        self.control.raise(WAKE_COMMAND);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Shared {
    control: Arc<Signal>,
    render: Arc<Signal>,
    size: Arc<Mutex<(u32, u32)>>,
    frames: Arc<FrameSlot>,
    sink: Sink,
}

/// mpv's options for the review screen, as option strings.
fn options(config: &PlayerConfig) -> Result<Vec<(&'static str, String)>, PlayerError> {
    let flag = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut o = vec![
        ("vo", "libmpv".to_string()),
        ("ao", if config.audio { "auto" } else { "null" }.to_string()),
        ("hwdec", "no".to_string()),
        // Captions and the transcript are drawn by the TUI as text; burning
        // subtitles into a 160x96 picture would be unreadable and slow.
        ("sid", "no".to_string()),
        ("osd-level", "0".to_string()),
        ("input-default-bindings", "no".to_string()),
        ("audio-pitch-correction", "yes".to_string()),
        // Stay on the last frame at the end instead of moving to the
        // prefetched next entry by ourselves: the reviewer decides.
        ("keep-open", "always".to_string()),
        ("prefetch-playlist", "yes".to_string()),
        ("cache", "yes".to_string()),
        ("demuxer-readahead-secs", "20".to_string()),
        ("mute", flag(config.start_muted)),
        ("volume", format!("{:.3}", config.volume.clamp(0.0, 130.0))),
        ("speed", format!("{:.3}", config.speed.clamp(0.5, 2.0))),
        ("pause", flag(config.start_paused)),
    ];
    if !config.http_headers.is_empty() {
        // A string list option: entries are separated by commas, so a
        // header containing one is refused rather than split.
        if config.http_headers.iter().any(|h| h.contains(',')) {
            return Err(PlayerError::Init(
                "an HTTP header for the player contains a comma".into(),
            ));
        }
        o.push(("http-header-fields", config.http_headers.join(",")));
    }
    Ok(o)
}

/// Properties observed: name, and whether it is a double (else a flag).
const OBSERVED: &[(&str, bool)] = &[
    ("time-pos", true),
    ("duration", true),
    ("pause", false),
    ("speed", true),
    ("mute", false),
    ("volume", true),
    ("eof-reached", false),
    ("paused-for-cache", false),
];

/// A deliberately slow start, for tests that prove nothing waits for the
/// player (`TAKES_TEST_PLAYER_DELAY_MS`).
fn test_delay() {
    if let Some(ms) = std::env::var("TAKES_TEST_PLAYER_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(Duration::from_millis(ms.min(60_000)));
    }
}

fn open_core(config: &PlayerConfig) -> Result<Core, PlayerError> {
    test_delay();
    Core::new(&options(config)?).map_err(PlayerError::Init)
}

fn control_thread(
    config: PlayerConfig,
    shared: Shared,
    commands: Receiver<Command>,
    ready: Option<mpsc::SyncSender<Result<(), PlayerError>>>,
) {
    // A start failure goes to whoever waits for it, or else to the sink.
    let fail = |e: PlayerError| match &ready {
        Some(r) => {
            let _ = r.send(Err(e));
        }
        None => (shared.sink)(PlayerEvent::Error(e.to_string())),
    };
    let mut core = match open_core(&config) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let wake = shared.control.clone();
    core.set_wakeup(Arc::new(move || wake.raise(WAKE_MPV)));
    let render_wake = shared.render.clone();
    let renderer = match core.create_sw_renderer(Arc::new(move || render_wake.raise(WAKE_RENDER))) {
        Ok(r) => r,
        Err(code) => {
            return fail(PlayerError::Init(format!(
                "mpv software renderer: {}",
                core.error_text(code)
            )))
        }
    };
    for (i, (name, double)) in OBSERVED.iter().enumerate() {
        if let Err(code) = core.observe(name, *double, i as u64) {
            tracing::warn!(property = name, error = %core.error_text(code), "mpv observe failed");
        }
    }
    let render_signal = shared.render.clone();
    let render_thread = {
        let size = shared.size.clone();
        let frames = shared.frames.clone();
        let sink = shared.sink.clone();
        let signal = shared.render.clone();
        std::thread::Builder::new()
            .name("takes-mpv-render".into())
            .spawn(move || render_thread(renderer, signal, size, frames, sink))
    };
    let render_thread = match render_thread {
        Ok(t) => t,
        Err(e) => return fail(PlayerError::Init(format!("render thread: {e}"))),
    };
    if let Some(r) = &ready {
        let _ = r.send(Ok(()));
    }

    let mut state = ControlState {
        prefetched: None,
        speed: config.speed.clamp(0.5, 2.0),
        duration: None,
        eof: false,
    };
    'outer: loop {
        let bits = shared.control.wait();
        if bits & WAKE_STOP != 0 {
            break;
        }
        while let Ok(cmd) = commands.try_recv() {
            if matches!(cmd, Command::Quit) {
                break 'outer;
            }
            apply(&core, &mut state, cmd, &shared.sink);
        }
        // Drain the whole queue: one wakeup may stand for many events.
        while let Some(ev) = core.wait_event(0.0) {
            match ev {
                Ok(ev) => translate(ev, &mut state, &shared.sink),
                Err(code) => (shared.sink)(PlayerEvent::Error(core.error_text(code))),
            }
        }
    }
    render_signal.raise(WAKE_STOP);
    let _ = render_thread.join();
    // `core` drops here, after the renderer is gone.
}

struct ControlState {
    prefetched: Option<String>,
    speed: f64,
    duration: Option<f64>,
    eof: bool,
}

fn apply(mpv: &Core, state: &mut ControlState, cmd: Command, sink: &Sink) {
    let flag = |b: bool| if b { "yes" } else { "no" };
    let result = match cmd {
        Command::Load(url) => {
            state.eof = false;
            state.duration = None;
            if state.prefetched.as_deref() == Some(url.as_str()) {
                state.prefetched = None;
                mpv.command(&["playlist-next", "force"])
            } else {
                state.prefetched = None;
                mpv.command(&["loadfile", &url, "replace"])
            }
        }
        Command::Stop => {
            state.prefetched = None;
            state.eof = false;
            mpv.command(&["stop"])
        }
        Command::Prefetch(url) => {
            state.prefetched = Some(url.clone());
            // playlist-clear keeps the current entry and drops other ones.
            mpv.command(&["playlist-clear"])
                .and_then(|_| mpv.command(&["loadfile", &url, "append"]))
        }
        Command::SetPause(p) => mpv.set_property("pause", flag(p)),
        Command::TogglePause => {
            if state.eof {
                // At the end "play" means from the start again.
                state.eof = false;
                mpv.command(&["seek", "0", "absolute", "exact"])
                    .and_then(|_| mpv.set_property("pause", "no"))
            } else {
                mpv.command(&["cycle", "pause"])
            }
        }
        Command::SeekRelative(s) => mpv.command(&["seek", &format!("{s:.3}"), "relative", "exact"]),
        Command::SeekAbsolute(s) => {
            mpv.command(&["seek", &format!("{:.3}", s.max(0.0)), "absolute", "exact"])
        }
        Command::Speed(s) => {
            state.speed = s.clamp(0.5, 2.0);
            mpv.set_property("speed", &format!("{:.3}", state.speed))
        }
        Command::SpeedStep(n) => {
            state.speed = step_speed(state.speed, n);
            mpv.set_property("speed", &format!("{:.3}", state.speed))
        }
        Command::Volume(v) => mpv.set_property("volume", &format!("{:.3}", v.clamp(0.0, 130.0))),
        Command::Mute(m) => mpv.set_property("mute", flag(m)),
        Command::Quit => Ok(()),
    };
    if let Err(code) = result {
        // Seeking with nothing loaded and the like: report, do not fail.
        let e = mpv.error_text(code);
        tracing::debug!(error = %e, "mpv command failed");
        (sink)(PlayerEvent::CommandFailed(e));
    }
}

fn translate(ev: MpvEvent, state: &mut ControlState, sink: &Sink) {
    let out = match ev {
        MpvEvent::FileLoaded => Some(PlayerEvent::Loaded),
        MpvEvent::StartFile => {
            state.eof = false;
            None
        }
        MpvEvent::PlaybackRestart => Some(PlayerEvent::SeekDone),
        MpvEvent::EndFile { reason } => {
            // With keep-open=always a normal end is signalled by
            // eof-reached; EndFile here means "stopped" or "replaced".
            tracing::debug!(reason, "mpv end-file");
            None
        }
        MpvEvent::Property { name, value } => match (name.as_str(), value) {
            ("time-pos", Value::Double(t)) => Some(PlayerEvent::Position {
                time_s: t,
                duration_s: state.duration,
            }),
            ("duration", Value::Double(d)) => {
                state.duration = Some(d);
                Some(PlayerEvent::Duration(d))
            }
            ("pause", Value::Flag(p)) => Some(PlayerEvent::Paused(p)),
            ("speed", Value::Double(s)) => {
                state.speed = s;
                Some(PlayerEvent::Speed(s))
            }
            ("mute", Value::Flag(m)) => Some(PlayerEvent::Muted(m)),
            ("volume", Value::Double(v)) => Some(PlayerEvent::Volume(v)),
            ("paused-for-cache", Value::Flag(b)) => Some(PlayerEvent::Buffering(b)),
            ("eof-reached", Value::Flag(true)) => {
                state.eof = true;
                Some(PlayerEvent::EndOfFile)
            }
            _ => None,
        },
        MpvEvent::Shutdown => Some(PlayerEvent::Shutdown),
        MpvEvent::Other => None,
    };
    if let Some(ev) = out {
        (sink)(ev);
    }
}

fn render_thread(
    mut renderer: SwRenderer,
    signal: Arc<Signal>,
    size: Arc<Mutex<(u32, u32)>>,
    frames: Arc<FrameSlot>,
    sink: Sink,
) {
    let mut surface = SwSurface::default();
    let mut seq = 0u64;
    let mut have_frame = false;
    loop {
        let bits = signal.wait();
        if bits & WAKE_STOP != 0 {
            break;
        }
        // render.h: update() must follow every update callback, and tells
        // whether a new frame is due.
        let new_frame = renderer.update();
        let resized = bits & WAKE_RESIZE != 0;
        if !(new_frame || (resized && have_frame)) {
            continue;
        }
        let (w, h) = size.lock().map(|s| *s).unwrap_or((0, 0));
        if w == 0 || h == 0 {
            continue;
        }
        if let Err(code) = renderer.render(&mut surface, w, h) {
            tracing::warn!(code, "mpv render failed");
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        have_frame = true;
        seq += 1;
        frames.decoded.fetch_add(1, Ordering::Relaxed);
        let frame = Arc::new(Frame::from_rgb0(seq, surface.bytes()));
        if let Ok(mut slot) = frames.latest.lock() {
            *slot = Some(frame);
        }
        if frames.pending.swap(true, Ordering::AcqRel) {
            frames.superseded.fetch_add(1, Ordering::Relaxed);
        } else {
            (sink)(PlayerEvent::Frame);
        }
    }
    // `renderer` drops here: mpv_render_context_free on this thread.
}

/// The mpv version string of libmpv (e.g. "mpv 0.35.1"), by starting a
/// throwaway core without audio or video.
pub(crate) fn mpv_version() -> Result<String, String> {
    let core = Core::new(&[("vo", "null".into()), ("ao", "null".into())])?;
    core.get_property_string("mpv-version")
        .ok_or_else(|| "libmpv did not say its version".to_string())
}
