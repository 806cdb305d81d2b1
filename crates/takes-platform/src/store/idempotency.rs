//! Stored answers to writes made with an Idempotency-Key.
