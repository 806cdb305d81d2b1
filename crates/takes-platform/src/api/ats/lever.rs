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
/// screening stage in Lever, reading name and email from the Lever API.
/// Idempotent on the opportunity: Lever's retries and later moves back
/// into the stage return the first invitation.
#[utoipa::path(post, path = "/v1/ats/lever/webhook", tag = "ats", security(()),
    request_body = LeverWebhook,
    responses((status = 200, body = AtsOutcome), (status = 400, body = Problem),
              (status = 401, description = "The signature does not match; nothing was done", body = Problem),
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
    if !verify_lever(
        cfg.signature_token.expose(),
        &hook.token,
        &hook.triggered_at.to_string(),
        &hook.signature,
    ) {
        return Err(ApiError::unauthorized(
            "signature does not match: expected the hex HMAC-SHA256 of token + triggeredAt \
             keyed with the signature token configured in [ats.lever]",
        )
        .with_field("signature"));
    }
    if hook.event != STAGE_CHANGE {
        return Ok(axum::Json(AtsOutcome::ignored(format!(
            "Lever event {:?} does not invite; only {STAGE_CHANGE} does",
            hook.event
        ))));
    }
    let change: LeverStageChange = parse_value(hook.data, "data")?;
    if change.to_stage_id != cfg.screening_stage {
        return Ok(axum::Json(AtsOutcome::ignored(format!(
            "stage {:?} is not the screening stage {:?}",
            change.to_stage_id, cfg.screening_stage
        ))));
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
    let opp = lever::opportunity(&cfg, opp_id).await?;
    let role_id = lever::role_for(&cfg, &opp).ok_or_else(|| {
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
        &state,
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
                "to_stage_id": change.to_stage_id,
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
    Ok(axum::Json(AtsOutcome::invited(&invited)))
}
