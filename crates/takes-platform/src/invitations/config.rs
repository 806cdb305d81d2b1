//! The `[invitations]` table of the server configuration: completion
//! windows, reminders, routing and upload limits.

use serde::Deserialize;

/// The `[invitations]` table of the server configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InvitationConfig {
    /// The reminder goes this many hours before the deadline.
    pub reminder_before_hours: i64,
    /// Reviewers a completed interview is assigned to.
    pub reviewers_per_interview: i64,
    /// Reviewers' deadline, in hours after completion (also the date the
    /// candidate's acknowledgement promises).
    pub review_within_hours: i64,
    /// Largest answer upload, in bytes.
    pub max_upload_bytes: u64,
    /// Seconds an answer may run past its question's time limit (encoders
    /// and network start-up add a little).
    pub duration_margin_seconds: i64,
    /// How often the reminder and expiry sweep runs, in seconds.
    pub sweep_interval_seconds: u64,
    /// The recording app candidates open; the access secret is appended as
    /// the URL fragment (`…#ci_…`), which browsers never send to servers or
    /// write to logs. Default: `{public_url}/candidate`.
    pub candidate_app_url: Option<String>,
}

impl Default for InvitationConfig {
    fn default() -> Self {
        InvitationConfig {
            reminder_before_hours: 24,
            reviewers_per_interview: 2,
            review_within_hours: 48,
            max_upload_bytes: 200 * 1024 * 1024,
            duration_margin_seconds: 10,
            sweep_interval_seconds: 60,
            candidate_app_url: None,
        }
    }
}
