//! Work the update function asks for. The runtime runs each on a background
//! task; its outcome comes back as an [`super::action::Action`].

use takes_api::DecisionRequest;

use crate::journal::ScoreEntry;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    FetchMe,
    /// Open the journal for this user and start sending.
    OpenJournal {
        user_id: String,
    },
    /// Fetch queue pages from `cursor` until `want` items or the end.
    FetchQueue {
        gen: u64,
        cursor: Option<String>,
        want: usize,
        page: i64,
        replace: bool,
    },
    FetchCounts,
    FetchAssignment(String),
    FetchTranscript {
        response_id: String,
        url: String,
    },
    /// Append (fsync) then send.
    Journal(ScoreEntry),
    RetrySync,
    Submit(String),
    FetchPanel(String),
    Decide {
        interview_id: String,
        request: DecisionRequest,
    },
    FetchCalibrations,
    FetchCalibrationSession(String),
    SubmitCalibration(String),
    FetchCalibrationResults(String),
}
