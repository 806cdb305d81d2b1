//! The process as the server holds it: every user and every role with its
//! current question set, pool and recruiters. Its [`Snapshot::etag`] is a
//! hash over all of it (archived roles and deactivated users included), so
//! a change made by any endpoint changes the ETag.

use serde_json::json;
use sqlx::AnyConnection;
use takes_api::process::{
    CaptionsRef, IntroVideoRef, ProcessDocument, ProcessQuestion, ProcessRole, ProcessUser,
};
use takes_api::roles::RoleQuestion;
use takes_api::UserRole;

use crate::store::roles::view::{self, Member, RoleRow, SetRow};
use crate::store::users::{self, UserRow};

pub struct Snapshot {
    pub users: Vec<UserRow>,
    pub roles: Vec<RoleState>,
}

pub struct RoleState {
    pub row: RoleRow,
    /// The stored key, or for a role made before keys the derived one
    /// ([`derived_key`]) that export names it by.
    pub key: String,
    /// Versions, newest first.
    pub sets: Vec<SetRow>,
    /// Questions of the current set.
    pub questions: Vec<RoleQuestion>,
    pub pool: Vec<Member>,
    pub recruiters: Vec<Member>,
    /// Interviews of the role in flight (all versions).
    pub in_flight: i64,
}

impl RoleState {
    pub fn current_set(&self) -> Option<&SetRow> {
        let id = self.row.current_set_id.as_deref()?;
        self.sets.iter().find(|s| s.id == id)
    }
}

/// The key a role without one is exported under: a slug of its title and
/// the end of its id (the random part of a UUIDv7), so it is stable and
/// unique.
pub fn derived_key(row: &RoleRow) -> String {
    let mut slug = String::new();
    for c in row.title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let tail: String = row
        .id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .take(6)
        .rev()
        .collect();
    if slug.is_empty() {
        format!("role-{tail}")
    } else {
        format!("{slug}-{tail}")
    }
}

/// Members who can be named in a document: active, with an email.
pub fn nameable(members: &[Member]) -> impl Iterator<Item = &Member> {
    members
        .iter()
        .filter(|m| m.deactivated_at.is_none() && m.email.is_some())
}

impl Snapshot {
    pub async fn load(conn: &mut AnyConnection) -> Result<Snapshot, sqlx::Error> {
        let users = users::all(conn).await?;
        let mut roles = Vec::new();
        for row in view::all(conn).await? {
            let sets = view::sets(conn, &row.id).await?;
            let questions = match &row.current_set_id {
                Some(id) => view::questions(conn, id).await?,
                None => Vec::new(),
            };
            let pool = view::pool(conn, &row.id).await?;
            let recruiters = view::recruiters(conn, &row.id).await?;
            let (_, in_flight, _) = view::counts(conn, &row).await?;
            roles.push(RoleState {
                key: row.key.clone().unwrap_or_else(|| derived_key(&row)),
                row,
                sets,
                questions,
                pool,
                recruiters,
                in_flight,
            });
        }
        Ok(Snapshot { users, roles })
    }

    /// A hash of everything a process change can change (not of the
    /// interviews, which come and go without changing the process).
    pub fn etag(&self) -> String {
        let users: Vec<_> = self
            .users
            .iter()
            .map(|u| json!([u.id, u.name, u.role, u.email, u.deactivated_at.is_some()]))
            .collect();
        let roles: Vec<_> = self
            .roles
            .iter()
            .map(|r| {
                let row = &r.row;
                json!({
                    "id": row.id, "key": r.key, "title": row.title, "department": row.department,
                    "window": row.completion_window_hours, "rpi": row.reviewers_per_interview,
                    "hm": row.hiring_manager, "support": row.support_contact,
                    "message": row.invitation_message, "url": row.intro_video_url,
                    "video": row.intro_video_media_id, "file": row.intro_video_file_name,
                    "captions": [&row.intro_captions_media_id, &row.intro_captions_file_name, &row.intro_captions_language],
                    "recording": [row.allow_audio_only, row.allow_low_resolution],
                    "archived": row.archived_at.is_some(), "current": row.current_set_id,
                    "sets": r.sets.iter().map(|s| json!([s.id, s.version, s.retakes])).collect::<Vec<_>>(),
                    "questions": r.questions,
                    "pool": r.pool.iter().map(|m| &m.user_id).collect::<Vec<_>>(),
                    "recruiters": r.recruiters.iter().map(|m| &m.user_id).collect::<Vec<_>>(),
                })
            })
            .collect();
        let text = json!({"users": users, "roles": roles}).to_string();
        format!("\"{}\"", &crate::ids::sha256_hex(text.as_bytes())[..32])
    }

    /// The process as a document that plans to no changes against this
    /// state: active users with an email, roles not archived.
    pub fn export(&self, default_rpi: i64) -> ProcessDocument {
        let users = self
            .users
            .iter()
            .filter(|u| u.deactivated_at.is_none())
            .filter_map(|u| {
                Some(ProcessUser {
                    email: u.email.clone()?,
                    name: u.name.clone(),
                    role: UserRole::parse(&u.role)?,
                })
            })
            .collect();
        let roles = self
            .roles
            .iter()
            .filter(|r| r.row.archived_at.is_none())
            .map(|r| export_role(r, default_rpi))
            .collect();
        ProcessDocument { users, roles }
    }
}

fn emails(members: &[Member]) -> Vec<String> {
    nameable(members).filter_map(|m| m.email.clone()).collect()
}

/// One role as a document names it.
pub fn export_role(r: &RoleState, default_rpi: i64) -> ProcessRole {
    let row = &r.row;
    ProcessRole {
        key: r.key.clone(),
        title: row.title.clone(),
        department: row.department.clone(),
        completion_window_hours: row.completion_window_hours,
        retakes: r.current_set().map(|s| s.retakes).unwrap_or(1),
        reviewers_per_interview: row.reviewers_per_interview.unwrap_or(default_rpi),
        reviewers: emails(&r.pool),
        recruiters: emails(&r.recruiters),
        hiring_manager: row.hiring_manager.clone(),
        support_contact: row.support_contact.clone(),
        intro_video: row.intro_video_sha256.clone().map(|sha256| IntroVideoRef {
            sha256,
            file_name: row.intro_video_file_name.clone(),
            captions: row.intro_captions_sha256.clone().map(|sha256| CaptionsRef {
                sha256,
                file_name: row.intro_captions_file_name.clone(),
                language: row
                    .intro_captions_language
                    .clone()
                    .unwrap_or_else(|| "en".into()),
            }),
        }),
        invitation_message: row.invitation_message.clone(),
        allow_audio_only: row.allow_audio_only,
        allow_low_resolution: row.allow_low_resolution,
        questions: r.questions.iter().map(to_process_question).collect(),
    }
}

pub fn to_process_question(q: &RoleQuestion) -> ProcessQuestion {
    ProcessQuestion {
        prompt: q.prompt.clone(),
        competency: q.competency.clone(),
        time_limit_s: q.time_limit_s,
        thinking_time_s: q.thinking_time_s,
        rubric: q.rubric.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, title: &str) -> RoleRow {
        RoleRow {
            id: id.into(),
            key: None,
            title: title.into(),
            department: "D".into(),
            completion_window_hours: 72,
            reviewers_per_interview: None,
            hiring_manager: None,
            support_contact: None,
            invitation_message: None,
            intro_video_url: None,
            intro_video_media_id: None,
            intro_video_sha256: None,
            intro_video_file_name: None,
            intro_captions_media_id: None,
            intro_captions_sha256: None,
            intro_captions_file_name: None,
            intro_captions_language: None,
            allow_audio_only: false,
            allow_low_resolution: true,
            archived_at: None,
            current_set_id: None,
            created_at: 0,
        }
    }

    #[test]
    fn derived_keys_are_slugs_with_the_random_end_of_the_id() {
        let id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        assert_eq!(
            derived_key(&row(id, "Backend Engineer (EU)")),
            "backend-engineer-eu-3f4a5b"
        );
        assert_eq!(derived_key(&row(id, "  ***  ")), "role-3f4a5b");
        assert_eq!(derived_key(&row(id, "Ünïcode Rôle")), "n-code-r-le-3f4a5b");
        // Two roles made in the same millisecond share the start of their
        // ids, never the end.
        let other = "0190a1b2-c3d4-7e5f-8a9b-99887766aabb";
        assert_ne!(
            derived_key(&row(id, "Same")),
            derived_key(&row(other, "Same"))
        );
    }
}
