//! The arithmetic of calibration, apart from storage and HTTP so it can be
//! tested on its own: per-item agreement and flags ([`item_stats`]), each
//! reviewer's leniency or severity against the panel ([`deviations`]), and
//! the reliability figures of a units × raters table ([`reliability`]),
//! which live reviewing shares.

mod aggregate;
mod figures;

pub use aggregate::{deviations, item_stats, tendency, ItemStats, FLAG_SPREAD, TENDENCY_BAND};
pub use figures::{reliability, seed_for, BOOTSTRAP_ITERATIONS};
