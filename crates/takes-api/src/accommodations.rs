//! Accommodations for one candidate (`/v1/invitations/{id}/accommodations`),
//! granted by the recruiters of the role or an admin.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most hours a window may be extended by.
pub const MAX_EXTRA_WINDOW_HOURS: i64 = 720;
/// Most seconds added to each question's time limit.
pub const MAX_EXTRA_SECONDS_PER_QUESTION: i64 = 600;
/// Most retakes added to each question's allowance.
pub const MAX_EXTRA_RETAKES: i64 = 10;

/// Body of `PUT /v1/invitations/{id}/accommodations`: the whole grant
/// (values replace the previous grant; zero takes an accommodation back).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccommodationRequest {
    /// Hours added to the completion window (0 to 720).
    #[serde(default)]
    pub extra_window_hours: i64,
    /// Seconds added to every question's time limit (0 to 600).
    #[serde(default)]
    pub extra_seconds_per_question: i64,
    /// Retakes added to every question's allowance (0 to 10).
    #[serde(default)]
    pub extra_retakes: i64,
    /// The candidate may answer with sound only (no camera).
    #[serde(default)]
    pub audio_only: bool,
    /// Why, for the audit log and colleagues (at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// The accommodations of one interview, as granted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Accommodations {
    pub interview_id: String,
    pub extra_window_hours: i64,
    pub extra_seconds_per_question: i64,
    pub extra_retakes: i64,
    pub audio_only: bool,
    pub note: Option<String>,
    /// The interview's deadline with the extension (RFC 3339).
    pub expires_at: String,
    /// Who granted the current accommodations; `None` when none were.
    pub granted_by: Option<String>,
    pub granted_at: Option<String>,
}

/// What the candidate's page is told: the accommodations that change
/// how it records (the time and retake figures arrive already adjusted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CandidateOptions {
    /// Recording without a camera is allowed (by the role or an
    /// accommodation).
    pub audio_only: bool,
    /// The role lets candidates record at a lower resolution.
    #[serde(default)]
    pub low_resolution: bool,
    /// Seconds added to each question's limit (shown to the candidate).
    pub extra_seconds_per_question: i64,
    /// Retakes added to each question.
    pub extra_retakes: i64,
}

/// Answer of `POST /v1/candidate/speed-test`: what arrived, so the page can
/// time a small upload and estimate the candidate's upload speed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SpeedTest {
    pub received_bytes: u64,
}

/// The largest speed-test body the server reads.
pub const SPEED_TEST_MAX_BYTES: u64 = 4 * 1024 * 1024;
