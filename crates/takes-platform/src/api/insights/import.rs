//! `POST /v1/outcomes/import`: many outcomes in one transaction, so a
//! file (`takes outcomes import`) is recorded whole or not at all. Each
//! item names its interview by id or by its candidate's email.

use axum::extract::State;
use takes_api::insights::{OutcomeImport, OutcomeImportItem, OutcomeImportReceipt};
use takes_api::{Problem, UserRole};

use super::require_staff;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{check_text, Json};
use crate::state::AppState;
use crate::store::audit;
use crate::store::board::writes;
use crate::store::insights::outcomes::{self, Outcome};
use sqlx::AnyConnection;

/// More than a year of hires for a large organisation; larger files are
/// split by the caller.
pub const MAX_ITEMS: usize = 10_000;

fn finite(field: String, v: Option<f64>) -> ApiResult<()> {
    match v {
        Some(x) if !x.is_finite() => Err(ApiError::invalid(
            &field,
            format!("{field} must be a finite number"),
        )),
        _ => Ok(()),
    }
}

/// The interview an item means, checked against what the caller may see.
async fn interview_of(
    conn: &mut AnyConnection,
    caller: &Caller,
    i: usize,
    item: &OutcomeImportItem,
) -> ApiResult<String> {
    let admin = caller.role == UserRole::Admin;
    match (item.interview_id.as_deref(), item.candidate.as_deref()) {
        (Some(id), None) => {
            let field = format!("items[{i}].interview_id");
            check_text(&field, id)?;
            let role = writes::role_of(conn, id).await?.ok_or_else(|| {
                ApiError::invalid(&field, format!("{field}: no interview {id:?}"))
            })?;
            if !admin && !writes::recruits_for(conn, &caller.id, &role).await? {
                return Err(ApiError::forbidden(format!(
                    "{field}: {} does not recruit for interview {id:?}'s role",
                    caller.name
                )));
            }
            Ok(id.to_string())
        }
        (None, Some(email)) => {
            let field = format!("items[{i}].candidate");
            check_text(&field, email)?;
            let found = outcomes::completed_of_candidate(conn, email, admin, &caller.id).await?;
            match found.as_slice() {
                [(id, _)] => Ok(id.clone()),
                [] => Err(ApiError::invalid(
                    &field,
                    format!(
                        "{field}: no completed interview of a candidate {email:?} in your roles"
                    ),
                )),
                many => Err(ApiError::invalid(
                    &field,
                    format!(
                        "{field}: {email:?} has {} completed interviews; name one by interview_id",
                        many.len()
                    ),
                )),
            }
        }
        _ => Err(ApiError::invalid(
            &format!("items[{i}]"),
            format!("items[{i}]: give exactly one of interview_id and candidate"),
        )),
    }
}

/// Records many outcomes at once (admins, and recruiters for their roles'
/// interviews): all of them, or none when any item is wrong. Recording
/// the same outcomes again changes nothing.
#[utoipa::path(post, path = "/v1/outcomes/import", tag = "insights",
    request_body = OutcomeImport,
    responses((status = 200, body = OutcomeImportReceipt), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn import_outcomes(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<OutcomeImport>,
) -> ApiResult<axum::Json<OutcomeImportReceipt>> {
    require_staff(&caller)?;
    if body.items.len() > MAX_ITEMS {
        return Err(ApiError::invalid(
            "items",
            format!(
                "items: {} outcomes, at most {MAX_ITEMS} per import",
                body.items.len()
            ),
        ));
    }
    for (i, item) in body.items.iter().enumerate() {
        finite(format!("items[{i}].performance_6m"), item.performance_6m)?;
        finite(format!("items[{i}].performance_12m"), item.performance_12m)?;
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let mut seen = std::collections::HashMap::new();
    let (mut changed, mut unchanged) = (0, 0);
    for (i, item) in body.items.iter().enumerate() {
        let id = interview_of(&mut w.tx, &caller, i, item).await?;
        if let Some(first) = seen.insert(id.clone(), i) {
            return Err(ApiError::invalid(
                &format!("items[{i}]"),
                format!("items[{i}]: the same interview as items[{first}]"),
            ));
        }
        let outcome = Outcome {
            hired: item.hired,
            performance_6m: item.performance_6m,
            performance_12m: item.performance_12m,
            employed_12m: item.employed_12m,
        };
        if outcomes::get(&mut w.tx, &id).await?.as_ref() == Some(&outcome) {
            unchanged += 1;
            continue;
        }
        changed += 1;
        outcomes::put(&mut w.tx, &id, &outcome, now).await?;
        audit::record_by(
            &mut w.tx,
            now,
            &caller.id,
            "outcome.recorded",
            ("interview", &id),
            serde_json::json!({
                "hired": item.hired,
                "performance_6m": item.performance_6m,
                "performance_12m": item.performance_12m,
                "employed_12m": item.employed_12m,
                "imported": true,
            }),
        )
        .await?;
    }
    w.commit().await?;
    Ok(axum::Json(OutcomeImportReceipt { changed, unchanged }))
}
