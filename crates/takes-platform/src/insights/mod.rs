//! Process insights (docs/INSIGHTS.md): pure computations over rows the
//! store reads, one module per kind of figure, each with the definition
//! that the document gives. Nothing here touches the database or HTTP, so
//! every figure is unit-tested on numbers worked out by hand.
//!
//! * [`funnel`]: the completion funnel, per-question drop-off, time to
//!   complete and the last-10%-of-window share;
//! * [`describe`]: percentiles (turnaround) and score distributions;
//! * [`raters`]: leniency with an interval, the halo check, the muted-first
//!   shift with its stand-out flag;
//! * [`drift`]: reliability per question set and quarter (via takes-irr);
//! * [`validity`]: Spearman with a bootstrap interval against outcomes;
//! * [`impact`] and [`adverse_impact`]: the four-fifths rule with Fisher's
//!   exact test per self-identified group and stage, score distributions;
//!   small groups suppressed;
//! * [`alert`]: the completion drop rule;
//! * [`kept`]: bootstrap figures kept between requests, by their input;
//! * [`inference`]: the tests underneath (normal, t, two proportions,
//!   Fisher) and the seeded generator.

pub mod adverse_impact;
pub mod alert;
pub mod describe;
pub mod drift;
pub mod funnel;
pub mod impact;
pub mod inference;
pub mod kept;
pub mod raters;
pub mod validity;
