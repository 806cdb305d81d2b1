//! Calibration sessions (`/v1/calibration`) and inter-rater reliability of
//! live reviewing (`/v1/reliability`).
//!
//! A calibration session is a set of sample responses that every participant
//! scores independently against the same rubric. Nobody sees anyone else's
//! scores before submitting their own (the server answers `403`), so the
//! comparison afterwards measures the rubric and the reviewers, not anchoring.
//! Sample responses are shown without the candidate: no name, no interview.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{JobRoleView, ResponseView, Rubric};

/// Where a participant is with a calibration session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationStatus {
    /// Nothing scored yet.
    Pending,
    /// Some items scored, not submitted.
    InProgress,
    /// Scores are locked.
    Submitted,
}

impl CalibrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CalibrationStatus::Pending => "pending",
            CalibrationStatus::InProgress => "in_progress",
            CalibrationStatus::Submitted => "submitted",
        }
    }
}

/// One session as listed by `GET /v1/calibration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationSummary {
    pub id: String,
    pub title: String,
    pub created_at: String,
    /// Scores can be written and submitted until this time.
    pub deadline_at: String,
    /// `true` once the deadline has passed: no score changes any more.
    pub closed: bool,
    /// When an admin opened the results to every participant.
    pub revealed_at: Option<String>,
    pub item_count: i64,
    pub participant_count: i64,
    pub submitted_count: i64,
    /// The caller's progress; absent when the caller does not take part.
    pub my_status: Option<CalibrationStatus>,
    pub my_scored_count: i64,
    /// Whether `GET /v1/calibration/{id}/results` answers the caller now.
    pub results_visible: bool,
    /// Krippendorff's alpha (ordinal) over the submitted scores, for
    /// following reliability from session to session. Absent while the
    /// results are hidden from the caller, or when it is undefined.
    pub alpha_ordinal: Option<f64>,
}

/// A page of `GET /v1/calibration`, newest session first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationPage {
    pub items: Vec<CalibrationSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The question a sample response answers, as it was when the session was
/// created (later rubric edits do not rewrite a session's history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationQuestion {
    pub prompt: String,
    pub competency: String,
    pub time_limit_s: i64,
    pub rubric: Rubric,
}

/// One sample response of a session. Carries no candidate and no interview:
/// the media and transcript are reached through `response.media_url` and
/// `response.transcript_url`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationItem {
    pub id: String,
    /// 1-based order within the session.
    pub position: i64,
    /// The job the question was asked for.
    pub role: JobRoleView,
    pub question: CalibrationQuestion,
    pub response: ResponseView,
}

/// Someone taking part in a session. Their scores are not shown here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationParticipant {
    pub user_id: String,
    pub name: String,
    pub is_me: bool,
    /// `submitted` or not yet; drafts are private, so only whether the
    /// participant has submitted is shown (`pending` otherwise).
    pub status: CalibrationStatus,
    pub submitted_at: Option<String>,
}

/// The caller's score for one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationScore {
    pub item_id: String,
    pub rating: i64,
    pub note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /v1/calibration/{id}`: the sample responses to score and the
/// caller's own scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationSession {
    pub id: String,
    pub title: String,
    pub created_at: String,
    pub deadline_at: String,
    pub closed: bool,
    pub revealed_at: Option<String>,
    /// The caller's progress; absent when the caller (an admin) does not
    /// take part.
    pub my_status: Option<CalibrationStatus>,
    pub my_submitted_at: Option<String>,
    pub results_visible: bool,
    pub participants: Vec<CalibrationParticipant>,
    pub items: Vec<CalibrationItem>,
    pub my_scores: Vec<CalibrationScore>,
}

/// Body of `POST /v1/calibration` (admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationCreate {
    /// 1 to 200 characters, e.g. `2026 Q3 — Backend screen`.
    pub title: String,
    /// RFC 3339, in the future.
    pub deadline_at: String,
    /// Users who score the session (2 to 50, any role, no repeats).
    pub participant_ids: Vec<String>,
    /// Sample responses, in the order participants see them (1 to 50, no
    /// repeats, all on one rating scale).
    pub response_ids: Vec<String>,
}

/// Body of `PUT /v1/calibration/{id}/items/{item_id}/score`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationScoreWrite {
    pub rating: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// Answer of `POST /v1/calibration/{id}/submit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationSubmitReceipt {
    pub session_id: String,
    pub status: CalibrationStatus,
    pub submitted_at: String,
}

/// Answer of `POST /v1/calibration/{id}/reveal`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationRevealReceipt {
    pub session_id: String,
    pub revealed_at: String,
    /// Name of the admin who revealed the results.
    pub revealed_by: String,
}

/// Body of `POST /v1/calibration/{id}/items/{item_id}/notes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationNoteWrite {
    /// 1 to 10 000 characters.
    pub text: String,
}

/// A discussion note on one item, written once results were visible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationNote {
    pub id: String,
    pub item_id: String,
    pub author_id: String,
    pub author_name: String,
    pub text: String,
    pub created_at: String,
}

/// One submitted score in the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemResultScore {
    pub reviewer_id: String,
    pub name: String,
    pub is_me: bool,
    pub rating: i64,
    pub note: Option<String>,
}

/// Why an item is flagged for discussion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    /// Highest minus lowest rating is 2 or more.
    Spread,
    /// Some reviewers rated below the rubric's pass score and some at or
    /// above it: they disagree on the outcome.
    PassLine,
}

/// Agreement on one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemResult {
    pub item_id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub rubric: Rubric,
    /// Every submitted score (drafts of participants who have not submitted
    /// stay private).
    pub scores: Vec<ItemResultScore>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Highest minus lowest rating.
    pub spread: Option<i64>,
    /// Worth discussing: see `flag_reasons`.
    pub flagged: bool,
    pub flag_reasons: Vec<FlagReason>,
    /// Discussion after the reveal, oldest first.
    pub notes: Vec<CalibrationNote>,
}

/// A reviewer's tendency against the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tendency {
    /// Rates half a point or more above the panel on average.
    Lenient,
    /// Within half a point of the panel on average.
    InLine,
    /// Rates half a point or more below the panel on average.
    Severe,
}

/// One participant in the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReviewerResult {
    pub reviewer_id: String,
    pub name: String,
    pub is_me: bool,
    pub status: CalibrationStatus,
    pub submitted_at: Option<String>,
    /// Items this reviewer's submitted scores cover.
    pub items_scored: i64,
    /// Mean of (this reviewer's rating − the item's mean) over items with
    /// two or more scores: positive is lenient, negative severe. Absent
    /// when there is no panel to compare with.
    pub mean_deviation: Option<f64>,
    pub tendency: Option<Tendency>,
}

/// A 95% bootstrap confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfidenceInterval {
    pub lower: f64,
    pub upper: f64,
    /// Always 0.95.
    pub level: f64,
    /// Bootstrap resamples of units.
    pub iterations: i64,
}

/// Reliability figures. Each figure is `null` when it cannot be computed
/// for the data, and its `…_reason` field says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reliability {
    /// Units (calibration items, or responses in live reviewing) with two
    /// or more ratings.
    pub units: i64,
    /// Raters with at least one rating.
    pub raters: i64,
    /// Ratings used.
    pub ratings: i64,
    /// Krippendorff's alpha, ordinal metric.
    pub alpha_ordinal: Option<f64>,
    pub alpha_ordinal_reason: Option<String>,
    /// Krippendorff's alpha, interval metric.
    pub alpha_interval: Option<f64>,
    pub alpha_interval_reason: Option<String>,
    /// Unit-level bootstrap interval for the ordinal alpha.
    pub alpha_ordinal_ci: Option<ConfidenceInterval>,
    pub alpha_ordinal_ci_reason: Option<String>,
    /// ICC(2,1): two-way random effects, absolute agreement, one rater.
    pub icc2_1: Option<f64>,
    pub icc2_1_reason: Option<String>,
    /// ICC(2,k): the same for the mean of the k raters.
    pub icc2_k: Option<f64>,
    pub icc2_k_reason: Option<String>,
    /// Units rated by every rater: the ones the ICCs use.
    pub icc_units: i64,
}

/// `GET /v1/calibration/{id}/results`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationResults {
    pub session_id: String,
    pub title: String,
    pub deadline_at: String,
    pub closed: bool,
    pub revealed_at: Option<String>,
    pub items: Vec<ItemResult>,
    pub reviewers: Vec<ReviewerResult>,
    /// Units are the items, raters the participants who submitted.
    pub reliability: Reliability,
}

/// Reliability of live reviewing for one question set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuestionSetReliability {
    pub question_set_id: String,
    pub name: String,
    pub role: JobRoleView,
    /// Interviews with two or more submitted reviews in the window.
    pub interviews: i64,
    /// Units are (interview, question) pairs; raters are reviewers.
    pub reliability: Reliability,
}

/// `GET /v1/reliability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReliabilityReport {
    /// Lower bound of the window (submissions at or after), if given.
    pub since: Option<String>,
    /// Upper bound of the window (submissions before), if given.
    pub until: Option<String>,
    pub question_sets: Vec<QuestionSetReliability>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_refuse_unknown_fields() {
        let err =
            serde_json::from_str::<CalibrationScoreWrite>(r#"{"rating":3,"nte":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("nte"), "{err}");
        assert!(serde_json::from_str::<CalibrationNoteWrite>(r#"{"txt":"x"}"#).is_err());
        let ok: CalibrationScoreWrite = serde_json::from_str(r#"{"rating":3}"#).unwrap();
        assert_eq!(ok.note, None);
    }

    #[test]
    fn enums_use_snake_case_wire_names() {
        assert_eq!(
            serde_json::to_string(&FlagReason::PassLine).unwrap(),
            "\"pass_line\""
        );
        assert_eq!(
            serde_json::to_string(&Tendency::InLine).unwrap(),
            "\"in_line\""
        );
        for s in [
            CalibrationStatus::Pending,
            CalibrationStatus::InProgress,
            CalibrationStatus::Submitted,
        ] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }
}
