//! The rollup's reads: the fingerprint of the submitted assignments, the
//! submitted assignments and their scores from a time on, and the small
//! per-request filters (recruiter roles, a department's roles, a
//! reviewer's interviews).

use futures::TryStreamExt;
use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::error::ApiResult;

/// What the database says about the submitted ratings, cheaply: a submitted
/// assignment never goes back and a withdrawal is never undone, so two equal
/// fingerprints mean the same submitted sheets and the same withdrawals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fingerprint {
    pub submitted: i64,
    pub last_submitted: Option<Millis>,
    pub submitted_sum: i64,
    pub withdrawn: i64,
    pub last_withdrawn: Option<Millis>,
}

/// One scan of the covering index `assignments_by_status` (migration 0024),
/// not of the table.
pub async fn fingerprint(conn: &mut AnyConnection) -> ApiResult<Fingerprint> {
    let r = sqlx::query(
        "SELECT CAST(COUNT(CASE WHEN status = 'submitted' THEN 1 END) AS BIGINT) AS n, \
           MAX(CASE WHEN status = 'submitted' THEN submitted_at END) AS last_submitted, \
           CAST(COALESCE(SUM(CASE WHEN status = 'submitted' THEN submitted_at END), 0) AS BIGINT) AS total, \
           CAST(COUNT(withdrawn_at) AS BIGINT) AS withdrawn, MAX(withdrawn_at) AS last_withdrawn \
         FROM assignments",
    )
    .fetch_one(conn)
    .await?;
    Ok(Fingerprint {
        submitted: r.try_get("n")?,
        last_submitted: r.try_get("last_submitted")?,
        submitted_sum: r.try_get("total")?,
        withdrawn: r.try_get("withdrawn")?,
        last_withdrawn: r.try_get("last_withdrawn")?,
    })
}

/// A submitted assignment with what the scope filters need of its
/// interview.
#[derive(Debug, Clone)]
pub struct SubmittedSheet {
    pub id: String,
    pub reviewer_id: String,
    pub interview_id: String,
    pub submitted_at: Millis,
    pub role_id: String,
    pub completed_at: Option<Millis>,
}

/// Assignments submitted at or after `since`.
pub async fn sheets(conn: &mut AnyConnection, since: Millis) -> ApiResult<Vec<SubmittedSheet>> {
    let mut out = Vec::new();
    let mut stream = sqlx::query(
        "SELECT a.id, a.reviewer_id, a.interview_id, a.submitted_at, i.job_role_id, i.completed_at \
         FROM assignments a JOIN interviews i ON i.id = a.interview_id \
         WHERE a.status = 'submitted' AND a.submitted_at >= $1",
    )
    .bind(since)
    .fetch(conn);
    while let Some(r) = stream.try_next().await? {
        out.push(SubmittedSheet {
            id: r.try_get(0)?,
            reviewer_id: r.try_get(1)?,
            interview_id: r.try_get(2)?,
            submitted_at: r.try_get(3)?,
            role_id: r.try_get(4)?,
            completed_at: r.try_get(5)?,
        });
    }
    Ok(out)
}

async fn ids(conn: &mut AnyConnection, sql: &str, by: &str) -> ApiResult<Vec<String>> {
    let rows = sqlx::query(sql).bind(by).fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// The roles a recruiter recruits for.
pub async fn recruiter_roles(conn: &mut AnyConnection, user_id: &str) -> ApiResult<Vec<String>> {
    ids(
        conn,
        "SELECT job_role_id FROM role_recruiters WHERE user_id = $1",
        user_id,
    )
    .await
}

/// The roles of a department now (a role can move between departments).
pub async fn department_roles(
    conn: &mut AnyConnection,
    department: &str,
) -> ApiResult<Vec<String>> {
    ids(
        conn,
        "SELECT id FROM job_roles WHERE department = $1",
        department,
    )
    .await
}

/// Interviews the reviewer has any assignment on, withdrawn ones included.
pub async fn reviewer_interviews(
    conn: &mut AnyConnection,
    reviewer_id: &str,
) -> ApiResult<Vec<String>> {
    ids(
        conn,
        "SELECT interview_id FROM assignments WHERE reviewer_id = $1",
        reviewer_id,
    )
    .await
}

/// Completion times of interviews that had none when their sheet was
/// loaded (`None` while still open).
pub async fn completed_at(
    conn: &mut AnyConnection,
    interview_ids: &[String],
) -> ApiResult<Vec<(String, Option<Millis>)>> {
    super::super::reviewing::by_ids(
        conn,
        "SELECT i.id, i.completed_at FROM interviews i WHERE i.id IN",
        interview_ids,
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

/// Streams the scores of assignments submitted at or after `since` to
/// `each(assignment_id, question_id, rating, muted_rating)`. One row per
/// assignment, its scores packed into a string (`question rating muted`
/// joined by `,`): a sixth of the rows through sqlx, which costs about
/// 10 µs a row; a full read took 10.5-11.9 s instead of 13.3-15.8 s on
/// SQLite and 4.2 s instead of 5.6 s on PostgreSQL (docs/BENCHMARKS.md).
pub async fn scores<F>(
    conn: &mut AnyConnection,
    backend: crate::db::Backend,
    since: Millis,
    mut each: F,
) -> ApiResult<()>
where
    F: FnMut(&str, &str, i64, Option<i64>),
{
    let agg = match backend {
        crate::db::Backend::Sqlite => "group_concat",
        crate::db::Backend::Postgres => "string_agg",
    };
    let sql = format!(
        "SELECT sc.assignment_id, {agg}(sc.question_id || ' ' || CAST(sc.rating AS TEXT) || ' ' || \
           COALESCE(CAST(sc.muted_rating AS TEXT), ''), ',') \
         FROM scores sc JOIN assignments a ON a.id = sc.assignment_id \
         WHERE a.status = 'submitted' AND a.submitted_at >= $1 GROUP BY sc.assignment_id"
    );
    let mut stream = sqlx::query(&sql).bind(since).fetch(conn);
    while let Some(r) = stream.try_next().await? {
        let assignment: &str = r.try_get(0)?;
        let packed: &str = r.try_get(1)?;
        for score in packed.split(',') {
            let mut parts = score.split(' ');
            let (Some(question), Some(rating), muted) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(crate::error::ApiError::internal(format!(
                    "a packed score of assignment {assignment} reads {score:?}"
                )));
            };
            let rating = rating
                .parse::<i64>()
                .map_err(|e| crate::error::ApiError::internal(format!("rating {rating:?}: {e}")))?;
            let muted = match muted {
                None | Some("") => None,
                Some(m) => Some(m.parse::<i64>().map_err(|e| {
                    crate::error::ApiError::internal(format!("muted rating {m:?}: {e}"))
                })?),
            };
            each(assignment, question, rating, muted);
        }
    }
    Ok(())
}
