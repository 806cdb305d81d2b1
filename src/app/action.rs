//! Everything that can happen to the app: terminal input, server replies and
//! journal reports. The runtime turns each into an [`Action`] and feeds it to
//! [`super::update::update`].

use crossterm::event::KeyEvent;
use takes_api::{
    AssignmentDetail, CalibrationPage, CalibrationResults, CalibrationSession, Cue, Decision, Me,
    Panel, QueueItem, Sheet,
};

use crate::client::{ClientError, Receipt};
use crate::journal::sync::SyncEvent;

/// A page (or several) of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueChunk {
    pub items: Vec<QueueItem>,
    pub next_cursor: Option<String>,
    pub total: i64,
    /// The first chunk of a reload: replaces what is loaded.
    pub replace: bool,
    /// No more chunks follow for this request.
    pub done: bool,
}

/// Totals per status, from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub pending: i64,
    pub in_progress: i64,
    pub submitted: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Time passed (the runtime also keeps `App::now_ms` current).
    Tick,
    MeLoaded(Result<Me, ClientError>),
    QueueLoaded {
        gen: u64,
        result: Result<QueueChunk, ClientError>,
    },
    CountsLoaded(Result<Counts, ClientError>),
    AssignmentLoaded {
        id: String,
        result: Result<AssignmentDetail, ClientError>,
    },
    TranscriptLoaded {
        response_id: String,
        result: Result<Vec<Cue>, ClientError>,
    },
    Sync(SyncEvent),
    Player(takes_player::PlayerEvent),
    Prefetched {
        id: String,
        result: Result<AssignmentDetail, ClientError>,
    },
    /// The answer to `Effect::Submit`, for either kind of sheet.
    Submitted {
        sheet: Sheet,
        result: Result<Receipt, ClientError>,
    },
    PanelLoaded {
        assignment_id: String,
        result: Result<Panel, ClientError>,
    },
    Decided(Result<Decision, ClientError>),
    CalibrationsLoaded(Result<CalibrationPage, ClientError>),
    CalibrationSessionLoaded {
        id: String,
        result: Result<CalibrationSession, ClientError>,
    },
    CalibrationNoteAdded {
        session_id: String,
        result: Result<takes_api::CalibrationNote, ClientError>,
    },
    CalibrationResultsLoaded {
        id: String,
        result: Result<CalibrationResults, ClientError>,
    },
    RolesLoaded(Result<takes_api::roles::RolePage, ClientError>),
    RoleLoaded {
        id: String,
        result: Result<takes_api::roles::RoleDetail, ClientError>,
    },
    /// Every figure of the Insights screen, each loaded or failed.
    InsightsLoaded {
        gen: u64,
        data: Box<crate::client::insights::InsightsBundle>,
    },
    // The triage board.
    BoardLoaded {
        gen: u64,
        replace: bool,
        result: Result<takes_api::board::BoardPage, ClientError>,
    },
    BoardInterviewLoaded {
        id: String,
        result: Result<takes_api::board::BoardInterview, ClientError>,
    },
    BoardDecided(Result<takes_api::board::BulkDecisionResult, ClientError>),
    BoardPollDue(u64),
    BoardShared {
        id: String,
        result: Result<crate::client::board::SharedLink, ClientError>,
    },
    BoardSyncLoaded {
        gen: u64,
        result: Result<takes_api::board::BoardSyncStates, ClientError>,
    },
    BoardSyncRetried {
        id: String,
        result: Result<takes_api::board::SyncRetry, ClientError>,
    },
    BoardReminded {
        id: String,
        result: Result<takes_api::board::ReminderResult, ClientError>,
    },
    BoardReassigned {
        id: String,
        result: Result<takes_api::board::Reassignment, ClientError>,
    },
}
