//! Outbound webhooks (Standard Webhooks): the outbox written in the same
//! transaction as the change it reports (`outbox`, `events`), signing
//! (`signing`), the delivery worker (`worker`) and what it shares with the
//! API (`hub`), where requests may go (`netguard`), and operator functions
//! shared by the API and the CLI (`ops`).

pub mod backoff;
pub mod events;
pub mod hub;
pub mod netguard;
pub mod notice;
pub mod ops;
pub mod outbox;
pub mod signing;
pub mod worker;

pub use hub::{Hub, WorkerConfig};
