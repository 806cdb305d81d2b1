//! `takes`: the reviewer's workstation (a ratatui TUI) and its platform
//! server, one binary. The workstation's parts:
//!
//! - [`app`]: state, actions, the update function (a router), the moves
//!   between screens, the runtime loop
//! - [`features`]: one module per feature: its state, update, keys,
//!   command list and view
//! - [`screens`]: the frame (header, hint bar, overlays) around the views
//! - [`format`]: time and date formats shared by update and views
//! - [`client`]: the platform API client
//! - [`journal`]: the local journal that makes "saved" mean on disk
//! - [`config`]: configuration, keymaps and themes
//! - [`tui`]: terminal set-up and the input event task

pub mod app;
pub mod cli;
pub mod client;
pub mod config;
pub mod features;
pub mod format;
pub mod journal;
pub mod screens;
pub mod tools;
pub mod tui;
