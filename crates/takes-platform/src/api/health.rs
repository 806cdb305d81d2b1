use std::sync::OnceLock;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use takes_api::Health;

use crate::state::AppState;

/// Liveness; needs no token.
#[utoipa::path(get, path = "/v1/health", tag = "meta", security(()),
    responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database: state.db.backend.as_str().into(),
    })
}

/// This document (OpenAPI 3.1); needs no token.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI_JSON.get().map_or("{}", String::as_str).to_owned(),
    )
}

/// The document as served, rendered once by `api::router` (the only way to
/// reach [`openapi_json`]), so this handler does not depend on the router.
static OPENAPI_JSON: OnceLock<String> = OnceLock::new();

pub(super) fn publish(json: String) {
    let _ = OPENAPI_JSON.set(json);
}
