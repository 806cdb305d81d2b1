//! The terminal and libmpv half of `takes doctor` (the lead adds the server check).

use std::fmt;
use std::time::Duration;

use crate::detect::{self, Detection, OutputSetting};
use crate::link::probe::{self, LinkProbe};
use crate::link::session::{self, Audio};
use crate::link::{describe_rate, Adapter, Level};

#[derive(Debug, Clone)]
pub struct DoctorReport {
    /// `Ok("mpv 0.35.1 (client API 2.0)")` or why there is no libmpv.
    pub libmpv: Result<String, String>,
    /// The terminal's name and version, or why it is not known.
    pub terminal: String,
    pub output: String,
    pub output_reason: String,
    pub color_depth: String,
    pub color_reason: String,
    pub font_size: (u16, u16),
    /// DEC mode 2026.
    pub sync_output: Option<bool>,
    pub over_ssh: bool,
    pub in_multiplexer: bool,
    /// The SSH client's address when over SSH.
    pub ssh_client: Option<String>,
    pub audio: Audio,
    /// Measured through the terminal (only with a terminal on stdin).
    pub link: Option<LinkProbe>,
    /// Over SSH: the session's TCP connection as the kernel sees it
    /// (`None` inside: not found).
    pub connection: Option<Option<crate::link::socket::Reading>>,
}

/// Probes libmpv and the terminal. If stdin is a terminal it is put in raw
/// mode for the queries (answers are read from it) and restored after; each
/// query waits at most `timeout`.
pub fn doctor_report(setting: OutputSetting, timeout: Duration) -> DoctorReport {
    let tty = rustix::termios::isatty(rustix::stdio::stdin());
    let _queries_to_tty = tty.then(StdoutToTty::new).flatten();
    let raw = tty && crossterm::terminal::enable_raw_mode().is_ok();
    let det = if tty {
        detect::detect(setting, timeout)
    } else {
        let (setting, label) = detect::effective_setting(setting);
        let (depth, why) = detect::detect_color_depth();
        let (kind, reason) = match setting {
            OutputSetting::Auto => (
                crate::OutputKind::Halfblocks,
                "stdin is not a terminal: nothing to ask; half-blocks".to_string(),
            ),
            OutputSetting::Off => (crate::OutputKind::Off, label),
            OutputSetting::Halfblocks => (crate::OutputKind::Halfblocks, label),
            forced => {
                let kind = match forced {
                    OutputSetting::Kitty => crate::OutputKind::Kitty,
                    OutputSetting::Sixel => crate::OutputKind::Sixel,
                    _ => crate::OutputKind::Iterm2,
                };
                (
                    kind,
                    format!("{label} (not checked: stdin is not a terminal)"),
                )
            }
        };
        let mut d = Detection::fixed(kind, depth);
        d.reason = reason;
        d.color_reason = why;
        d.no_colour = crate::colors::no_colour();
        if let (Some(why), crate::OutputKind::Halfblocks) = (&d.no_colour, kind) {
            d.reason = format!("video needs colour: {why}");
            d.output = crate::OutputKind::Off;
        }
        d
    };
    // After detection, still in raw mode: the answers come on stdin.
    let link = if raw { probe::measure(timeout) } else { None };
    if raw {
        let _ = crossterm::terminal::disable_raw_mode();
    }
    let (color_depth, color_reason) = match (det.no_colour.clone(), det.color_depth) {
        (Some(why), _) => ("none: video needs colour".into(), why),
        (None, crate::ColorDepth::TrueColor) => {
            ("truecolor (24-bit)".into(), det.color_reason.clone())
        }
        (None, crate::ColorDepth::Ansi256) => ("256 colours".into(), det.color_reason.clone()),
    };
    let terminal = match (&det.terminal, tty) {
        (Some(t), _) => format!("{t} (its answer to XTVERSION)"),
        (None, true) => "did not say (no answer to XTVERSION)".into(),
        (None, false) => "not asked (stdin is not a terminal)".into(),
    };
    let ssh_client = session::ssh_here();
    DoctorReport {
        libmpv: libmpv_status(),
        terminal,
        output: det.output.name().into(),
        output_reason: det.reason.clone(),
        color_depth,
        color_reason,
        font_size: det.font_size,
        sync_output: det.sync_output,
        over_ssh: det.over_ssh,
        in_multiplexer: det.in_multiplexer,
        connection: ssh_client.as_ref().map(|_| crate::link::socket::ssh_link()),
        ssh_client,
        audio: session::audio_here(),
        link,
    }
}

/// While alive, stdout is the controlling terminal: `takes doctor > file`
/// run from a terminal still asks that terminal (the queries are written to
/// stdout, by us and by ratatui-image) instead of writing them into the file.
struct StdoutToTty {
    saved: rustix::fd::OwnedFd,
}

impl StdoutToTty {
    fn new() -> Option<Self> {
        use std::io::Write;
        if rustix::termios::isatty(rustix::stdio::stdout()) {
            return None;
        }
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        let saved = rustix::io::dup(rustix::stdio::stdout()).ok()?;
        let _ = std::io::stdout().flush();
        rustix::stdio::dup2_stdout(&tty).ok()?;
        Some(Self { saved })
    }
}

impl Drop for StdoutToTty {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let _ = rustix::stdio::dup2_stdout(&self.saved);
    }
}

/// The video level a link of `bytes_per_s` starts at for a pane of `cells`.
pub fn level_for(bytes_per_s: f64, cells: usize) -> Level {
    let mut a = Adapter::new(30.0);
    a.set_ceiling(Some(bytes_per_s));
    a.fitting(cells, crate::link::adapt::VIDEO_SHARE)
}

impl DoctorReport {
    /// "link: ..." and what video will do over it.
    fn link_line(&self) -> String {
        let Some(l) = self.link else {
            return "not measured (no terminal on stdin to answer a cursor query)".into();
        };
        let rtt = format!("round trip {} ms", l.rtt.as_millis());
        match l.bytes_per_s {
            Some(r) => {
                // The review screen's pane at 160x48 is about 100x30 cells.
                let level = level_for(r, 100 * 30);
                let plan = crate::link::adapt::plan(level, 30.0);
                let what = match level {
                    Level::Off => "video off, transcript and captions (the link cannot carry a picture and keep keys instant)".to_string(),
                    Level::Stills => "a still every few seconds".to_string(),
                    l => format!("video {}, up to {:.0} fps", l.name(), plan.fps),
                };
                format!(
                    "{rtt}, {} (a {} KB burst timed by the terminal's answer) -> {what}; adapts as it plays",
                    describe_rate(r),
                    probe::BURST / 1024
                )
            }
            None => {
                format!("{rtt}; the burst was not answered in time -> video starts off and adapts")
            }
        }
    }
}

fn libmpv_status() -> Result<String, String> {
    #[cfg(feature = "mpv")]
    {
        let api = crate::mpv_lib::api()?;
        let (maj, min) = api.version();
        crate::player::mpv_version().map(|v| format!("{v} (client API {maj}.{min}, {})", api.path))
    }
    #[cfg(not(feature = "mpv"))]
    {
        Err("built without the `mpv` feature: no video, transcript only".into())
    }
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.libmpv {
            Ok(v) => writeln!(f, "libmpv:      ok, {v}")?,
            Err(e) => writeln!(f, "libmpv:      MISSING, {e}")?,
        }
        writeln!(f, "terminal:    {}", self.terminal)?;
        writeln!(f, "video:       {} ({})", self.output, self.output_reason)?;
        writeln!(
            f,
            "colours:     {} ({})",
            self.color_depth, self.color_reason
        )?;
        writeln!(
            f,
            "cell size:   {}x{} px",
            self.font_size.0, self.font_size.1
        )?;
        let sync = match self.sync_output {
            Some(true) => "supported (DECRQM 2026)",
            Some(false) => "not supported (DECRQM 2026)",
            None => "unknown (no answer to DECRQM 2026)",
        };
        writeln!(f, "sync output: {sync}")?;
        let ssh = self.over_ssh || self.ssh_client.is_some();
        writeln!(
            f,
            "session:     {}{}",
            match &self.ssh_client {
                Some(c) if c != "?" => format!("over SSH from {c}"),
                _ if ssh => "over SSH".to_string(),
                _ => "local".to_string(),
            },
            if self.in_multiplexer {
                ", inside tmux/screen"
            } else {
                ""
            }
        )?;
        writeln!(f, "link:        {}", self.link_line())?;
        if let Some(c) = &self.connection {
            writeln!(
                f,
                "connection:  {}",
                crate::link::socket::describe(c.as_ref())
            )?;
        }
        write!(
            f,
            "audio:       {}",
            session::describe_audio(&self.audio, ssh)
        )?;
        if ssh && !matches!(self.audio, Audio::PulseServer(_)) {
            write!(f, "\n             {}", session::FORWARD_HINT)?;
        }
        Ok(())
    }
}
