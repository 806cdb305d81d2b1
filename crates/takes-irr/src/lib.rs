//! Inter-rater reliability statistics for `takes`.
//!
//! What is here, and where it comes from:
//!
//! * Krippendorff's alpha for nominal, ordinal, interval and ratio data with
//!   missing values ([`alpha`], [`alpha_bootstrap_ci`]), after
//!   K. Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*.
//! * The six intraclass correlations of P. E. Shrout & J. L. Fleiss (1979),
//!   *Intraclass correlations: uses in assessing rater reliability*,
//!   Psychological Bulletin 86(2), 420–428 ([`icc`]).
//! * Cohen's kappa for two raters, unweighted (J. Cohen 1960) and weighted
//!   (J. Cohen 1968) with linear or quadratic disagreement weights
//!   ([`cohen_kappa`]).
//! * Fleiss' kappa for a fixed number of ratings per unit
//!   (J. L. Fleiss 1971) ([`fleiss_kappa`]).
//! * CSV input in long (`unit,rater,score`) or wide layout ([`read_long`],
//!   [`read_wide`]) and a [`Report`] of every figure for the `takes irr`
//!   command ([`report`]).
//!
//! No function here panics on any input. A statistic that cannot be computed
//! (one rater, no variation, a non-finite score, …) comes back as
//! [`Undefined`], which carries a sentence saying why.
//!
//! ```
//! use takes_irr::{alpha, Metric, Ratings};
//!
//! // Two raters, four units; rater 2 skipped the last unit.
//! let data = Ratings::from_rows(&[
//!     vec![Some(1.0), Some(1.0)],
//!     vec![Some(2.0), Some(2.0)],
//!     vec![Some(3.0), Some(2.0)],
//!     vec![Some(4.0), None],
//! ]);
//! let a = alpha(&data, Metric::Interval).unwrap();
//! assert!(a > 0.5 && a < 1.0);
//! ```

mod alpha;
mod icc;
mod input;
mod kappa;
mod numeric;
pub mod random;
mod ratings;
mod report;

pub use alpha::{alpha, alpha_bootstrap_ci, Metric};
pub use icc::{icc, Icc};
pub use input::{read_long, read_wide, InputError};
pub use kappa::{cohen_kappa, fleiss_kappa, Weights};
pub use ratings::{Ratings, RatingsBuilder};
pub use report::{report, Report};

/// A statistic that has no value for the data given, with the reason in
/// words (meant to be shown to a person as it is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undefined {
    /// Why the statistic is undefined, as one sentence without a final stop.
    pub reason: String,
}

impl Undefined {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Undefined {
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Undefined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Undefined {}
