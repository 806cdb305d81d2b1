//! The one implementation of changing the process: users matched by email,
//! roles by key, question sets versioned once interviews use them. Every
//! change is written and audited as it is found, so the caller decides by
//! committing or rolling back whether it was an apply or a plan.

use std::collections::HashSet;

use serde_json::json;
use sqlx::AnyConnection;
use takes_api::process::{
    ChangeOp, ChangeSubject, NewUserToken, PlanChange, ProcessQuestion, ProcessRequest,
    ProcessRole, ProcessUser,
};
use takes_api::roles::RoleQuestion;
use takes_api::UserRole;

use super::checks;
use super::snapshot::{RoleState, Snapshot};
use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::store::roles::write::{self, RoleFields};
use crate::store::users::{self, UserRow};
use crate::store::{audit, process as store, roles};

pub struct Ctx<'a> {
    pub now: Millis,
    pub actor_id: &'a str,
    /// The server's `[invitations] reviewers_per_interview`.
    pub default_rpi: i64,
    /// A plan (rolled back): an intro video not uploaded yet is planned as
    /// if it were, since `takes process apply` uploads it before applying.
    pub planning: bool,
}

#[derive(Default)]
pub struct Outcome {
    pub changes: Vec<PlanChange>,
    pub new_tokens: Vec<NewUserToken>,
}

impl Outcome {
    async fn change(
        &mut self,
        conn: &mut AnyConnection,
        ctx: &Ctx<'_>,
        (op, subject): (ChangeOp, ChangeSubject),
        (key, entity_id): (&str, &str),
        description: String,
    ) -> ApiResult<()> {
        let (entity_type, action) = match subject {
            ChangeSubject::User => ("user", "process.user"),
            ChangeSubject::Role => ("job_role", "process.role"),
            ChangeSubject::QuestionSet => ("job_role", "process.question_set"),
        };
        audit::record_by(
            conn,
            ctx.now,
            ctx.actor_id,
            action,
            (entity_type, entity_id),
            json!({"op": op, "key": key, "change": description}),
        )
        .await?;
        self.changes.push(PlanChange {
            op,
            subject,
            key: key.to_string(),
            description,
        });
        Ok(())
    }
}

/// Checks `req` and makes its changes on `conn` (a transaction holding the
/// process lock, in which `snap` was read).
pub async fn reconcile(
    conn: &mut AnyConnection,
    ctx: &Ctx<'_>,
    snap: &Snapshot,
    req: &ProcessRequest,
) -> ApiResult<Outcome> {
    checks::check(&req.document)?;
    let mut out = Outcome::default();
    for (i, u) in req.document.users.iter().enumerate() {
        user(conn, ctx, snap, i, u, &mut out).await?;
    }
    if req.prune {
        let named: HashSet<String> = req
            .document
            .users
            .iter()
            .map(|u| u.email.trim().to_lowercase())
            .collect();
        for u in &snap.users {
            let Some(email) = &u.email else { continue };
            if u.deactivated_at.is_some() || named.contains(email) || u.id == ctx.actor_id {
                continue;
            }
            users::set_deactivated(conn, &u.id, Some(ctx.now)).await?;
            let what = format!("{email}: deactivated ({}, {})", u.name, u.role);
            let op = (ChangeOp::Deactivate, ChangeSubject::User);
            out.change(conn, ctx, op, (email, &u.id), what).await?;
        }
    }
    let people = users::all(conn).await?;
    for (i, r) in req.document.roles.iter().enumerate() {
        role(conn, ctx, snap, &people, &format!("role[{i}]"), r, &mut out).await?;
    }
    if req.prune {
        let keys: HashSet<&str> = req.document.roles.iter().map(|r| r.key.trim()).collect();
        for r in &snap.roles {
            if r.row.archived_at.is_some() || keys.contains(r.key.as_str()) {
                continue;
            }
            write::set_archived(conn, &r.row.id, Some(ctx.now)).await?;
            let what = format!(
                "{}: archived ({} {})",
                r.key,
                interviews(r.in_flight),
                if r.in_flight == 1 {
                    "continues"
                } else {
                    "continue"
                }
            );
            let op = (ChangeOp::Archive, ChangeSubject::Role);
            out.change(conn, ctx, op, (&r.key, &r.row.id), what).await?;
        }
    }
    Ok(out)
}

async fn user(
    conn: &mut AnyConnection,
    ctx: &Ctx<'_>,
    snap: &Snapshot,
    i: usize,
    u: &ProcessUser,
    out: &mut Outcome,
) -> ApiResult<()> {
    let email = u.email.trim().to_lowercase();
    let name = u.name.trim();
    let role = u.role.as_str();
    // A user made on the command line without an email is adopted by the
    // document's user of the same name.
    let found = snap
        .users
        .iter()
        .find(|x| x.email.as_deref() == Some(email.as_str()))
        .or_else(|| {
            snap.users
                .iter()
                .find(|x| x.email.is_none() && x.name == name)
        });
    if super::people::name_taken(conn, name, found.map(|f| f.id.as_str())).await? {
        return Err(ApiError::invalid(
            &format!("user[{i}].name"),
            format!("user[{i}].name: another user is already called {name:?}; names are unique"),
        ));
    }
    let Some(row) = found else {
        let (id, _, token) =
            super::people::create(conn, ctx.now, &email, name, role, "process").await?;
        out.new_tokens.push(NewUserToken {
            email: email.clone(),
            name: name.to_string(),
            role: u.role,
            token,
        });
        let what = format!("{email}: {name} ({role})");
        let op = (ChangeOp::Create, ChangeSubject::User);
        return out.change(conn, ctx, op, (&email, &id), what).await;
    };
    let mut what = Vec::new();
    if row.name != name {
        what.push(format!("name {:?} -> {name:?}", row.name));
    }
    if row.role != role {
        what.push(format!("role {} -> {role}", row.role));
    }
    if row.email.is_none() {
        what.push(format!("email set (the user {name:?} had none)"));
    }
    if !what.is_empty() {
        users::update(conn, &row.id, name, role, Some(&email)).await?;
        let op = (ChangeOp::Update, ChangeSubject::User);
        let what = format!("{email}: {}", what.join(", "));
        out.change(conn, ctx, op, (&email, &row.id), what).await?;
    }
    if row.deactivated_at.is_some() {
        users::set_deactivated(conn, &row.id, None).await?;
        let op = (ChangeOp::Reactivate, ChangeSubject::User);
        let what = format!("{email}: reactivated");
        out.change(conn, ctx, op, (&email, &row.id), what).await?;
    }
    Ok(())
}

/// The user ids of `emails`, each an active user of one of `roles`.
fn resolve(
    people: &[UserRow],
    emails: &[String],
    at: &str,
    allowed: &[UserRole],
) -> ApiResult<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for (j, e) in emails.iter().enumerate() {
        let path = format!("{at}[{j}]");
        let email = e.trim().to_lowercase();
        let refuse = |why: String| Err(ApiError::invalid(&path, format!("{path}: {e:?} {why}")));
        let Some(p) = people
            .iter()
            .find(|p| p.email.as_deref() == Some(email.as_str()))
        else {
            return refuse("is neither a user of the document nor of this server".into());
        };
        if p.deactivated_at.is_some() {
            return refuse("is deactivated".into());
        }
        let ok = UserRole::parse(&p.role).is_some_and(|r| allowed.contains(&r));
        if !ok {
            let want: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            return refuse(format!("is a {}, not a {}", p.role, want.join(" or ")));
        }
        if !ids.contains(&p.id) {
            ids.push(p.id.clone());
        }
    }
    Ok(ids)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn same_questions(stored: &[RoleQuestion], wanted: &[ProcessQuestion]) -> bool {
    stored.len() == wanted.len()
        && stored.iter().zip(wanted).all(|(s, w)| {
            let mut anchors = w.rubric.anchors.clone();
            anchors.sort_by_key(|a| a.score);
            s.prompt == w.prompt
                && s.competency == w.competency
                && s.time_limit_s == w.time_limit_s
                && s.thinking_time_s == w.thinking_time_s
                && s.rubric.scale_min == w.rubric.scale_min
                && s.rubric.scale_max == w.rubric.scale_max
                && s.rubric.pass_score == w.rubric.pass_score
                && s.rubric.anchors == anchors
        })
}

/// Writes `questions` into an empty set.
pub async fn insert_questions(
    conn: &mut AnyConnection,
    set_id: &str,
    questions: &[ProcessQuestion],
) -> Result<(), sqlx::Error> {
    for (k, q) in questions.iter().enumerate() {
        let mut rubric = q.rubric.clone();
        rubric.anchors.sort_by_key(|a| a.score);
        let new = roles::NewQuestion {
            position: k as i64 + 1,
            prompt: &q.prompt,
            competency: &q.competency,
            time_limit_s: q.time_limit_s,
            rubric: &rubric,
        };
        roles::question_with_thinking(conn, set_id, new, q.thinking_time_s).await?;
    }
    Ok(())
}

/// Creates or changes the role `d` names by its key. Paths in errors start
/// with `at` (`role[0]`), or are bare field names when it is empty.
pub async fn role(
    conn: &mut AnyConnection,
    ctx: &Ctx<'_>,
    snap: &Snapshot,
    people: &[UserRow],
    at: &str,
    d: &ProcessRole,
    out: &mut Outcome,
) -> ApiResult<()> {
    let path = |field: &str| {
        if at.is_empty() {
            field.to_string()
        } else {
            format!("{at}.{field}")
        }
    };
    let key = d.key.trim();
    let pool = resolve(
        people,
        &d.reviewers,
        &path("reviewers"),
        &[UserRole::Reviewer],
    )?;
    let owners = resolve(
        people,
        &d.recruiters,
        &path("recruiters"),
        &[UserRole::Recruiter, UserRole::Admin],
    )?;
    let video = match &d.intro_video {
        Some(v) => {
            let sha = v.sha256.to_lowercase();
            let found = store::intro_video(conn, &sha).await?;
            let path = path("intro_video");
            if found.is_none() && ctx.planning {
                None
            } else {
                Some(found.ok_or_else(|| {
                    ApiError::invalid(
                        &path,
                        format!(
                            "{path}: no intro video with sha256 {sha} was uploaded to this server \
                         (PUT /v1/process/intro-videos)"
                        ),
                    )
                })?)
            }
        }
        None => None,
    };
    let captions_ref = d.intro_video.as_ref().and_then(|v| v.captions.as_ref());
    let captions = match captions_ref {
        Some(c) => {
            let sha = c.sha256.to_lowercase();
            let found = store::intro_captions(conn, &sha).await?;
            let path = path("intro_video.captions");
            if found.is_none() && ctx.planning {
                None
            } else {
                Some(found.ok_or_else(|| {
                    ApiError::invalid(
                        &path,
                        format!(
                            "{path}: no captions with sha256 {sha} were uploaded to this server \
                         (PUT /v1/process/intro-captions)"
                        ),
                    )
                })?)
            }
        }
        None => None,
    };
    let fields = RoleFields {
        title: d.title.trim(),
        department: d.department.trim(),
        completion_window_hours: d.completion_window_hours,
        reviewers_per_interview: Some(d.reviewers_per_interview),
        hiring_manager: d.hiring_manager.as_deref().map(str::trim),
        support_contact: d.support_contact.as_deref().map(str::trim),
        invitation_message: d.invitation_message.as_deref(),
        intro_video_media_id: video.as_ref().map(|v| v.media_object_id.as_str()),
        intro_video_file_name: d.intro_video.as_ref().and_then(|v| v.file_name.as_deref()),
        intro_captions_media_id: captions.as_ref().map(|c| c.media_object_id.as_str()),
        intro_captions_file_name: captions_ref.and_then(|c| c.file_name.as_deref()),
        intro_captions_language: captions_ref.map(|c| c.language.as_str()),
        allow_audio_only: d.allow_audio_only,
        allow_low_resolution: d.allow_low_resolution,
    };
    let Some(r) = snap.roles.iter().find(|r| r.key == key) else {
        let id = write::create(conn, ctx.now, key, &fields).await?;
        let set = roles::question_set(conn, ctx.now, &id, fields.title, d.retakes).await?;
        insert_questions(conn, &set, &d.questions).await?;
        roles::replace_reviewers(conn, ctx.now, &id, &pool).await?;
        write::replace_recruiters(conn, ctx.now, &id, &owners).await?;
        let what = format!(
            "{key}: {} ({} questions, {} reviewers)",
            fields.title,
            d.questions.len(),
            pool.len()
        );
        let op = (ChangeOp::Create, ChangeSubject::Role);
        return out.change(conn, ctx, op, (key, &id), what).await;
    };
    let id = r.row.id.as_str();
    if r.row.key.is_none() {
        // Named by its derived key: from now on that is its key.
        write::set_key(conn, id, key).await?;
    }
    if r.row.archived_at.is_some() {
        write::set_archived(conn, id, None).await?;
        let op = (ChangeOp::Reactivate, ChangeSubject::Role);
        let what = format!("{key}: restored (new invitations allowed again)");
        out.change(conn, ctx, op, (key, id), what).await?;
    }
    let what = settings_changes(r, &fields, d, ctx.default_rpi);
    if !what.is_empty() {
        write::update(conn, id, &fields).await?;
    }
    let mut what = what;
    // Who can be named now: the user phase may have just reactivated
    // someone the snapshot holds as deactivated.
    let named_now = |members: &[crate::store::roles::view::Member]| {
        let ids = members
            .iter()
            .filter(|m| {
                people
                    .iter()
                    .any(|u| u.id == m.user_id && u.deactivated_at.is_none() && u.email.is_some())
            })
            .map(|m| m.user_id.clone())
            .collect();
        sorted(ids)
    };
    let current_pool = named_now(&r.pool);
    if current_pool != sorted(pool.clone()) {
        roles::replace_reviewers(conn, ctx.now, id, &pool).await?;
        what.push("reviewers".into());
    }
    let current_owners = named_now(&r.recruiters);
    if current_owners != sorted(owners.clone()) {
        write::replace_recruiters(conn, ctx.now, id, &owners).await?;
        what.push("recruiters".into());
    }
    if !what.is_empty() {
        let op = (ChangeOp::Update, ChangeSubject::Role);
        let what = format!("{key}: {}", what.join(", "));
        out.change(conn, ctx, op, (key, id), what).await?;
    }
    questions(conn, ctx, r, (d.retakes, &d.questions), out).await
}

fn settings_changes(
    r: &RoleState,
    f: &RoleFields<'_>,
    d: &ProcessRole,
    default_rpi: i64,
) -> Vec<String> {
    let row = &r.row;
    let mut what = Vec::new();
    let mut differs = |name: &str, yes: bool| {
        if yes {
            what.push(name.to_string());
        }
    };
    differs("title", row.title != f.title);
    differs("department", row.department != f.department);
    differs(
        "completion_window_hours",
        row.completion_window_hours != f.completion_window_hours,
    );
    differs(
        "reviewers_per_interview",
        row.reviewers_per_interview.unwrap_or(default_rpi) != d.reviewers_per_interview,
    );
    differs(
        "hiring_manager",
        row.hiring_manager.as_deref() != f.hiring_manager,
    );
    differs(
        "support_contact",
        row.support_contact.as_deref() != f.support_contact,
    );
    differs(
        "invitation_message",
        row.invitation_message.as_deref() != f.invitation_message,
    );
    let sha = d.intro_video.as_ref().map(|v| v.sha256.to_lowercase());
    differs("intro_video", row.intro_video_sha256 != sha);
    let captions = d.intro_video.as_ref().and_then(|v| v.captions.as_ref());
    differs(
        "intro_video.captions",
        row.intro_captions_sha256 != captions.map(|c| c.sha256.to_lowercase())
            || row.intro_captions_language.as_deref() != captions.map(|c| c.language.as_str()),
    );
    differs(
        "allow_audio_only",
        row.allow_audio_only != d.allow_audio_only,
    );
    differs(
        "allow_low_resolution",
        row.allow_low_resolution != d.allow_low_resolution,
    );
    what
}

/// Gives the role these questions and retakes: unchanged when they are the
/// current set's, else a new version when interviews use the current set,
/// else the current set rewritten in place.
pub async fn questions(
    conn: &mut AnyConnection,
    ctx: &Ctx<'_>,
    r: &RoleState,
    (retakes, wanted): (i64, &[ProcessQuestion]),
    out: &mut Outcome,
) -> ApiResult<()> {
    let key = r.key.as_str();
    let id = r.row.id.as_str();
    let current = r.current_set();
    if current.is_some_and(|s| s.retakes == retakes) && same_questions(&r.questions, wanted) {
        return Ok(());
    }
    let (op, what) = match current {
        // Interviews keep the version they were invited with.
        Some(s) if s.interviews > 0 => {
            let next = r.sets.iter().map(|s| s.version).max().unwrap_or(0) + 1;
            let set = roles::question_set(conn, ctx.now, id, &r.row.title, retakes).await?;
            insert_questions(conn, &set, wanted).await?;
            (
                ChangeOp::NewVersion,
                format!(
                    "{key}: question set v{next} ({} in flight keep v{})",
                    interviews(s.in_flight),
                    s.version
                ),
            )
        }
        Some(s) => {
            write::clear_set(conn, &s.id, retakes).await?;
            insert_questions(conn, &s.id, wanted).await?;
            (
                ChangeOp::Update,
                format!(
                    "{key}: question set v{} changed (no interviews use it yet)",
                    s.version
                ),
            )
        }
        None => {
            let set = roles::question_set(conn, ctx.now, id, &r.row.title, retakes).await?;
            insert_questions(conn, &set, wanted).await?;
            (ChangeOp::Create, format!("{key}: question set v1"))
        }
    };
    out.change(conn, ctx, (op, ChangeSubject::QuestionSet), (key, id), what)
        .await
}

/// "1 interview", "4 interviews".
fn interviews(n: i64) -> String {
    if n == 1 {
        "1 interview".into()
    } else {
        format!("{n} interviews")
    }
}
