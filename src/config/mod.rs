//! Configuration: `config.toml` (see `config.example.toml`), the keymap and
//! the theme. Every file problem becomes a [`Diagnostic`] naming file and
//! line; the app starts with the defaults for whatever was wrong.

pub mod diag;
pub mod key;
pub mod keymap;
pub mod theme;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use serde::Deserialize;
use toml::Spanned;

pub use diag::Diagnostic;
pub use keymap::{Command, Key, Keymap, Scope};
pub use theme::{ColorDepth, Theme};

pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8420";

/// The directories `takes` uses (from the `directories` crate).
#[derive(Debug, Clone)]
pub struct Dirs {
    pub config: PathBuf,
    pub data: PathBuf,
    pub cache: PathBuf,
}

impl Dirs {
    pub fn discover() -> Dirs {
        match directories::ProjectDirs::from("dev", "takes", "takes") {
            Some(p) => Dirs {
                config: p.config_dir().to_path_buf(),
                data: p.data_dir().to_path_buf(),
                cache: p.cache_dir().to_path_buf(),
            },
            None => {
                let base = std::env::temp_dir().join("takes");
                Dirs {
                    config: base.join("config"),
                    data: base.join("data"),
                    cache: base.join("cache"),
                }
            }
        }
    }
}

/// `token_command`: a shell line or an argv list.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum TokenCommand {
    Shell(String),
    Argv(Vec<String>),
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    server: Option<Spanned<String>>,
    token: Option<String>,
    token_command: Option<Spanned<TokenCommand>>,
    theme: Option<String>,
    color: Option<Spanned<String>>,
    keymap: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    request_timeout_secs: Option<Spanned<u64>>,
    #[serde(default)]
    review: RawReview,
    #[serde(default)]
    queue: RawQueue,
    #[serde(default)]
    layout: RawLayout,
    #[serde(default)]
    log: RawLog,
    #[serde(default)]
    video: RawVideo,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawReview {
    auto_advance: Option<bool>,
    show_video: Option<bool>,
    muted_first: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawVideo {
    output: Option<Spanned<String>>,
    max_fps: Option<Spanned<f64>>,
    audio: Option<bool>,
    volume: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    page_size: Option<Spanned<i64>>,
    refresh_secs: Option<Spanned<u64>>,
    status: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    mode: Option<Spanned<String>>,
    wide_min_width: Option<Spanned<u16>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLog {
    level: Option<String>,
}

/// How the review screen is arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutMode {
    Auto,
    Wide,
    Narrow,
}

/// Settings the app state reads while running.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub auto_advance: bool,
    pub show_video: bool,
    pub page_size: i64,
    pub refresh_secs: u64,
    /// Status filter the queue starts with: open, pending, in_progress, submitted, all.
    pub queue_status: String,
    pub layout: LayoutMode,
    pub wide_min_width: u16,
    /// `review.muted_first`: enforce, suggest or off.
    pub muted_first: takes_player::muted_first::Policy,
    /// `video.output`.
    pub video_output: takes_player::OutputSetting,
    /// `video.max_fps`: `None` draws every frame the terminal absorbs.
    pub max_fps: Option<f64>,
    /// `video.audio`: false plays without any sound device (`ao=null`).
    pub audio: bool,
    /// `video.volume`, percent.
    pub volume: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_advance: true,
            show_video: true,
            page_size: 200,
            refresh_secs: 60,
            queue_status: "open".into(),
            layout: LayoutMode::Auto,
            wide_min_width: 120,
            muted_first: takes_player::muted_first::Policy::Enforce,
            video_output: takes_player::OutputSetting::Auto,
            max_fps: None,
            audio: true,
            volume: 100.0,
        }
    }
}

/// The loaded configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from (`None`: no file, defaults).
    pub path: Option<PathBuf>,
    pub server: Option<String>,
    pub token: Option<String>,
    pub token_command: Option<TokenCommand>,
    pub theme: String,
    pub color: Option<ColorDepth>,
    pub keymap: PathBuf,
    pub themes_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub log_level: String,
    pub request_timeout_secs: u64,
    pub settings: Settings,
}

impl Config {
    /// Loads `explicit` (must exist) or `<config dir>/config.toml` (may be
    /// missing). Problems come back as diagnostics with the defaults used.
    pub fn load(explicit: Option<&Path>, dirs: &Dirs) -> (Config, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let path = explicit
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dirs.config.join("config.toml"));
        let config_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dirs.config.clone());
        let (raw, source, found) = match std::fs::read_to_string(&path) {
            Ok(text) => match toml::from_str::<RawConfig>(&text) {
                Ok(raw) => (raw, text, true),
                Err(e) => {
                    let mut d = Diagnostic::from_toml(&path, &text, &e);
                    d.message.push_str("; using the default configuration");
                    diags.push(d);
                    (RawConfig::default(), text, true)
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                (RawConfig::default(), String::new(), false)
            }
            Err(e) => {
                diags.push(Diagnostic::file(
                    &path,
                    format!("cannot read: {e}; using the default configuration"),
                ));
                (RawConfig::default(), String::new(), false)
            }
        };
        let at = |span: std::ops::Range<usize>, msg: String| {
            Diagnostic::new(&path, &source, Some(span), msg)
        };
        let mut settings = Settings::default();
        if let Some(v) = raw.review.auto_advance {
            settings.auto_advance = v;
        }
        if let Some(v) = raw.review.show_video {
            settings.show_video = v;
        }
        if let Some(v) = &raw.review.muted_first {
            match v.get_ref().parse() {
                Ok(p) => settings.muted_first = p,
                Err(e) => diags.push(at(v.span(), format!("{e}; using enforce"))),
            }
        }
        if let Some(v) = &raw.video.output {
            match v.get_ref().parse() {
                Ok(o) => settings.video_output = o,
                Err(e) => diags.push(at(v.span(), format!("{e}; using auto"))),
            }
        }
        if let Some(v) = &raw.video.max_fps {
            let fps = *v.get_ref();
            if fps == 0.0 {
                settings.max_fps = None;
            } else if (1.0..=120.0).contains(&fps) {
                settings.max_fps = Some(fps);
            } else {
                diags.push(at(
                    v.span(),
                    format!("video.max_fps must be 1 to 120 (0: no cap), got {fps}"),
                ));
            }
        }
        if let Some(a) = raw.video.audio {
            settings.audio = a;
        }
        if let Some(v) = &raw.video.volume {
            let vol = *v.get_ref();
            if (0.0..=130.0).contains(&vol) {
                settings.volume = vol;
            } else {
                diags.push(at(
                    v.span(),
                    format!("video.volume must be 0 to 130, got {vol}"),
                ));
            }
        }
        if let Some(v) = &raw.queue.page_size {
            if (1..=500).contains(v.get_ref()) {
                settings.page_size = *v.get_ref();
            } else {
                diags.push(at(
                    v.span(),
                    format!(
                        "queue.page_size must be 1 to 500, got {}; using {}",
                        v.get_ref(),
                        settings.page_size
                    ),
                ));
            }
        }
        if let Some(v) = &raw.queue.refresh_secs {
            if *v.get_ref() >= 5 {
                settings.refresh_secs = *v.get_ref();
            } else {
                diags.push(at(
                    v.span(),
                    format!(
                        "queue.refresh_secs must be at least 5, got {}; using {}",
                        v.get_ref(),
                        settings.refresh_secs
                    ),
                ));
            }
        }
        if let Some(v) = &raw.queue.status {
            match v.get_ref().as_str() {
                "open" | "pending" | "in_progress" | "submitted" | "all" => settings.queue_status = v.get_ref().clone(),
                other => diags.push(at(v.span(), format!("queue.status `{other}` is not one of open, pending, in_progress, submitted, all"))),
            }
        }
        if let Some(v) = &raw.layout.mode {
            match v.get_ref().as_str() {
                "auto" => settings.layout = LayoutMode::Auto,
                "wide" => settings.layout = LayoutMode::Wide,
                "narrow" => settings.layout = LayoutMode::Narrow,
                other => diags.push(at(
                    v.span(),
                    format!("layout.mode `{other}` is not one of auto, wide, narrow"),
                )),
            }
        }
        if let Some(v) = &raw.layout.wide_min_width {
            settings.wide_min_width = *v.get_ref();
        }
        let color = match &raw.color {
            None => None,
            Some(v) if v.get_ref() == "auto" => None,
            Some(v) => match ColorDepth::parse(v.get_ref()) {
                Some(d) => Some(d),
                None => {
                    diags.push(at(
                        v.span(),
                        format!(
                            "color `{}` is not one of auto, truecolor, 256, 16, none",
                            v.get_ref()
                        ),
                    ));
                    None
                }
            },
        };
        let server = match &raw.server {
            Some(s)
                if s.get_ref().starts_with("http://") || s.get_ref().starts_with("https://") =>
            {
                Some(s.get_ref().clone())
            }
            Some(s) => {
                diags.push(at(
                    s.span(),
                    format!(
                        "server `{}` must start with http:// or https://",
                        s.get_ref()
                    ),
                ));
                None
            }
            None => None,
        };
        let token_command = match &raw.token_command {
            Some(tc) => match tc.get_ref() {
                TokenCommand::Argv(v) if v.is_empty() => {
                    diags.push(at(tc.span(), "token_command is an empty list".into()));
                    None
                }
                other => Some(other.clone()),
            },
            None => None,
        };
        let request_timeout_secs = match &raw.request_timeout_secs {
            Some(v) if (1..=600).contains(v.get_ref()) => *v.get_ref(),
            Some(v) => {
                diags.push(at(
                    v.span(),
                    format!("request_timeout_secs must be 1 to 600, got {}", v.get_ref()),
                ));
                20
            }
            None => 20,
        };
        let rel = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                config_dir.join(p)
            }
        };
        let config = Config {
            path: found.then(|| path.clone()),
            server,
            token: raw.token.clone(),
            token_command,
            theme: raw
                .theme
                .clone()
                .unwrap_or_else(|| theme::DEFAULT_THEME.to_string()),
            color,
            keymap: raw
                .keymap
                .as_deref()
                .map(rel)
                .unwrap_or_else(|| config_dir.join("keymap.toml")),
            themes_dir: config_dir.join("themes"),
            data_dir: raw
                .data_dir
                .as_deref()
                .map(rel)
                .unwrap_or_else(|| dirs.data.clone()),
            log_dir: dirs.cache.clone(),
            log_level: raw.log.level.clone().unwrap_or_else(|| "info".into()),
            request_timeout_secs,
            settings,
        };
        (config, diags)
    }

    /// The token: explicit (flag or `TAKES_TOKEN`) first, then
    /// `token_command`, then `token` in the file.
    pub fn resolve_token(&self, explicit: Option<&str>) -> Result<Option<String>, String> {
        if let Some(t) = explicit.filter(|t| !t.trim().is_empty()) {
            return Ok(Some(t.trim().to_string()));
        }
        if let Some(tc) = &self.token_command {
            return run_token_command(tc).map(Some);
        }
        Ok(self.token.clone().filter(|t| !t.trim().is_empty()))
    }
}

/// Runs `token_command` and returns its first output line.
pub fn run_token_command(tc: &TokenCommand) -> Result<String, String> {
    let (shown, output) = match tc {
        TokenCommand::Shell(line) => (
            line.clone(),
            Process::new("sh").arg("-c").arg(line).output(),
        ),
        TokenCommand::Argv(argv) => {
            let Some((prog, args)) = argv.split_first() else {
                return Err("token_command is empty".into());
            };
            (argv.join(" "), Process::new(prog).args(args).output())
        }
    };
    let output = output.map_err(|e| format!("token_command `{shown}` could not run: {e}"))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "token_command `{shown}` failed ({}): {}",
            output.status,
            err.trim()
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    match text.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(t) => Ok(t.to_string()),
        None => Err(format!("token_command `{shown}` printed nothing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(base: &Path) -> Dirs {
        Dirs {
            config: base.join("c"),
            data: base.join("d"),
            cache: base.join("k"),
        }
    }

    #[test]
    fn missing_default_file_is_fine() {
        let t = tempfile::tempdir().unwrap();
        let (c, d) = Config::load(None, &dirs(t.path()));
        assert!(d.is_empty());
        assert!(c.path.is_none());
        assert_eq!(c.settings, Settings::default());
        assert_eq!(c.keymap, t.path().join("c/keymap.toml"));
    }

    #[test]
    fn example_config_is_valid() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("config.toml");
        std::fs::write(&p, include_str!("../../config.example.toml")).unwrap();
        let (_c, d) = Config::load(Some(&p), &dirs(t.path()));
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn bad_values_name_file_and_line() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("config.toml");
        std::fs::write(
            &p,
            "theme = \"light\"\n[queue]\npage_size = 9000\n[layout]\nmode = \"tall\"\n",
        )
        .unwrap();
        let (c, d) = Config::load(Some(&p), &dirs(t.path()));
        assert_eq!(c.theme, "light");
        assert_eq!(c.settings.page_size, 200);
        let text: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert!(
            text[0].contains("config.toml:3:") && text[0].contains("page_size"),
            "{text:?}"
        );
        assert!(
            text[1].contains("config.toml:5:") && text[1].contains("tall"),
            "{text:?}"
        );
        std::fs::write(&p, "server = \"http://x\"\nthme = \"light\"\n").unwrap();
        let (c, d) = Config::load(Some(&p), &dirs(t.path()));
        assert_eq!(c.theme, "dark");
        assert!(
            d[0].to_string().contains("config.toml:2:") && d[0].message.contains("thme"),
            "{d:?}"
        );
        let (_, d) = Config::load(Some(&t.path().join("nope.toml")), &dirs(t.path()));
        assert!(d[0].to_string().contains("nope.toml"), "{d:?}");
    }

    #[test]
    fn token_sources_in_order() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("config.toml");
        std::fs::write(
            &p,
            "token = \"filetoken\"\ntoken_command = \"echo cmdtoken\"\n",
        )
        .unwrap();
        let (c, _) = Config::load(Some(&p), &dirs(t.path()));
        assert_eq!(
            c.resolve_token(Some("flag")).unwrap().as_deref(),
            Some("flag")
        );
        assert_eq!(c.resolve_token(None).unwrap().as_deref(), Some("cmdtoken"));
        std::fs::write(&p, "token_command = [\"sh\", \"-c\", \"exit 3\"]\n").unwrap();
        let (c, _) = Config::load(Some(&p), &dirs(t.path()));
        let err = c.resolve_token(None).unwrap_err();
        assert!(err.contains("failed"), "{err}");
    }
}
