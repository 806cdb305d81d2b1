//! How stored assignment rows read on the wire: the status, and the
//! candidate as a reviewer may see them.

use takes_api::{AssignmentStatus, CandidateView};

use crate::error::{ApiError, ApiResult};

pub fn status(s: &str) -> ApiResult<AssignmentStatus> {
    AssignmentStatus::parse(s)
        .ok_or_else(|| ApiError::internal(format!("stored assignment status {s:?} is unknown")))
}

/// Reviewers see a pseudonym until their own scores are submitted.
pub fn candidate_view(name: String, pseudonym: String, revealed: bool) -> CandidateView {
    if revealed {
        CandidateView {
            display_name: name,
            revealed: true,
        }
    } else {
        CandidateView {
            display_name: pseudonym,
            revealed: false,
        }
    }
}
