//! The storage layer: every SQL statement of the platform lives here, one
//! file per aggregate, so "where is the SQL that stores X" has one answer.
//! Handlers read as extract -> authorize -> store -> respond; the seed and
//! the background workers call the same functions.
//!
//! Statements are portable SQL run through sqlx's `Any` driver (`$1`
//! placeholders work on SQLite and PostgreSQL alike); `crate::db` owns the
//! pool, transactions and migrations.

pub mod accommodations;
pub mod assignments;
pub mod ats;
pub mod audit;
pub mod board;
pub mod calibration;
pub mod decisions;
pub mod email;
pub mod idempotency;
pub mod insights;
pub mod interviews;
pub mod invitations;
pub mod lease;
pub mod lever_writeback;
pub mod page;
pub mod process;
pub mod roles;
pub mod self_identification;
pub mod share_links;
pub mod transcripts;
pub mod users;
pub mod webhooks;
