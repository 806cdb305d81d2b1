//! Which terminal output to use for video, and why.
//!
//! Graphics protocols (kitty, sixel, iTerm2) and the font size come from
//! `ratatui-image`'s terminal queries. We override its answer with
//! half-blocks over SSH and inside tmux/screen: there the byte stream is
//! the bottleneck (a 160x48 pane of kitty/sixel graphics is megabytes per
//! frame) and tmux passthrough is unreliable, while half-block cells can be
//! sent incrementally. The terminal's name and version (XTVERSION) and
//! synchronized output (DEC mode 2026, DECRQM) are asked for together,
//! followed by a primary device attributes request that every terminal
//! answers, so a terminal that ignores either costs one round trip and not
//! the whole timeout. The name and version overrule the graphics answer
//! where it is known to be wrong ([`crate::terminal::RULES`]).

use std::io::Write;
use std::time::{Duration, Instant};

use ratatui_image::picker::{Picker, ProtocolType};
use serde::{Deserialize, Serialize};

pub use crate::terminal::{parse_xtversion, TermVersion};

/// The `video.output` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OutputSetting {
    #[default]
    Auto,
    Kitty,
    Sixel,
    Iterm2,
    Halfblocks,
    Off,
}

impl std::str::FromStr for OutputSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "auto" => Self::Auto,
            "kitty" => Self::Kitty,
            "sixel" => Self::Sixel,
            "iterm2" => Self::Iterm2,
            "halfblocks" => Self::Halfblocks,
            "off" => Self::Off,
            other => {
                return Err(format!(
                "video.output: expected auto, kitty, sixel, iterm2, halfblocks or off, got {other:?}"
            ))
            }
        })
    }
}

/// The protocol actually used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    Kitty,
    Sixel,
    Iterm2,
    Halfblocks,
    /// No video: transcript only.
    Off,
}

impl OutputKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Kitty => "kitty",
            Self::Sixel => "sixel",
            Self::Iterm2 => "iterm2",
            Self::Halfblocks => "halfblocks",
            Self::Off => "off",
        }
    }

    pub(crate) fn protocol_type(self) -> Option<ProtocolType> {
        match self {
            Self::Kitty => Some(ProtocolType::Kitty),
            Self::Sixel => Some(ProtocolType::Sixel),
            Self::Iterm2 => Some(ProtocolType::Iterm2),
            Self::Halfblocks | Self::Off => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorDepth {
    /// 24-bit colour.
    TrueColor,
    /// The xterm 256-colour palette.
    Ansi256,
}

/// What was found and why.
#[derive(Debug, Clone)]
pub struct Detection {
    pub output: OutputKind,
    /// One sentence: why this output.
    pub reason: String,
    pub color_depth: ColorDepth,
    pub color_reason: String,
    /// Cell size in pixels (width, height); a guess when the terminal did not say.
    pub font_size: (u16, u16),
    /// DEC mode 2026: `Some(true)` supported, `Some(false)` not, `None` no answer.
    pub sync_output: Option<bool>,
    pub over_ssh: bool,
    pub in_multiplexer: bool,
    /// Why no picture can be shown (a terminal without colour), see
    /// [`crate::colors`]; the output is then off.
    pub no_colour: Option<String>,
    /// The terminal's name and version (XTVERSION), when it said.
    pub terminal: Option<TermVersion>,
    pub(crate) picker: Option<Picker>,
}

impl Detection {
    /// A detection without any terminal query (tests, pipes, forced settings).
    pub fn fixed(output: OutputKind, color_depth: ColorDepth) -> Self {
        Detection {
            output,
            reason: "set explicitly".into(),
            color_depth,
            color_reason: "set explicitly".into(),
            font_size: (10, 20),
            sync_output: None,
            over_ssh: false,
            in_multiplexer: false,
            no_colour: None,
            terminal: None,
            picker: None,
        }
    }
}

/// The environment variable that overrides `video.output` (and `--output`):
/// for a terminal the rules in [`crate::terminal::RULES`] get wrong.
pub const GRAPHICS_ENV: &str = "TAKES_GRAPHICS";

/// The setting in force and how to name it in a reason:
/// `TAKES_GRAPHICS` wins over the configured one when it is valid.
pub fn effective_setting(configured: OutputSetting) -> (OutputSetting, String) {
    let configured_label = |s: OutputSetting| format!("video.output = \"{}\"", setting_name(s));
    match std::env::var(GRAPHICS_ENV) {
        Ok(v) if !v.is_empty() => match v.parse::<OutputSetting>() {
            Ok(s) => (s, format!("{GRAPHICS_ENV}={v}")),
            Err(_) => {
                tracing::warn!(value = %v, "{GRAPHICS_ENV}: not auto, kitty, sixel, iterm2, halfblocks or off; ignored");
                (configured, configured_label(configured))
            }
        },
        _ => (configured, configured_label(configured)),
    }
}

fn setting_name(s: OutputSetting) -> &'static str {
    match s {
        OutputSetting::Auto => "auto",
        OutputSetting::Kitty => "kitty",
        OutputSetting::Sixel => "sixel",
        OutputSetting::Iterm2 => "iterm2",
        OutputSetting::Halfblocks => "halfblocks",
        OutputSetting::Off => "off",
    }
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

/// Colour depth from the environment (`COLORTERM`, `TERM`).
pub fn detect_color_depth() -> (ColorDepth, String) {
    let colorterm = std::env::var("COLORTERM").unwrap_or_default();
    let term = std::env::var("TERM").unwrap_or_default();
    if colorterm == "truecolor" || colorterm == "24bit" {
        (ColorDepth::TrueColor, format!("COLORTERM={colorterm}"))
    } else if term.contains("direct") || term.contains("truecolor") {
        (ColorDepth::TrueColor, format!("TERM={term}"))
    } else if ["kitty", "wezterm", "alacritty", "foot", "ghostty"]
        .iter()
        .any(|t| term.contains(t))
    {
        (
            ColorDepth::TrueColor,
            format!("TERM={term} has 24-bit colour"),
        )
    } else {
        (
            ColorDepth::Ansi256,
            format!("COLORTERM is not truecolor/24bit (TERM={term}): 256 colours"),
        )
    }
}

/// Detects output, colour depth and synchronized output. Call it in raw mode
/// (on the alternate screen) before the event loop starts reading input:
/// it writes queries to stdout and reads answers from stdin, waiting up to
/// `timeout` for each.
pub fn detect(setting: OutputSetting, timeout: Duration) -> Detection {
    let (setting, label) = effective_setting(setting);
    let (color_depth, color_reason) = detect_color_depth();
    let over_ssh = env_set("SSH_CONNECTION") || env_set("SSH_TTY") || env_set("SSH_CLIENT");
    let term = std::env::var("TERM").unwrap_or_default();
    let in_multiplexer = env_set("TMUX") || term.starts_with("tmux") || term.starts_with("screen");
    let (answers, _) = query_terminal(timeout);
    let mut det = Detection {
        output: OutputKind::Halfblocks,
        reason: String::new(),
        color_depth,
        color_reason,
        font_size: (10, 20),
        sync_output: answers.sync_output,
        over_ssh,
        in_multiplexer,
        no_colour: crate::colors::no_colour(),
        terminal: answers.version,
        picker: None,
    };
    let halfblocks_or_auto = matches!(setting, OutputSetting::Auto | OutputSetting::Halfblocks);
    if let Some(why) = det.no_colour.as_ref().filter(|_| halfblocks_or_auto) {
        det.output = OutputKind::Off;
        det.reason = format!("video needs colour: {why}");
        return det;
    }
    let wants_graphics = match setting {
        OutputSetting::Off => {
            det.output = OutputKind::Off;
            det.reason = label;
            return det;
        }
        OutputSetting::Halfblocks => {
            det.reason = label;
            return det;
        }
        OutputSetting::Kitty => Some(OutputKind::Kitty),
        OutputSetting::Sixel => Some(OutputKind::Sixel),
        OutputSetting::Iterm2 => Some(OutputKind::Iterm2),
        OutputSetting::Auto => None,
    };
    if wants_graphics.is_none() && (over_ssh || in_multiplexer) {
        det.reason = if over_ssh {
            "over SSH: half-blocks send only changed cells, graphics would saturate the link".into()
        } else {
            "inside tmux/screen: half-blocks (graphics passthrough is unreliable)".into()
        };
        return det;
    }
    match Picker::from_query_stdio() {
        Ok(mut picker) => {
            let fs = picker.font_size();
            det.font_size = (fs.width.max(1), fs.height.max(1));
            if let Some(forced) = wants_graphics {
                if let Some(p) = forced.protocol_type() {
                    picker.set_protocol_type(p);
                }
                det.output = forced;
                det.reason = label;
            } else {
                let claimed = match picker.protocol_type() {
                    ProtocolType::Kitty => OutputKind::Kitty,
                    ProtocolType::Sixel => OutputKind::Sixel,
                    ProtocolType::Iterm2 => OutputKind::Iterm2,
                    ProtocolType::Halfblocks => OutputKind::Halfblocks,
                };
                let (output, reason) = crate::terminal::choose(claimed, det.terminal.as_ref());
                if let Some(p) = output.protocol_type() {
                    picker.set_protocol_type(p);
                }
                det.output = output;
                det.reason = reason;
            }
            det.picker = Some(picker);
        }
        Err(e) => {
            det.reason = format!("graphics query failed ({e}); half-blocks");
        }
    }
    det
}

/// Parsed answer to DECRQM for mode 2026.
pub fn parse_decrpm_2026(bytes: &[u8]) -> Option<bool> {
    let needle = b"\x1b[?2026;";
    let pos = bytes.windows(needle.len()).position(|w| w == needle)?;
    let rest = &bytes[pos + needle.len()..];
    let end = rest.windows(2).position(|w| w == b"$y")?;
    match std::str::from_utf8(&rest[..end]).ok()?.parse::<u8>().ok()? {
        // 1 = set, 2 = reset: the mode is known. 0 = unknown, 4 = permanently reset.
        1 | 2 => Some(true),
        _ => Some(false),
    }
}

/// Whether a DA1 answer (`ESC [ ? … c`) is in `bytes`.
fn has_da1(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = bytes[i..].windows(3).position(|w| w == b"\x1b[?") {
        let start = i + p + 3;
        let tail = &bytes[start..];
        if let Some(end) = tail
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';'))
        {
            if tail[end] == b'c' {
                return true;
            }
        }
        i = start;
    }
    false
}

/// Asks the terminal on stdin/stdout whether it supports synchronized
/// output. `None` when stdin/stdout is not a terminal or nothing answered.
pub fn query_sync_output(timeout: Duration) -> Option<bool> {
    query_sync_output_counted(timeout).0
}

/// XTVERSION, DECRQM 2026, then DA1: every terminal answers DA1, and answers
/// come in order, so once DA1 is in the other two are in or never will be.
const TERMINAL_QUERY: &[u8] = b"\x1b[>0q\x1b[?2026$p\x1b[c";

/// What the terminal said about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalAnswers {
    /// DEC mode 2026: `Some(true)` supported, `Some(false)` not, `None` no answer.
    pub sync_output: Option<bool>,
    /// XTVERSION's answer.
    pub version: Option<TermVersion>,
    /// Whether anything answered at all (a DA1 at least).
    pub answered: bool,
}

/// [`query_sync_output`], also returning the bytes it wrote to the terminal.
pub fn query_sync_output_counted(timeout: Duration) -> (Option<bool>, usize) {
    let (a, n) = query_terminal(timeout);
    (a.sync_output, n)
}

/// Asks the terminal for its name and version and for synchronized output
/// in one round trip; returns the answers and the bytes written.
pub fn query_terminal(timeout: Duration) -> (TerminalAnswers, usize) {
    let stdin = rustix::stdio::stdin();
    let stdout = rustix::stdio::stdout();
    if !rustix::termios::isatty(stdin) || !rustix::termios::isatty(stdout) {
        return (TerminalAnswers::default(), 0);
    }
    let mut out = std::io::stdout();
    if out
        .write_all(TERMINAL_QUERY)
        .and_then(|_| out.flush())
        .is_err()
    {
        return (TerminalAnswers::default(), 0);
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    // Reading up to DA1 also keeps the answers away from the key handler.
    let _ = read_until(&mut got, &mut buf, Instant::now() + timeout, has_da1);
    (answers(&got), TERMINAL_QUERY.len())
}

/// The answers in what the terminal sent back to [`TERMINAL_QUERY`].
pub fn answers(got: &[u8]) -> TerminalAnswers {
    let answered = has_da1(got);
    TerminalAnswers {
        sync_output: parse_decrpm_2026(got).or(answered.then_some(false)),
        version: parse_xtversion(got),
        answered,
    }
}

fn read_until(
    got: &mut Vec<u8>,
    buf: &mut [u8],
    deadline: Instant,
    done: fn(&[u8]) -> bool,
) -> Option<()> {
    use rustix::event::{poll, PollFd, PollFlags};
    let stdin = rustix::stdio::stdin();
    while !done(got) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let ts = rustix::event::Timespec::try_from(left).ok()?;
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        match poll(&mut fds, Some(&ts)) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return None,
        }
        let n = rustix::io::read(stdin, &mut *buf).ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decrpm_answers() {
        assert_eq!(parse_decrpm_2026(b"\x1b[?2026;2$y\x1b[?62;c"), Some(true));
        assert_eq!(parse_decrpm_2026(b"\x1b[?2026;1$y"), Some(true));
        assert_eq!(parse_decrpm_2026(b"\x1b[?2026;0$y"), Some(false));
        assert_eq!(parse_decrpm_2026(b"\x1b[?2026;4$y"), Some(false));
        assert_eq!(parse_decrpm_2026(b"\x1b[?62;22c"), None);
        assert!(has_da1(b"\x1b[?62;22c"));
        assert!(!has_da1(b"\x1b[?2026;2$y"));
    }

    #[test]
    fn one_round_trip_of_answers() {
        // kitty 0.26.5 under Xvfb: no DECRQM answer, XTVERSION and DA1.
        let a = answers(b"\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c");
        assert!(a.answered);
        assert_eq!(a.sync_output, Some(false));
        assert_eq!(
            a.version.map(|v| v.to_string()),
            Some("kitty 0.26.5".into())
        );
        let a = answers(b"\x1bP>|tmux 3.3a\x1b\\\x1b[?2026;2$y\x1b[?1;2;4c");
        assert_eq!(a.sync_output, Some(true));
        assert_eq!(a.version.map(|v| v.name), Some("tmux".into()));
        assert_eq!(answers(b""), TerminalAnswers::default());
    }

    #[test]
    fn output_setting_parses() {
        assert_eq!("auto".parse(), Ok(OutputSetting::Auto));
        assert_eq!("halfblocks".parse(), Ok(OutputSetting::Halfblocks));
        assert_eq!("off".parse(), Ok(OutputSetting::Off));
        assert!("ascii".parse::<OutputSetting>().is_err());
    }
}
