//! The sync states of a few interviews, for a board that watches its
//! decisions reach the ATS: far less than a page or an opened interview,
//! so the workstation can ask every couple of seconds while a delivery is
//! under way.

use std::collections::HashMap;

use axum::extract::State;
use serde::Deserialize;
use takes_api::board::{BoardSync, BoardSyncStates};
use takes_api::{Problem, UserRole};
use utoipa::IntoParams;

use super::{assemble, require_board};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;
use crate::store::board::{self, writes, Which};

/// A board shows a screenful; a poll never needs more.
pub const SYNC_MAX: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// Interview ids, comma-separated (1 to 100).
    ids: Option<String>,
}

fn ids_of(raw: Option<&str>) -> ApiResult<Vec<String>> {
    let ids: Vec<String> = raw
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() || ids.len() > SYNC_MAX {
        return Err(ApiError::invalid(
            "ids",
            format!(
                "ids must list 1 to {SYNC_MAX} interviews, comma-separated, got {}",
                ids.len()
            ),
        ));
    }
    for (n, id) in ids.iter().enumerate() {
        crate::extract::check_text("ids", id)?;
        if ids[..n].contains(id) {
            return Err(ApiError::invalid(
                "ids",
                format!("interview {id:?} is listed twice"),
            ));
        }
    }
    Ok(ids)
}

/// Each listed interview's latest decision and its delivery to the ATS.
/// All or nothing: an unknown interview is 404, interviews of roles the
/// caller does not recruit for are 403 (all named).
#[utoipa::path(get, path = "/v1/board/sync", tag = "decisions", params(SyncParams),
    responses((status = 200, body = BoardSyncStates), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn sync_states(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<SyncParams>,
) -> ApiResult<axum::Json<BoardSyncStates>> {
    require_board(&caller)?;
    let ids = ids_of(p.ids.as_deref())?;
    let mut conn = state.db.pool.acquire().await?;
    let rows = board::rows(&mut conn, Which::Ids(&ids)).await?;
    let role_of: HashMap<&str, &str> = rows
        .interviews
        .iter()
        .map(|i| (i.id.as_str(), i.role_id.as_str()))
        .collect();
    let unknown: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !role_of.contains_key(id))
        .collect();
    if !unknown.is_empty() {
        return Err(
            ApiError::not_found(format!("no interview {}", unknown.join(", "))).with_field("ids"),
        );
    }
    if caller.role != UserRole::Admin {
        let mut allowed: HashMap<&str, bool> = HashMap::new();
        let mut forbidden = Vec::new();
        for id in &ids {
            let role = role_of.get(id.as_str()).copied().unwrap_or_default();
            let ok = match allowed.get(role) {
                Some(ok) => *ok,
                None => {
                    let ok = writes::recruits_for(&mut conn, &caller.id, role).await?;
                    allowed.insert(role, ok);
                    ok
                }
            };
            if !ok {
                forbidden.push(id.as_str());
            }
        }
        if !forbidden.is_empty() {
            return Err(ApiError::forbidden(format!(
                "{} does not recruit for the roles of interviews {}",
                caller.name,
                forbidden.join(", ")
            ))
            .with_field("ids"));
        }
    }
    let mut built: HashMap<String, BoardSync> = assemble::items(rows, state.clock.now())?
        .into_iter()
        .map(|(i, _)| {
            (
                i.id.clone(),
                BoardSync {
                    id: i.id,
                    decision: i.decision,
                    sync: i.sync,
                },
            )
        })
        .collect();
    let items = ids.iter().filter_map(|id| built.remove(id)).collect();
    Ok(axum::Json(BoardSyncStates { items }))
}
