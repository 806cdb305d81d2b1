//! Whether the terminal can show a picture at all. A picture is colour
//! (half-blocks are only their foreground and background colours), so a
//! terminal without colour would show uniform `▀` glyphs: meaningless.
//!
//! The rule (README, "Small and plain terminals"):
//! - `COLORTERM=truecolor`/`24bit`: colour.
//! - `TERM=dumb`: no colour.
//! - otherwise the terminfo entry of `TERM` decides: `colors` of 8 or more
//!   is colour; missing or below 8 (`vt100`, `xterm-mono`) is none. 8 counts
//!   as colour because `TERM=xterm` says 8 while nearly every terminal that
//!   sets it draws 256 colours, and the picture degrades to what it has.
//! - no terminfo entry for `TERM`: names ending in `-mono` or `-m`, and the
//!   DEC `vt` family, have no colour; anything else is assumed to.
//!
//! `NO_COLOR` is not part of it: it asks the interface to drop its
//! colours, not to hide content (image viewers keep showing images).

use std::path::{Path, PathBuf};

/// The output name the workstation shows when a picture is impossible.
pub const NEEDS_COLOUR: &str = "needs colour";

/// `Some(reason)` when this terminal cannot show colour, from the environment.
pub fn no_colour() -> Option<String> {
    let term = std::env::var("TERM").unwrap_or_default();
    let colorterm = std::env::var("COLORTERM").unwrap_or_default();
    let colors = if term.is_empty() {
        None
    } else {
        terminfo_dirs()
            .iter()
            .find_map(|d| read_entry(d, &term))
            .map(|bytes| max_colors(&bytes))
    };
    no_colour_rule(&term, &colorterm, colors)
}

/// The rule above; `colors`: `None` without a terminfo entry, `Some(None)`
/// for an entry without `colors`.
pub fn no_colour_rule(term: &str, colorterm: &str, colors: Option<Option<u32>>) -> Option<String> {
    if matches!(colorterm, "truecolor" | "24bit") || term.is_empty() {
        return None;
    }
    if term == "dumb" {
        return Some("TERM=dumb shows no colour".into());
    }
    match colors {
        Some(Some(n)) if n >= 8 => None,
        Some(Some(n)) => Some(format!("TERM={term} has {n} colours")),
        Some(None) => Some(format!("TERM={term} has no colours")),
        None => {
            let mono = term.ends_with("-mono")
                || term.ends_with("-m")
                || (term.starts_with("vt") && !term.contains("color"));
            mono.then(|| format!("TERM={term} has no colours"))
        }
    }
}

fn terminfo_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("TERMINFO") {
        dirs.push(PathBuf::from(d));
    }
    if let Some(h) = std::env::var_os("HOME") {
        dirs.push(Path::new(&h).join(".terminfo"));
    }
    if let Ok(list) = std::env::var("TERMINFO_DIRS") {
        dirs.extend(list.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
    }
    for d in [
        "/etc/terminfo",
        "/lib/terminfo",
        "/usr/share/terminfo",
        "/usr/lib/terminfo",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs
}

fn read_entry(dir: &Path, term: &str) -> Option<Vec<u8>> {
    // Names with a path separator could leave the directory.
    if term.contains('/') || term.contains("..") {
        return None;
    }
    let first = term.chars().next()?;
    // Linux uses the first letter, macOS its hex code.
    [first.to_string(), format!("{:x}", first as u32)]
        .iter()
        .find_map(|sub| std::fs::read(dir.join(sub).join(term)).ok())
}

/// The `colors` number of a compiled terminfo entry (legacy 16-bit or the
/// extended 32-bit number format); `None` when absent or unreadable.
pub fn max_colors(b: &[u8]) -> Option<u32> {
    const COLORS: usize = 13;
    let short =
        |i: usize| -> Option<i16> { Some(i16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?])) };
    let wide = match short(0)? {
        0o432 => false,
        0o1036 => true,
        _ => return None,
    };
    let names = usize::try_from(short(2)?).ok()?;
    let bools = usize::try_from(short(4)?).ok()?;
    let nums = usize::try_from(short(6)?).ok()?;
    if COLORS >= nums {
        return None;
    }
    let mut at = 12 + names + bools;
    at += at % 2;
    let v = if wide {
        let p = at + COLORS * 4;
        i32::from_le_bytes([*b.get(p)?, *b.get(p + 1)?, *b.get(p + 2)?, *b.get(p + 3)?])
    } else {
        i32::from(short(at + COLORS * 2)?)
    };
    u32::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        assert_eq!(no_colour_rule("xterm-256color", "", Some(Some(256))), None);
        assert_eq!(no_colour_rule("xterm", "", Some(Some(8))), None);
        assert!(no_colour_rule("vt100", "", Some(None)).is_some());
        assert!(no_colour_rule("xterm-mono", "", Some(None)).is_some());
        assert!(no_colour_rule("odd", "", Some(Some(2))).is_some());
        assert!(no_colour_rule("dumb", "", None).is_some());
        assert!(no_colour_rule("vt220", "", None).is_some());
        assert!(no_colour_rule("foo-m", "", None).is_some());
        assert_eq!(no_colour_rule("foot", "", None), None);
        assert_eq!(no_colour_rule("", "", None), None);
        assert_eq!(no_colour_rule("vt100", "truecolor", Some(None)), None);
    }

    #[test]
    fn reads_the_systems_entries_where_present() {
        let find = |t: &str| {
            terminfo_dirs()
                .iter()
                .find_map(|d| read_entry(d, t))
                .map(|b| max_colors(&b))
        };
        // Debian's ncurses-base ships these; skip quietly elsewhere.
        if let Some(c) = find("xterm-256color") {
            assert_eq!(c, Some(256));
        }
        if let Some(c) = find("vt100") {
            assert_eq!(c, None);
        }
        if let Some(c) = find("xterm-mono") {
            assert_eq!(c, None);
        }
    }

    #[test]
    fn garbage_is_no_answer() {
        assert_eq!(max_colors(&[]), None);
        assert_eq!(max_colors(&[0x1a, 0x01, 0xff, 0xff, 0, 0, 200, 0]), None);
        assert_eq!(max_colors(b"not a terminfo entry at all"), None);
    }
}
