//! Which terminal this is (XTVERSION) and what it really draws.
//!
//! The graphics query alone is not enough: kitty before 0.28 answers the
//! kitty graphics query but has no Unicode placeholders, which is the only
//! way ratatui-image places kitty images, so the pane became a grid of
//! boxes; iTerm2 answers the kitty query without placeholders too
//! (ratatui-image issues #29, #72, #158). [`RULES`] is the one place where
//! a terminal's name and version overrule its graphics answer.

use crate::OutputKind;

/// A terminal's answer to XTVERSION (`CSI > 0 q`):
/// `DCS > | text ST`, where text is `name(version)` (kitty, XTerm, foot)
/// or `name version` (iTerm2, WezTerm, tmux).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermVersion {
    pub name: String,
    /// Empty when the terminal gave only a name.
    pub version: String,
}

impl std::fmt::Display for TermVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.version.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{} {}", self.name, self.version)
        }
    }
}

/// The request; answered before the DA1 that follows it in the same query.
pub const XTVERSION_QUERY: &[u8] = b"\x1b[>0q";

/// Finds an XTVERSION answer anywhere in `bytes` (other answers around it
/// are skipped). Both the 7-bit (`ESC P`, `ESC \`) and 8-bit (0x90, 0x9c)
/// forms are read; text that is not printable ASCII is refused, since it
/// is shown to the reviewer.
pub fn parse_xtversion(bytes: &[u8]) -> Option<TermVersion> {
    let mut i = 0;
    while i < bytes.len() {
        let body = if bytes[i..].starts_with(b"\x1bP>|") {
            i + 4
        } else if bytes[i..].starts_with(b"\x90>|") {
            i + 3
        } else {
            i += 1;
            continue;
        };
        let rest = &bytes[body..];
        let end = rest
            .iter()
            .position(|&b| b == 0x1b || b == 0x9c || b == 0x07)?;
        let text = &rest[..end];
        if let Some(v) = split_name(text) {
            return Some(v);
        }
        i = body + end;
    }
    None
}

fn split_name(text: &[u8]) -> Option<TermVersion> {
    if text.is_empty() || !text.iter().all(|b| (0x20..0x7f).contains(b)) {
        return None;
    }
    let text = std::str::from_utf8(text).ok()?.trim();
    let (name, version) = match text.find('(') {
        Some(open) if text.ends_with(')') => (&text[..open], &text[open + 1..text.len() - 1]),
        _ => text.split_once(' ').unwrap_or((text, "")),
    };
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    Some(TermVersion {
        name: name.to_string(),
        version: version.trim().to_string(),
    })
}

/// The leading dotted numbers of a version (`"0.26.5"` -> `[0, 26, 5]`,
/// `"3.3a"` -> `[3, 3]`); empty when it does not start with a digit.
pub fn version_numbers(v: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in v.split('.') {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        match digits.parse() {
            Ok(n) => out.push(n),
            Err(_) => break,
        }
        if digits.len() != part.len() {
            break;
        }
    }
    out
}

/// One overruling: a terminal whose name contains `name` (any case) that
/// answered the graphics query with `claims`, at a version below `below`
/// (`None`: any version), gets `output`.
pub struct Rule {
    pub name: &'static str,
    pub claims: OutputKind,
    pub below: Option<&'static [u32]>,
    pub output: OutputKind,
    pub why: &'static str,
}

/// The table (the README's "Terminals" section explains it to users).
/// Graphics answers not listed here are trusted.
pub const RULES: &[Rule] = &[
    Rule {
        name: "kitty",
        claims: OutputKind::Kitty,
        below: Some(&[0, 28]),
        output: OutputKind::Halfblocks,
        why: "kitty draws Unicode placeholders only from 0.28, and our kitty images are placed that way; half-blocks",
    },
    Rule {
        name: "iterm2",
        claims: OutputKind::Kitty,
        below: None,
        output: OutputKind::Iterm2,
        why: "iTerm2 answers the kitty query without Unicode placeholders; its own protocol",
    },
    Rule {
        name: "wezterm",
        claims: OutputKind::Kitty,
        below: None,
        output: OutputKind::Iterm2,
        why: "WezTerm's kitty support has no Unicode placeholders; the iTerm2 protocol",
    },
    Rule {
        name: "konsole",
        claims: OutputKind::Kitty,
        below: None,
        output: OutputKind::Halfblocks,
        why: "Konsole's kitty support has no Unicode placeholders; half-blocks",
    },
    Rule {
        name: "konsole",
        claims: OutputKind::Sixel,
        below: None,
        output: OutputKind::Halfblocks,
        why: "Konsole's sixel drawing leaves stale pixels behind; half-blocks",
    },
];

/// The output for a terminal that answered the graphics query with
/// `claimed`, given what it said about itself; with the reason shown by
/// `takes doctor`.
pub fn choose(claimed: OutputKind, term: Option<&TermVersion>) -> (OutputKind, String) {
    let Some(term) = term else {
        return (
            claimed,
            match claimed {
                OutputKind::Halfblocks => "the terminal reported no graphics protocol".into(),
                k => format!(
                    "the terminal answered the {} query (it did not say its version)",
                    k.name()
                ),
            },
        );
    };
    let name = term.name.to_ascii_lowercase();
    let version = version_numbers(&term.version);
    for rule in RULES {
        if rule.claims != claimed || !name.contains(rule.name) {
            continue;
        }
        let applies = match rule.below {
            None => true,
            // An unreadable version is treated as old: boxes are worse
            // than half-blocks.
            Some(min) => version.is_empty() || version.as_slice() < min,
        };
        if applies {
            return (rule.output, format!("{term}: {}", rule.why));
        }
    }
    let why = match claimed {
        OutputKind::Halfblocks => format!("{term} reported no graphics protocol"),
        k => format!("{term} answered the {} query", k.name()),
    };
    (claimed, why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tv(name: &str, version: &str) -> TermVersion {
        TermVersion {
            name: name.into(),
            version: version.into(),
        }
    }

    #[test]
    fn real_answers_parse() {
        // Recorded from Debian 12's kitty and xterm, tmux 3.3a, and the
        // forms iTerm2 and WezTerm document.
        let kitty = b"\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c";
        assert_eq!(parse_xtversion(kitty), Some(tv("kitty", "0.26.5")));
        let xterm = b"\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c";
        assert_eq!(parse_xtversion(xterm), Some(tv("XTerm", "379")));
        assert_eq!(
            parse_xtversion(b"\x1b[?2026;2$y\x1bP>|tmux 3.3a\x1b\\"),
            Some(tv("tmux", "3.3a"))
        );
        assert_eq!(
            parse_xtversion(b"\x90>|iTerm2 3.5.0\x9c"),
            Some(tv("iTerm2", "3.5.0"))
        );
        assert_eq!(
            parse_xtversion(b"\x1bP>|WezTerm 20240203-110809-5046fc22\x1b\\"),
            Some(tv("WezTerm", "20240203-110809-5046fc22"))
        );
        assert_eq!(parse_xtversion(b"\x1bP>|foot\x1b\\"), Some(tv("foot", "")));
        // No answer, an unterminated one, an empty one.
        assert_eq!(parse_xtversion(b"\x1b[?62;c"), None);
        assert_eq!(parse_xtversion(b"\x1bP>|kitty(0.2"), None);
        assert_eq!(parse_xtversion(b"\x1bP>|\x1b\\"), None);
        assert_eq!(parse_xtversion(b"\x1bP>|\x07\x1b\\"), None);
    }

    #[test]
    fn versions_compare_by_numbers() {
        assert_eq!(version_numbers("0.26.5"), vec![0, 26, 5]);
        assert_eq!(version_numbers("3.3a"), vec![3, 3]);
        assert_eq!(version_numbers("379"), vec![379]);
        assert!(version_numbers("dev").is_empty());
        assert!(version_numbers("0.26.5").as_slice() < [0, 28].as_slice());
        assert!(version_numbers("0.28.0").as_slice() >= [0, 28].as_slice());
        assert!(version_numbers("0.35.2").as_slice() >= [0, 28].as_slice());
    }

    #[test]
    fn the_rules() {
        use OutputKind::*;
        let old = tv("kitty", "0.26.5");
        let (o, why) = choose(Kitty, Some(&old));
        assert_eq!(o, Halfblocks);
        assert!(why.starts_with("kitty 0.26.5: "), "{why}");
        assert!(why.contains("0.28"), "{why}");
        assert_eq!(choose(Kitty, Some(&tv("kitty", "0.28.0"))).0, Kitty);
        assert_eq!(choose(Kitty, Some(&tv("kitty", "0.35.2"))).0, Kitty);
        assert_eq!(choose(Kitty, Some(&tv("kitty", "weird"))).0, Halfblocks);
        assert_eq!(choose(Kitty, Some(&tv("iTerm2", "3.5.0"))).0, Iterm2);
        assert_eq!(choose(Kitty, Some(&tv("WezTerm", "2024"))).0, Iterm2);
        assert_eq!(choose(Sixel, Some(&tv("XTerm", "379"))).0, Sixel);
        assert_eq!(choose(Sixel, Some(&tv("Konsole", "23"))).0, Halfblocks);
        // Unknown terminals and silent ones: the graphics answer stands.
        assert_eq!(choose(Kitty, Some(&tv("ghostty", "1.1"))).0, Kitty);
        assert_eq!(choose(Kitty, None).0, Kitty);
        assert_eq!(choose(Halfblocks, Some(&old)).0, Halfblocks);
    }

    proptest! {
        #[test]
        fn any_bytes_parse_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            if let Some(v) = parse_xtversion(&bytes) {
                prop_assert!(!v.name.is_empty());
                prop_assert!(v.name.chars().chain(v.version.chars()).all(|c| c.is_ascii() && !c.is_ascii_control()));
            }
        }

        #[test]
        fn answers_inside_noise_are_found(
            pre in proptest::collection::vec(0x20u8..0x7f, 0..40),
            name in "[a-zA-Z][a-zA-Z0-9]{0,12}",
            ver in "[0-9]{1,3}(\\.[0-9]{1,3}){0,2}",
            paren in any::<bool>(),
        ) {
            let mut bytes = pre.clone();
            let text = if paren { format!("{name}({ver})") } else { format!("{name} {ver}") };
            bytes.extend_from_slice(b"\x1bP>|");
            bytes.extend_from_slice(text.as_bytes());
            bytes.extend_from_slice(b"\x1b\\\x1b[?62;c");
            prop_assert_eq!(parse_xtversion(&bytes), Some(tv(&name, &ver)));
        }

        #[test]
        fn any_version_string_is_safe(v in ".{0,20}", claimed in 0usize..4) {
            let kinds = [OutputKind::Kitty, OutputKind::Sixel, OutputKind::Iterm2, OutputKind::Halfblocks];
            let _ = version_numbers(&v);
            let _ = choose(kinds[claimed], Some(&tv("kitty", &v)));
        }
    }
}
