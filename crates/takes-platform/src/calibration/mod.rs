//! The arithmetic of calibration, apart from storage and HTTP so it can be
//! tested on its own: per-item agreement and flags ([`item_stats`]), each
//! reviewer's leniency or severity against the panel ([`deviations`]), and
//! the reliability figures of a units × raters table ([`reliability`]),
//! which live reviewing shares.

mod aggregate;
mod figures;

pub use aggregate::{deviations, item_stats, tendency, ItemStats, FLAG_SPREAD, TENDENCY_BAND};
pub use figures::{reliability, reliability_of, seed_for, BOOTSTRAP_ITERATIONS};

use takes_api::CalibrationStatus;

use crate::clock::Millis;

/// A participant's status from their submit time and how many items they
/// have scored.
pub fn status_of(submitted_at: Option<Millis>, scored: i64) -> CalibrationStatus {
    match (submitted_at, scored) {
        (Some(_), _) => CalibrationStatus::Submitted,
        (None, 0) => CalibrationStatus::Pending,
        (None, _) => CalibrationStatus::InProgress,
    }
}
