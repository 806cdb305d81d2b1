//! The recruiter's triage board (`/v1/board`): every interview of the
//! caller's roles by stage, with the panel's aggregates, decisions and
//! their delivery to the ATS; bulk decisions, reminders and reassignment.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Cue, Decision, DecisionAction, InterviewStatus, Panel};

/// Where an interview stands for the recruiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BoardStage {
    /// Not completed yet (invited, started or expired).
    Invited,
    /// Completed; not every assigned review is submitted.
    AwaitingReviews,
    /// Every review is in and nobody has decided.
    ReadyToDecide,
    /// A decision is recorded.
    Decided,
}

impl BoardStage {
    pub const ALL: [BoardStage; 4] = [
        BoardStage::Invited,
        BoardStage::AwaitingReviews,
        BoardStage::ReadyToDecide,
        BoardStage::Decided,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BoardStage::Invited => "invited",
            BoardStage::AwaitingReviews => "awaiting_reviews",
            BoardStage::ReadyToDecide => "ready_to_decide",
            BoardStage::Decided => "decided",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// How the board labels the stage.
    pub fn label(self) -> &'static str {
        match self {
            BoardStage::Invited => "invited",
            BoardStage::AwaitingReviews => "awaiting reviews",
            BoardStage::ReadyToDecide => "ready to decide",
            BoardStage::Decided => "decided",
        }
    }
}

/// Whether the ATS has a decision: its webhook deliveries taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// No webhook endpoint subscribes to decisions.
    NotConfigured,
    /// At least one delivery is still being attempted.
    Queued,
    /// Every endpoint acknowledged it.
    Delivered,
    /// At least one endpoint gave up (retry from the board).
    Failed,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::NotConfigured => "not_configured",
            SyncStatus::Queued => "queued",
            SyncStatus::Delivered => "delivered",
            SyncStatus::Failed => "failed",
        }
    }
}

/// A decision's delivery to the ATS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SyncState {
    pub status: SyncStatus,
    /// Why it failed, from the last attempt (failed only).
    pub reason: Option<String>,
}

/// One reviewer of an interview on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardReviewer {
    pub assignment_id: String,
    pub reviewer_id: String,
    pub name: String,
    pub submitted: bool,
    pub due_at: String,
    /// Not submitted and past `due_at`.
    pub overdue: bool,
}

/// One interview on the board. Aggregates come from submitted reviews
/// only; a draft score never counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardItem {
    pub id: String,
    /// The candidate's real name (recruiters and admins only see the board).
    pub candidate_name: String,
    pub role_id: String,
    pub role_title: String,
    pub stage: BoardStage,
    pub status: InterviewStatus,
    pub invited_at: String,
    pub expires_at: String,
    pub completed_at: Option<String>,
    /// Reminder emails sent to the candidate (invited stage).
    pub reminders_sent: i64,
    pub reviewers: Vec<BoardReviewer>,
    pub reviewers_assigned: i64,
    pub reviewers_submitted: i64,
    /// Mean of every submitted rating.
    pub mean_score: Option<f64>,
    /// Each question's mean of submitted ratings, in question order.
    pub question_means: Vec<Option<f64>>,
    /// Some question's ratings are 2 or more apart or straddle its pass
    /// line (the calibration rule).
    pub disagreement: bool,
    /// Some reviewer changed a rating after hearing the answer (the muted
    /// rating differs from the final one).
    pub shift: bool,
    pub decision: Option<Decision>,
    /// The decision's delivery to the ATS (with a decision only).
    pub sync: Option<SyncState>,
}

/// Interviews per stage under the request's other filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StageCounts {
    pub invited: i64,
    pub awaiting_reviews: i64,
    pub ready_to_decide: i64,
    pub decided: i64,
}

impl StageCounts {
    pub fn get(&self, stage: BoardStage) -> i64 {
        match stage {
            BoardStage::Invited => self.invited,
            BoardStage::AwaitingReviews => self.awaiting_reviews,
            BoardStage::ReadyToDecide => self.ready_to_decide,
            BoardStage::Decided => self.decided,
        }
    }

    pub fn add(&mut self, stage: BoardStage) {
        match stage {
            BoardStage::Invited => self.invited += 1,
            BoardStage::AwaitingReviews => self.awaiting_reviews += 1,
            BoardStage::ReadyToDecide => self.ready_to_decide += 1,
            BoardStage::Decided => self.decided += 1,
        }
    }
}

/// `GET /v1/board`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardPage {
    pub items: Vec<BoardItem>,
    pub next_cursor: Option<String>,
    /// Every stage's count, filtered as asked except by stage.
    pub counts: StageCounts,
    /// Interviews matching every filter, over all pages.
    pub total: i64,
}

/// Body of `POST /v1/board/decisions`: one decision for several
/// interviews, recorded for all or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkDecisionRequest {
    pub interview_ids: Vec<String>,
    pub action: DecisionAction,
    pub reason: Option<String>,
}

/// The decisions a bulk request recorded, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulkDecisionResult {
    pub decisions: Vec<Decision>,
}

/// `POST /v1/board/{id}/remind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReminderResult {
    /// The overdue reviewers reminded, by name.
    pub reminded: Vec<String>,
    /// Emails queued (reviewers without an address get none).
    pub emails_queued: i64,
}

/// Body of `POST /v1/board/{id}/reassign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReassignRequest {
    /// The assignment to withdraw.
    pub assignment_id: String,
    /// Its new reviewer: a user of the role's reviewer pool.
    pub reviewer_id: String,
}

/// The result of a reassignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reassignment {
    pub withdrawn_assignment_id: String,
    pub assignment_id: String,
    pub reviewer: String,
    /// Draft scores of the old reviewer, kept in the audit log only.
    pub scores_withdrawn: i64,
}

/// `POST /v1/board/{id}/retry-sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SyncRetry {
    /// Failed deliveries queued again.
    pub deliveries_queued: i64,
    pub sync: SyncState,
}

/// One interview's decision and its delivery to the ATS, as
/// `GET /v1/board/sync` reads them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardSync {
    pub id: String,
    pub decision: Option<Decision>,
    pub sync: Option<SyncState>,
}

/// `GET /v1/board/sync`: the sync states asked for, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardSyncStates {
    pub items: Vec<BoardSync>,
}

/// One answer of an opened interview, readable without its video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardAnswer {
    pub question_id: String,
    pub position: i64,
    pub prompt: String,
    /// The recorded answer (for `/v1/media/{response_id}`), if any.
    pub response_id: Option<String>,
    pub transcript: Vec<Cue>,
}

/// `GET /v1/board/{id}`: the board row, the panel (submitted scores only,
/// with notes and evidence) and the transcript of every answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BoardInterview {
    pub item: BoardItem,
    pub panel: Panel,
    pub answers: Vec<BoardAnswer>,
    /// Reviewers of the role's pool not yet on this interview: who an
    /// assignment may be reassigned to.
    pub pool: Vec<PoolReviewer>,
}

/// A reviewer of a role's pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PoolReviewer {
    pub id: String,
    pub name: String,
}
