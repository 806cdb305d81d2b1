//! The candidate lifecycle: invitations (recruiters' side), the candidate's
//! own upload API (authenticated by the invitation's access secret, not a
//! user token), and the `data` of the lifecycle's webhook events.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{InterviewStatus, WebhookCandidate, WebhookJobRole, WebhookUser};

/// Header carrying the candidate's access secret (also accepted as
/// `Authorization: Bearer SECRET`).
pub const CANDIDATE_SECRET_HEADER: &str = "X-Candidate-Secret";

/// Body of `POST /v1/invitations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    pub role_id: String,
    pub candidate_name: String,
    pub candidate_email: String,
}

/// An invitation: the candidate's interview as recruiters follow it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    /// The interview id.
    pub id: String,
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub status: InterviewStatus,
    pub invited_at: String,
    /// The end of the completion window; no uploads after it.
    pub expires_at: String,
    pub reminded_at: Option<String>,
    pub completed_at: Option<String>,
    pub question_count: i64,
    pub answered_count: i64,
    /// The ATS that asked for it (`generic`, `greenhouse`, `lever`), if any.
    pub source: Option<String>,
    pub external_id: Option<String>,
    /// The candidate's access secret: present only in the answer that
    /// created the invitation; only its hash is stored.
    pub access_secret: Option<String>,
    /// The personal link sent to the candidate (only with `access_secret`).
    pub candidate_url: Option<String>,
}

/// One question as the candidate sees it (no rubric).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CandidateQuestion {
    pub id: String,
    pub position: i64,
    pub prompt: String,
    /// Longest answer accepted, in seconds.
    pub time_limit_s: i64,
    pub answered: bool,
    pub retakes_used: i64,
    pub retakes_left: i64,
}

/// `GET /v1/candidate/interview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CandidateInterview {
    pub interview_id: String,
    pub candidate_name: String,
    pub role: WebhookJobRole,
    pub status: InterviewStatus,
    /// Answers are accepted until then.
    pub expires_at: String,
    /// Re-recordings allowed per question.
    pub retakes_allowed: i64,
    pub intro_video_url: Option<String>,
    /// Captions of the intro video (WebVTT), when it has them.
    #[serde(default)]
    pub intro_captions: Option<IntroCaptions>,
    pub support_contact: String,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    pub questions: Vec<CandidateQuestion>,
    /// Accommodations granted to this candidate (time limits, retakes and
    /// the deadline above already include them).
    #[serde(default)]
    pub options: crate::accommodations::CandidateOptions,
    /// Whether the candidate agreed to being recorded (uploads are refused
    /// until they have).
    #[serde(default)]
    pub consented: bool,
}

/// Where the intro video's captions are and their language (the page's
/// `<track srclang>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IntroCaptions {
    pub url: String,
    pub language: String,
}

/// Answer of `POST /v1/candidate/responses/{question_id}/takes`: a take
/// may be recorded, and what is left after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CandidateTake {
    pub question_id: String,
    /// Takes started for the question, this one included.
    pub takes_started: i64,
    /// Re-recordings this take used (takes started less one).
    pub retakes_used: i64,
    /// Re-recordings left after this take.
    pub retakes_left: i64,
}

/// Answer of `PUT /v1/candidate/responses/{question_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CandidateUpload {
    pub response_id: String,
    pub question_id: String,
    pub duration_s: f64,
    pub retakes_used: i64,
    pub retakes_left: i64,
    /// `true` when this repeated an upload already accepted (same
    /// `Idempotency-Key` or same bytes): nothing changed, no retake used.
    pub replayed: bool,
    /// The interview after this upload (`completed` once every question
    /// has an answer).
    pub interview_status: InterviewStatus,
    /// Once the interview is completed: the text of the acknowledgement
    /// email ("received; you will hear from us by DATE", DATE in UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<String>,
    /// Once the interview is completed: the DATE of that sentence (RFC
    /// 3339), which the page's done step shows in the candidate's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
}

/// Body and answer of `PUT /v1/candidate/consent`: the candidate's
/// decision on being recorded, with the version of the text they read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CandidateConsent {
    /// `agreed` or `declined`.
    pub decision: String,
    /// The version of the consent text shown (the page's `consent_version`).
    pub text_version: String,
    /// When the server recorded it (RFC 3339); ignored in the request.
    #[serde(default)]
    pub decided_at: Option<String>,
}

/// Answer of `POST /v1/candidate/responses/{question_id}/uploads`: a
/// resumable (tus 1.0) upload, continued with `PATCH` at `location`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResumableUpload {
    pub upload_id: String,
    pub location: String,
    /// Bytes the server has.
    pub offset: u64,
    /// Bytes announced in `Upload-Length`.
    pub length: u64,
}

/// `data` of `invitation.sent` and `invitation.expired`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvitationEventData {
    pub interview_id: String,
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub invited_at: String,
    pub expires_at: String,
    pub source: Option<String>,
    pub external_id: Option<String>,
}

/// `data` of `interview.completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InterviewCompletedData {
    pub interview_id: String,
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub completed_at: String,
    pub response_count: i64,
    /// Reviewers the interview was routed to.
    pub reviewers: Vec<WebhookUser>,
    pub review_due_at: Option<String>,
    pub source: Option<String>,
    pub external_id: Option<String>,
    /// The interview's results page (HTML, opens without an API token),
    /// the same link `decision.made` carries later. Absent when the server
    /// has no `public_url` or the link was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_url: Option<String>,
}

/// How a job role invites and routes: `GET`/`PATCH
/// /v1/roles/{id}/invitation-settings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleInvitationSettings {
    pub role_id: String,
    /// Hours a candidate has to answer, 48 to 72.
    pub completion_window_hours: i64,
    /// The recruiter's introduction video, linked from the invitation.
    pub intro_video_url: Option<String>,
    /// Told by email when an interview for the role is completed.
    pub hiring_manager_email: Option<String>,
    /// The reviewer pool completed interviews are routed to.
    pub reviewer_ids: Vec<String>,
}

/// Body of `PATCH /v1/roles/{id}/invitation-settings`: only the fields
/// given change; an empty string clears a text field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInvitationSettingsUpdate {
    pub completion_window_hours: Option<i64>,
    pub intro_video_url: Option<String>,
    pub hiring_manager_email: Option<String>,
    /// Replaces the whole pool; every id must be a reviewer.
    pub reviewer_ids: Option<Vec<String>>,
}

/// The raw recording, sent as the whole body of an answer upload (WebM or
/// MP4; the server checks what it really is).
#[derive(Debug, Clone, PartialEq, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Recording(pub Vec<u8>);
