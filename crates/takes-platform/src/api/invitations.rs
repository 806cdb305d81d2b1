//! Inviting candidates (recruiters and admins).

use axum::extract::State;
use axum::http::StatusCode;
use takes_api::{Invitation, InvitationRequest, Problem};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::invitations::{self, NewInvitation};
use crate::state::AppState;
use crate::store::invitations as store;

/// Invites a candidate: the interview opens for the role's completion window
/// (48 to 72 hours) and the invitation email is queued. The answer carries
/// the candidate's access secret, shown this once.
#[utoipa::path(post, path = "/v1/invitations", tag = "invitations",
    request_body = InvitationRequest,
    responses((status = 201, body = Invitation), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<InvitationRequest>,
) -> ApiResult<(StatusCode, axum::Json<Invitation>)> {
    caller.require_decider()?;
    let created = invitations::create(
        &state,
        NewInvitation {
            role_id: body.role_id,
            candidate_name: body.candidate_name,
            candidate_email: body.candidate_email,
            external: None,
            external_data: None,
            created_by: Some(caller.id),
        },
    )
    .await?;
    let mut invitation = store::view(&state.db, &created.interview_id)
        .await?
        .ok_or_else(|| ApiError::internal("the new invitation could not be read back"))?;
    invitation.access_secret = created.access_secret;
    invitation.candidate_url = created.candidate_url;
    Ok((StatusCode::CREATED, axum::Json(invitation)))
}

/// An invitation and how far the candidate got (recruiters and admins).
#[utoipa::path(get, path = "/v1/invitations/{id}", tag = "invitations",
    params(("id" = String, Path, description = "Interview id")),
    responses((status = 200, body = Invitation), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Invitation>> {
    caller.require_decider()?;
    store::view(&state.db, &id)
        .await?
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found(format!("no invitation {id:?}")).with_field("id"))
}
