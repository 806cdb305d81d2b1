//! Email to candidates and hiring managers: editable templates
//! (`templates`), a durable outbox written in the transaction that causes
//! the message (`outbox`), and the worker that sends it over SMTP with
//! retries (`worker`). `sink` is an SMTP server that keeps what it gets,
//! for demos (`takes mailbox`) and tests.

pub mod config;
pub mod outbox;
pub mod sealing;
pub mod sink;
pub mod templates;
pub mod worker;

pub use config::{EmailConfig, RejectionEmail, TlsMode};
pub use worker::send_due;

/// Why an address is unusable, or `None` when it can be mailed.
pub fn address_problem(address: &str) -> Option<String> {
    if address.len() > 254 {
        return Some("is longer than 254 characters".into());
    }
    match address.parse::<lettre::Address>() {
        Ok(_) => None,
        Err(e) => Some(format!("is not an email address ({e})")),
    }
}
