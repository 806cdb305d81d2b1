//! The Greenhouse Assessment Partner API, which Greenhouse calls: `list_tests`,
//! `send_test`, `test_status` and `response_error`, each with the
//! organisation's API key as the HTTP Basic user name.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use takes_api::Problem;
use utoipa::{IntoParams, ToSchema};

use super::{not_configured, parse_json, raw_body};
use crate::ats::config::{GreenhouseConfig, Organisation};
use crate::ats::greenhouse as gh;
use crate::ats::inbound::{self, FieldNames, Invite, Source};
use crate::ats::signature::basic_user;
use crate::error::ApiError;
use crate::extract::{check_text, Query};
use crate::state::AppState;

const TEXT_MAX_CHARS: usize = 500;

/// Greenhouse, proven by the API key; carries the `[ats.greenhouse]` table
/// and the organisation whose key it was (`None`: the single `api_key`).
pub struct Greenhouse(pub GreenhouseConfig, pub Organisation);

/// A refusal that asks for Basic credentials.
pub struct GreenhouseError(ApiError);

impl From<ApiError> for GreenhouseError {
    fn from(e: ApiError) -> Self {
        GreenhouseError(e)
    }
}

impl From<sqlx::Error> for GreenhouseError {
    fn from(e: sqlx::Error) -> Self {
        GreenhouseError(e.into())
    }
}

impl IntoResponse for GreenhouseError {
    fn into_response(self) -> Response {
        let unauthorized = self.0.status == axum::http::StatusCode::UNAUTHORIZED;
        let mut r = self.0.into_response();
        if unauthorized {
            r.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"takes Greenhouse integration\""),
            );
        }
        r
    }
}

impl FromRequestParts<AppState> for Greenhouse {
    type Rejection = GreenhouseError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let cfg = state
            .config
            .ats
            .greenhouse
            .clone()
            .ok_or_else(|| not_configured("Greenhouse", "[ats.greenhouse]"))?;
        let user = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(basic_user)
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "send the Greenhouse API key as the user name of HTTP Basic authentication \
                     (`Authorization: Basic base64(KEY:)`)",
                )
                .with_field("Authorization")
            })?;
        let Some(organisation) = cfg.organisation_of(&user) else {
            return Err(ApiError::unauthorized(
                "the API key in the Authorization header is not one configured in [ats.greenhouse]",
            )
            .with_field("Authorization")
            .into());
        };
        Ok(Greenhouse(cfg, organisation))
    }
}

/// A test Greenhouse can send: one of our roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerTestView {
    /// Our role id.
    pub partner_test_id: String,
    /// The role's title and department.
    pub partner_test_name: String,
}

/// The tests (our roles with interview questions) Greenhouse can send:
/// the roles of the organisation whose key called.
#[utoipa::path(get, path = "/v1/ats/greenhouse/list_tests", tag = "ats",
    security(("greenhouse_basic" = [])),
    responses((status = 200, body = [PartnerTestView]), (status = 401, body = Problem),
              (status = 404, description = "`[ats.greenhouse]` is not configured", body = Problem)))]
pub async fn list_tests(
    State(state): State<AppState>,
    Greenhouse(cfg, organisation): Greenhouse,
) -> Result<axum::Json<Vec<PartnerTestView>>, GreenhouseError> {
    let tests = gh::tests(&state, &cfg, organisation.as_deref()).await?;
    Ok(axum::Json(
        tests
            .into_iter()
            .map(|t| PartnerTestView {
                partner_test_id: t.id,
                partner_test_name: t.name,
            })
            .collect(),
    ))
}

/// Greenhouse's send_test request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendTestRequest {
    /// From list_tests: our role id.
    pub partner_test_id: String,
    pub candidate: GreenhouseCandidate,
    /// Where to PATCH when the results are ready.
    pub url: String,
    /// The Greenhouse user who sent the test (kept with the invitation).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub sent_by: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GreenhouseCandidate {
    pub first_name: String,
    pub last_name: String,
    /// The name the candidate goes by; when given, it is the display name
    /// (with the last name) in invitations and reviews.
    #[serde(default)]
    pub preferred_name: Option<String>,
    pub email: String,
    /// The candidate's application in Greenhouse. Other fields Greenhouse
    /// sends (`resume_url`, `phone_number`) are not kept.
    #[serde(default)]
    pub greenhouse_profile_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SendTestResponse {
    /// Our interview id; Greenhouse asks test_status about it.
    pub partner_interview_id: String,
}

/// Invites the candidate to the role's interview. Idempotent on the
/// Greenhouse test (`url`): a repeated send_test returns the same
/// `partner_interview_id` and sends nothing new. A role of another
/// organisation is refused like an unknown test (422, `partner_test_id`).
#[utoipa::path(post, path = "/v1/ats/greenhouse/send_test", tag = "ats",
    security(("greenhouse_basic" = [])),
    request_body = SendTestRequest,
    responses((status = 200, body = SendTestResponse), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn send_test(
    State(state): State<AppState>,
    Greenhouse(cfg, organisation): Greenhouse,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<SendTestResponse>, GreenhouseError> {
    let body: SendTestRequest = parse_json(&raw_body(body)?)?;
    let c = &body.candidate;
    let first = c.first_name.trim();
    let last = c.last_name.trim();
    let preferred = c
        .preferred_name
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    for (field, value) in [
        ("partner_test_id", body.partner_test_id.as_str()),
        ("url", body.url.as_str()),
        ("candidate.first_name", first),
        ("candidate.last_name", last),
        ("candidate.preferred_name", preferred),
        ("candidate.email", c.email.as_str()),
        (
            "candidate.greenhouse_profile_url",
            c.greenhouse_profile_url.as_deref().unwrap_or_default(),
        ),
    ] {
        check_text(field, value)?;
        if value.chars().count() > TEXT_MAX_CHARS {
            return Err(ApiError::invalid(
                field,
                format!("{field} is longer than {TEXT_MAX_CHARS} characters"),
            )
            .into());
        }
    }
    gh::check_callback(&cfg, &body.url)?;
    gh::check_test(&cfg, organisation.as_deref(), body.partner_test_id.trim())?;
    let shown = if preferred.is_empty() {
        first
    } else {
        preferred
    };
    let name = format!("{shown} {last}").trim().to_string();
    let invited = inbound::invite(
        &state,
        Invite {
            source: Source::Greenhouse,
            external_id: body.url.clone(),
            role_id: body.partner_test_id.clone(),
            name,
            email: c.email.trim().to_string(),
            external_data: Some(serde_json::json!({
                "url": body.url,
                "partner_test_id": body.partner_test_id,
                "greenhouse_profile_url": c.greenhouse_profile_url,
                "first_name": first,
                "preferred_name": (!preferred.is_empty()).then_some(preferred),
                "sent_by": body.sent_by,
            })),
        },
        &FieldNames {
            role_id: "partner_test_id",
            name: "candidate.first_name",
            email: "candidate.email",
            external_id: "url",
            external_data: "candidate.greenhouse_profile_url",
        },
    )
    .await?;
    gh::record_test(
        &state,
        gh::Sent {
            interview_id: &invited.interview_id,
            partner_test_id: &body.partner_test_id,
            patch_url: &body.url,
            profile_url: c.greenhouse_profile_url.as_deref(),
            organisation: organisation.as_deref(),
        },
    )
    .await?;
    Ok(axum::Json(SendTestResponse {
        partner_interview_id: invited.interview_id,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TestStatusParams {
    /// From send_test.
    pub partner_interview_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestStatusResponse {
    /// `complete` once results exist: every assigned review is submitted
    /// (or a recruiter decided, closing the review). Before that
    /// `invited`, `started`, `expired`, or `awaiting_review` once the
    /// candidate has answered everything, so Greenhouse keeps polling.
    pub partner_status: String,
    /// The interview's results page: HTML that opens without an API token
    /// (a share link; the same URL on every poll while it works).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_profile_url: Option<String>,
    /// Mean rating of the reviewers, once all assigned reviewers submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_score: Option<f64>,
    /// Flat details Greenhouse shows beside the score.
    #[schema(value_type = Object)]
    pub metadata: Map<String, Value>,
}

/// A test's status, score and details.
#[utoipa::path(get, path = "/v1/ats/greenhouse/test_status", tag = "ats",
    security(("greenhouse_basic" = [])), params(TestStatusParams),
    responses((status = 200, body = TestStatusResponse), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn test_status(
    State(state): State<AppState>,
    Greenhouse(cfg, organisation): Greenhouse,
    Query(params): Query<TestStatusParams>,
) -> Result<axum::Json<TestStatusResponse>, GreenhouseError> {
    let id = params.partner_interview_id.trim();
    check_text("partner_interview_id", id)?;
    // Links come from configuration only: the Host header is the caller's
    // to choose, and a link built from it would point reviewers wherever
    // the caller likes.
    let status = gh::status(&state, &cfg, organisation.as_deref(), id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("no test was sent with partner_interview_id {id:?}"))
                .with_field("partner_interview_id")
        })?;
    Ok(axum::Json(TestStatusResponse {
        partner_status: status.partner_status,
        partner_profile_url: status.partner_profile_url,
        partner_score: status.partner_score,
        metadata: status.metadata,
    }))
}

/// What Greenhouse reports about an answer of ours it could not use.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ResponseErrorReport {
    /// Which call's answer was malformed.
    pub api_call: String,
    pub errors: Vec<String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseErrorAck {
    pub status: u16,
}

/// Greenhouse reporting a malformed answer; logged for operators. The
/// body is read as JSON whatever its Content-Type says.
#[utoipa::path(post, path = "/v1/ats/greenhouse/response_error", tag = "ats",
    security(("greenhouse_basic" = [])), request_body = ResponseErrorReport,
    responses((status = 200, body = ResponseErrorAck), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn response_error(
    _greenhouse: Greenhouse,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<ResponseErrorAck>, GreenhouseError> {
    let report: ResponseErrorReport = parse_json(&raw_body(body)?)?;
    tracing::warn!(api_call = %report.api_call, errors = ?report.errors, details = ?report.other,
        "Greenhouse could not use an answer of ours");
    Ok(axum::Json(ResponseErrorAck { status: 200 }))
}
