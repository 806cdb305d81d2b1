//! `POST /v1/ats/inbound`: candidate events from Zapier, Make or custom
//! code, signed per Standard Webhooks with the `[ats.generic]` secret.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use takes_api::Problem;
use utoipa::ToSchema;

use super::{not_configured, parse_json, parse_value, raw_body, AtsOutcome};
use crate::ats::config::GenericConfig;
use crate::ats::inbound::{self, FieldNames, Invite, Source};
use crate::ats::signature::{verify_standard, StandardHeaders};
use crate::error::{ApiError, ApiResult};
use crate::extract::check_text;
use crate::state::AppState;

/// The one event type that invites.
pub const STAGE_CHANGED: &str = "candidate.stage_changed";

const TEXT_MAX_CHARS: usize = 500;
/// Message ids are kept to recognise replays; senders use short ones.
const MESSAGE_ID_MAX: usize = 256;

/// An inbound event. Types other than `candidate.stage_changed` are
/// acknowledged and ignored, so a Zap may send everything it has.
// Describes the body in the OpenAPI document; parsing goes through
// `Envelope`, so events of other types need not have this `data`.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct InboundEvent {
    /// `candidate.stage_changed`
    #[serde(rename = "type")]
    pub kind: String,
    pub data: StageChanged,
}

/// A candidate moved to `stage` of a job.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StageChanged {
    /// The stage entered; the configured screening stage (default
    /// `screening`, compared without regard to case) sends the invitation.
    pub stage: String,
    /// Our role id. Give this or `job_id`.
    #[serde(default)]
    pub role_id: Option<String>,
    /// The sender's job id, mapped to a role by `[ats.generic.jobs]`.
    #[serde(default)]
    pub job_id: Option<String>,
    pub candidate: InboundCandidate,
    /// The sender's id of this application. Repeats of an application (or,
    /// without one, of `candidate.id`) return the first invitation.
    #[serde(default)]
    pub application_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InboundCandidate {
    /// The sender's candidate id.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub email: String,
}

/// The type first, so other event types need not match our data shape.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: serde_json::Value,
}

/// Invites a candidate who entered the screening stage in the sender's
/// ATS. Signed per Standard Webhooks: `webhook-signature` is `v1,` +
/// base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with
/// the `whsec_` secret of `[ats.generic]`; the timestamp may be at most
/// five minutes off. Idempotent twice over: a `webhook-id` seen before
/// gets the first answer back, and a repeated application (or candidate)
/// id returns its existing invitation without sending another.
#[utoipa::path(post, path = "/v1/ats/inbound", tag = "ats", security(()),
    request_body = InboundEvent,
    params(
        ("webhook-id" = String, Header, description = "Unique message id; repeats are answered without effect"),
        ("webhook-timestamp" = i64, Header, description = "Seconds since the Unix epoch"),
        ("webhook-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256>`, several separated by spaces"),
    ),
    responses((status = 200, body = AtsOutcome), (status = 400, body = Problem),
              (status = 401, description = "Missing, stale or wrong signature; nothing was done", body = Problem),
              (status = 404, description = "`[ats.generic]` is not configured", body = Problem),
              (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<AtsOutcome>> {
    let cfg = state
        .config
        .ats
        .generic
        .clone()
        .ok_or_else(|| not_configured("generic inbound", "[ats.generic]"))?;
    let body = raw_body(body)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = StandardHeaders {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
    };
    verify_standard(cfg.secret.key(), &signed, &body, state.clock.now())
        .map_err(|r| ApiError::unauthorized(r.detail()).with_field(r.field()))?;
    // Verified above, so present.
    let message_id = signed.id.unwrap_or_default().to_string();
    if message_id.len() > MESSAGE_ID_MAX {
        return Err(ApiError::bad_request(format!(
            "webhook-id is longer than {MESSAGE_ID_MAX} characters"
        ))
        .with_field("webhook-id"));
    }
    if let Some(first) = inbound::seen(&state, Source::Generic, &message_id).await? {
        let mut outcome: AtsOutcome = serde_json::from_str(&first)?;
        outcome.replayed = true;
        return Ok(axum::Json(outcome));
    }
    let outcome = handle(&state, &cfg, &body).await?;
    inbound::remember(
        &state,
        Source::Generic,
        &message_id,
        &serde_json::to_string(&outcome)?,
    )
    .await?;
    Ok(axum::Json(outcome))
}

async fn handle(state: &AppState, cfg: &GenericConfig, body: &[u8]) -> ApiResult<AtsOutcome> {
    let envelope: Envelope = parse_json(body)?;
    if envelope.kind != STAGE_CHANGED {
        return Ok(AtsOutcome::ignored(format!(
            "events of type {:?} do not invite; only {STAGE_CHANGED} does",
            envelope.kind
        )));
    }
    let d: StageChanged = parse_value(envelope.data, "data")?;
    if !d
        .stage
        .trim()
        .eq_ignore_ascii_case(cfg.screening_stage.trim())
    {
        return Ok(AtsOutcome::ignored(format!(
            "stage {:?} is not the screening stage {:?}",
            d.stage, cfg.screening_stage
        )));
    }
    let role_id = match (&d.role_id, &d.job_id) {
        (Some(role), _) if !role.trim().is_empty() => role.trim().to_string(),
        (_, Some(job)) if !job.trim().is_empty() => {
            cfg.jobs.get(job.trim()).cloned().ok_or_else(|| {
                ApiError::invalid(
                    "data.job_id",
                    format!(
                        "data.job_id {job:?} is not mapped to a role; add it to [ats.generic.jobs] \
                         or send data.role_id"
                    ),
                )
            })?
        }
        _ => {
            return Err(ApiError::invalid(
                "data.role_id",
                "data.role_id or data.job_id is needed to know which interview to send",
            ))
        }
    };
    let external_id = [&d.application_id, &d.candidate.id]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::invalid(
                "data.application_id",
                "data.application_id or data.candidate.id is needed so that repeats of this \
                 event invite the candidate only once",
            )
        })?;
    for (field, value) in [
        ("data.stage", d.stage.as_str()),
        ("data.application_id", external_id.as_str()),
        (
            "data.candidate.id",
            d.candidate.id.as_deref().unwrap_or_default(),
        ),
        ("data.job_id", d.job_id.as_deref().unwrap_or_default()),
        ("data.candidate.name", d.candidate.name.as_str()),
        ("data.candidate.email", d.candidate.email.as_str()),
    ] {
        check_text(field, value)?;
        if value.chars().count() > TEXT_MAX_CHARS {
            return Err(ApiError::invalid(
                field,
                format!("{field} is longer than {TEXT_MAX_CHARS} characters"),
            ));
        }
    }
    let invited = inbound::invite(
        state,
        Invite {
            source: Source::Generic,
            external_data: Some(serde_json::json!({
                "application_id": d.application_id,
                "candidate_id": d.candidate.id,
                "job_id": d.job_id,
                "stage": d.stage,
            })),
            external_id,
            role_id,
            name: d.candidate.name.trim().to_string(),
            email: d.candidate.email.trim().to_string(),
        },
        &FieldNames {
            role_id: if d.role_id.is_some() {
                "data.role_id"
            } else {
                "data.job_id"
            },
            name: "data.candidate.name",
            email: "data.candidate.email",
            external_id: "data.application_id",
            external_data: "data",
        },
    )
    .await?;
    Ok(AtsOutcome::invited(&invited))
}
