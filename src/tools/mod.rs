//! Non-interactive commands of the `takes` binary (not the workstation, not
//! the server): each module is one subcommand.

pub mod audit;
pub mod candidates;
pub mod doctor;
pub mod irr;
pub mod mailbox;
pub mod outcomes;
pub mod play;
pub mod process;
pub mod report;
pub mod token;
pub mod webhooks;
