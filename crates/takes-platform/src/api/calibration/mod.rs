//! Calibration sessions: an admin picks sample responses and participants;
//! each participant scores every item independently, submits (which locks
//! their scores), and only then sees everyone's scores, the flags and the
//! reliability figures. After the deadline an admin may reveal the results
//! to every participant. Who read the results when is in the audit log.
//!
//! Who may do what is decided in [`access`], and nowhere else.

mod access;
mod notes;
mod results;
mod scoring;
mod sessions;

pub use notes::*;
pub use results::*;
pub use scoring::*;
pub use sessions::*;
