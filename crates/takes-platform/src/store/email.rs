//! The email outbox.
