//! The multi-line text editor shared by the note, the discussion note, the
//! decision's reason and the queue filter: its text and cursor, and the
//! `[editor]` keys of the keymap.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::{Command, Key, Keymap, Scope};

/// A multi-line text being edited; `cursor` is a char index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextInput {
    pub text: String,
    pub cursor: usize,
}

impl TextInput {
    pub fn new(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    pub fn insert(&mut self, c: char) {
        let b = self.byte(self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let b = self.byte(self.cursor - 1);
        self.text.remove(b);
        self.cursor -= 1;
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let b = self.byte(self.cursor);
            self.text.remove(b);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    /// (line, column) of the cursor, in chars.
    pub fn line_col(&self) -> (usize, usize) {
        let before: String = self.text.chars().take(self.cursor).collect();
        let line = before.matches('\n').count();
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0);
        (line, col)
    }

    fn line_starts(&self) -> Vec<usize> {
        let mut starts = vec![0];
        for (i, c) in self.text.chars().enumerate() {
            if c == '\n' {
                starts.push(i + 1);
            }
        }
        starts
    }

    pub fn up(&mut self) {
        self.vertical(-1);
    }

    pub fn down(&mut self) {
        self.vertical(1);
    }

    fn vertical(&mut self, d: isize) {
        let (line, col) = self.line_col();
        let starts = self.line_starts();
        let target = line as isize + d;
        if target < 0 || target as usize >= starts.len() {
            return;
        }
        let t = target as usize;
        let len = starts
            .get(t + 1)
            .map(|n| n - 1 - starts[t])
            .unwrap_or(self.text.chars().count() - starts[t]);
        self.cursor = starts[t] + col.min(len);
    }

    pub fn home(&mut self) {
        let (line, _) = self.line_col();
        self.cursor = self.line_starts()[line];
    }

    pub fn end(&mut self) {
        let (line, _) = self.line_col();
        let starts = self.line_starts();
        self.cursor = starts
            .get(line + 1)
            .map(|n| n - 1)
            .unwrap_or(self.text.chars().count());
    }
}

/// What an editor key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text or the cursor changed, or nothing happened.
    Changed,
    /// `leave` (Esc, Ctrl-C): the editor closes.
    Leave,
}

/// The `[editor]` command a key runs, if any.
pub fn command(keymap: &Keymap, k: &KeyEvent) -> Option<Command> {
    keymap.lookup(Scope::Editor, Key::from_event(k))
}

/// A character typed as text: no Ctrl (Ctrl-letters are commands or nothing).
pub fn typed(k: &KeyEvent) -> Option<char> {
    match k.code {
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => Some(c),
        _ => None,
    }
}

/// The keys of a multi-line editor (notes) holding at most `max` chars.
pub fn edit(keymap: &Keymap, ed: &mut TextInput, k: &KeyEvent, max: usize) -> Edit {
    match command(keymap, k) {
        Some(Command::Leave) => return Edit::Leave,
        Some(Command::Newline) => ed.insert('\n'),
        Some(Command::DeleteBack) => ed.backspace(),
        Some(Command::DeleteForward) => ed.delete(),
        Some(Command::CursorLeft) => ed.left(),
        Some(Command::CursorRight) => ed.right(),
        Some(Command::CursorUp) => ed.up(),
        Some(Command::CursorDown) => ed.down(),
        Some(Command::LineStart) => ed.home(),
        Some(Command::LineEnd) => ed.end(),
        Some(Command::Indent) => ed.insert(' '),
        Some(_) => {}
        None => {
            if let Some(c) = typed(k).filter(|_| ed.text.chars().count() < max) {
                ed.insert(c);
            }
        }
    }
    Edit::Changed
}
