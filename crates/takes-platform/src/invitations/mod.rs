//! Inviting candidates and seeing them through: `create` (used by the API
//! and by the ATS integrations), the candidate's access secret, the
//! reminder and expiry sweep (`sweep`), and what happens when the last
//! answer arrives (`completion`, which routes the interview to reviewers
//! with `routing`).

pub mod completion;
pub mod config;
pub mod rejection;
pub mod routing;
pub mod sweep;

use crate::store::interviews;
use axum::http::StatusCode;
use base64::Engine;
use rand::RngCore;
use takes_api::{InvitationEventData, WebhookEventType};

use crate::clock::{rfc3339, Millis, HOUR};
use crate::email::outbox::{self as email_outbox, NewEmail, SECRET_PLACEHOLDER};
use crate::email::templates::{human_time, Kind};
use crate::error::ApiError;
use crate::ids::hash_token;
use crate::state::AppState;
use crate::store::audit;
use crate::store::invitations as store;
use crate::webhooks::outbox::{self, interview_stream, next_seq, NewEvent};

pub use config::InvitationConfig;
pub use sweep::{sweep, SweepReport};

/// Completion windows a role may set, in hours.
pub const WINDOW_HOURS: std::ops::RangeInclusive<i64> = 48..=72;

pub struct NewInvitation {
    pub role_id: String,
    pub candidate_name: String,
    pub candidate_email: String,
    /// Idempotency on the ATS's ids: (source e.g. "generic"|"greenhouse"|"lever", external id). The same pair twice returns the first invitation with `created: false` and sends nothing again. Enforced in the DB (unique index), race-safe.
    pub external: Option<(String, String)>,
    /// Greenhouse/ATS callback data the other helper may want stored with the invitation (opaque JSON), e.g. the URL to PATCH on completion.
    pub external_data: Option<serde_json::Value>,
    /// Who asked: a user id, or None for an ATS event.
    pub created_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct InvitationCreated {
    pub interview_id: String,
    pub candidate_id: String,
    pub expires_at: Millis,
    pub created: bool,
    /// The candidate's access secret; only when `created` (it is never
    /// stored, so a repeat cannot show it again).
    pub access_secret: Option<String>,
    /// The personal link in the invitation email; only when `created`.
    pub candidate_url: Option<String>,
}

const NAME_MAX: usize = 200;
const EXTERNAL_MAX: usize = 200;
const EXTERNAL_DATA_MAX: usize = 16 * 1024;

/// A new access secret: 256 random bits, with a prefix that tells it apart
/// from user tokens (and that secret scanners can recognise).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "ci_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The candidate's personal link, without the secret (the fragment).
pub fn candidate_app_url(state: &AppState) -> String {
    if let Some(url) = &state.config.invitations.candidate_app_url {
        return url.clone();
    }
    let base = state
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| "http://localhost:8080".into());
    format!("{}/candidate", base.trim_end_matches('/'))
}

fn validate(new: &NewInvitation) -> Result<(String, String), ApiError> {
    if new.role_id.trim().is_empty() {
        return Err(ApiError::invalid("role_id", "role_id is empty"));
    }
    crate::extract::check_text("role_id", &new.role_id)?;
    let name = new.candidate_name.trim().to_string();
    crate::extract::check_text("candidate_name", &name)?;
    let n = name.chars().count();
    if n == 0 || n > NAME_MAX {
        return Err(ApiError::invalid(
            "candidate_name",
            format!("candidate_name must be 1 to {NAME_MAX} characters, got {n}"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "candidate_name",
            "candidate_name contains a control character",
        ));
    }
    let email = new.candidate_email.trim().to_string();
    crate::extract::check_text("candidate_email", &email)?;
    if let Some(problem) = crate::email::address_problem(&email) {
        return Err(ApiError::invalid(
            "candidate_email",
            format!("candidate_email {email:?} {problem}"),
        ));
    }
    if let Some((source, id)) = &new.external {
        for (field, value) in [("external_source", source), ("external_id", id)] {
            crate::extract::check_text(field, value)?;
            let n = value.chars().count();
            if n == 0 || n > EXTERNAL_MAX {
                return Err(ApiError::invalid(
                    field,
                    format!("{field} must be 1 to {EXTERNAL_MAX} characters, got {n}"),
                ));
            }
        }
    }
    if let Some(data) = &new.external_data {
        let text = data.to_string();
        if text.len() > EXTERNAL_DATA_MAX || text.contains("\\u0000") {
            return Err(ApiError::invalid(
                "external_data",
                format!(
                    "external_data must be at most {EXTERNAL_DATA_MAX} bytes of JSON without NUL"
                ),
            ));
        }
    }
    Ok((name, email))
}

/// Invites a candidate: creates the candidate, their interview (open for
/// the role's completion window), the access secret, the `invitation.sent`
/// event and the invitation email, all in one transaction.
pub async fn create(state: &AppState, new: NewInvitation) -> Result<InvitationCreated, ApiError> {
    let (name, email) = validate(&new)?;
    if let Some((source, id)) = &new.external {
        if let Some(found) = existing(state, source, id).await? {
            return Ok(found);
        }
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let role = store::role_terms(&mut w.tx, &new.role_id)
        .await?
        .ok_or_else(|| ApiError::invalid("role_id", format!("no job role {:?}", new.role_id)))?;
    if role.archived_at.is_some() {
        let name = role.key.clone().unwrap_or_else(|| role.title.clone());
        return Err(ApiError::conflict(format!(
            "the job role {name:?} is archived: it takes no new invitations"
        ))
        .with_field("role_id"));
    }
    let set = store::current_set(&mut w.tx, &new.role_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "the job role has no question set to interview with",
            )
            .with_field("role_id")
        })?;
    let question_count = set.question_count;
    if question_count == 0 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the job role's question set has no questions",
        )
        .with_field("role_id"));
    }
    let window_h = role.completion_window_h;
    // The process checks keep this in range; clamping guards old rows.
    let allowed = crate::process::checks::WINDOW_HOURS;
    let expires_at = now + window_h.clamp(*allowed.start(), *allowed.end()) * HOUR;
    let set_id = set.id.clone();
    let candidate_id = interviews::candidate(&mut w.tx, now, &name, &email).await?;
    let interview_id = interviews::interview(
        &mut w.tx,
        interviews::NewInterview {
            candidate_id: &candidate_id,
            role_id: &new.role_id,
            question_set_id: &set_id,
            status: "invited",
            invited_at: now,
            expires_at,
            started_at: None,
            completed_at: None,
        },
    )
    .await?;
    let secret = new_secret();
    let (source, external_id) = match &new.external {
        Some((s, i)) => (Some(s.clone()), Some(i.clone())),
        None => (None, None),
    };
    let secret_hash = hash_token(&secret);
    let row = store::NewRow {
        interview_id: &interview_id,
        secret_hash: &secret_hash,
        external: new.external.as_ref().map(|(s, i)| (s.as_str(), i.as_str())),
        external_data: new.external_data.as_ref().map(|d| d.to_string()),
        created_by: new.created_by.as_deref(),
        at: now,
    };
    let inserted = store::insert(&mut w.tx, row).await?;
    if !inserted {
        // A concurrent request with the same ATS ids committed first: drop
        // this attempt and answer with theirs.
        drop(w);
        if let Some((s, i)) = &new.external {
            if let Some(found) = existing(state, s, i).await? {
                return Ok(found);
            }
        }
        return Err(ApiError::internal("the invitation could not be stored"));
    }
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: new.created_by.as_deref(),
            action: "invitation.created",
            entity_type: "interview",
            entity_id: &interview_id,
            detail: serde_json::json!({"candidate_id": candidate_id, "role_id": new.role_id,
                "expires_at": rfc3339(expires_at), "source": source, "external_id": external_id}),
        },
    )
    .await?;
    let stream = interview_stream(&interview_id);
    let seq = next_seq(&mut w.tx, &stream).await?;
    let subject = crate::webhooks::events::subject(&mut w.tx, &interview_id).await?;
    let data = InvitationEventData {
        interview_id: interview_id.clone(),
        candidate: subject.candidate,
        role: subject.role,
        invited_at: rfc3339(now),
        expires_at: rfc3339(expires_at),
        source,
        external_id,
    };
    outbox::record(
        &mut w.tx,
        NewEvent {
            kind: WebhookEventType::InvitationSent,
            interview_id: Some(interview_id.clone()),
            order: Some((stream, seq)),
            data: serde_json::to_value(&data)?,
            at: now,
        },
    )
    .await?;
    let app = candidate_app_url(state);
    // An uploaded video is served by this server: the email needs its
    // whole address.
    let intro = role.intro_video_url.map(|u| {
        if u.starts_with('/') {
            let base = state.config.public_url.clone();
            let base = base.unwrap_or_else(|| "http://localhost:8080".into());
            format!("{}{u}", base.trim_end_matches('/'))
        } else {
            u
        }
    });
    let retakes = set.retakes_allowed;
    email_outbox::enqueue(
        &mut w.tx,
        &state.config.email,
        now,
        NewEmail {
            kind: Kind::Invitation,
            interview_id: &interview_id,
            to: &email,
            vars: vec![
                ("candidate_name", name.clone()),
                ("role_title", role.title),
                ("department", role.department),
                ("deadline", human_time(expires_at)),
                ("candidate_url", format!("{app}#{SECRET_PLACEHOLDER}")),
                (
                    "intro_video",
                    intro
                        .map(|u| format!("A short introduction from the team: {u}\n"))
                        .unwrap_or_default(),
                ),
                ("question_count", question_count.to_string()),
                ("retakes_allowed", retakes.to_string()),
                (
                    "support_contact",
                    state.config.email.support_contact.clone(),
                ),
            ],
            secret: Some(secret.clone()),
        },
    )
    .await?;
    w.commit().await?;
    Ok(InvitationCreated {
        interview_id,
        candidate_id,
        expires_at,
        created: true,
        candidate_url: Some(format!("{app}#{secret}")),
        access_secret: Some(secret),
    })
}

async fn existing(
    state: &AppState,
    source: &str,
    external_id: &str,
) -> Result<Option<InvitationCreated>, ApiError> {
    let found = store::by_external(&state.db, source, external_id).await?;
    Ok(found.map(
        |(interview_id, candidate_id, expires_at)| InvitationCreated {
            interview_id,
            candidate_id,
            expires_at,
            created: false,
            access_secret: None,
            candidate_url: None,
        },
    ))
}
