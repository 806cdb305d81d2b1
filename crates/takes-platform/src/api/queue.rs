use axum::extract::State;
use serde::Deserialize;
use sqlx::Row;
use takes_api::{AssignmentStatus, JobRoleView, Problem, QueueCounts, QueueItem, QueuePage};
use utoipa::IntoParams;

use super::rows;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::cursor;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::AppState;

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
    let limit = cursor::limit(params.limit)?;
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
    let (after_due, after_id) = match params.cursor.as_deref() {
        Some(c) if !c.is_empty() => cursor::decode(c)?,
        _ => (i64::MIN, String::new()),
    };
    let rows = sqlx::query(
        "SELECT a.id, a.interview_id, a.status, a.assigned_at, a.due_at, a.submitted_at, \
                c.name, c.pseudonym, r.title, r.department, \
                (SELECT COUNT(*) FROM questions q WHERE q.question_set_id = i.question_set_id) AS question_count, \
                (SELECT COUNT(*) FROM scores s WHERE s.assignment_id = a.id) AS scored_count \
         FROM assignments a \
         JOIN interviews i ON i.id = a.interview_id \
         JOIN candidates c ON c.id = i.candidate_id \
         JOIN job_roles r ON r.id = i.job_role_id \
         WHERE a.reviewer_id = $1 AND ($2 = '' OR a.status = $2) \
           AND (a.due_at > $3 OR (a.due_at = $3 AND a.id > $4)) \
           AND ($6 = '' OR LOWER(CASE WHEN a.status = 'submitted' THEN c.name ELSE c.pseudonym END) LIKE $6 ESCAPE '\\' \
                OR LOWER(r.title) LIKE $6 ESCAPE '\\' OR LOWER(r.department) LIKE $6 ESCAPE '\\') \
           AND ($7 = '' OR r.title = $7) \
         ORDER BY a.due_at, a.id LIMIT $5",
    )
    .bind(&caller.id)
    .bind(&status)
    .bind(after_due)
    .bind(&after_id)
    .bind(limit + 1)
    .bind(&pattern)
    .bind(&role)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM assignments a \
         JOIN interviews i ON i.id = a.interview_id \
         JOIN candidates c ON c.id = i.candidate_id \
         JOIN job_roles r ON r.id = i.job_role_id \
         WHERE a.reviewer_id = $1 AND ($2 = '' OR a.status = $2) \
           AND ($3 = '' OR LOWER(CASE WHEN a.status = 'submitted' THEN c.name ELSE c.pseudonym END) LIKE $3 ESCAPE '\\' \
                OR LOWER(r.title) LIKE $3 ESCAPE '\\' OR LOWER(r.department) LIKE $3 ESCAPE '\\') \
           AND ($4 = '' OR r.title = $4)",
    )
    .bind(&caller.id)
    .bind(&status)
    .bind(&pattern)
    .bind(&role)
    .fetch_one(&state.db.pool)
    .await?
    .try_get("n")?;
    let c = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS BIGINT) AS pending, \
                CAST(COALESCE(SUM(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END), 0) AS BIGINT) AS in_progress, \
                CAST(COALESCE(SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), 0) AS BIGINT) AS submitted, \
                CAST(COALESCE(SUM(CASE WHEN submitted_at >= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS since \
         FROM assignments WHERE reviewer_id = $1",
    )
    .bind(&caller.id)
    .bind(since.unwrap_or(i64::MAX))
    .fetch_one(&state.db.pool)
    .await?;
    let counts = QueueCounts {
        pending: c.try_get("pending")?,
        in_progress: c.try_get("in_progress")?,
        submitted: c.try_get("submitted")?,
        submitted_since: match since {
            Some(_) => Some(c.try_get("since")?),
            None => None,
        },
    };

    let mut items = Vec::with_capacity(rows.len().min(limit as usize));
    for row in rows.iter().take(limit as usize) {
        let status = rows::status(&row.try_get::<String, _>("status")?)?;
        items.push(QueueItem {
            id: row.try_get("id")?,
            interview_id: row.try_get("interview_id")?,
            status,
            candidate: rows::candidate(
                row.try_get("name")?,
                row.try_get("pseudonym")?,
                status == AssignmentStatus::Submitted,
            ),
            role: JobRoleView {
                title: row.try_get("title")?,
                department: row.try_get("department")?,
            },
            due_at: rfc3339(row.try_get("due_at")?),
            assigned_at: rfc3339(row.try_get("assigned_at")?),
            submitted_at: row.try_get::<Option<i64>, _>("submitted_at")?.map(rfc3339),
            question_count: row.try_get("question_count")?,
            scored_count: row.try_get("scored_count")?,
        });
    }
    let next_cursor = if rows.len() > limit as usize {
        match rows.get(limit as usize - 1) {
            Some(last) => Some(cursor::encode(
                last.try_get("due_at")?,
                &last.try_get::<String, _>("id")?,
            )),
            None => None,
        }
    } else {
        None
    };
    Ok(axum::Json(QueuePage {
        items,
        next_cursor,
        total,
        counts: Some(counts),
    }))
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
