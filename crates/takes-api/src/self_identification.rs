//! Voluntary self-identification and the adverse-impact report built from
//! it (issue 15, docs/INSIGHTS.md section 8). The categories and their
//! answers are fixed here, so the candidate page, the server and the
//! report agree on them; every category has `prefer_not_to_say`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::insights::Percentiles;

/// The answer that is never a group: the candidate chose not to say.
pub const PREFER_NOT_TO_SAY: &str = "prefer_not_to_say";

/// Every category with its answers (`prefer_not_to_say` last). Ethnicity
/// follows the EEO-1 race/ethnicity categories; `age_40_or_over` is the
/// band the US Age Discrimination in Employment Act protects.
pub const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "gender",
        &["woman", "man", "non_binary", "another", PREFER_NOT_TO_SAY],
    ),
    (
        "ethnicity",
        &[
            "hispanic_or_latino",
            "white",
            "black_or_african_american",
            "asian",
            "native_hawaiian_or_pacific_islander",
            "american_indian_or_alaska_native",
            "two_or_more",
            PREFER_NOT_TO_SAY,
        ],
    ),
    ("age_40_or_over", &["yes", "no", PREFER_NOT_TO_SAY]),
    ("disability", &["yes", "no", PREFER_NOT_TO_SAY]),
    ("veteran", &["yes", "no", PREFER_NOT_TO_SAY]),
];

/// The answers of `category`, if it is one.
pub fn answers(category: &str) -> Option<&'static [&'static str]> {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, a)| *a)
}

/// One answered category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfIdentificationAnswer {
    /// `gender`, `ethnicity`, `age_40_or_over`, `disability` or `veteran`.
    pub category: String,
    /// One of the category's answers, or `prefer_not_to_say`.
    pub answer: String,
}

/// Body and answer of `PUT /v1/candidate/self-identification`: the
/// categories the candidate chose to answer (any subset, none included);
/// a later `PUT` replaces the earlier one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfIdentification {
    /// The version of the question text shown (the page's
    /// `self_id.version`).
    pub text_version: String,
    pub answers: Vec<SelfIdentificationAnswer>,
    /// When the server recorded it (RFC 3339); ignored in the request.
    #[serde(default)]
    pub answered_at: Option<String>,
}

/// One shown group at one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImpactGroup {
    pub group: String,
    /// Candidates of the group who reached the stage.
    pub total: i64,
    /// Of those, the ones selected (advanced).
    pub selected: i64,
    /// selected / total.
    pub selection_rate: f64,
    /// selection_rate / the reference group's rate.
    pub impact_ratio: Option<f64>,
    /// Fisher's exact test, two-sided, against the reference group
    /// (`null` for the reference group itself).
    pub fisher_p: Option<f64>,
    /// The impact ratio is below 4/5 (29 CFR 1607.4(D)).
    pub below_four_fifths: bool,
}

/// One category at one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImpactStage {
    /// `review` (completed interviews; selected = decided advance) or
    /// `decision` (interviews decided advance or reject; selected =
    /// advance).
    pub stage: String,
    /// The shown group with the highest selection rate.
    pub reference_group: Option<String>,
    pub groups: Vec<ImpactGroup>,
    /// How many groups were left out for cells below the minimum size
    /// (their counts are never shown).
    pub suppressed_groups: i64,
}

/// Total scores (the mean of an interview's submitted ratings) of one
/// shown group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupScores {
    pub group: String,
    pub mean: Option<f64>,
    pub percentiles: Percentiles,
}

/// One category of the adverse-impact report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImpactCategory {
    pub category: String,
    pub stages: Vec<ImpactStage>,
    /// Score distributions of the groups with at least the minimum number
    /// of scored interviews.
    pub scores: Vec<GroupScores>,
    /// Groups whose scores were left out for being too few.
    pub suppressed_score_groups: i64,
}

/// `GET /v1/insights/adverse-impact`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdverseImpactReport {
    pub since: Option<String>,
    pub until: Option<String>,
    /// Groups (and cells) smaller than this are suppressed.
    pub min_cell_size: i64,
    pub categories: Vec<ImpactCategory>,
    /// In words, for the reader: what suppression hid.
    pub notes: Vec<String>,
}
