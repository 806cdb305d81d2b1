//! The report's data model and the small formatting rules every renderer
//! shares.

use serde::{Deserialize, Serialize};
use takes_api::insights::{
    AlertsReport, FunnelGroup, FunnelReport, ReliabilityDriftReport, ScoresReport, ShiftReport,
    TurnaroundReport, ValidityReport,
};

/// Below this many ratings (or sheets, or answers) a figure is shown with
/// a plain "too few to read" instead of being interpreted.
pub const MIN_N: i64 = 5;

/// The role a report is limited to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: String,
    pub title: String,
}

/// One role's funnel per invitation week (for the completion chart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleWeeks {
    pub role_id: String,
    pub title: String,
    pub weeks: Vec<FunnelGroup>,
}

/// Everything a report shows; each figure exactly as the API returned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub generated_at: String,
    pub server: String,
    pub role: Option<RoleRef>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub funnel: FunnelReport,
    /// `by_week` of each role's own funnel.
    pub weekly_by_role: Vec<RoleWeeks>,
    pub turnaround: TurnaroundReport,
    pub scores: ScoresReport,
    pub shift: ShiftReport,
    pub reliability: ReliabilityDriftReport,
    pub validity: ValidityReport,
    pub alerts: AlertsReport,
}

/// "n = 3, too few to read" when n is under [`MIN_N`].
pub fn too_few(n: i64) -> Option<String> {
    (n < MIN_N).then(|| format!("n = {n}: too few to read (fewer than {MIN_N})"))
}

/// A rate as a percentage with no decimals, or a dash.
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{:.0}%", x * 100.0))
}

/// A number with two decimals, or a dash.
pub fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{x:.2}"))
}

/// The completion rate of a funnel group (completed / invited).
pub fn completion(g: &FunnelGroup) -> (i64, Option<f64>) {
    let get = |name: &str| g.stages.iter().find(|s| s.stage == name);
    let invited = get("invited").map_or(0, |s| s.count);
    (invited, get("completed").and_then(|s| s.rate_from_invited))
}

/// A validity verdict in words.
pub fn verdict(v: &str) -> &'static str {
    match v {
        "too_few" => "too few hires to say anything (under 10)",
        "small" => "a small sample (under 30): read with care",
        "predicts" => "predicts",
        "does_not_predict" => "does not predict",
        _ => "unknown",
    }
}
