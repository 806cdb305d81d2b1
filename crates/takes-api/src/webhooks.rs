//! Outbound webhooks: the admin API's wire types, the envelope every
//! delivery carries, and the `data` of each event type.
//!
//! Deliveries follow the Standard Webhooks specification: headers
//! `webhook-id` (the event id, stable across retries and replays, so a
//! receiver dedupes on it), `webhook-timestamp` (Unix seconds of the
//! attempt) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
//! `{id}.{timestamp}.{body}` keyed with the base64-decoded part of the
//! endpoint's `whsec_` secret; during a secret rotation two signatures,
//! space-separated, one per secret).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{CandidateView, DecisionAction};

/// Names of the events the platform sends, as the ATS ecosystem names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum WebhookEventType {
    /// A candidate was invited to an interview (raised by the invitation flow).
    #[serde(rename = "invitation.sent")]
    InvitationSent,
    /// An invitation ran out unanswered (raised by the invitation flow).
    #[serde(rename = "invitation.expired")]
    InvitationExpired,
    /// The candidate recorded every answer (raised by the invitation flow).
    #[serde(rename = "interview.completed")]
    InterviewCompleted,
    /// One reviewer submitted their scores.
    #[serde(rename = "review.submitted")]
    ReviewSubmitted,
    /// Every assigned reviewer has submitted; carries the aggregate.
    #[serde(rename = "interview.reviewed")]
    InterviewReviewed,
    #[serde(rename = "candidate.advanced")]
    CandidateAdvanced,
    #[serde(rename = "candidate.rejected")]
    CandidateRejected,
    #[serde(rename = "candidate.held")]
    CandidateHeld,
    /// Any decision (advance, reject, hold), one per decision, with the
    /// panel's score summary; raised next to the `candidate.*` event.
    #[serde(rename = "decision.made")]
    DecisionMade,
    /// A role's completion rate dropped (docs/INSIGHTS.md §2), once per
    /// episode; data: `insights::CompletionDroppedData`.
    #[serde(rename = "insights.completion_dropped")]
    CompletionDropped,
}

impl WebhookEventType {
    pub const ALL: [WebhookEventType; 10] = [
        WebhookEventType::InvitationSent,
        WebhookEventType::InvitationExpired,
        WebhookEventType::InterviewCompleted,
        WebhookEventType::ReviewSubmitted,
        WebhookEventType::InterviewReviewed,
        WebhookEventType::CandidateAdvanced,
        WebhookEventType::CandidateRejected,
        WebhookEventType::CandidateHeld,
        WebhookEventType::DecisionMade,
        WebhookEventType::CompletionDropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEventType::InvitationSent => "invitation.sent",
            WebhookEventType::InvitationExpired => "invitation.expired",
            WebhookEventType::InterviewCompleted => "interview.completed",
            WebhookEventType::ReviewSubmitted => "review.submitted",
            WebhookEventType::InterviewReviewed => "interview.reviewed",
            WebhookEventType::CandidateAdvanced => "candidate.advanced",
            WebhookEventType::CandidateRejected => "candidate.rejected",
            WebhookEventType::CandidateHeld => "candidate.held",
            WebhookEventType::DecisionMade => "decision.made",
            WebhookEventType::CompletionDropped => "insights.completion_dropped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether an endpoint subscribed to every event (an empty list) gets
    /// it. `decision.made` restates a `candidate.*` event, so receivers
    /// that predate it would count each decision twice: it goes only to
    /// endpoints that name it. So does `insights.completion_dropped`, which
    /// is about a role, not a candidate.
    pub fn in_all(self) -> bool {
        !matches!(
            self,
            WebhookEventType::DecisionMade | WebhookEventType::CompletionDropped
        )
    }

    /// The event a recruiter's decision raises.
    pub fn for_decision(action: DecisionAction) -> Self {
        match action {
            DecisionAction::Advance => WebhookEventType::CandidateAdvanced,
            DecisionAction::Reject => WebhookEventType::CandidateRejected,
            DecisionAction::Hold => WebhookEventType::CandidateHeld,
        }
    }
}

/// The body of every delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEnvelope {
    /// The event id; also the `webhook-id` header.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: WebhookEventType,
    /// When the change happened (RFC 3339).
    pub timestamp: String,
    /// One of the `*Data` shapes, by `type`.
    pub data: serde_json::Value,
}

/// The candidate as integrations see them (real name: receivers are the
/// organisation's own systems, not reviewers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookCandidate {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookJobRole {
    pub id: String,
    pub title: String,
    pub department: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookUser {
    pub id: String,
    pub name: String,
}

/// One submitted rating inside `review.submitted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookScore {
    pub question_id: String,
    pub position: i64,
    pub competency: String,
    pub rating: i64,
    pub muted_rating: Option<i64>,
    pub note: Option<String>,
}

/// `data` of `review.submitted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReviewSubmittedData {
    pub interview_id: String,
    pub assignment_id: String,
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub reviewer: WebhookUser,
    pub submitted_at: String,
    pub scores: Vec<WebhookScore>,
    pub reviewers_assigned: i64,
    pub reviewers_submitted: i64,
}

/// The panel's aggregate for one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuestionAggregate {
    pub question_id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub scale_min: i64,
    pub scale_max: i64,
    pub pass_score: i64,
    /// Every submitted rating, in reviewer-name order.
    pub ratings: Vec<i64>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// `max - min`.
    pub spread: Option<i64>,
    /// Ratings at or above `pass_score`.
    pub passes: i64,
}

/// `data` of `interview.reviewed`: every assigned reviewer has submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InterviewReviewedData {
    pub interview_id: String,
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub reviewers: Vec<WebhookUser>,
    pub questions: Vec<QuestionAggregate>,
    /// Mean of every rating of every question.
    pub overall_mean: Option<f64>,
    pub reviewed_at: String,
    /// The interview's results page (`/results/{token}`), the same link as
    /// in `decision.made`. Absent when the server has no `public_url` or the
    /// link was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_url: Option<String>,
}

/// `data` of `candidate.advanced`, `candidate.rejected`, `candidate.held`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CandidateDecisionData {
    pub decision_id: String,
    pub interview_id: String,
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub action: DecisionAction,
    pub reason: Option<String>,
    pub decided_by: WebhookUser,
    pub decided_at: String,
}

/// One question in the score summary of `decision.made`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionQuestionScore {
    pub question_id: String,
    pub position: i64,
    pub competency: String,
    pub pass_score: i64,
    pub mean: Option<f64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub spread: Option<i64>,
}

/// The panel's scores when the decision was made: submitted reviews only,
/// never a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionScores {
    pub reviewers_assigned: i64,
    pub reviewers_submitted: i64,
    /// Mean of every submitted rating of every question.
    pub overall_mean: Option<f64>,
    pub questions: Vec<DecisionQuestionScore>,
}

/// `data` of `decision.made`: exactly one per recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionMadeData {
    pub decision_id: String,
    pub interview_id: String,
    pub candidate: WebhookCandidate,
    pub role: WebhookJobRole,
    pub decision: DecisionAction,
    pub reason: Option<String>,
    pub decided_by: WebhookUser,
    pub decided_at: String,
    pub scores: DecisionScores,
    /// The interview's results page (HTML, opens without an API token):
    /// the same link Greenhouse shows as `partner_profile_url`. Absent when
    /// the server has no `public_url` or the link was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_url: Option<String>,
}

/// Whether an endpoint is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookEndpointStatus {
    Active,
    /// By an admin, or because the receiver answered `410 Gone`.
    Disabled,
}

/// A registered receiver. The secret is shown only at creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Subscribed event types; empty means every type.
    pub event_types: Vec<WebhookEventType>,
    pub status: WebhookEndpointStatus,
    /// Why it is disabled (`410 Gone` from the receiver, or an admin).
    pub disabled_reason: Option<String>,
    /// The first characters of the secret, to tell secrets apart.
    pub secret_hint: String,
    /// Who is emailed when deliveries keep failing.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// During a secret rotation: until when deliveries are signed with the
    /// previous secret too (two space-separated `v1,` signatures).
    #[serde(default)]
    pub previous_secret_expires_at: Option<String>,
    /// The receiver asked to slow down (429, 502, 504 or `Retry-After`):
    /// nothing is sent to it before this time.
    #[serde(default)]
    pub throttled_until: Option<String>,
    /// Since when every attempt has failed (`null` while deliveries
    /// succeed); the endpoint is "failing" once this is a day old.
    #[serde(default)]
    pub failing_since: Option<String>,
    /// When the contact was told the endpoint is failing (once per streak).
    #[serde(default)]
    pub failure_notified_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Body of `POST /v1/webhooks/endpoints`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointCreate {
    /// `http://` or `https://` URL that receives `POST`s.
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Event types to send; absent or empty for all but `decision.made`,
    /// which goes only to endpoints that list it.
    #[serde(default)]
    pub event_types: Option<Vec<WebhookEventType>>,
    /// Emailed when deliveries to this endpoint keep failing.
    #[serde(default)]
    pub contact_email: Option<String>,
}

/// Body of `POST /v1/webhooks/endpoints/{id}/rotate-secret` (optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSecretRotate {
    /// How long the previous secret keeps signing alongside the new one,
    /// 0 to 168 hours (default 24): time for the receiver to switch.
    #[serde(default)]
    pub overlap_hours: Option<i64>,
}

/// Answer of `POST /v1/webhooks/endpoints`: the endpoint and its signing
/// secret, which is never shown again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpointCreated {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: keep it; verify `webhook-signature` with it.
    pub secret: String,
}

/// Body of `PATCH /v1/webhooks/endpoints/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointUpdate {
    /// `true` re-enables (also after a `410`), `false` disables.
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub event_types: Option<Vec<WebhookEventType>>,
    /// Emailed when deliveries keep failing; `""` removes it.
    #[serde(default)]
    pub contact_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpointPage {
    pub items: Vec<WebhookEndpoint>,
    pub next_cursor: Option<String>,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryState {
    /// Waiting for its first attempt, a retry, or an earlier event of the
    /// same interview to this endpoint.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Retries ran out (the dead-letter list); replay to send again.
    Dead,
    /// Its endpoint was deleted.
    Cancelled,
}

impl WebhookDeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookDeliveryState::Pending => "pending",
            WebhookDeliveryState::Delivered => "delivered",
            WebhookDeliveryState::Dead => "dead",
            WebhookDeliveryState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(WebhookDeliveryState::Pending),
            "delivered" => Some(WebhookDeliveryState::Delivered),
            "dead" => Some(WebhookDeliveryState::Dead),
            "cancelled" => Some(WebhookDeliveryState::Cancelled),
            _ => None,
        }
    }
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttempt {
    pub attempted_at: String,
    /// Absent when no HTTP answer arrived.
    pub status_code: Option<i64>,
    /// Why the attempt failed (connection refused, timeout, non-2xx, …).
    pub error: Option<String>,
    pub duration_ms: i64,
    /// The first bytes of the receiver's answer.
    pub response_excerpt: Option<String>,
}

/// One event sent (or to be sent) to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    /// Also the `webhook-id` the receiver sees.
    pub event_id: String,
    pub event_type: WebhookEventType,
    pub endpoint_id: String,
    pub interview_id: Option<String>,
    pub state: WebhookDeliveryState,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// The delivery this one replays.
    pub replay_of: Option<String>,
    pub created_at: String,
    /// Every attempt, oldest first (only on `GET …/deliveries/{id}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempt_log: Vec<WebhookAttempt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDeliveryPage {
    pub items: Vec<WebhookDelivery>,
    pub next_cursor: Option<String>,
}

/// Body of `POST /v1/webhooks/events/{id}/replay`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookReplayRequest {
    /// Only to this endpoint; otherwise to every active endpoint that
    /// subscribes to the event's type.
    #[serde(default)]
    pub endpoint_id: Option<String>,
}

/// Answer of the replay endpoints: the new deliveries, queued now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookReplayReceipt {
    pub deliveries: Vec<WebhookDelivery>,
}

/// A Greenhouse scorecard attribute rating (Harvest's attribute values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GreenhouseRating {
    DefinitelyNot,
    No,
    Mixed,
    Yes,
    StrongYes,
    NoDecision,
}

/// A scorecard's overall recommendation: only the values Harvest takes
/// there (no `mixed`). From the mean of the reviewer's ratings placed
/// between each rubric's ends (0 = lowest, 1 = highest): below 0.25
/// `definitely_not`, below 0.5 `no`, exactly 0.5 `no_decision`, up to
/// 0.75 `yes`, from 0.75 `strong_yes`; `no_decision` with no ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GreenhouseRecommendation {
    DefinitelyNot,
    No,
    Yes,
    StrongYes,
    NoDecision,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GreenhouseUser {
    pub id: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub employee_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GreenhouseAttribute {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub note: Option<String>,
    pub rating: GreenhouseRating,
}

/// Attribute names grouped by rating, as Greenhouse lists them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GreenhouseRatings {
    pub definitely_not: Vec<String>,
    pub no: Vec<String>,
    pub mixed: Vec<String>,
    pub yes: Vec<String>,
    pub strong_yes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GreenhouseQuestion {
    pub id: Option<String>,
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GreenhouseStep {
    pub id: Option<String>,
    pub name: String,
}

/// One reviewer's scorecard in Greenhouse's Harvest shape. Ids are ours:
/// UUID strings where Harvest has integers (`id` is the assignment,
/// `candidate_id` our candidate, user ids our users); a receiver maps them
/// to Greenhouse's own (e.g. through `greenhouse_profile_url` of
/// send_test). Times are RFC 3339 in UTC, as in Harvest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GreenhouseScorecard {
    /// The assignment id (UUID string).
    pub id: String,
    /// Greenhouse's ids are unknown here; integrations map `candidate_id`.
    pub application_id: Option<String>,
    pub candidate_id: String,
    pub interview: String,
    pub interview_step: GreenhouseStep,
    pub interviewed_at: Option<String>,
    pub submitted_at: String,
    pub submitted_by: GreenhouseUser,
    pub interviewer: GreenhouseUser,
    pub overall_recommendation: GreenhouseRecommendation,
    /// When the scorecard was created: its submission (drafts are never
    /// exported).
    pub created_at: String,
    /// A submitted scorecard does not change, so this is its submission.
    pub updated_at: String,
    pub attributes: Vec<GreenhouseAttribute>,
    pub ratings: GreenhouseRatings,
    pub questions: Vec<GreenhouseQuestion>,
}

/// `GET /v1/interviews/{id}/scorecard?format=greenhouse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScorecardExport {
    pub interview_id: String,
    pub format: String,
    pub candidate: CandidateView,
    /// One per reviewer who has submitted.
    pub scorecards: Vec<GreenhouseScorecard>,
}
