//! Rows for the completion drop alert: per role, invitations whose window
//! closed in the recent period and in the baseline before it, and what the
//! invitations of each period looked like (question-set version, window).

use sqlx::{AnyConnection, Row};

use super::Scope;
use crate::clock::Millis;
use crate::error::ApiResult;

/// The periods, by the time the completion window closed: baseline in
/// `[baseline_from, split)`, recent in `[split, now)`.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub baseline_from: Millis,
    pub split: Millis,
    pub now: Millis,
}

const ROLES: &str = "FROM interviews i JOIN job_roles r ON r.id = i.job_role_id \
     JOIN question_sets qs ON qs.id = i.question_set_id \
     WHERE ($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
     AND ($3 = '' OR i.job_role_id = $3) AND ($4 = '' OR r.department = $4) \
     AND i.expires_at >= $5 AND i.expires_at < $7";

#[derive(Debug, Clone)]
pub struct RoleCompletion {
    pub role_id: String,
    pub title: String,
    pub recent_invited: i64,
    pub recent_completed: i64,
    pub baseline_invited: i64,
    pub baseline_completed: i64,
}

pub async fn completion(
    conn: &mut AnyConnection,
    s: &Scope,
    p: Periods,
) -> ApiResult<Vec<RoleCompletion>> {
    let sql = format!(
        "SELECT r.id AS role_id, r.title, \
           CAST(SUM(CASE WHEN i.expires_at >= $6 THEN 1 ELSE 0 END) AS BIGINT) AS ri, \
           CAST(SUM(CASE WHEN i.expires_at >= $6 AND i.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS rc, \
           CAST(SUM(CASE WHEN i.expires_at < $6 THEN 1 ELSE 0 END) AS BIGINT) AS bi, \
           CAST(SUM(CASE WHEN i.expires_at < $6 AND i.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS bc \
         {ROLES} GROUP BY r.id, r.title ORDER BY r.title, r.id"
    );
    let rows = bind(&sql, s, p).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(RoleCompletion {
                role_id: r.try_get("role_id")?,
                title: r.try_get("title")?,
                recent_invited: r.try_get("ri")?,
                recent_completed: r.try_get("rc")?,
                baseline_invited: r.try_get("bi")?,
                baseline_completed: r.try_get("bc")?,
            })
        })
        .collect()
}

/// How many invitations of a role in a period used a question-set version
/// and a window length (whole hours).
#[derive(Debug, Clone)]
pub struct Setup {
    pub role_id: String,
    pub recent: bool,
    pub version: i64,
    pub window_h: i64,
    pub invitations: i64,
}

pub async fn setups(conn: &mut AnyConnection, s: &Scope, p: Periods) -> ApiResult<Vec<Setup>> {
    let sql = format!(
        "SELECT r.id AS role_id, CAST(CASE WHEN i.expires_at >= $6 THEN 1 ELSE 0 END AS BIGINT) AS recent, \
           qs.version, CAST((i.expires_at - i.invited_at) / 3600000 AS BIGINT) AS window_h, \
           CAST(COUNT(*) AS BIGINT) AS n \
         {ROLES} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 5 DESC, 3"
    );
    let rows = bind(&sql, s, p).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Setup {
                role_id: r.try_get("role_id")?,
                recent: r.try_get::<i64, _>("recent")? == 1,
                version: r.try_get("version")?,
                window_h: r.try_get("window_h")?,
                invitations: r.try_get("n")?,
            })
        })
        .collect()
}

fn bind<'q>(
    sql: &'q str,
    s: &'q Scope,
    p: Periods,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(i64::from(s.all_roles))
        .bind(&s.user_id)
        .bind(&s.role_id)
        .bind(&s.department)
        .bind(p.baseline_from)
        .bind(p.split)
        .bind(p.now)
}

/// Opens an alert episode for the role unless one is open; returns whether
/// this call opened it (and so must send it).
pub async fn open_episode(
    conn: &mut AnyConnection,
    id: &str,
    role_id: &str,
    kind: &str,
    at: Millis,
    detail_json: &str,
) -> ApiResult<bool> {
    let done = sqlx::query(
        "INSERT INTO insight_alerts (id, job_role_id, kind, fired_at, resolved_at, detail_json) \
         VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(role_id)
    .bind(kind)
    .bind(at)
    .bind(detail_json)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the role's open episode, if any (its completion is back to normal).
pub async fn resolve_episode(
    conn: &mut AnyConnection,
    role_id: &str,
    kind: &str,
    at: Millis,
) -> ApiResult<()> {
    sqlx::query(
        "UPDATE insight_alerts SET resolved_at = $3 \
         WHERE job_role_id = $1 AND kind = $2 AND resolved_at IS NULL",
    )
    .bind(role_id)
    .bind(kind)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Names and emails of the role's recruiters that have an email.
pub async fn recruiter_emails(
    conn: &mut AnyConnection,
    role_id: &str,
) -> ApiResult<Vec<(String, String)>> {
    Ok(crate::store::roles::view::recruiter_emails(conn, role_id).await?)
}

/// An alert email, queued in the outbox (no interview: `interview_id` is
/// NULL).
pub struct AlertEmail<'a> {
    pub id: &'a str,
    pub dedupe_key: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub message_id: &'a str,
    pub at: Millis,
}

pub async fn queue_email(conn: &mut AnyConnection, m: AlertEmail<'_>) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO email_outbox (id, kind, dedupe_key, interview_id, to_address, subject, body, \
           message_id, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, 'completion_dropped', $2, NULL, $3, $4, $5, $6, 'pending', 0, $7, $7) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(m.id)
    .bind(m.dedupe_key)
    .bind(m.to)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.message_id)
    .bind(m.at)
    .execute(conn)
    .await?;
    Ok(())
}
