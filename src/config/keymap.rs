//! Key bindings: `keymaps/default.toml` (built in) with the user's
//! `keymap.toml` merged over it, per screen and per key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::diag::Diagnostic;
pub use super::key::Key;

/// The built-in defaults (the contract of DESIGN.md).
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Queue,
    Review,
    Panel,
    Calibration,
    /// The role browser: the list of roles and one role.
    Roles,
    /// The recruiter's triage board and an interview opened from it.
    Board,
    /// Process insights (recruiters, admins) and "my reviewing".
    Insights,
    /// Dialogs over a screen: help, the submit confirmation, the decision.
    Dialog,
    /// Text being typed: notes, the decision's reason, the queue filter.
    Editor,
}

impl Scope {
    pub const ALL: [Scope; 10] = [
        Scope::Global,
        Scope::Queue,
        Scope::Review,
        Scope::Panel,
        Scope::Calibration,
        Scope::Roles,
        Scope::Board,
        Scope::Insights,
        Scope::Dialog,
        Scope::Editor,
    ];

    /// Dialogs and editors own the keyboard: `[global]` does not apply.
    pub fn is_modal(self) -> bool {
        matches!(self, Scope::Dialog | Scope::Editor)
    }

    /// Whether `[global]` bindings reach this scope.
    fn inherits_global(self) -> bool {
        self != Scope::Global && !self.is_modal()
    }

    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Queue => "queue",
            Scope::Review => "review",
            Scope::Panel => "panel",
            Scope::Calibration => "calibration",
            Scope::Roles => "roles",
            Scope::Board => "board",
            Scope::Insights => "insights",
            Scope::Dialog => "dialog",
            Scope::Editor => "editor",
        }
    }
}

/// Declares [`Command`] and its keymap names in one list, so a command
/// cannot exist without a name (or the other way round).
macro_rules! commands {
    ($($variant:ident = $name:literal,)*) => {
        /// What a key does: the `run` of a keymap entry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command {
            $($variant,)*
            /// `rate N`.
            Rate(i64),
        }

        impl Command {
            /// Every named command with its `run` name (`rate N` aside).
            pub const NAMED: &'static [(&'static str, Command)] =
                &[$(($name, Command::$variant),)*];
        }
    };
}

commands! {
    Help = "help",
    Back = "back",
    Quit = "quit",
    Up = "up",
    Down = "down",
    PageUp = "page_up",
    PageDown = "page_down",
    Top = "top",
    Bottom = "bottom",
    Open = "open",
    Filter = "filter",
    StatusFilter = "status_filter",
    RoleFilter = "role_filter",
    ClearFilter = "clear_filter",
    Sort = "sort",
    Refresh = "refresh",
    Calibration = "calibration",
    CalibrationResults = "calibration_results",
    PlayPause = "play_pause",
    SeekBack = "seek_back",
    SeekForward = "seek_forward",
    SeekBackLong = "seek_back_long",
    SeekForwardLong = "seek_forward_long",
    Restart = "restart",
    VolumeDown = "volume_down",
    VolumeUp = "volume_up",
    PrevCue = "prev_cue",
    NextCue = "next_cue",
    SeekToCue = "seek_to_cue",
    Slower = "slower",
    Faster = "faster",
    Mute = "mute",
    NextQuestion = "next_question",
    PrevQuestion = "prev_question",
    Note = "note",
    Evidence = "evidence",
    ToggleVideo = "toggle_video",
    TranscriptDown = "transcript_down",
    TranscriptUp = "transcript_up",
    Submit = "submit",
    Panel = "panel",
    Decision = "decision",
    NextAssignment = "next_assignment",
    Confirm = "confirm",
    Deny = "deny",
    Close = "close",
    Accept = "accept",
    DecideAdvance = "decide_advance",
    DecideReject = "decide_reject",
    DecideHold = "decide_hold",
    Leave = "leave",
    Newline = "newline",
    DeleteBack = "delete_back",
    DeleteForward = "delete_forward",
    CursorLeft = "cursor_left",
    CursorRight = "cursor_right",
    CursorUp = "cursor_up",
    CursorDown = "cursor_down",
    LineStart = "line_start",
    LineEnd = "line_end",
    Indent = "indent",
    // The role browser (recruiters, admins).
    Roles = "roles",
    OlderVersion = "older_version",
    NewerVersion = "newer_version",
    // The triage board (issue 13).
    Board = "board",
    NextStage = "next_stage",
    PrevStage = "prev_stage",
    Mark = "mark",
    Visual = "visual",
    FlagFilter = "flag_filter",
    RetrySync = "retry_sync",
    Remind = "remind",
    Reassign = "reassign",
    RangeFilter = "range_filter",
    // Small terminals (issue 14).
    Zoom = "zoom",
    Share = "share",
    // Process insights (issue 15).
    Insights = "insights",
    NextTab = "next_tab",
    PrevTab = "prev_tab",
    DepartmentFilter = "department_filter",
    PeriodFilter = "period_filter",
}

impl Command {
    /// Parses a `run` value: an action name, or `rate N`. `Ok(None)` is
    /// `noop` (unbinds the key).
    pub fn parse(s: &str) -> Result<Option<Command>, String> {
        let s = s.trim();
        if s == "noop" {
            return Ok(None);
        }
        if let Some(rest) = s.strip_prefix("rate") {
            let n = rest.trim();
            return match n.parse::<i64>() {
                Ok(v) if (0..=9).contains(&v) && !rest.is_empty() => Ok(Some(Command::Rate(v))),
                _ => Err(format!(
                    "`{s}`: `rate` takes a rating from 0 to 9, like `rate 3`"
                )),
            };
        }
        Command::NAMED
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, c)| Some(*c))
            .ok_or_else(|| format!("unknown action `{s}`"))
    }

    pub fn name(self) -> String {
        if let Command::Rate(n) = self {
            return format!("rate {n}");
        }
        Command::NAMED
            .iter()
            .find(|(_, c)| *c == self)
            .map(|(n, _)| n.to_string())
            .unwrap_or_default()
    }
}

/// One active binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub key: Key,
    pub command: Command,
    pub desc: String,
    /// The file (default or user) and line it came from.
    pub origin: String,
}

/// The active keymap.
#[derive(Debug, Clone)]
pub struct Keymap {
    scopes: HashMap<Scope, Vec<Binding>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    global: Option<Section>,
    queue: Option<Section>,
    review: Option<Section>,
    panel: Option<Section>,
    calibration: Option<Section>,
    roles: Option<Section>,
    board: Option<Section>,
    insights: Option<Section>,
    dialog: Option<Section>,
    editor: Option<Section>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    keymap: Vec<Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    on: Spanned<String>,
    run: Spanned<String>,
    #[serde(default)]
    desc: Option<String>,
}

/// A parsed entry: `None` command is `noop`.
struct Parsed {
    scope: Scope,
    key: Key,
    command: Option<Command>,
    desc: String,
    line: usize,
}

fn parse_file(path: &Path, source: &str, diags: &mut Vec<Diagnostic>) -> Option<Vec<Parsed>> {
    let file: KeymapFile = match toml::from_str(source) {
        Ok(f) => f,
        Err(e) => {
            let mut d = Diagnostic::from_toml(path, source, &e);
            d.message.push_str("; this keymap file is ignored");
            diags.push(d);
            return None;
        }
    };
    let sections = [
        (Scope::Global, file.global),
        (Scope::Queue, file.queue),
        (Scope::Review, file.review),
        (Scope::Panel, file.panel),
        (Scope::Calibration, file.calibration),
        (Scope::Roles, file.roles),
        (Scope::Board, file.board),
        (Scope::Insights, file.insights),
        (Scope::Dialog, file.dialog),
        (Scope::Editor, file.editor),
    ];
    let mut out = Vec::new();
    // Where each (scope, key) was first bound in this file.
    let mut seen: HashMap<(Scope, Key), usize> = HashMap::new();
    for (scope, section) in sections {
        let Some(section) = section else { continue };
        for entry in section.keymap {
            let span = entry.span();
            let entry = entry.into_inner();
            let key = match Key::parse(entry.on.get_ref()) {
                Ok(k) => k,
                Err(msg) => {
                    diags.push(Diagnostic::new(
                        path,
                        source,
                        Some(entry.on.span()),
                        format!("[{}] {msg}; entry ignored", scope.name()),
                    ));
                    continue;
                }
            };
            let command = match Command::parse(entry.run.get_ref()) {
                Ok(c) => c,
                Err(msg) => {
                    diags.push(Diagnostic::new(
                        path,
                        source,
                        Some(entry.run.span()),
                        format!("[{}] {msg}; entry ignored", scope.name()),
                    ));
                    continue;
                }
            };
            let (line, _) = super::diag::line_col(source, span.start);
            if let Some(first) = seen.get(&(scope, key)) {
                diags.push(Diagnostic::new(
                    path,
                    source,
                    Some(entry.on.span()),
                    format!(
                        "[{}] key `{key}` is already bound on line {first}; this binding is ignored",
                        scope.name()
                    ),
                ));
                continue;
            }
            seen.insert((scope, key), line);
            let desc = entry
                .desc
                .unwrap_or_else(|| command.map(|c| c.name()).unwrap_or_default());
            out.push(Parsed {
                scope,
                key,
                command,
                desc,
                line,
            });
        }
    }
    Some(out)
}

impl Keymap {
    /// The built-in defaults alone.
    pub fn defaults() -> Keymap {
        let mut diags = Vec::new();
        let mut km = Keymap {
            scopes: HashMap::new(),
        };
        km.merge(
            Path::new("keymaps/default.toml"),
            DEFAULT_KEYMAP,
            &mut diags,
        );
        debug_assert!(diags.is_empty(), "{diags:?}");
        km
    }

    /// Defaults, then the user's file over them when given. Problems are
    /// returned; a broken user file leaves the defaults in force.
    pub fn load(user: Option<&Path>) -> (Keymap, Vec<Diagnostic>) {
        let mut km = Keymap::defaults();
        let mut diags = Vec::new();
        if let Some(path) = user {
            match std::fs::read_to_string(path) {
                Ok(source) => km.merge(path, &source, &mut diags),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => diags.push(Diagnostic::file(path, format!("cannot read: {e}"))),
            }
        }
        (km, diags)
    }

    /// Merges a keymap file's text over this keymap.
    pub fn merge(&mut self, path: &Path, source: &str, diags: &mut Vec<Diagnostic>) {
        let Some(entries) = parse_file(path, source, diags) else {
            return;
        };
        let origin_file: PathBuf = path.to_path_buf();
        // A user entry replaces every earlier binding of its key in its scope.
        let mut replaced: Vec<(Scope, Key)> = Vec::new();
        for p in &entries {
            if !replaced.contains(&(p.scope, p.key)) {
                if let Some(list) = self.scopes.get_mut(&p.scope) {
                    list.retain(|b| b.key != p.key);
                }
                replaced.push((p.scope, p.key));
            }
        }
        for p in entries {
            if let Some(command) = p.command {
                self.scopes.entry(p.scope).or_default().push(Binding {
                    key: p.key,
                    command,
                    desc: p.desc,
                    origin: format!("{}:{}", origin_file.display(), p.line),
                });
            }
        }
    }

    /// The command a key runs on a screen: the screen's own binding first,
    /// then the global one.
    pub fn lookup(&self, scope: Scope, key: Key) -> Option<Command> {
        let find = |s: Scope| {
            self.scopes
                .get(&s)
                .and_then(|l| l.iter().find(|b| b.key == key))
                .map(|b| b.command)
        };
        find(scope).or_else(|| {
            if scope.inherits_global() {
                find(Scope::Global)
            } else {
                None
            }
        })
    }

    pub fn bindings(&self, scope: Scope) -> &[Binding] {
        self.scopes.get(&scope).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Keys that run `command` on `scope` (including global ones not
    /// shadowed by the screen), in file order.
    pub fn keys_for(&self, scope: Scope, command: Command) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .bindings(scope)
            .iter()
            .filter(|b| b.command == command)
            .map(|b| b.key)
            .collect();
        if scope.inherits_global() {
            for b in self.bindings(Scope::Global) {
                if b.command == command
                    && self.lookup(scope, b.key) == Some(command)
                    && !keys.contains(&b.key)
                {
                    keys.push(b.key);
                }
            }
        }
        keys
    }

    /// The first key for `command`, as text, for hints ("S", "?").
    pub fn hint_key(&self, scope: Scope, command: Command) -> Option<String> {
        self.keys_for(scope, command).first().map(|k| k.to_string())
    }

    /// Rows for the help overlay: the screen's bindings then the global ones
    /// it does not shadow, grouped by description.
    pub fn help_rows(&self, scope: Scope) -> Vec<(String, String)> {
        let mut rows: Vec<(Vec<String>, String)> = Vec::new();
        let push = |b: &Binding, rows: &mut Vec<(Vec<String>, String)>| {
            if let Some(row) = rows.iter_mut().find(|r| r.1 == b.desc) {
                row.0.push(b.key.to_string());
            } else {
                rows.push((vec![b.key.to_string()], b.desc.clone()));
            }
        };
        for b in self.bindings(scope) {
            push(b, &mut rows);
        }
        if scope.inherits_global() {
            for b in self.bindings(Scope::Global) {
                if self.lookup(scope, b.key) == Some(b.command) {
                    push(b, &mut rows);
                }
            }
        }
        rows.into_iter()
            .map(|(keys, desc)| (compress_keys(&keys), desc))
            .collect()
    }
}

/// `1 2 3 4 5` → `1…5`; other lists joined with spaces.
fn compress_keys(keys: &[String]) -> String {
    let digits: Vec<u32> = keys
        .iter()
        .filter_map(|k| {
            let mut c = k.chars();
            match (c.next(), c.next()) {
                (Some(d), None) => d.to_digit(10),
                _ => None,
            }
        })
        .collect();
    if digits.len() == keys.len() && digits.len() > 2 && digits.windows(2).all(|w| w[1] == w[0] + 1)
    {
        if let (Some(a), Some(b)) = (digits.first(), digits.last()) {
            return format!("{a}…{b}");
        }
    }
    keys.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_cleanly_and_hold_the_contract() {
        let mut diags = Vec::new();
        let mut km = Keymap {
            scopes: HashMap::new(),
        };
        km.merge(Path::new("default.toml"), DEFAULT_KEYMAP, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        use Command::*;
        let checks = [
            (Scope::Queue, "?", Help),
            (Scope::Queue, "q", Back),
            (Scope::Review, "<Esc>", Back),
            (Scope::Queue, "j", Down),
            (Scope::Queue, "k", Up),
            (Scope::Queue, "<Down>", Down),
            (Scope::Queue, "<Enter>", Open),
            (Scope::Queue, "C", Calibration),
            (Scope::Review, "<Space>", PlayPause),
            (Scope::Review, "h", SeekBack),
            (Scope::Review, "<Right>", SeekForward),
            (Scope::Review, "[", Slower),
            (Scope::Review, "]", Faster),
            (Scope::Review, "H", SeekBackLong),
            (Scope::Review, "L", SeekForwardLong),
            (Scope::Review, "R", Restart),
            (Scope::Review, ",", PrevCue),
            (Scope::Review, ".", NextCue),
            (Scope::Review, "<Enter>", SeekToCue),
            (Scope::Review, "m", Mute),
            (Scope::Review, "1", Rate(1)),
            (Scope::Review, "9", Rate(9)),
            (Scope::Review, "n", NextQuestion),
            (Scope::Review, "p", PrevQuestion),
            (Scope::Review, "i", Note),
            (Scope::Review, "e", Evidence),
            (Scope::Review, "v", ToggleVideo),
            (Scope::Review, "S", Submit),
            (Scope::Review, "D", Decision),
            (Scope::Calibration, "V", CalibrationResults),
            (Scope::Queue, "o", Roles),
            (Scope::Roles, "<Enter>", Open),
            (Scope::Roles, "j", Down),
            (Scope::Roles, "q", Back),
        ];
        for (scope, key, cmd) in checks {
            assert_eq!(
                km.lookup(scope, Key::parse(key).unwrap()),
                Some(cmd),
                "{key} on {scope:?}"
            );
        }
    }

    #[test]
    fn user_file_merges_per_key_and_reports_lines() {
        let user = "[review]\nkeymap = [\n  { on = \"x\", run = \"rate 3\" },\n  { on = \"1\", run = \"noop\" },\n  { on = \"y\", run = \"explode\" },\n  { on = \"x\", run = \"note\" },\n  { on = \"<Nope>\", run = \"note\" },\n]\n";
        let mut km = Keymap::defaults();
        let mut diags = Vec::new();
        km.merge(Path::new("/u/keymap.toml"), user, &mut diags);
        assert_eq!(
            km.lookup(Scope::Review, Key::char('x')),
            Some(Command::Rate(3))
        );
        assert_eq!(km.lookup(Scope::Review, Key::char('1')), None);
        assert_eq!(
            km.lookup(Scope::Review, Key::char('2')),
            Some(Command::Rate(2))
        );
        let text: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(diags.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("/u/keymap.toml:5:")
                && text[0].contains("unknown action `explode`"),
            "{text:?}"
        );
        assert!(
            text[1].starts_with("/u/keymap.toml:6:") && text[1].contains("already bound on line 3"),
            "{text:?}"
        );
        assert!(
            text[2].starts_with("/u/keymap.toml:7:") && text[2].contains("<Nope>"),
            "{text:?}"
        );
    }

    #[test]
    fn unparsable_file_keeps_defaults() {
        let mut km = Keymap::defaults();
        let mut diags = Vec::new();
        km.merge(Path::new("k.toml"), "[review\nkeymap = 3", &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 1);
        assert_eq!(
            km.lookup(Scope::Review, Key::char('3')),
            Some(Command::Rate(3))
        );
        let mut diags = Vec::new();
        km.merge(Path::new("k.toml"), "[reviw]\nkeymap = []\n", &mut diags);
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("reviw"), "{:?}", diags[0]);
    }

    #[test]
    fn every_command_name_round_trips() {
        let mut seen = std::collections::HashSet::new();
        for (name, cmd) in Command::NAMED {
            assert!(seen.insert(*name), "{name} declared twice");
            assert_eq!(Command::parse(name), Ok(Some(*cmd)));
            assert_eq!(cmd.name(), *name);
        }
        assert_eq!(Command::parse("rate 4"), Ok(Some(Command::Rate(4))));
        assert_eq!(Command::Rate(4).name(), "rate 4");
    }

    #[test]
    fn dialogs_and_editors_do_not_inherit_global_keys() {
        let km = Keymap::defaults();
        // `q` is `back` on every screen, `close` in a dialog, text in an
        // editor.
        assert_eq!(km.lookup(Scope::Panel, Key::char('q')), Some(Command::Back));
        assert_eq!(
            km.lookup(Scope::Dialog, Key::char('q')),
            Some(Command::Close)
        );
        assert_eq!(km.lookup(Scope::Editor, Key::char('q')), None);
        assert_eq!(
            km.lookup(Scope::Editor, Key::parse("<C-c>").unwrap()),
            Some(Command::Leave)
        );
        assert_eq!(km.keys_for(Scope::Editor, Command::Help), vec![]);
        assert_eq!(
            km.hint_key(Scope::Dialog, Command::Confirm).as_deref(),
            Some("y")
        );
    }

    #[test]
    fn help_groups_and_lists_calibration() {
        let km = Keymap::defaults();
        let rows = km.help_rows(Scope::Review);
        assert!(
            rows.iter().any(|(k, d)| k == "0…9" && d.contains("Rate")),
            "{rows:?}"
        );
        let q = km.help_rows(Scope::Queue);
        assert!(
            q.iter().any(|(k, d)| k == "C" && d.contains("Calibration")),
            "{q:?}"
        );
        let c = km.help_rows(Scope::Calibration);
        assert!(
            c.iter().any(|(k, d)| k == "V" && d.contains("Results")),
            "{c:?}"
        );
        assert!(
            c.iter().any(|(k, _)| k == "<Enter>" || k == "Enter"),
            "{c:?}"
        );
        assert!(q.iter().any(|(k, _)| k == "q Esc"), "{q:?}");
    }
}
