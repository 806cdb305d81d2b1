//! What every integration does with an ATS event once it is authentic:
//! resolve the role, create the invitation idempotently on the ATS's own
//! id, and remember message ids already handled.

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::invitations::{self, NewInvitation};
use crate::state::AppState;
use crate::store::ats as store;

/// Which integration an event came through; stored with the invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Generic,
    Greenhouse,
    Lever,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Generic => "generic",
            Source::Greenhouse => "greenhouse",
            Source::Lever => "lever",
        }
    }
}

/// A candidate the ATS wants interviewed.
pub struct Invite {
    pub source: Source,
    pub external_id: String,
    pub role_id: String,
    pub name: String,
    pub email: String,
    pub external_data: Option<serde_json::Value>,
}

/// The invitation an event led to.
#[derive(Debug, Clone)]
pub struct Invited {
    pub interview_id: String,
    pub candidate_id: String,
    pub expires_at: Millis,
    /// False when the ATS had already sent this candidate.
    pub created: bool,
}

/// Names the wire fields of the integration instead of the invitation
/// module's own, so a refusal points at what the sender must change.
pub struct FieldNames {
    pub role_id: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    /// Where the ATS's id for the application came from.
    pub external_id: &'static str,
    /// What the kept ATS details came from.
    pub external_data: &'static str,
}

/// Creates the invitation unless this ATS id already has one.
pub async fn invite(state: &AppState, invite: Invite, names: &FieldNames) -> ApiResult<Invited> {
    let created = invitations::create(
        state,
        NewInvitation {
            role_id: invite.role_id,
            candidate_name: invite.name,
            candidate_email: invite.email,
            external: Some((invite.source.as_str().to_string(), invite.external_id)),
            external_data: invite.external_data,
            created_by: None,
        },
    )
    .await
    .map_err(|e| rename_field(e, names))?;
    Ok(Invited {
        interview_id: created.interview_id,
        candidate_id: created.candidate_id,
        expires_at: created.expires_at,
        created: created.created,
    })
}

fn rename_field(mut e: ApiError, names: &FieldNames) -> ApiError {
    let renamed = match e.field.as_deref() {
        Some("role_id") => Some(names.role_id),
        Some("candidate_name") => Some(names.name),
        Some("candidate_email") => Some(names.email),
        Some("external_id") => Some(names.external_id),
        Some("external_data") => Some(names.external_data),
        _ => None,
    };
    if let Some(to) = renamed {
        if let Some(from) = e.field.take() {
            e.detail = e.detail.replace(&from, to);
        }
        e.field = Some(to.to_string());
    }
    e
}

/// How long a handled message id is remembered. Far longer than the
/// signature's timestamp tolerance, after which a replay is refused as
/// stale anyway.
const KEEP_SEEN: Millis = crate::clock::DAY;

/// The answer first given to a signed message, if its id was seen before.
pub async fn seen(state: &AppState, source: Source, message_id: &str) -> ApiResult<Option<String>> {
    Ok(store::seen_message(&state.db, source.as_str(), message_id).await?)
}

/// Remembers a handled message and the answer it got. Only successes are
/// remembered: a refused message may be sent again once the cause (an
/// unmapped job, say) is fixed. A concurrent duplicate keeps the first.
pub async fn remember(
    state: &AppState,
    source: Source,
    message_id: &str,
    response: &str,
) -> ApiResult<()> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    store::remember_message(
        &mut w.tx,
        source.as_str(),
        message_id,
        response,
        now,
        now - KEEP_SEEN,
    )
    .await?;
    w.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_integrations_fields() {
        let names = FieldNames {
            role_id: "data.role_id",
            name: "data.candidate.name",
            email: "data.candidate.email",
            external_id: "data.application_id",
            external_data: "data",
        };
        let e = rename_field(
            ApiError::invalid("candidate_email", "candidate_email \"x\" is not an address"),
            &names,
        );
        assert_eq!(e.field.as_deref(), Some("data.candidate.email"));
        assert!(e.detail.starts_with("data.candidate.email"), "{}", e.detail);
        let e = rename_field(ApiError::invalid("other", "o"), &names);
        assert_eq!(e.field.as_deref(), Some("other"));
    }
}
