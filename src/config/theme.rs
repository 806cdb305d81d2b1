//! Themes: `themes/*.toml` (built in) or `<config dir>/themes/NAME.toml`,
//! helix-like: a `[palette]`, semantic keys `{ fg, bg, modifiers }`, and
//! `inherits`. Colours degrade to the terminal's depth; `NO_COLOR` drops them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use toml::Spanned;

use super::diag::Diagnostic;

pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

pub const DEFAULT_THEME: &str = "dark";

/// Every semantic key a theme may set; others are reported.
pub const KEYS: &[&str] = &[
    "ui.background",
    "ui.text",
    "ui.text.dim",
    "ui.text.title",
    "ui.border",
    "ui.border.focus",
    "ui.selection",
    "ui.header",
    "ui.statusbar",
    "ui.hint.key",
    "ui.dialog",
    "ui.input",
    "diagnostic.error",
    "diagnostic.warning",
    "diagnostic.info",
    "diagnostic.ok",
    "due.ok",
    "due.soon",
    "due.overdue",
    "status.pending",
    "status.in_progress",
    "status.submitted",
    "rubric.anchor",
    "rubric.current",
    "rubric.score",
    "score.set",
    "score.unset",
    "score.current",
    "sync.local",
    "sync.synced",
    "sync.failed",
    "transcript.cue",
    "transcript.current",
    "transcript.evidence",
    "transcript.time",
    "video.placeholder",
    "heat.agree",
    "heat.above",
    "heat.below",
    "heat.me",
];

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
    /// `NO_COLOR`: modifiers only.
    None,
}

impl ColorDepth {
    /// From the environment: a terminal without colour and `NO_COLOR` (any
    /// value) win, then `COLORTERM`, then `TERM`.
    pub fn detect() -> ColorDepth {
        // A terminal without colour (`takes_player::colors`): modifiers only.
        if takes_player::colors::no_colour().is_some() {
            return ColorDepth::None;
        }
        Self::from_env(
            std::env::var_os("NO_COLOR")
                .map(|v| !v.is_empty())
                .unwrap_or(false),
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    pub fn from_env(no_color: bool, colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        if no_color {
            return ColorDepth::None;
        }
        if matches!(colorterm, Some("truecolor") | Some("24bit")) {
            return ColorDepth::TrueColor;
        }
        match term {
            Some("dumb") => ColorDepth::None,
            Some(t) if t.contains("256") || t.contains("direct") => ColorDepth::Ansi256,
            _ => ColorDepth::Ansi16,
        }
    }

    pub fn parse(s: &str) -> Option<ColorDepth> {
        match s {
            "truecolor" | "24bit" => Some(ColorDepth::TrueColor),
            "256" => Some(ColorDepth::Ansi256),
            "16" => Some(ColorDepth::Ansi16),
            "none" => Some(ColorDepth::None),
            _ => None,
        }
    }
}

/// Resolved styles, one field per semantic key, for fast drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub background: Style,
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selection: Style,
    pub header: Style,
    pub statusbar: Style,
    pub hint_key: Style,
    pub dialog: Style,
    pub input: Style,
    pub error: Style,
    pub warning: Style,
    pub info: Style,
    pub ok: Style,
    pub due_ok: Style,
    pub due_soon: Style,
    pub due_overdue: Style,
    pub status_pending: Style,
    pub status_in_progress: Style,
    pub status_submitted: Style,
    pub anchor: Style,
    pub anchor_current: Style,
    pub anchor_score: Style,
    pub score_set: Style,
    pub score_unset: Style,
    pub score_current: Style,
    pub sync_local: Style,
    pub sync_synced: Style,
    pub sync_failed: Style,
    pub cue: Style,
    pub cue_current: Style,
    pub cue_evidence: Style,
    pub cue_time: Style,
    pub video: Style,
    /// Calibration heat map: a rating within half a point of the item's mean.
    pub heat_agree: Style,
    /// Half a point or more above the item's mean (lenient).
    pub heat_above: Style,
    /// Half a point or more below the item's mean (severe).
    pub heat_below: Style,
    /// The caller's own row.
    pub heat_me: Style,
}

/// A theme file before resolution.
#[derive(Debug, Clone, Default)]
struct Raw {
    palette: BTreeMap<String, String>,
    styles: BTreeMap<String, RawStyle>,
}

#[derive(Debug, Clone, Default)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    modifiers: Vec<String>,
}

/// Finds theme files: user directory first, then the built-ins.
pub struct ThemeSource {
    pub user_dir: Option<PathBuf>,
}

impl ThemeSource {
    fn read(&self, name: &str) -> Option<(PathBuf, String)> {
        if let Some(dir) = &self.user_dir {
            let p = dir.join(format!("{name}.toml"));
            if let Ok(text) = std::fs::read_to_string(&p) {
                return Some((p, text));
            }
        }
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, t)| (PathBuf::from(format!("themes/{n}.toml")), t.to_string()))
    }

    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        if let Some(dir) = &self.user_dir {
            if let Ok(rd) = std::fs::read_dir(dir) {
                for e in rd.flatten() {
                    let p = e.path();
                    if p.extension().and_then(|x| x.to_str()) == Some("toml") {
                        if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                            if !names.iter().any(|n| n == stem) {
                                names.push(stem.to_string());
                            }
                        }
                    }
                }
            }
        }
        names
    }
}

fn parse_raw(
    path: &Path,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Option<String>, Raw)> {
    let table: BTreeMap<String, Spanned<toml::Value>> = match toml::from_str(source) {
        Ok(t) => t,
        Err(e) => {
            let mut d = Diagnostic::from_toml(path, source, &e);
            d.message.push_str("; this theme is ignored");
            diags.push(d);
            return None;
        }
    };
    let mut raw = Raw::default();
    let mut inherits = None;
    for (key, value) in table {
        let span = value.span();
        let at = |msg: String| Diagnostic::new(path, source, Some(span.clone()), msg);
        match (key.as_str(), value.get_ref()) {
            ("inherits", toml::Value::String(s)) => inherits = Some(s.clone()),
            ("inherits", _) => diags.push(at("`inherits` must be a theme name".into())),
            ("palette", toml::Value::Table(t)) => {
                for (name, v) in t {
                    match v {
                        toml::Value::String(s) => {
                            raw.palette.insert(name.clone(), s.clone());
                        }
                        _ => {
                            // Point at the entry inside the table when we can.
                            let inner = source
                                .get(span.clone())
                                .and_then(|s| s.find(name.as_str()))
                                .map(|o| span.start + o..span.start + o + name.len())
                                .unwrap_or(span.clone());
                            diags.push(Diagnostic::new(
                                path,
                                source,
                                Some(inner),
                                format!(
                                    "palette colour `{name}` must be a string like \"#ff8800\""
                                ),
                            ));
                        }
                    }
                }
            }
            ("palette", _) => diags.push(at("`palette` must be a table".into())),
            (k, v) => {
                if !KEYS.contains(&k) {
                    diags.push(at(format!("unknown theme key `{k}`; ignored")));
                    continue;
                }
                match style_of(v) {
                    Ok(s) => {
                        raw.styles.insert(k.to_string(), s);
                    }
                    Err(msg) => diags.push(at(format!("`{k}`: {msg}"))),
                }
            }
        }
    }
    Some((inherits, raw))
}

fn style_of(v: &toml::Value) -> Result<RawStyle, String> {
    match v {
        toml::Value::String(s) => Ok(RawStyle {
            fg: Some(s.clone()),
            ..RawStyle::default()
        }),
        toml::Value::Table(t) => {
            let mut out = RawStyle::default();
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("fg", toml::Value::String(s)) => out.fg = Some(s.clone()),
                    ("bg", toml::Value::String(s)) => out.bg = Some(s.clone()),
                    ("modifiers", toml::Value::Array(a)) => {
                        for m in a {
                            match m.as_str() {
                                Some(m) if modifier(m).is_some() => out.modifiers.push(m.to_string()),
                                _ => return Err(format!("unknown modifier {m}; use bold, dim, italic, underlined, reversed, crossed_out")),
                            }
                        }
                    }
                    (other, _) => {
                        return Err(format!(
                            "unexpected `{other}`; a style has fg, bg and modifiers"
                        ))
                    }
                }
            }
            Ok(out)
        }
        _ => Err("a style is a colour or { fg, bg, modifiers }".into()),
    }
}

fn modifier(s: &str) -> Option<Modifier> {
    Some(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed_out" => Modifier::CROSSED_OUT,
        "slow_blink" => Modifier::SLOW_BLINK,
        _ => return None,
    })
}

fn named_color(s: &str) -> Option<Color> {
    Some(match s {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "dark-gray" | "dark-grey" | "light-black" => Color::DarkGray,
        "light-red" => Color::LightRed,
        "light-green" => Color::LightGreen,
        "light-yellow" => Color::LightYellow,
        "light-blue" => Color::LightBlue,
        "light-magenta" => Color::LightMagenta,
        "light-cyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

fn parse_color(s: &str, palette: &BTreeMap<String, String>, depth: usize) -> Result<Color, String> {
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() == 6 {
            if let Ok(v) = u32::from_str_radix(hex, 16) {
                return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
            }
        }
        return Err(format!("`{s}` is not a #rrggbb colour"));
    }
    if let Some(p) = palette.get(s) {
        if depth > 4 {
            return Err(format!("palette colour `{s}` refers to itself"));
        }
        return parse_color(p, palette, depth + 1);
    }
    if let Some(c) = named_color(s) {
        return Ok(c);
    }
    if let Ok(i) = s.parse::<u8>() {
        return Ok(Color::Indexed(i));
    }
    Err(format!(
        "unknown colour `{s}` (not in the palette, not a #rrggbb or ANSI name)"
    ))
}

/// Loads `name` (following `inherits`) for a terminal of `depth`. Problems
/// are reported and the defaults fill in; an unknown theme falls back to dark.
pub fn load(name: &str, source: &ThemeSource, depth: ColorDepth) -> (Theme, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut chain: Vec<(PathBuf, String, Raw)> = Vec::new();
    let mut next = Some(name.to_string());
    while let Some(n) = next.take() {
        if chain.iter().any(|(_, nm, _)| *nm == n) || chain.len() > 8 {
            if let Some((p, _, _)) = chain.last() {
                diags.push(Diagnostic::file(
                    p,
                    format!("`inherits = \"{n}\"` makes a cycle; stopped there"),
                ));
            }
            break;
        }
        let Some((path, text)) = source.read(&n) else {
            let from = chain
                .last()
                .map(|(p, _, _)| p.clone())
                .unwrap_or_else(|| PathBuf::from("config"));
            diags.push(Diagnostic::file(
                &from,
                format!(
                    "theme `{n}` not found (built in: {}); using {DEFAULT_THEME}",
                    BUILTIN.iter().map(|b| b.0).collect::<Vec<_>>().join(", ")
                ),
            ));
            if n != DEFAULT_THEME {
                next = Some(DEFAULT_THEME.to_string());
            }
            continue;
        };
        match parse_raw(&path, &text, &mut diags) {
            Some((inherits, raw)) => {
                chain.push((path, n.clone(), raw));
                next = inherits;
            }
            None => {
                if n != DEFAULT_THEME {
                    next = Some(DEFAULT_THEME.to_string());
                }
            }
        }
    }
    // Base first, the named theme last, so children override.
    let mut merged = Raw::default();
    for (_, _, raw) in chain.iter().rev() {
        merged.palette.extend(raw.palette.clone());
        for (k, v) in &raw.styles {
            merged.styles.insert(k.clone(), v.clone());
        }
    }
    let top_path = chain.first().map(|c| c.0.clone()).unwrap_or_default();
    let resolve = |key: &str, diags: &mut Vec<Diagnostic>| -> Style {
        // Fall back along the dotted path, then to ui.text.
        let mut k = key.to_string();
        let raw = loop {
            if let Some(s) = merged.styles.get(&k) {
                break Some(s.clone());
            }
            match k.rfind('.') {
                Some(i) => k.truncate(i),
                None => break merged.styles.get("ui.text").cloned(),
            }
        };
        let Some(raw) = raw else {
            return Style::default();
        };
        let mut style = Style::default();
        for (slot, val) in [(0, &raw.fg), (1, &raw.bg)] {
            if let Some(v) = val {
                match parse_color(v, &merged.palette, 0) {
                    Ok(c) => {
                        let c = degrade(c, depth);
                        if let Some(c) = c {
                            style = if slot == 0 { style.fg(c) } else { style.bg(c) };
                        }
                    }
                    Err(msg) => diags.push(Diagnostic::file(&top_path, format!("`{key}`: {msg}"))),
                }
            }
        }
        for m in &raw.modifiers {
            if let Some(m) = modifier(m) {
                style = style.add_modifier(m);
            }
        }
        style
    };
    let mut d2 = Vec::new();
    let mut r = |k: &str| resolve(k, &mut d2);
    let mut theme = Theme {
        name: chain
            .first()
            .map(|c| c.1.clone())
            .unwrap_or_else(|| DEFAULT_THEME.into()),
        background: r("ui.background"),
        text: r("ui.text"),
        dim: r("ui.text.dim"),
        title: r("ui.text.title"),
        border: r("ui.border"),
        border_focus: r("ui.border.focus"),
        selection: r("ui.selection"),
        header: r("ui.header"),
        statusbar: r("ui.statusbar"),
        hint_key: r("ui.hint.key"),
        dialog: r("ui.dialog"),
        input: r("ui.input"),
        error: r("diagnostic.error"),
        warning: r("diagnostic.warning"),
        info: r("diagnostic.info"),
        ok: r("diagnostic.ok"),
        due_ok: r("due.ok"),
        due_soon: r("due.soon"),
        due_overdue: r("due.overdue"),
        status_pending: r("status.pending"),
        status_in_progress: r("status.in_progress"),
        status_submitted: r("status.submitted"),
        anchor: r("rubric.anchor"),
        anchor_current: r("rubric.current"),
        anchor_score: r("rubric.score"),
        score_set: r("score.set"),
        score_unset: r("score.unset"),
        score_current: r("score.current"),
        sync_local: r("sync.local"),
        sync_synced: r("sync.synced"),
        sync_failed: r("sync.failed"),
        cue: r("transcript.cue"),
        cue_current: r("transcript.current"),
        cue_evidence: r("transcript.evidence"),
        cue_time: r("transcript.time"),
        video: r("video.placeholder"),
        heat_agree: r("heat.agree"),
        heat_above: r("heat.above"),
        heat_below: r("heat.below"),
        heat_me: r("heat.me"),
    };
    d2.dedup();
    diags.extend(d2);
    if depth == ColorDepth::None {
        // Without colour, selections and highlights must still show.
        for s in [
            &mut theme.selection,
            &mut theme.anchor_current,
            &mut theme.score_current,
            &mut theme.cue_current,
            &mut theme.hint_key,
            &mut theme.heat_me,
        ] {
            *s = s.add_modifier(Modifier::REVERSED);
        }
    }
    (theme, diags)
}

impl Theme {
    /// The built-in dark theme at full colour (tests, fallbacks).
    pub fn builtin(name: &str, depth: ColorDepth) -> Theme {
        load(name, &ThemeSource { user_dir: None }, depth).0
    }
}

/// A colour as this terminal can show it; `None` drops it.
pub fn degrade(c: Color, depth: ColorDepth) -> Option<Color> {
    match (c, depth) {
        (_, ColorDepth::None) => None,
        (Color::Rgb(r, g, b), ColorDepth::Ansi256) => Some(Color::Indexed(rgb_to_256(r, g, b))),
        (Color::Rgb(r, g, b), ColorDepth::Ansi16) => Some(rgb_to_16(r, g, b)),
        (Color::Indexed(i), ColorDepth::Ansi16) if i >= 16 => {
            let (r, g, b) = index_to_rgb(i);
            Some(rgb_to_16(r, g, b))
        }
        (c, _) => Some(c),
    }
}

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn index_to_rgb(i: u8) -> (u8, u8, u8) {
    if i >= 232 {
        let v = 8 + (i - 232) * 10;
        return (v, v, v);
    }
    if i >= 16 {
        let i = i - 16;
        return (
            CUBE[(i / 36) as usize],
            CUBE[((i / 6) % 6) as usize],
            CUBE[(i % 6) as usize],
        );
    }
    ANSI16[i as usize].1
}

fn nearest_cube(v: u8) -> usize {
    CUBE.iter()
        .enumerate()
        .min_by_key(|(_, c)| (i32::from(**c) - i32::from(v)).abs())
        .map(|(i, _)| i)
        .unwrap_or(0)
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> i32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The closest xterm-256 index (colour cube or grey ramp).
pub fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let (ri, gi, bi) = (nearest_cube(r), nearest_cube(g), nearest_cube(b));
    let cube = (CUBE[ri], CUBE[gi], CUBE[bi]);
    let cube_idx = 16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8;
    let avg = ((u16::from(r) + u16::from(g) + u16::from(b)) / 3) as u8;
    let gi = if avg < 8 { 0 } else { ((avg - 8) / 10).min(23) };
    let gv = 8 + gi * 10;
    if dist((r, g, b), (gv, gv, gv)) < dist((r, g, b), cube) {
        232 + gi
    } else {
        cube_idx
    }
}

const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The closest of the 16 ANSI colours.
pub fn rgb_to_16(r: u8, g: u8, b: u8) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| dist((r, g, b), *rgb))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load_without_problems_at_every_depth() {
        for (name, _) in BUILTIN {
            for depth in [
                ColorDepth::TrueColor,
                ColorDepth::Ansi256,
                ColorDepth::Ansi16,
                ColorDepth::None,
            ] {
                let (theme, diags) = load(name, &ThemeSource { user_dir: None }, depth);
                assert!(diags.is_empty(), "{name}: {diags:?}");
                assert_eq!(theme.name, *name);
                let fg = theme.text.fg;
                match depth {
                    ColorDepth::TrueColor => {
                        assert!(matches!(fg, Some(Color::Rgb(..))), "{name} {fg:?}")
                    }
                    ColorDepth::Ansi256 => {
                        assert!(matches!(fg, Some(Color::Indexed(_))), "{name} {fg:?}")
                    }
                    ColorDepth::Ansi16 => assert!(
                        !matches!(fg, Some(Color::Rgb(..)) | Some(Color::Indexed(_))),
                        "{name} {fg:?}"
                    ),
                    ColorDepth::None => {
                        assert_eq!(fg, None);
                        assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
                    }
                }
            }
        }
    }

    #[test]
    fn themes_differ() {
        let dark = Theme::builtin("dark", ColorDepth::TrueColor);
        let light = Theme::builtin("light", ColorDepth::TrueColor);
        let cb = Theme::builtin("colorblind", ColorDepth::TrueColor);
        assert_ne!(dark.background, light.background);
        assert_ne!(dark.due_ok, cb.due_ok);
    }

    #[test]
    fn bad_user_theme_names_line_and_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "inherits = \"dark\"\n\"ui.text\" = { fg = \"nope\" }\n\"ui.bogus\" = \"red\"\n\"due.ok\" = { fg = \"red\", modifiers = [\"blinky\"] }\n",
        )
        .unwrap();
        let src = ThemeSource {
            user_dir: Some(dir.path().to_path_buf()),
        };
        let (theme, diags) = load("mine", &src, ColorDepth::TrueColor);
        let text: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("mine.toml:3:") && t.contains("ui.bogus")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("mine.toml:4:") && t.contains("blinky")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("unknown colour `nope`")),
            "{text:?}"
        );
        assert_eq!(theme.name, "mine");
        std::fs::write(dir.path().join("broken.toml"), "\"ui.text\" = {").unwrap();
        let (theme, diags) = load("broken", &src, ColorDepth::TrueColor);
        assert_eq!(theme.name, "dark");
        assert!(diags[0].to_string().contains("broken.toml:1:"), "{diags:?}");
        let (theme, diags) = load("nosuch", &src, ColorDepth::TrueColor);
        assert_eq!(theme.name, "dark");
        assert!(diags[0].message.contains("nosuch"));
    }

    #[test]
    fn colour_conversion() {
        assert_eq!(rgb_to_256(255, 0, 0), 196);
        assert_eq!(rgb_to_256(0, 0, 0), 16);
        assert_eq!(rgb_to_256(128, 128, 128), 244);
        assert_eq!(rgb_to_16(250, 10, 10), Color::LightRed);
        assert_eq!(
            ColorDepth::from_env(true, Some("truecolor"), None),
            ColorDepth::None
        );
        assert_eq!(
            ColorDepth::from_env(false, Some("truecolor"), None),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::from_env(false, None, Some("xterm-256color")),
            ColorDepth::Ansi256
        );
        assert_eq!(
            ColorDepth::from_env(false, None, Some("xterm")),
            ColorDepth::Ansi16
        );
    }
}
