//! Process insights (`/v1/insights/...`): the wire form of the figures
//! defined in docs/INSIGHTS.md. A figure that cannot be computed is `null`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Reliability;

/// Median, 90th percentile and maximum (type-7 percentiles).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Percentiles {
    pub n: i64,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<f64>,
}

/// One stage of the completion funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FunnelStage {
    /// `invited`, `started`, `completed`, `reviewed` or `decided`.
    pub stage: String,
    pub count: i64,
    /// count / the previous stage's count.
    pub rate_from_previous: Option<f64>,
    /// count / invited.
    pub rate_from_invited: Option<f64>,
}

/// The funnel of one role, department or invitation week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FunnelGroup {
    /// The role id, the department, or the week's Monday (`2026-11-30`).
    pub key: String,
    /// What a person reads: the role title, the department, the week.
    pub label: String,
    pub stages: Vec<FunnelStage>,
}

/// Where starters abandon, per question of one question set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuestionDropOff {
    pub position: i64,
    pub prompt: String,
    pub answered: i64,
    pub abandoned: i64,
    pub share_of_starters: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuestionSetDropOff {
    pub question_set_id: String,
    pub name: String,
    pub version: i64,
    pub started: i64,
    pub questions: Vec<QuestionDropOff>,
}

/// How candidates use their completion window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WindowUse {
    pub hours_to_complete: Percentiles,
    /// Share of the window used, 0..1.
    pub window_used: Percentiles,
    /// Share of completions in the last 10% of the window.
    pub last_tenth_share: Option<f64>,
}

/// `GET /v1/insights/funnel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FunnelReport {
    pub since: Option<String>,
    pub until: Option<String>,
    pub total: Vec<FunnelStage>,
    pub by_role: Vec<FunnelGroup>,
    pub by_department: Vec<FunnelGroup>,
    pub by_week: Vec<FunnelGroup>,
    pub drop_off: Vec<QuestionSetDropOff>,
    pub window: WindowUse,
}

/// Turnaround of one reviewer or role, in hours from completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Turnaround {
    /// The reviewer's name or the role id.
    pub key: String,
    pub label: String,
    pub assignments: i64,
    /// Not submitted and past due now.
    pub overdue: i64,
    pub to_first_score_h: Percentiles,
    pub to_submitted_h: Percentiles,
}

/// `GET /v1/insights/turnaround`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TurnaroundReport {
    pub since: Option<String>,
    pub until: Option<String>,
    pub by_reviewer: Vec<Turnaround>,
    pub by_role: Vec<Turnaround>,
    /// Completion to the first decision, over decided interviews.
    pub to_decision_h: Percentiles,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScoreCount {
    pub score: i64,
    pub count: i64,
}

/// Ratings of one question, competency, role or question-set version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScoreDistribution {
    pub key: String,
    pub label: String,
    pub n: i64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    /// Every score of the scale, zeros included.
    pub counts: Vec<ScoreCount>,
    pub outside_scale: i64,
}

/// A reviewer's mean deviation from the other reviewers of the same
/// answers, with a 95% t interval (positive: lenient).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Leniency {
    pub reviewer: String,
    pub n: i64,
    pub mean_deviation: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// How a reviewer's ratings of one candidate move together across
/// questions, against the panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HaloCheck {
    pub reviewer: String,
    pub sheets: i64,
    pub spread: f64,
    pub panel_spread: Option<f64>,
    pub ratio: Option<f64>,
    pub flagged: bool,
}

/// `GET /v1/insights/scores`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScoresReport {
    pub since: Option<String>,
    pub until: Option<String>,
    pub by_question: Vec<ScoreDistribution>,
    pub by_competency: Vec<ScoreDistribution>,
    pub by_role: Vec<ScoreDistribution>,
    pub by_version: Vec<ScoreDistribution>,
    pub leniency: Vec<Leniency>,
    pub halo: Vec<HaloCheck>,
}

/// The muted-first shift of one reviewer or question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Shift {
    pub key: String,
    pub label: String,
    pub n: i64,
    /// Mean of final − muted rating.
    pub mean_shift: f64,
    /// Share of ratings changed after the sound came on.
    pub changed: f64,
    pub up: i64,
    pub down: i64,
    /// Welch's z against everyone else's shifts.
    pub z: Option<f64>,
    pub stands_out: bool,
}

/// `GET /v1/insights/shift`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ShiftReport {
    pub since: Option<String>,
    pub until: Option<String>,
    pub by_reviewer: Vec<Shift>,
    pub by_question: Vec<Shift>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuarterReliability {
    /// `2026-Q3`.
    pub quarter: String,
    pub interviews: i64,
    pub reliability: Reliability,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReliabilityDrift {
    pub question_set_id: String,
    pub name: String,
    pub quarters: Vec<QuarterReliability>,
    /// Each calibration session's figures on this question set's questions
    /// (submitted participants; sessions past their deadline or revealed),
    /// by deadline: the same statistics as `quarters`, side by side.
    #[serde(default)]
    pub calibration: Vec<CalibrationReliability>,
}

/// One calibration session's inter-rater reliability on one question set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalibrationReliability {
    pub session_id: String,
    pub title: String,
    /// RFC 3339.
    pub deadline_at: String,
    /// The quarter of the deadline (`2026-Q3`), to read against `quarters`.
    pub quarter: String,
    /// Sample responses of this question set in the session.
    pub items: i64,
    pub reliability: Reliability,
}

/// `GET /v1/insights/reliability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReliabilityDriftReport {
    pub since: Option<String>,
    pub until: Option<String>,
    pub question_sets: Vec<ReliabilityDrift>,
}

/// `GET /v1/insights/me`: a reviewer's own figures, nothing about anyone
/// else but the panel means they are compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MyInsights {
    pub since: Option<String>,
    pub until: Option<String>,
    pub turnaround: Turnaround,
    pub shift: Option<Shift>,
    pub leniency: Option<Leniency>,
}

/// One role's completion in the recent period against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompletionCheck {
    pub role_id: String,
    pub title: String,
    /// `dropped`, `quiet`, or `too_few` (fewer invitations than the rule's
    /// minimum in a period).
    pub verdict: String,
    pub recent_invited: i64,
    pub recent_completed: i64,
    pub baseline_invited: i64,
    pub baseline_completed: i64,
    pub recent_rate: Option<f64>,
    pub baseline_rate: Option<f64>,
    /// The two-proportion z (recent against baseline).
    pub z: Option<f64>,
    /// One-sided p-value for "recent is lower".
    pub p_value: Option<f64>,
    /// What the periods' invitations did differently (question-set version,
    /// completion window), in words.
    pub changes: Vec<String>,
}

/// `GET /v1/insights/alerts`: the completion drop check of every role in
/// scope; `alerts` are the ones that dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AlertsReport {
    pub days: i64,
    /// Windows that closed in `[recent_from, until)` are the recent period,
    /// in `[baseline_from, recent_from)` the baseline.
    pub baseline_from: String,
    pub recent_from: String,
    pub until: String,
    pub alerts: Vec<CompletionCheck>,
    pub checked: Vec<CompletionCheck>,
}

/// `PUT /v1/outcomes/{id}` (an interview id): what became of the candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeWrite {
    pub hired: bool,
    /// Performance rating after 6 months (the employer's scale).
    #[serde(default)]
    pub performance_6m: Option<f64>,
    #[serde(default)]
    pub performance_12m: Option<f64>,
    /// Still employed after 12 months.
    #[serde(default)]
    pub employed_12m: Option<bool>,
}

/// One score's correlation with one outcome (Spearman, bootstrap 95%).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidityFigure {
    /// A question id, or `total`.
    pub key: String,
    pub label: String,
    /// `hired`, `performance_6m`, `performance_12m` or `employed_12m`.
    pub outcome: String,
    pub n: i64,
    pub rho: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// `too_few` (n < 10), `small` (n < 30), `predicts`, `does_not_predict`.
    pub verdict: String,
}

/// `GET /v1/insights/validity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidityReport {
    pub since: Option<String>,
    pub until: Option<String>,
    pub figures: Vec<ValidityFigure>,
    /// Questions with enough data (n ≥ 30) for some outcome that predict
    /// none of them.
    pub not_predicting: Vec<String>,
}

/// One outcome of `POST /v1/outcomes/import`: the interview by its id, or
/// by its candidate's email when that candidate has exactly one completed
/// interview the caller may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeImportItem {
    #[serde(default)]
    pub interview_id: Option<String>,
    /// The candidate's email (case-insensitive).
    #[serde(default)]
    pub candidate: Option<String>,
    pub hired: bool,
    #[serde(default)]
    pub performance_6m: Option<f64>,
    #[serde(default)]
    pub performance_12m: Option<f64>,
    #[serde(default)]
    pub employed_12m: Option<bool>,
}

/// `POST /v1/outcomes/import`: every outcome is recorded, or none is (a
/// problem names the first bad item as `items[i].field`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeImport {
    pub items: Vec<OutcomeImportItem>,
}

/// What an import did: importing the same file again changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OutcomeImportReceipt {
    /// Outcomes new or different from what was recorded.
    pub changed: i64,
    /// Outcomes already recorded exactly so.
    pub unchanged: i64,
}

/// The `data` of an `insights.completion_dropped` webhook event: the check
/// that fired, the alert episode's id, and when it fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompletionDroppedData {
    /// The alert episode: the same id is never sent twice.
    pub alert_id: String,
    pub fired_at: String,
    /// Length of the recent period in days (the baseline is 4 times as long).
    pub days: i64,
    pub check: CompletionCheck,
}
