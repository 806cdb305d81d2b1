//! Wire types of the `takes` platform API (`/v1`).
//!
//! The workstation and the server both depend on this crate, so a change here
//! is a change to the contract in `DESIGN.md`: extend, never rename. Every
//! type derives `ToSchema` so the server's OpenAPI document is generated from
//! the same definitions the client deserialises.
//!
//! Timestamps are RFC 3339 strings in UTC (`2026-11-27T10:07:43.123Z`); ids are
//! opaque strings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod accommodations;
pub mod board;
pub mod calibration;
pub use calibration::*;
pub mod webhooks;
pub use webhooks::*;
pub mod lifecycle;
pub use lifecycle::*;
pub mod insights;
pub mod process;
pub mod roles;
pub mod scoring;
pub mod self_identification;
pub mod users;
pub use scoring::{Sheet, SheetKind};

/// Path prefix of every endpoint.
pub const PREFIX: &str = "/v1";
/// Request header that makes a score write safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// Media type of every error body (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What a signed-in user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    Reviewer,
    Recruiter,
    Admin,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Reviewer => "reviewer",
            UserRole::Recruiter => "recruiter",
            UserRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reviewer" => Some(UserRole::Reviewer),
            "recruiter" => Some(UserRole::Recruiter),
            "admin" => Some(UserRole::Admin),
            _ => None,
        }
    }

    /// Recruiters and admins may see every interview and record decisions.
    pub fn can_decide(self) -> bool {
        matches!(self, UserRole::Recruiter | UserRole::Admin)
    }
}

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    pub version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// `GET /v1/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub name: String,
    pub role: UserRole,
}

/// Where a reviewer is with one assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStatus {
    Pending,
    InProgress,
    Submitted,
}

impl AssignmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentStatus::Pending => "pending",
            AssignmentStatus::InProgress => "in_progress",
            AssignmentStatus::Submitted => "submitted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(AssignmentStatus::Pending),
            "in_progress" => Some(AssignmentStatus::InProgress),
            "submitted" => Some(AssignmentStatus::Submitted),
            _ => None,
        }
    }
}

/// A candidate as the caller may see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CandidateView {
    /// A stable pseudonym for reviewers until they submit; the real name
    /// otherwise.
    pub display_name: String,
    /// `true` when `display_name` is the candidate's real name.
    pub revealed: bool,
}

/// The job role an interview is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobRoleView {
    pub title: String,
    pub department: String,
}

/// One row of `GET /v1/queue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueueItem {
    pub id: String,
    pub interview_id: String,
    pub status: AssignmentStatus,
    pub candidate: CandidateView,
    pub role: JobRoleView,
    /// Review-by date.
    pub due_at: String,
    pub assigned_at: String,
    pub submitted_at: Option<String>,
    pub question_count: i64,
    pub scored_count: i64,
}

/// A page of the caller's queue, ordered by `due_at`, then `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Every assignment of the caller matching the filter, across all pages.
    pub total: i64,
    /// The caller's whole queue by state, whatever the filter.
    #[serde(default)]
    pub counts: Option<QueueCounts>,
}

/// How much of the caller's queue is in each state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueueCounts {
    pub pending: i64,
    pub in_progress: i64,
    pub submitted: i64,
    /// Submitted at or after the `since` parameter ("cleared today").
    pub submitted_since: Option<i64>,
}

/// A described point on a rubric's scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Anchor {
    pub score: i64,
    /// `Weak`, `Acceptable`, `Strong`, …
    pub label: String,
    pub description: String,
}

/// How a question is scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rubric {
    pub scale_min: i64,
    pub scale_max: i64,
    /// The lowest rating that counts as a pass.
    pub pass_score: i64,
    pub anchors: Vec<Anchor>,
}

/// A candidate's final take for one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResponseView {
    pub id: String,
    /// Path of the video on this server (`/v1/media/{id}`), Range-capable.
    pub media_url: String,
    pub content_type: String,
    pub duration_s: f64,
    /// Path of the WebVTT transcript.
    pub transcript_url: String,
    pub retakes_used: i64,
}

/// A question of an interview, with its rubric and the candidate's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuestionView {
    pub id: String,
    /// 1-based.
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub time_limit_s: i64,
    pub rubric: Rubric,
    pub response: Option<ResponseView>,
}

/// A time range of a response that supports a rating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    pub start_s: f64,
    pub end_s: f64,
}

/// One reviewer's score for one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Score {
    pub question_id: String,
    pub rating: i64,
    /// The rating given on the muted (video-only) pass, if any.
    pub muted_rating: Option<i64>,
    pub note: Option<String>,
    pub evidence: Vec<Evidence>,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /v1/assignments/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssignmentDetail {
    pub id: String,
    pub interview_id: String,
    pub status: AssignmentStatus,
    pub candidate: CandidateView,
    pub role: JobRoleView,
    pub due_at: String,
    pub submitted_at: Option<String>,
    /// The version of the role's question set this interview was invited
    /// with; its questions and rubrics are the ones shown and scored.
    #[serde(default)]
    pub question_set_version: Option<i64>,
    pub questions: Vec<QuestionView>,
    pub my_scores: Vec<Score>,
}

/// Body of `PUT /v1/assignments/{id}/scores/{question_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreWrite {
    pub rating: i64,
    #[serde(default)]
    pub muted_rating: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub evidence: Option<Vec<Evidence>>,
}

/// Answer of `POST /v1/assignments/{id}/submit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SubmitReceipt {
    pub assignment_id: String,
    pub status: AssignmentStatus,
    pub submitted_at: String,
}

/// One reviewer's row in a panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PanelReviewer {
    pub reviewer_id: String,
    pub name: String,
    /// The caller's own row.
    pub is_me: bool,
    pub status: AssignmentStatus,
    pub submitted_at: Option<String>,
    pub scores: Vec<Score>,
}

/// Agreement on one question across submitted reviewers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PanelQuestion {
    pub question_id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    /// Mean of the submitted ratings; absent when nobody submitted one.
    pub mean: Option<f64>,
    /// Highest minus lowest submitted rating.
    pub spread: Option<i64>,
}

/// `GET /v1/assignments/{id}/panel`: every reviewer's scores for the
/// interview. Only submitted scores of others are shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Panel {
    pub interview_id: String,
    pub candidate: CandidateView,
    pub questions: Vec<PanelQuestion>,
    pub reviewers: Vec<PanelReviewer>,
}

/// What a recruiter decided about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionAction {
    Advance,
    Reject,
    Hold,
}

impl DecisionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionAction::Advance => "advance",
            DecisionAction::Reject => "reject",
            DecisionAction::Hold => "hold",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "advance" => Some(DecisionAction::Advance),
            "reject" => Some(DecisionAction::Reject),
            "hold" => Some(DecisionAction::Hold),
            _ => None,
        }
    }
}

/// Body of `POST /v1/interviews/{id}/decision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub action: DecisionAction,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub id: String,
    pub interview_id: String,
    pub action: DecisionAction,
    pub reason: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

/// Lifecycle of a candidate's interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    Invited,
    Started,
    Completed,
    Expired,
}

impl InterviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::Invited => "invited",
            InterviewStatus::Started => "started",
            InterviewStatus::Completed => "completed",
            InterviewStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invited" => Some(InterviewStatus::Invited),
            "started" => Some(InterviewStatus::Started),
            "completed" => Some(InterviewStatus::Completed),
            "expired" => Some(InterviewStatus::Expired),
            _ => None,
        }
    }
}

/// One row of `GET /v1/interviews` (recruiters and admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InterviewSummary {
    pub id: String,
    pub candidate: CandidateView,
    pub role: JobRoleView,
    pub status: InterviewStatus,
    pub invited_at: String,
    pub expires_at: String,
    pub completed_at: Option<String>,
    pub reviewers_assigned: i64,
    pub reviewers_submitted: i64,
    /// Mean of all submitted ratings across questions.
    pub mean_rating: Option<f64>,
    pub decision: Option<Decision>,
}

/// A page of `GET /v1/interviews`, newest invitation first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InterviewPage {
    pub items: Vec<InterviewSummary>,
    pub next_cursor: Option<String>,
}

/// An RFC 9457 problem document; every error answer has this body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What is wrong, naming the offending field or value.
    pub detail: String,
    /// The request field at fault, when there is one (JSON pointer-like:
    /// `rating`, `evidence[1].end_s`, `Range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// One cue of a transcript, as the workstation parses it from WebVTT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Cue {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
}

/// Header on `GET /v1/responses/{id}/transcript` answers: `done`,
/// `pending` or `failed`, so clients tell them apart without parsing bodies.
pub const TRANSCRIPT_STATE_HEADER: &str = "Transcript-State";

/// The body of a transcript that is not ready yet (HTTP 202, with
/// `Retry-After`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranscriptPending {
    /// Always `pending`.
    pub state: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// Why the last attempt failed, when one did; it will be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// A transcription that failed, for good or for now (`GET
/// /v1/transcripts/failures`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranscriptFailure {
    pub response_id: String,
    pub interview_id: String,
    /// `failed` (given up) or `pending` (failing, retried at
    /// `next_attempt_at`).
    pub state: String,
    pub attempts: i64,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// RFC 3339; only while it is retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
    /// RFC 3339: when the last attempt ended.
    pub updated_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_wire_names() {
        for r in [UserRole::Reviewer, UserRole::Recruiter, UserRole::Admin] {
            assert_eq!(UserRole::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        for s in [
            AssignmentStatus::Pending,
            AssignmentStatus::InProgress,
            AssignmentStatus::Submitted,
        ] {
            assert_eq!(AssignmentStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for a in [
            DecisionAction::Advance,
            DecisionAction::Reject,
            DecisionAction::Hold,
        ] {
            assert_eq!(DecisionAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(UserRole::parse("root"), None);
    }

    #[test]
    fn score_write_rejects_unknown_fields() {
        let err = serde_json::from_str::<ScoreWrite>(r#"{"rating":3,"ratng":4}"#).unwrap_err();
        assert!(err.to_string().contains("ratng"), "{err}");
        let ok: ScoreWrite = serde_json::from_str(r#"{"rating":3}"#).unwrap();
        assert_eq!(ok.muted_rating, None);
    }
}
