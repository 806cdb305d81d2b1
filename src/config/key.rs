//! One key with its modifiers, as a keymap file writes it (`j`, `<C-c>`,
//! `<S-Up>`) and as a terminal event delivers it.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, normalised so a keymap entry and a terminal
/// event compare equal: characters carry their case, not a Shift flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        Key::new(ev.code, ev.modifiers)
    }

    pub fn char(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let bad = || {
            format!("cannot read the key `{s}`; write a character like `j` or a name like `<Enter>`, `<C-c>`")
        };
        if s.is_empty() {
            return Err("the key is empty".into());
        }
        let Some(inner) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
            let mut chars = s.chars();
            let c = chars.next().ok_or_else(bad)?;
            if chars.next().is_some() {
                return Err(format!("`{s}` is more than one key; use `<Name>` for named keys (sequences are not supported)"));
            }
            return Ok(Key::char(c));
        };
        if inner.is_empty() {
            return Err(bad());
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = inner;
        loop {
            let lower = rest.get(..2).map(|p| p.to_ascii_lowercase());
            match lower.as_deref() {
                Some("c-") if rest.len() > 2 => mods |= KeyModifiers::CONTROL,
                Some("a-") if rest.len() > 2 => mods |= KeyModifiers::ALT,
                Some("s-") if rest.len() > 2 => mods |= KeyModifiers::SHIFT,
                _ => break,
            }
            rest = &rest[2..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "cr" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "space" => KeyCode::Char(' '),
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" | "bs" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            "lt" => KeyCode::Char('<'),
            "gt" => KeyCode::Char('>'),
            f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                Ok(n) if (1..=12).contains(&n) => KeyCode::F(n),
                _ => return Err(bad()),
            },
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(bad()),
                }
            }
        };
        if code == KeyCode::Tab && mods.contains(KeyModifiers::SHIFT) {
            mods.remove(KeyModifiers::SHIFT);
            return Ok(Key::new(KeyCode::BackTab, mods));
        }
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefix = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            prefix.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            prefix.push_str("A-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            prefix.push_str("S-");
        }
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => {
                if prefix.is_empty() {
                    return write!(f, "{c}");
                }
                c.to_string()
            }
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::PageUp => "PageUp".into(),
            KeyCode::PageDown => "PageDown".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Insert => "Insert".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        write!(f, "{prefix}{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_text() {
        for s in [
            "j",
            "S",
            "?",
            "<Enter>",
            "<C-c>",
            "<Space>",
            "<F5>",
            "<A-x>",
            "<BackTab>",
            "<S-Up>",
        ] {
            let k = Key::parse(s).unwrap();
            let again = Key::parse(&format!("<{k}>"))
                .or_else(|_| Key::parse(&k.to_string()))
                .unwrap();
            assert_eq!(k, again, "{s}");
        }
        assert_eq!(
            Key::parse("<S-Tab>").unwrap(),
            Key::parse("<BackTab>").unwrap()
        );
        assert!(Key::parse("jk").is_err());
        assert!(Key::parse("").is_err());
        let shifted = Key::new(KeyCode::Char('S'), KeyModifiers::SHIFT);
        assert_eq!(shifted, Key::char('S'));
    }
}
