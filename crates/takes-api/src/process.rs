//! The hiring process as data: people, roles, question sets, rubrics and
//! reviewer pools ("interview as code").
//!
//! The process file (`takes process plan|apply|export`, `docs/PROCESS.md`) is
//! TOML; the workstation's CLI parses it, checks it with [`validate`] and
//! [`lint`] (so errors name `FILE:LINE:COL`), and sends it to the server as a
//! [`ProcessDocument`]. The server checks it again with the same [`validate`]
//! (a client is never trusted), adds the checks that need its database, and
//! plans or applies it in one transaction.
//!
//! Paths in [`Invalid`] and [`Lint`] use the file's own key names, so the CLI
//! can map them back to a line: `user[0].email`, `role[1].question[2].rubric.anchors`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Rubric, UserRole};

mod advice;
mod checks;
pub use checks::{is_email, is_language_tag, is_role_key, MAX_QUESTIONS};

/// The whole process: `GET /v1/process` answers one (with an `ETag`), and
/// plan and apply take one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessDocument {
    #[serde(default)]
    pub users: Vec<ProcessUser>,
    #[serde(default)]
    pub roles: Vec<ProcessRole>,
}

/// A person who signs in. Identified by `email` (case-insensitive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessUser {
    pub email: String,
    pub name: String,
    pub role: UserRole,
}

/// A job role and everything about how it interviews. Identified by `key`:
/// a title change keeps the role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessRole {
    pub key: String,
    pub title: String,
    pub department: String,
    pub completion_window_hours: i64,
    /// Retakes allowed per question.
    pub retakes: i64,
    /// Independent reviewers assigned to each completed interview.
    pub reviewers_per_interview: i64,
    /// The reviewer pool (emails of reviewers), load-balanced.
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Recruiters who own the role (emails): they may change it and decide
    /// its interviews.
    #[serde(default)]
    pub recruiters: Vec<String>,
    /// Told when an interview for the role is completed (an email address).
    #[serde(default)]
    pub hiring_manager: Option<String>,
    /// Shown to candidates: whom to ask for help (an email address).
    #[serde(default)]
    pub support_contact: Option<String>,
    /// The recruiter's intro video, uploaded beforehand with `PUT
    /// /v1/process/intro-videos` and named here by its SHA-256.
    #[serde(default)]
    pub intro_video: Option<IntroVideoRef>,
    /// Personalised text of the invitation: why async, what happens next.
    #[serde(default)]
    pub invitation_message: Option<String>,
    /// Candidates may answer with sound only (no camera). Without it only
    /// an accommodation allows that; the server refuses a take without a
    /// video stream otherwise.
    #[serde(default)]
    pub allow_audio_only: bool,
    /// The page offers a lower recording resolution for slow connections.
    #[serde(default = "yes")]
    pub allow_low_resolution: bool,
    /// The question set, in order. A change to any question (or to the
    /// retakes) makes a new question-set version when interviews already use
    /// the current one.
    pub questions: Vec<ProcessQuestion>,
}

/// An uploaded intro video, by content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntroVideoRef {
    /// Lowercase hex SHA-256 of the file.
    pub sha256: String,
    /// The file name it had (informational; export writes the file under it).
    #[serde(default)]
    pub file_name: Option<String>,
    /// Its captions, uploaded beforehand with `PUT
    /// /v1/process/intro-captions`.
    #[serde(default)]
    pub captions: Option<CaptionsRef>,
}

/// An uploaded WebVTT captions file, by content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptionsRef {
    /// Lowercase hex SHA-256 of the file.
    pub sha256: String,
    /// The file name it had (informational; export writes the file under it).
    #[serde(default)]
    pub file_name: Option<String>,
    /// The language of the captions and of the role's interview, a BCP 47
    /// tag (`en`, `de`, `pt-BR`).
    #[serde(default = "english")]
    pub language: String,
}

fn yes() -> bool {
    true
}

fn english() -> String {
    "en".into()
}

/// One structured question with its rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessQuestion {
    pub prompt: String,
    pub competency: String,
    pub time_limit_s: i64,
    /// Seconds to think before recording starts (0: none).
    #[serde(default)]
    pub thinking_time_s: i64,
    pub rubric: Rubric,
}

/// Body of `POST /v1/process/plan` and `PUT /v1/process`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessRequest {
    pub document: ProcessDocument,
    /// Deactivate users missing from the document (never deleted).
    #[serde(default)]
    pub prune: bool,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Create,
    Update,
    NewVersion,
    Deactivate,
    Reactivate,
    Archive,
}

impl ChangeOp {
    /// The plan's margin mark: `+` create, `~` update or new version, `-`
    /// deactivate or archive, `^` reactivate.
    pub fn mark(self) -> char {
        match self {
            ChangeOp::Create => '+',
            ChangeOp::Update | ChangeOp::NewVersion => '~',
            ChangeOp::Deactivate | ChangeOp::Archive => '-',
            ChangeOp::Reactivate => '^',
        }
    }
}

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSubject {
    User,
    Role,
    QuestionSet,
}

/// One line of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanChange {
    pub op: ChangeOp,
    pub subject: ChangeSubject,
    /// The user's email or the role's key.
    pub key: String,
    /// The line as printed after the mark, e.g. `backend-2027: question set
    /// v2 (4 interviews in flight keep v1)`.
    pub description: String,
}

/// Counts of a plan's changes, for its summary line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanSummary {
    pub create: i64,
    pub update: i64,
    pub new_version: i64,
    pub deactivate: i64,
    pub reactivate: i64,
    pub archive: i64,
}

/// Answer of `POST /v1/process/plan`: what `apply` would do, against the
/// server state named by `etag` (send it back as `If-Match` to apply exactly
/// this plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    pub etag: String,
    pub changes: Vec<PlanChange>,
    pub summary: PlanSummary,
    /// The seed's advice the document does not follow ([`lint`]).
    pub warnings: Vec<Lint>,
}

/// A token made for a user the apply created, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewUserToken {
    pub email: String,
    pub name: String,
    pub role: UserRole,
    pub token: String,
}

/// Answer of `PUT /v1/process`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApplyResult {
    /// The state after the apply.
    pub etag: String,
    pub changes: Vec<PlanChange>,
    pub summary: PlanSummary,
    pub new_tokens: Vec<NewUserToken>,
}

/// Answer of `PUT /v1/process/intro-videos` (the raw video as the body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IntroVideoUpload {
    pub sha256: String,
    pub media_id: String,
    pub bytes: i64,
    pub content_type: String,
    pub duration_s: f64,
}

/// Answer of `PUT /v1/process/intro-captions` (the WebVTT file as the body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IntroCaptionsUpload {
    pub sha256: String,
    pub media_id: String,
    pub bytes: i64,
    /// The cues the file holds.
    pub cues: i64,
}

/// A document error: where (a file path, see the module docs) and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Invalid {
    pub path: String,
    pub message: String,
}

/// A warning from the seed's advice: where, what, and why it matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Lint {
    pub path: String,
    pub message: String,
}

/// Every error of a document that needs no server state: empty and
/// duplicate keys and emails, malformed emails, a pool naming someone who is
/// not a reviewer of the document, scales, pass lines and anchors outside
/// the scale, non-positive limits. The server adds the checks that need its
/// database (a pool naming an unknown user).
pub fn validate(doc: &ProcessDocument) -> Vec<Invalid> {
    checks::validate(doc)
}

/// The seed's advice, checked: 3 to 5 questions, time limits up to 180 s,
/// no vague prompts, anchors at both ends and at the pass line, a window of
/// 48 h to 7 days, at least one retake.
pub fn lint(doc: &ProcessDocument) -> Vec<Lint> {
    advice::lint(doc)
}
