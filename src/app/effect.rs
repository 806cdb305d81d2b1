//! Work the update function asks for. The runtime hands each to
//! `effects.rs`: server requests run on a background task and their
//! outcome comes back as an [`super::action::Action`]; player and journal
//! commands go to those workers.

use takes_api::board::{BulkDecisionRequest, ReassignRequest};
use takes_api::{DecisionRequest, Sheet};

use crate::client::board::BoardQuery;

use crate::journal::ScoreEntry;

/// What the embedded player is told to do. Urls are as the server gave
/// them (`/v1/media/…`); the runtime resolves them against the server.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerCmd {
    Load(String),
    /// Open this one in the background so that loading it later is instant.
    Prefetch(String),
    Stop,
    TogglePause,
    SeekRelative(f64),
    SeekTo(f64),
    Restart,
    SpeedStep(i32),
    Volume(f64),
    Mute(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Player(PlayerCmd),
    /// Fetch the next assignment ahead of time (reported as `Prefetched`).
    PrefetchAssignment(String),
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
        /// Waits this long first (a transcript the server is still writing).
        delay_s: u64,
    },
    /// Append (fsync) then send.
    Journal(ScoreEntry),
    RetrySync,
    /// Lock the caller's scores on this sheet (reported as `Submitted`).
    Submit(Sheet),
    FetchPanel(String),
    Decide {
        interview_id: String,
        request: DecisionRequest,
    },
    FetchCalibrations,
    FetchCalibrationSession(String),
    FetchCalibrationResults(String),
    AddCalibrationNote {
        session_id: String,
        item_id: String,
        text: String,
    },
    FetchRoles,
    FetchRole(String),
    /// Every figure of the Insights screen (only the caller's own unless
    /// `staff`).
    FetchInsights {
        gen: u64,
        query: crate::client::insights::InsightsQuery,
        staff: bool,
    },
    // The triage board.
    FetchBoard {
        gen: u64,
        query: BoardQuery,
        cursor: Option<String>,
        page: i64,
        replace: bool,
    },
    FetchBoardInterview(String),
    DecideBulk {
        request: BulkDecisionRequest,
        /// The request's Idempotency-Key.
        key: String,
    },
    RetryBoardSync(String),
    ShareInterview(String),
    /// Sent to the terminal's clipboard (OSC 52) by the runtime.
    CopyToClipboard(String),
    /// Waits, then asks the board what to poll (`Action::BoardPollDue`).
    BoardPollAfter {
        gen: u64,
        delay_ms: u64,
    },
    FetchBoardSync {
        gen: u64,
        ids: Vec<String>,
    },
    RemindReviewers(String),
    Reassign {
        interview_id: String,
        request: ReassignRequest,
    },
}
