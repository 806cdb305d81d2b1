use axum::extract::State;
use serde::Deserialize;
use takes_api::{AssignmentStatus, Problem, QueuePage};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;
use crate::store::assignments::{self as store, QueueFilter};
use crate::store::page::PageRequest;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Page size, 1 to 500 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Only assignments in this state: `pending`, `in_progress`, `submitted`.
    status: Option<String>,
    /// Text to find, case-insensitively, in the candidate's name as the
    /// caller may see it (the pseudonym until they submitted), the role's
    /// title or its department.
    q: Option<String>,
    /// Only assignments for this job role title.
    role: Option<String>,
    /// RFC 3339 time; `counts.submitted_since` counts submissions since it.
    since: Option<String>,
}

/// `%text%` for LIKE, with LIKE's own wildcards escaped.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The caller's assignments, closest review-by date first.
#[utoipa::path(get, path = "/v1/queue", tag = "reviewing", params(QueueParams),
    responses((status = 200, body = QueuePage), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<QueueParams>,
) -> ApiResult<axum::Json<QueuePage>> {
    PageRequest::check_limit(params.limit)?;
    let status = match params.status.as_deref() {
        None | Some("") => String::new(),
        Some(s) => AssignmentStatus::parse(s)
            .ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    format!("status {s:?} is not one of pending, in_progress, submitted"),
                )
            })?
            .as_str()
            .to_string(),
    };
    let q = params.q.as_deref().map(str::trim).unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(ApiError::invalid("q", "q is longer than 200 characters"));
    }
    crate::extract::check_text("q", q)?;
    let pattern = if q.is_empty() {
        String::new()
    } else {
        like_pattern(q)
    };
    let role = params.role.clone().unwrap_or_default();
    crate::extract::check_text("role", &role)?;
    let since = match params.since.as_deref() {
        None | Some("") => None,
        Some(s) => Some(crate::clock::parse_rfc3339(s).ok_or_else(|| {
            ApiError::invalid("since", format!("since {s:?} is not an RFC 3339 time"))
        })?),
    };
    let page = PageRequest::ascending(params.limit, params.cursor.as_deref())?;
    let filter = QueueFilter {
        status,
        pattern,
        role,
        since,
    };
    let mut conn = state.db.pool.acquire().await?;
    let page = store::queue(&mut conn, &caller.id, &filter, &page).await?;
    Ok(axum::Json(page))
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Heron"), "%heron%");
        assert_eq!(like_pattern("50%_a"), "%50\\%\\_a%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
    }
}
