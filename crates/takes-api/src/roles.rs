//! Job roles as the role browser and `GET /v1/roles` show them: settings,
//! question-set versions with their rubrics, the reviewer pool and its load.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Rubric;

/// One role in `GET /v1/roles` (reviewers: only the roles they review).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleSummary {
    pub id: String,
    /// The process file's stable key (roles made before process files may
    /// have none).
    pub key: Option<String>,
    pub title: String,
    pub department: String,
    /// No new invitations; interviews in flight continue.
    pub archived: bool,
    /// The question-set version new invitations get.
    pub question_set_version: Option<i64>,
    pub question_count: i64,
    /// Interviews invited, started or completed and not yet decided.
    pub interviews_in_flight: i64,
}

/// `GET /v1/roles`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RolePage {
    pub items: Vec<RoleSummary>,
}

/// A question of one question-set version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleQuestion {
    pub id: String,
    /// 1-based.
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub time_limit_s: i64,
    pub thinking_time_s: i64,
    pub rubric: Rubric,
}

/// One version of a role's question set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuestionSetVersion {
    pub id: String,
    /// 1, 2, …
    pub version: i64,
    pub created_at: String,
    /// Retakes allowed per question.
    pub retakes: i64,
    /// Whether new invitations get this version.
    pub current: bool,
    /// Interviews invited with this version, and how many are not decided.
    pub interviews: i64,
    pub interviews_in_flight: i64,
    pub questions: Vec<RoleQuestion>,
}

/// A reviewer of the role's pool and the work they have open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PoolMember {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    /// False once deactivated: no new assignments.
    pub active: bool,
    /// Assignments not yet submitted (all roles).
    pub open_assignments: i64,
}

/// A person named on a role (a recruiter who owns it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleUser {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
}

/// `GET /v1/roles/{id}` (recruiters and admins): everything about one role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleDetail {
    pub id: String,
    pub key: Option<String>,
    pub title: String,
    pub department: String,
    pub archived: bool,
    pub completion_window_hours: i64,
    /// Independent reviewers per completed interview.
    pub reviewers_per_interview: i64,
    pub hiring_manager: Option<String>,
    pub support_contact: Option<String>,
    pub invitation_message: Option<String>,
    /// Path of the intro video on this server (`/v1/media/…`), if any.
    pub intro_video_url: Option<String>,
    /// Newest first.
    pub versions: Vec<QuestionSetVersion>,
    pub pool: Vec<PoolMember>,
    pub recruiters: Vec<RoleUser>,
}

/// Body of `PATCH /v1/roles/{id}`: only the fields given change; an empty
/// text clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleUpdate {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub completion_window_hours: Option<i64>,
    #[serde(default)]
    pub reviewers_per_interview: Option<i64>,
    #[serde(default)]
    pub hiring_manager: Option<String>,
    #[serde(default)]
    pub support_contact: Option<String>,
    #[serde(default)]
    pub invitation_message: Option<String>,
    /// `true` archives (no new invitations), `false` restores.
    #[serde(default)]
    pub archived: Option<bool>,
}

/// Body of `POST /v1/roles/{id}/question-sets`: the role's questions from
/// now on. A new version when interviews use the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestionSet {
    /// Retakes allowed per question.
    pub retakes: i64,
    pub questions: Vec<crate::process::ProcessQuestion>,
}

/// Body of `PUT /v1/roles/{id}/reviewers` and `PUT /v1/roles/{id}/recruiters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleMembers {
    pub user_ids: Vec<String>,
}
