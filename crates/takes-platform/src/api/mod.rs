//! The HTTP API: one module per resource, assembled into a router whose
//! OpenAPI document is generated from the same handler annotations, so the
//! document cannot miss a route.

mod accommodations;
mod assignments;
mod ats;
mod board;
pub(crate) mod calibration;
mod candidate;
mod health;
mod idempotency;
pub mod insights;
mod interviews;
mod invitations;
mod me;
mod media;
mod problems_doc;
mod process;
mod queue;
mod reliability;
mod results_page;
mod role_admin;
mod roles;
mod scorecard;
mod self_identification;
pub(crate) mod share_links;
mod tokens;
mod transcripts;
mod users;
mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::{Oversized, BODY_LIMIT};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "takes platform API",
        description = "The open platform API of `takes`: reviewer queues, blind per-question scoring, \
                       panels, decisions and media. Errors are `application/problem+json` (RFC 9457).",
        license(name = "MIT OR Apache-2.0")
    ),
    // Webhook payloads are not a response of any path; listed so receivers
    // find their shape in the document.
    components(schemas(takes_api::DecisionMadeData)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "meta", description = "Liveness and this document"),
        (name = "reviewing", description = "Queues, assignments, scores and panels"),
        (name = "decisions", description = "Recruiters' advance / reject / hold"),
        (name = "media", description = "Videos and transcripts, addressed by response id"),
        (name = "calibration", description = "Calibration sessions (everyone scores the same sample responses; \
                                             results after your own submit) and inter-rater reliability"),
        (name = "invitations", description = "Inviting candidates to an interview with a completion window; recruiters and admins"),
        (name = "candidate", description = "The candidate's own API, authenticated by the invitation's access secret \
                                           (`Authorization: Bearer SECRET` or `X-Candidate-Secret`), not a user token"),
        (name = "tokens", description = "API tokens: list your own with when each was last used, revoke them; \
                                        admins anyone's. Tokens are issued with `takes token create`"),
        (name = "process", description = "The hiring process as data: users, roles, versioned question sets \
                                           with rubrics, reviewer pools and intro videos; the whole process as one \
                                           document (export, plan, apply with If-Match); admins, and recruiters \
                                           for the roles they own"),
        (name = "users", description = "People who sign in and their tokens; admins only"),
        (name = "webhooks", description = "Outbound webhooks (Standard Webhooks signatures): endpoints, the delivery \
                                          log, dead letters and replay; admins only. Events: `invitation.sent`, \
                                          `invitation.expired`, `interview.completed`, `review.submitted`, \
                                          `interview.reviewed`, `candidate.advanced`/`.rejected`/`.held`, and \
                                          `decision.made`: exactly one per decision (any action), with the \
                                          interview, candidate, role, decision, reason, decided_by, decided_at \
                                          and the panel's score summary (`DecisionMadeData`); sent only to \
                                          endpoints that list it, since it restates the `candidate.*` event"),
        (name = "ats", description = "Inbound ATS integrations, each off until configured under [ats]: a generic \
                                     Standard-Webhooks-signed endpoint, the Greenhouse Assessment Partner API \
                                     (HTTP Basic with the API key) and Lever's signed stage-change webhook"),
        (name = "insights", description = "Process insights (docs/INSIGHTS.md): funnel, turnaround, score \
                                          distributions, muted-first shift, reliability drift; recruiters (their \
                                          roles) and admins, and every reviewer's own figures at /v1/insights/me")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Greenhouse sends the organisation's API key as the user name.
        components.add_security_scheme(
            "greenhouse_basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "candidate_secret",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The access secret from the candidate's invitation (`ci_…`), also accepted as \
                         `X-Candidate-Secret`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

fn split() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::openapi_json))
        .routes(routes!(me::me))
        .routes(routes!(queue::queue))
        .routes(routes!(assignments::get_assignment))
        .routes(routes!(assignments::put_score))
        .routes(routes!(assignments::submit))
        .routes(routes!(assignments::panel))
        .routes(routes!(interviews::list))
        .routes(routes!(interviews::decide))
        .routes(routes!(board::board))
        .routes(routes!(board::board_interview))
        .routes(routes!(board::sync::sync_states))
        .routes(routes!(board::actions::decide_bulk))
        .routes(routes!(board::actions::retry_sync))
        .routes(routes!(board::actions::remind_reviewers))
        .routes(routes!(board::actions::reassign_review))
        .routes(routes!(invitations::create))
        .routes(routes!(invitations::get_invitation))
        .routes(routes!(
            accommodations::get_accommodations,
            accommodations::put_accommodations
        ))
        .routes(routes!(roles::get_settings, roles::update_settings))
        .routes(routes!(roles::list, role_admin::create))
        .routes(routes!(roles::get_role, role_admin::update))
        .routes(routes!(role_admin::new_question_set))
        .routes(routes!(role_admin::put_reviewers))
        .routes(routes!(role_admin::put_recruiters))
        .routes(routes!(process::export, process::apply))
        .routes(routes!(process::plan))
        .routes(routes!(process::upload_intro_video))
        .routes(routes!(media::intro_video))
        .routes(routes!(process::upload_intro_captions))
        .routes(routes!(media::intro_captions))
        .routes(routes!(candidate::start_take))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::update))
        .routes(routes!(users::issue_token))
        .routes(routes!(candidate::interview))
        .routes(routes!(candidate::put_response))
        .routes(routes!(candidate::create_upload))
        .routes(routes!(candidate::upload_offset, candidate::upload_chunk))
        .routes(routes!(candidate::consent))
        .routes(routes!(candidate::speed_test))
        .routes(routes!(candidate::page))
        .routes(routes!(candidate::asset))
        .routes(routes!(media::media))
        .routes(routes!(media::transcript))
        .routes(routes!(transcripts::failures))
        .routes(routes!(calibration::list, calibration::create))
        .routes(routes!(calibration::get_session))
        .routes(routes!(calibration::put_score))
        .routes(routes!(calibration::submit))
        .routes(routes!(calibration::results))
        .routes(routes!(calibration::reveal))
        .routes(routes!(calibration::add_note))
        .routes(routes!(reliability::reliability))
        // Process insights (issue 15).
        .routes(routes!(insights::figures::get_funnel))
        .routes(routes!(insights::figures::get_turnaround))
        .routes(routes!(insights::figures::get_scores))
        .routes(routes!(insights::figures::get_shift))
        .routes(routes!(insights::figures::get_reliability))
        .routes(routes!(insights::me::get_me))
        .routes(routes!(insights::alerts::get_alerts))
        .routes(routes!(insights::validity::get_validity))
        .routes(routes!(insights::validity::put_outcome))
        .routes(routes!(insights::import::import_outcomes))
        .routes(routes!(insights::adverse_impact::get_adverse_impact))
        .routes(routes!(self_identification::put_self_identification))
        .routes(routes!(scorecard::scorecard))
        .routes(routes!(share_links::create, share_links::list))
        .routes(routes!(share_links::revoke))
        .routes(routes!(results_page::results))
        .routes(routes!(tokens::list_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(webhooks::create_endpoint, webhooks::list_endpoints))
        .routes(routes!(
            webhooks::get_endpoint,
            webhooks::update_endpoint,
            webhooks::delete_endpoint
        ))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::get_delivery))
        .routes(routes!(webhooks::replay_delivery))
        .routes(routes!(webhooks::replay_event))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(ats::generic::inbound))
        .routes(routes!(ats::greenhouse::list_tests))
        .routes(routes!(ats::greenhouse::send_test))
        .routes(routes!(ats::greenhouse::test_status))
        .routes(routes!(ats::greenhouse::response_error))
        .routes(routes!(ats::lever::webhook))
        .routes(routes!(ats::notices::list_notices))
        .routes(routes!(ats::lever_writebacks::list_writebacks))
        .routes(routes!(ats::lever_writebacks::retry_writeback))
        .split_for_parts();
    problems_doc::document_problems(&mut doc);
    (router, doc)
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (router, doc) = split();
    let json = doc.to_pretty_json().unwrap_or_else(|_| "{}".to_string());
    health::publish(json);
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            wake_webhooks,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard_body,
        ))
        .layer(CatchPanicLayer::custom(panic_to_problem))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Guards every request body before any handler sees it, without reading
/// it: a body that stalls longer than `[http] body_read_timeout_seconds`
/// between chunks fails, and a body declared larger than [`BODY_LIMIT`] is
/// kept away from the handler. The handler still authenticates first (its
/// extractors run in order, the credentials before the body), so an
/// unauthenticated client gets 401 without a byte of its body being held,
/// and an authenticated one gets 413 from the `Json` extractor (see
/// [`crate::extract::Oversized`]). The unread body is then drained in the
/// background, discarded as it arrives, up to a cap and under the same
/// timeout: closing a socket with unread data makes the kernel send a reset
/// that can destroy the answer before the client reads it. Any other body
/// a handler drops unread (an upload refused by its credentials) is
/// drained the same way ([`crate::extract::DrainOnDrop`]).
async fn guard_body(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    const DRAIN_CAP: u64 = 4 * 1024 * 1024;
    let timeout = state.config.http.body_timeout();
    let (mut parts, body) = req.into_parts();
    let body = axum::body::Body::new(tower_http::timeout::TimeoutBody::new(timeout, body));
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.parse::<u64>().ok());
    // Answer uploads and intro videos stream to disk under their own,
    // larger limit; process documents have theirs.
    let upload = parts.uri.path().starts_with("/v1/candidate/responses/")
        || parts.uri.path().starts_with("/v1/process");
    match declared {
        Some(len) if len > BODY_LIMIT as u64 && !upload => {
            // Inbound ATS calls are authenticated by a signature over the
            // body itself, so there is nothing to check first.
            let response = if parts.uri.path().starts_with("/v1/ats/") {
                crate::extract::too_large(len).into_response()
            } else {
                parts.extensions.insert(Oversized(len));
                next.run(axum::extract::Request::from_parts(
                    parts,
                    axum::body::Body::empty(),
                ))
                .await
            };
            if len <= DRAIN_CAP {
                tokio::spawn(crate::extract::discard(body, DRAIN_CAP));
            }
            response
        }
        _ => {
            // A handler that refuses before reading (credentials, an
            // unknown question) leaves the rest to be drained.
            let body = axum::body::Body::new(crate::extract::DrainOnDrop::new(body, DRAIN_CAP));
            next.run(axum::extract::Request::from_parts(parts, body))
                .await
        }
    }
}

/// Wakes the webhook worker after every successful write: handlers write
/// events inside their transaction, and only once the handler has returned
/// is that transaction committed and the event visible to the worker.
async fn wake_webhooks(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let write = !req.method().is_safe();
    let response = next.run(req).await;
    if write && response.status().is_success() {
        state.webhooks.wake();
    }
    response
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no endpoint at {}", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!("{} is not allowed on {}", method, uri.path()),
    )
}

fn panic_to_problem(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    let mut r =
        ApiError::internal("the server hit a bug; the request changed nothing").into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
