//! A reviewer's queue: their assignments, closest review-by date first,
//! filtered and counted.

use sqlx::{AnyConnection, Row};
use takes_api::{AssignmentStatus, JobRoleView, QueueCounts, QueueItem, QueuePage};

use super::view::{candidate_view, status};
use crate::clock::{rfc3339, Millis};
use crate::error::ApiResult;
use crate::store::page::PageRequest;

/// The queue's filters; empty strings match everything.
pub struct QueueFilter {
    /// An assignment status as stored.
    pub status: String,
    /// A LIKE pattern (lower case, wildcards escaped with `\`) for the
    /// candidate's name as the reviewer may see it, the role's title or
    /// its department.
    pub pattern: String,
    /// A role title, exactly.
    pub role: String,
    /// Count submissions since this time.
    pub since: Option<Millis>,
}

/// One page of `reviewer_id`'s queue, ordered by `(due_at, id)`, with the
/// number of matching assignments and the counts by status.
pub async fn queue(
    conn: &mut AnyConnection,
    reviewer_id: &str,
    filter: &QueueFilter,
    page: &PageRequest,
) -> ApiResult<QueuePage> {
    let rows = sqlx::query(
        "SELECT a.id, a.interview_id, a.status, a.assigned_at, a.due_at, a.submitted_at, \
                c.name, c.pseudonym, r.title, r.department, \
                (SELECT COUNT(*) FROM questions q WHERE q.question_set_id = i.question_set_id) AS question_count, \
                (SELECT COUNT(*) FROM scores s WHERE s.assignment_id = a.id) AS scored_count \
         FROM assignments a \
         JOIN interviews i ON i.id = a.interview_id \
         JOIN candidates c ON c.id = i.candidate_id \
         JOIN job_roles r ON r.id = i.job_role_id \
         WHERE a.reviewer_id = $1 AND a.withdrawn_at IS NULL AND ($2 = '' OR a.status = $2) \
           AND (a.due_at > $3 OR (a.due_at = $3 AND a.id > $4)) \
           AND ($6 = '' OR LOWER(CASE WHEN a.status = 'submitted' THEN c.name ELSE c.pseudonym END) LIKE $6 ESCAPE '\\' \
                OR LOWER(r.title) LIKE $6 ESCAPE '\\' OR LOWER(r.department) LIKE $6 ESCAPE '\\') \
           AND ($7 = '' OR r.title = $7) \
         ORDER BY a.due_at, a.id LIMIT $5",
    )
    .bind(reviewer_id)
    .bind(&filter.status)
    .bind(page.after_key)
    .bind(&page.after_id)
    .bind(page.fetch_limit())
    .bind(&filter.pattern)
    .bind(&filter.role)
    .fetch_all(&mut *conn)
    .await?;
    let total: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM assignments a \
         JOIN interviews i ON i.id = a.interview_id \
         JOIN candidates c ON c.id = i.candidate_id \
         JOIN job_roles r ON r.id = i.job_role_id \
         WHERE a.reviewer_id = $1 AND a.withdrawn_at IS NULL AND ($2 = '' OR a.status = $2) \
           AND ($3 = '' OR LOWER(CASE WHEN a.status = 'submitted' THEN c.name ELSE c.pseudonym END) LIKE $3 ESCAPE '\\' \
                OR LOWER(r.title) LIKE $3 ESCAPE '\\' OR LOWER(r.department) LIKE $3 ESCAPE '\\') \
           AND ($4 = '' OR r.title = $4)",
    )
    .bind(reviewer_id)
    .bind(&filter.status)
    .bind(&filter.pattern)
    .bind(&filter.role)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let c = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS BIGINT) AS pending, \
                CAST(COALESCE(SUM(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END), 0) AS BIGINT) AS in_progress, \
                CAST(COALESCE(SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), 0) AS BIGINT) AS submitted, \
                CAST(COALESCE(SUM(CASE WHEN submitted_at >= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS since \
         FROM assignments WHERE reviewer_id = $1 AND withdrawn_at IS NULL",
    )
    .bind(reviewer_id)
    .bind(filter.since.unwrap_or(i64::MAX))
    .fetch_one(&mut *conn)
    .await?;
    let counts = QueueCounts {
        pending: c.try_get("pending")?,
        in_progress: c.try_get("in_progress")?,
        submitted: c.try_get("submitted")?,
        submitted_since: match filter.since {
            Some(_) => Some(c.try_get("since")?),
            None => None,
        },
    };

    let (rows, next_cursor) = page.finish(rows, |r| {
        Ok::<_, sqlx::Error>((r.try_get("due_at")?, r.try_get("id")?))
    })?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let status = status(&row.try_get::<String, _>("status")?)?;
        items.push(QueueItem {
            id: row.try_get("id")?,
            interview_id: row.try_get("interview_id")?,
            status,
            candidate: candidate_view(
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
    Ok(QueuePage {
        items,
        next_cursor,
        total,
        counts: Some(counts),
    })
}
