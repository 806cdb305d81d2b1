//! The app: one state ([`state::App`]), the [`action::Action`]s that change
//! it, one [`update::update`] function routing them to the features
//! (`crate::features`), the moves between screens ([`navigate`]), and the
//! runtime ([`run`]) that feeds terminal events and background results into
//! it and draws on change.

pub mod action;
pub mod effect;
mod effects;
mod launch;
pub mod navigate;
pub mod run;
pub mod state;
pub mod update;
pub mod video;

pub use action::Action;
pub use effect::Effect;
pub use state::App;
pub use update::update;
