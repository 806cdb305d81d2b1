//! `POST /v1/ats/lever/webhook`: Lever's `candidateStageChange` webhook.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use serde::Deserialize;
use takes_api::Problem;
use utoipa::ToSchema;

use super::{not_configured, parse_json, parse_value, raw_body, AtsOutcome};
use crate::ats::inbound::{self, FieldNames, Invite, Source};
use crate::ats::lever;
use crate::ats::signature::verify_lever;
use crate::error::{ApiError, ApiResult};
use crate::extract::check_text;
use crate::state::AppState;

const STAGE_CHANGE: &str = "candidateStageChange";
/// How far `triggeredAt` may be from our clock, either way. The signature
/// covers only token and time, so an old delivery must not stay usable.
const TOLERANCE: crate::clock::Millis = 5 * 60 * crate::clock::SECOND;
/// Lever's delivery tokens are unique per delivery; longer than this is
/// not one of them.
const TOKEN_MAX: usize = 200;

/// A Lever webhook. `signature` is the hex HMAC-SHA256 of `token` followed
/// by `triggeredAt`, keyed with the webhook's signature token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeverWebhook {
    /// Milliseconds since the Unix epoch.
    #[schema(value_type = i64)]
    pub triggered_at: serde_json::Number,
    /// `candidateStageChange` invites; other events are acknowledged.
    pub event: String,
    pub signature: String,
    pub token: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// The part of `data` a stage change carries that we use.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeverStageChange {
    pub opportunity_id: String,
    #[serde(default)]
    pub candidate_id: Option<String>,
    #[serde(default)]
    pub from_stage_id: Option<String>,
    pub to_stage_id: String,
}

/// Invites the candidate of an opportunity that entered the configured
/// screening stage in Lever, reading name, email and the current stage
/// from the Lever API (the body's stage is only a hint: the signature does
/// not cover it). `triggeredAt` must be within five minutes of the
/// server's clock, and a delivery token seen in the last 24 hours gets the
/// first answer back (`replayed`), whatever its body now says. Idempotent
/// on the opportunity too: later moves back into the stage return the
/// first invitation.
#[utoipa::path(post, path = "/v1/ats/lever/webhook", tag = "ats", security(()),
    request_body = LeverWebhook,
    responses((status = 200, body = AtsOutcome), (status = 400, body = Problem),
              (status = 401, description = "The signature does not match, or triggeredAt is more than five minutes off; nothing was done", body = Problem),
              (status = 404, description = "`[ats.lever]` is not configured", body = Problem),
              (status = 422, body = Problem),
              (status = 502, description = "The Lever API could not say who the candidate is", body = Problem)))]
pub async fn webhook(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<AtsOutcome>> {
    let cfg = state
        .config
        .ats
        .lever
        .clone()
        .ok_or_else(|| not_configured("Lever", "[ats.lever]"))?;
    let body = raw_body(body)?;
    let hook: LeverWebhook = parse_json(&body)?;
    // Lever signs each webhook with its own token: the one that verifies
    // says which webhook this is, and so which postings it serves.
    let tokens = cfg.tokens();
    let serves = tokens
        .iter()
        .find(|(token, _)| {
            verify_lever(
                token,
                &hook.token,
                &hook.triggered_at.to_string(),
                &hook.signature,
            )
        })
        .map(|(_, postings)| postings.to_vec())
        .ok_or_else(|| {
            ApiError::unauthorized(format!(
                "signature does not match: expected the hex HMAC-SHA256 of token + triggeredAt \
                 keyed with the signature token of one of the {} webhook(s) configured in [ats.lever]",
                tokens.len()
            ))
            .with_field("signature")
        })?;
    check_fresh(&hook.triggered_at, state.clock.now())?;
    let token = hook.token.clone();
    let token = token.as_str();
    if token.is_empty() || token.len() > TOKEN_MAX {
        return Err(
            ApiError::bad_request(format!("token must be 1 to {TOKEN_MAX} characters"))
                .with_field("token"),
        );
    }
    if let Some(first) = inbound::seen(&state, Source::Lever, token).await? {
        let mut outcome: AtsOutcome = serde_json::from_str(&first)?;
        outcome.replayed = true;
        return Ok(axum::Json(outcome));
    }
    let outcome = handle(&state, &cfg, hook, &serves).await?;
    inbound::remember(
        &state,
        Source::Lever,
        token,
        &serde_json::to_string(&outcome)?,
    )
    .await?;
    Ok(axum::Json(outcome))
}

/// Refuses a delivery whose `triggeredAt` (milliseconds) is more than
/// [`TOLERANCE`] from `now`: beyond that its token is no longer remembered,
/// so a replay could not be told from a new delivery.
fn check_fresh(triggered_at: &serde_json::Number, now: crate::clock::Millis) -> ApiResult<()> {
    let at = triggered_at.as_i64().ok_or_else(|| {
        ApiError::unauthorized(format!(
            "triggeredAt {triggered_at} is not a time in milliseconds since the epoch"
        ))
        .with_field("triggeredAt")
    })?;
    if (now - at).abs() > TOLERANCE {
        return Err(ApiError::unauthorized(format!(
            "triggeredAt {at} is {} s from the server's clock; deliveries older (or newer) \
             than 5 minutes are refused",
            (now - at).abs() / 1000
        ))
        .with_field("triggeredAt"));
    }
    Ok(())
}

async fn handle(
    state: &AppState,
    cfg: &crate::ats::config::LeverConfig,
    hook: LeverWebhook,
    serves: &[String],
) -> ApiResult<AtsOutcome> {
    if hook.event != STAGE_CHANGE {
        return Ok(AtsOutcome::ignored(format!(
            "Lever event {:?} does not invite; only {STAGE_CHANGE} does",
            hook.event
        )));
    }
    let change: LeverStageChange = parse_value(hook.data, "data")?;
    // The body can only make us skip the API call, never invite.
    if change.to_stage_id != cfg.screening_stage {
        return Ok(AtsOutcome::ignored(format!(
            "stage {:?} is not the screening stage {:?}",
            change.to_stage_id, cfg.screening_stage
        )));
    }
    let opp_id = change.opportunity_id.trim();
    for (field, value) in [
        ("data.opportunityId", opp_id),
        (
            "data.candidateId",
            change.candidate_id.as_deref().unwrap_or_default(),
        ),
        (
            "data.fromStageId",
            change.from_stage_id.as_deref().unwrap_or_default(),
        ),
    ] {
        check_text(field, value)?;
    }
    if opp_id.is_empty() || opp_id.len() > 200 {
        return Err(ApiError::invalid(
            "data.opportunityId",
            "data.opportunityId must be 1 to 200 characters",
        ));
    }
    let opp = lever::opportunity(cfg, opp_id).await?;
    if opp.stage != cfg.screening_stage {
        return Ok(AtsOutcome::ignored(format!(
            "Lever says opportunity {opp_id:?} is in stage {:?}, not the screening stage {:?}",
            opp.stage, cfg.screening_stage
        )));
    }
    if !serves.is_empty() && !opp.postings.iter().any(|p| serves.contains(p)) {
        return Ok(AtsOutcome::ignored(format!(
            "opportunity {opp_id:?} is for posting(s) {:?}; the webhook that signed this \
             delivery serves {serves:?}",
            opp.postings
        )));
    }
    let role_id = lever::role_for(cfg, &opp).ok_or_else(|| {
        ApiError::invalid(
            "data.opportunityId",
            format!(
                "opportunity {opp_id:?} is for posting(s) {:?}, none of which is in \
                 [ats.lever.postings], and [ats.lever] sets no default role_id",
                opp.postings
            ),
        )
    })?;
    let invited = inbound::invite(
        state,
        Invite {
            source: Source::Lever,
            external_id: opp_id.to_string(),
            role_id,
            name: opp.name,
            email: opp.email,
            external_data: Some(serde_json::json!({
                "opportunity_id": opp_id,
                "candidate_id": change.candidate_id,
                "from_stage_id": change.from_stage_id,
                "to_stage_id": opp.stage,
                "postings": opp.postings,
            })),
        },
        &FieldNames {
            role_id: "role_id",
            name: "name",
            email: "emails",
            external_id: "data.opportunityId",
            external_data: "data",
        },
    )
    .await?;
    Ok(AtsOutcome::invited(&invited))
}
