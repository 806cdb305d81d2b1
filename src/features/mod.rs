//! The workstation's features, one module each. A feature owns its state
//! (`state.rs`), its update functions and keys (`mod.rs`), the list of its
//! commands for the hint bar and the help ([`Hint`]s), and its view
//! (`view.rs`). Features call only features below them; moving between
//! screens is [`crate::app::navigate`]'s job.

pub mod board;
pub mod calibration_list;
pub mod calibration_results;
pub mod decision;
pub mod editor;
pub mod help;
pub mod insights;
pub mod panel;
pub mod queue;
pub mod review;
pub mod roles;
pub mod submit;
pub mod sync;

use crate::config::{Command, Keymap, Scope};

/// One command a feature offers here and now: what the hint bar shows and
/// what the help lists under "In editors and dialogs". Keys are looked up
/// in the keymap, so a rebound key shows as bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    pub scope: Scope,
    /// Usually one command; a group (`a r h`) shows the first key of each.
    pub commands: Vec<Command>,
    pub label: &'static str,
    /// Disabled hints are not shown.
    pub enabled: bool,
    /// Shown instead of looked-up keys (the rating scale, `1-5`).
    pub keys: Option<String>,
    /// What the hint bar keeps when the width is short (help: always).
    pub priority: Priority,
}

/// How long a hint stays in a hint bar that is too narrow for all: the
/// lowest go first, the last of equals first; `Always` never goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Always,
}

impl Hint {
    pub fn new(scope: Scope, command: Command, label: &'static str) -> Hint {
        Hint {
            scope,
            commands: vec![command],
            label,
            enabled: true,
            keys: None,
            // The key to every other key is never dropped.
            priority: if command == Command::Help {
                Priority::Always
            } else {
                Priority::Normal
            },
        }
    }

    pub fn priority(self, priority: Priority) -> Hint {
        Hint { priority, ..self }
    }

    /// Kept longest in a short hint bar.
    pub fn high(self) -> Hint {
        self.priority(Priority::High)
    }

    /// Dropped first from a short hint bar.
    pub fn low(self) -> Hint {
        self.priority(Priority::Low)
    }

    pub fn group(scope: Scope, commands: &[Command], label: &'static str) -> Hint {
        Hint {
            commands: commands.to_vec(),
            ..Hint::new(scope, commands[0], label)
        }
    }

    pub fn when(self, enabled: bool) -> Hint {
        Hint { enabled, ..self }
    }

    /// The keys to show: the first key of each command, `None` when one of
    /// them is unbound (the hint is then left out).
    pub fn key_text(&self, keymap: &Keymap) -> Option<String> {
        if let Some(k) = &self.keys {
            return Some(k.clone());
        }
        let keys: Option<Vec<String>> = self
            .commands
            .iter()
            .map(|c| keymap.hint_key(self.scope, *c))
            .collect();
        keys.map(|k| k.join(" "))
    }
}

/// The hints that can be shown, with their keys, in order.
pub fn shown(hints: &[Hint], keymap: &Keymap) -> Vec<(String, &'static str)> {
    ranked(hints, keymap)
        .into_iter()
        .map(|(k, label, _)| (k, label))
        .collect()
}

/// [`shown`] with each hint's priority, for fitting a hint bar.
pub fn ranked(hints: &[Hint], keymap: &Keymap) -> Vec<(String, &'static str, Priority)> {
    hints
        .iter()
        .filter(|h| h.enabled)
        .filter_map(|h| h.key_text(keymap).map(|k| (k, h.label, h.priority)))
        .collect()
}
