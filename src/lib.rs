//! `takes`: the reviewer's workstation (a ratatui TUI) and its platform
//! server, one binary. The workstation's parts:
//!
//! - [`app`]: state, actions, the update function, the runtime loop
//! - [`screens`]: the views (queue, review, panel, help, dialogs)
//! - [`client`]: the platform API client
//! - [`journal`]: the local journal that makes "saved" mean on disk
//! - [`config`]: configuration, keymaps and themes
//! - [`tui`]: terminal set-up and the input event task

pub mod app;
pub mod cli;
pub mod client;
pub mod config;
pub mod journal;
pub mod screens;
#[doc(hidden)]
pub mod testing;
pub mod tools;
pub mod tui;
