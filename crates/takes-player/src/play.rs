//! `takes play FILE_OR_URL [--stats]`: one video full-screen with the same
//! renderer and controls as the review screen; quits at the end or on `q`.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use serde::Serialize;

use crate::detect::{self, OutputSetting};
use crate::video::{RenderOptions, VideoRenderer};
use crate::{PlayerConfig, PlayerEvent};

/// How long to wait for the terminal to answer capability queries.
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(300);

#[derive(Debug, Clone)]
pub struct PlayOptions {
    /// A path or an `http(s)://` URL.
    pub source: String,
    /// `video.output`.
    pub output: OutputSetting,
    /// `video.max_fps`.
    pub max_fps: Option<f64>,
    /// Cap on bytes per second written to the terminal (a slow link):
    /// frames are dropped to stay under it.
    pub max_bytes_per_sec: Option<u64>,
    /// Half-block change threshold.
    pub threshold: u32,
    /// False plays with `ao=null`.
    pub audio: bool,
    /// Start muted (`takes play` is not a review; default false).
    pub muted: bool,
    /// E.g. `Authorization: Bearer …` for platform URLs.
    pub http_headers: Vec<String>,
}

impl PlayOptions {
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            output: OutputSetting::Auto,
            max_fps: None,
            max_bytes_per_sec: None,
            threshold: crate::halfblock::DEFAULT_THRESHOLD,
            audio: true,
            muted: false,
            http_headers: Vec::new(),
        }
    }
}

/// Figures printed by `--stats` (one JSON line on stderr).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PlayStats {
    /// Frames mpv rendered for us.
    pub frames_decoded: u64,
    /// Distinct frames written to the terminal.
    pub frames_drawn: u64,
    /// Decoded frames never drawn (superseded while the output was busy or
    /// over the frame/byte cap).
    pub frames_dropped: u64,
    /// Bytes written to the terminal, escape sequences included.
    pub bytes_written: u64,
    pub elapsed_ms: u64,
    /// From start to the first frame on screen.
    pub first_frame_ms: Option<u64>,
    /// The protocol used: kitty, sixel, iterm2, halfblocks, off.
    pub output: String,
    /// Half-block cells repainted, summed over frames.
    pub cells_changed: u64,
    /// Whether synchronized output (mode 2026) was used.
    pub sync_output: bool,
    /// `eof`, `quit` or `error`.
    pub end: String,
    /// Why playback failed (missing or corrupt file, libmpv missing).
    /// The caller should exit non-zero when set.
    pub error: Option<String>,
}

impl PlayStats {
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// Counts bytes on their way to the terminal.
struct Counting<W> {
    inner: W,
    count: Arc<AtomicU64>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Restores the terminal however `play_command` ends (bytes counted too).
struct TermGuard(Arc<AtomicU64>);

impl Drop for TermGuard {
    fn drop(&mut self) {
        let mut out = Counting {
            inner: io::stdout(),
            count: self.0.clone(),
        };
        let _ = crossterm::execute!(
            out,
            crossterm::style::ResetColor,
            crossterm::cursor::Show,
            crossterm::terminal::LeaveAlternateScreen
        );
        let _ = terminal::disable_raw_mode();
    }
}

enum Msg {
    Player(PlayerEvent),
    Term(TermEvent),
}

fn is_url(s: &str) -> bool {
    s.contains("://")
}

/// Plays `opts.source` full-screen on the controlling terminal (raw mode,
/// alternate screen) until the end or `q`/`Esc`, and returns the figures.
/// Keys: Space pause, h/l or arrows ∓5 s, H/L or Shift+arrows ∓30 s,
/// `[`/`]` speed, m mute, r restart, -/+ volume.
pub fn play_command(opts: PlayOptions) -> anyhow::Result<PlayStats> {
    let start = Instant::now();
    let mut stats = PlayStats {
        end: "error".into(),
        ..PlayStats::default()
    };
    if !is_url(&opts.source) && !std::path::Path::new(&opts.source).exists() {
        stats.output = "off".into();
        stats.error = Some(format!("{}: no such file", opts.source));
        return Ok(stats);
    }

    terminal::enable_raw_mode()?;
    // crossterm would drop the picture's colours under `NO_COLOR`; the
    // picture is content and keeps them (see `colors`).
    crossterm::style::Colored::set_ansi_color_disabled(false);
    let bytes = Arc::new(AtomicU64::new(0));
    let guard = TermGuard(bytes.clone());
    let mut writer = Counting {
        inner: io::stdout(),
        count: bytes.clone(),
    };
    crossterm::execute!(
        writer,
        crossterm::terminal::EnterAlternateScreen,
        crossterm::cursor::Hide,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // TAKES_GRAPHICS wins over --output here as in the workstation.
    let (setting, _) = detect::effective_setting(opts.output);
    let det = match setting {
        // A forced half-block output needs no graphics query.
        OutputSetting::Halfblocks | OutputSetting::Off => {
            let (depth, why) = detect::detect_color_depth();
            let mut d = crate::Detection::fixed(
                if setting == OutputSetting::Off {
                    crate::OutputKind::Off
                } else {
                    crate::OutputKind::Halfblocks
                },
                depth,
            );
            d.reason = "set explicitly".into();
            d.color_reason = why;
            let (sync, written) = detect::query_sync_output_counted(QUERY_TIMEOUT);
            bytes.fetch_add(written as u64, Ordering::Relaxed);
            d.sync_output = sync;
            d
        }
        setting => detect::detect(setting, QUERY_TIMEOUT),
    };
    let sync = det.sync_output == Some(true);
    stats.sync_output = sync;
    let mut renderer = VideoRenderer::new(
        &det,
        RenderOptions {
            max_fps: opts.max_fps,
            threshold: opts.threshold,
            ..RenderOptions::default()
        },
    );
    stats.output = renderer.output().name().to_string();

    let (tx, rx) = mpsc::channel::<Msg>();
    let ptx = tx.clone();
    let player = match crate::Player::start(
        PlayerConfig {
            audio: opts.audio,
            http_headers: opts.http_headers.clone(),
            start_muted: opts.muted,
            start_paused: false,
            volume: 100.0,
            speed: 1.0,
        },
        move |ev| {
            let _ = ptx.send(Msg::Player(ev));
        },
    ) {
        Ok(p) => p,
        Err(e) => {
            drop(guard);
            stats.bytes_written = bytes.load(Ordering::Relaxed);
            stats.error = Some(e.to_string());
            stats.elapsed_ms = start.elapsed().as_millis() as u64;
            return Ok(stats);
        }
    };

    // Key reading on its own thread so that drawing never delays keys and a
    // slow terminal write never delays a quit.
    let stop = Arc::new(AtomicBool::new(false));
    let input = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match event::poll(Duration::from_millis(100)) {
                    Ok(true) => match event::read() {
                        Ok(ev) => {
                            if tx.send(Msg::Term(ev)).is_err() {
                                break;
                            }
                        }
                        Err(_) => break,
                    },
                    Ok(false) => {}
                    Err(_) => break,
                }
            }
        })
    };

    // No `term.clear()`: it asks the terminal for the cursor position, and
    // the screen was cleared above.
    let mut term = Terminal::new(CrosstermBackend::new(writer))?;
    let mut area = term.get_frame().area();
    let (w, h) = renderer.pixel_size(area);
    player.set_render_size(w, h);
    player.load(&opts.source);

    let mut want_draw = false;
    let mut pace_until: Option<Instant> = None;
    let mut last_seq = 0u64;
    let mut muted = opts.muted;
    let mut volume = 100.0f64;
    let mut end: Option<&str> = None;
    let mut eof_seen = false;
    while end.is_none() {
        let now = Instant::now();
        let wait_until = [pace_until, renderer.next_draw_at(now)]
            .into_iter()
            .flatten()
            .max();
        let can_draw = wait_until.is_none_or(|t| t <= now);
        if want_draw && can_draw {
            want_draw = false;
            let frame = player.latest_frame();
            let new_seq = frame.as_ref().map(|f| f.seq).unwrap_or(0);
            let before = bytes.load(Ordering::Relaxed);
            let t0 = Instant::now();
            if sync {
                crossterm::queue!(term.backend_mut(), terminal::BeginSynchronizedUpdate)?;
            }
            term.draw(|f| {
                let a = f.area();
                renderer.render(frame.as_deref(), a, f.buffer_mut())
            })?;
            if sync {
                crossterm::execute!(term.backend_mut(), terminal::EndSynchronizedUpdate)?;
            }
            let written = bytes.load(Ordering::Relaxed) - before;
            tracing::trace!(written, took = ?t0.elapsed(), "frame drawn");
            if new_seq != 0 && new_seq != last_seq {
                last_seq = new_seq;
                stats.frames_drawn += 1;
                if stats.first_frame_ms.is_none() {
                    stats.first_frame_ms = Some(start.elapsed().as_millis() as u64);
                }
            }
            if let Some(rate) = opts.max_bytes_per_sec.filter(|r| *r > 0) {
                pace_until = Some(t0 + Duration::from_secs_f64(written as f64 / rate as f64));
            }
            if eof_seen {
                end = Some("eof");
                continue;
            }
        }
        let timeout = match (want_draw, wait_until) {
            (true, Some(t)) => t.saturating_duration_since(Instant::now()),
            _ => Duration::from_secs(1),
        };
        let msg = match rx.recv_timeout(timeout) {
            Ok(m) => m,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match msg {
            Msg::Player(PlayerEvent::Frame) => want_draw = true,
            Msg::Player(PlayerEvent::EndOfFile) => {
                // Show the last frame, then quit.
                eof_seen = true;
                want_draw = true;
            }
            Msg::Player(PlayerEvent::Error(e)) => {
                stats.error = Some(format!("cannot play {}: {e}", opts.source));
                end = Some("error");
            }
            Msg::Player(PlayerEvent::Muted(m)) => muted = m,
            Msg::Player(PlayerEvent::Volume(v)) => volume = v,
            Msg::Player(_) => {}
            Msg::Term(TermEvent::Resize(..)) => {
                term.autoresize()?;
                area = term.get_frame().area();
                let (w, h) = renderer.pixel_size(area);
                player.set_render_size(w, h);
                want_draw = true;
            }
            Msg::Term(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => {
                let shift = k.modifiers.contains(KeyModifiers::SHIFT);
                match k.code {
                    KeyCode::Char('q') | KeyCode::Esc => end = Some("quit"),
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        end = Some("quit")
                    }
                    KeyCode::Char(' ') => player.toggle_pause(),
                    KeyCode::Left if shift => player.seek_relative(-30.0),
                    KeyCode::Right if shift => player.seek_relative(30.0),
                    KeyCode::Char('h') | KeyCode::Left => player.seek_relative(-5.0),
                    KeyCode::Char('l') | KeyCode::Right => player.seek_relative(5.0),
                    KeyCode::Char('H') => player.seek_relative(-30.0),
                    KeyCode::Char('L') => player.seek_relative(30.0),
                    KeyCode::Char('[') => player.speed_step(-1),
                    KeyCode::Char(']') => player.speed_step(1),
                    KeyCode::Char('m') => player.set_muted(!muted),
                    KeyCode::Char('r') => player.restart(),
                    KeyCode::Char('-') => player.set_volume(volume - 10.0),
                    KeyCode::Char('+') | KeyCode::Char('=') => player.set_volume(volume + 10.0),
                    _ => {}
                }
            }
            Msg::Term(_) => {}
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (decoded, _superseded) = player.frame_counts();
    // Joins mpv's threads (a no-op for the stub built without `mpv`).
    #[allow(clippy::drop_non_drop)]
    drop(player);
    let _ = input.join();
    drop(term);
    drop(guard);
    stats.frames_decoded = decoded;
    stats.frames_dropped = decoded.saturating_sub(stats.frames_drawn);
    stats.cells_changed = renderer.stats.cells_changed;
    stats.bytes_written = bytes.load(Ordering::Relaxed);
    stats.elapsed_ms = start.elapsed().as_millis() as u64;
    stats.end = end.unwrap_or("quit").to_string();
    Ok(stats)
}
