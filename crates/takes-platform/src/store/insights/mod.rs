//! The rows behind the process insights (docs/INSIGHTS.md), read set-wise:
//! one statement per kind of row, grouped in SQL where a count is all a
//! figure needs, so an organisation with 100,000 interviews answers in one
//! pass. The figures themselves are computed in `crate::insights`.

pub mod alerts;
pub mod bulk;
pub mod calibration;
pub mod outcomes;
pub mod packed;
pub mod reviewing;
pub mod rollup;
pub mod turnaround;

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use crate::clock::Millis;
use crate::error::ApiResult;

/// Which interviews a request covers. Empty strings filter nothing.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Admins see every role; recruiters the roles they recruit for.
    pub all_roles: bool,
    pub user_id: String,
    pub role_id: String,
    pub department: String,
    /// Only interviews this reviewer is assigned to (reviewing rows; ""
    /// for all).
    pub reviewer_id: String,
    /// Invited (funnel) or completed (reviewing) in `[from, to)`.
    pub from: Millis,
    pub to: Millis,
}

/// The scope's conditions on `interviews i` and `job_roles r`, binding
/// `$1` to `$6` ([`scoped`]), with `time` (`i.invited_at` or
/// `i.completed_at`) in `[$5, $6)`. Written for the planner, per scope: a
/// role or department filter that is not set is a test of its parameter
/// alone (not `$3 = '' OR …`, which hides the column from every index).
/// On SQLite an unbounded period is not offered as an index range (`+`
/// keeps the column out of the index): without statistics it takes any
/// range for a narrow one and then visits every interview through the
/// index instead of reading the table once. PostgreSQL has statistics, and
/// `+` would hide the column from them: its estimates then fell to a few
/// dozen rows and its plans to nested loops, twice as slow.
pub(crate) fn filters(conn: &AnyConnection, s: &Scope, time: &str) -> String {
    let role = if s.role_id.is_empty() {
        "$3 = ''"
    } else {
        "i.job_role_id = $3"
    };
    let department = if s.department.is_empty() {
        "$4 = ''"
    } else {
        "r.department = $4"
    };
    let sqlite = conn.backend_name() != "PostgreSQL";
    let index = if sqlite && s.from == Millis::MIN && s.to == Millis::MAX {
        "+"
    } else {
        ""
    };
    format!(
        "($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
         AND {role} AND {department} AND {index}{time} >= $5 AND {index}{time} < $6"
    )
}

/// The join that keeps the written order on SQLite (`CROSS JOIN`, which
/// its planner never reorders): without statistics it otherwise starts a
/// join from the bigger table and looks every interview up by id, at
/// several times the cost of reading the interviews once and finding
/// each one's rows by index. PostgreSQL plans joins from its statistics.
pub(crate) fn in_order(conn: &AnyConnection) -> &'static str {
    if conn.backend_name() == "PostgreSQL" {
        "JOIN"
    } else {
        "CROSS JOIN"
    }
}

/// The interviews of a scope on invitation time: `FROM … WHERE …` binding
/// `$1` to `$6`.
fn invited(conn: &AnyConnection, s: &Scope) -> String {
    format!(
        "FROM interviews i JOIN job_roles r ON r.id = i.job_role_id WHERE {}",
        filters(conn, s, "i.invited_at")
    )
}

/// [`invited`] with each interview's reviewed and decided marks joined
/// from rows grouped once per interview (one row or none), instead of an
/// `EXISTS` probe per interview.
fn invited_reviewed(conn: &AnyConnection, s: &Scope) -> String {
    format!(
        "FROM interviews i JOIN job_roles r ON r.id = i.job_role_id \
         LEFT JOIN (SELECT a.interview_id FROM assignments a WHERE a.status = 'submitted' GROUP BY a.interview_id) rv \
           ON rv.interview_id = i.id \
         LEFT JOIN (SELECT d.interview_id FROM decisions d GROUP BY d.interview_id) dd ON dd.interview_id = i.id \
         WHERE {}",
        filters(conn, s, "i.invited_at")
    )
}

/// `sql` bound to the scope's `$1` to `$6` (the order of [`filters`]).
/// Not kept prepared: PostgreSQL plans a kept statement generically after
/// five runs, blind to which filters are set, and the generic plan of the
/// adverse-impact rows took 1.0-1.1 s where each run's own took 0.45 s.
pub(crate) fn scoped<'q>(sql: &'q str, s: &'q Scope) -> Query<'q, Any, AnyArguments<'q>> {
    sqlx::query(sql)
        .persistent(false)
        .bind(i64::from(s.all_roles))
        .bind(&s.user_id)
        .bind(&s.role_id)
        .bind(&s.department)
        .bind(s.from)
        .bind(s.to)
}

/// Interviews completed in the period, with the assignment filter: binds
/// `$1` to `$7` ([`scoped_completed`]). Joins `interviews i` and
/// `job_roles r`.
pub(crate) fn completed(conn: &AnyConnection, s: &Scope) -> String {
    let reviewer = if s.reviewer_id.is_empty() {
        "$7 = ''"
    } else {
        "i.id IN (SELECT a2.interview_id FROM assignments a2 WHERE a2.reviewer_id = $7)"
    };
    format!(
        "WHERE {} AND {reviewer}",
        filters(conn, s, "i.completed_at")
    )
}

/// `sql` bound to the scope's `$1` to `$7` (the order of [`completed`]).
pub(crate) fn scoped_completed<'q>(sql: &'q str, s: &'q Scope) -> Query<'q, Any, AnyArguments<'q>> {
    scoped(sql, s).bind(&s.reviewer_id)
}

/// Monday 1970-01-05 00:00 UTC: weeks are counted from a Monday so they
/// are ISO weeks (the epoch itself was a Thursday).
pub const WEEK_ORIGIN_MS: Millis = 4 * 86_400_000;
pub const WEEK_MS: Millis = 7 * 86_400_000;

/// Funnel counts of one role in one week of invitation.
#[derive(Debug, Clone)]
pub struct FunnelRow {
    pub role_id: String,
    pub title: String,
    pub department: String,
    /// Start of the invitation week, ms since the epoch.
    pub week: Millis,
    pub invited: i64,
    pub started: i64,
    pub completed: i64,
    pub reviewed: i64,
    pub decided: i64,
}

pub async fn funnel(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<FunnelRow>> {
    let reviewed = invited_reviewed(conn, s);
    let sql = format!(
        "SELECT r.id AS role_id, r.title, r.department, \
           ((i.invited_at - {WEEK_ORIGIN_MS}) / {WEEK_MS}) * {WEEK_MS} + {WEEK_ORIGIN_MS} AS week, \
           CAST(COUNT(*) AS BIGINT) AS invited, \
           CAST(SUM(CASE WHEN i.started_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS started, \
           CAST(SUM(CASE WHEN i.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS completed, \
           CAST(SUM(CASE WHEN rv.interview_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS reviewed, \
           CAST(SUM(CASE WHEN dd.interview_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS decided \
         {reviewed} GROUP BY r.id, r.title, r.department, week ORDER BY r.title, r.id, week"
    );
    let rows = scoped(&sql, s).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(FunnelRow {
                role_id: r.try_get("role_id")?,
                title: r.try_get("title")?,
                department: r.try_get("department")?,
                week: r.try_get("week")?,
                invited: r.try_get("invited")?,
                started: r.try_get("started")?,
                completed: r.try_get("completed")?,
                reviewed: r.try_get("reviewed")?,
                decided: r.try_get("decided")?,
            })
        })
        .collect()
}

/// How many started interviews of a question set answered the question at
/// `position`. Every set's questions come back; the sets the scope started
/// are those of [`started_by_set`] (the caller keeps those, which saves a
/// second pass over the interviews here).
#[derive(Debug, Clone)]
pub struct AnsweredRow {
    pub question_set_id: String,
    pub set_name: String,
    pub version: i64,
    pub position: i64,
    pub prompt: String,
    pub answered: i64,
}

pub async fn answered(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<AnsweredRow>> {
    // Every question of the set appears, answered by nobody or not, so a
    // question everyone abandons before shows as a drop.
    // The responses are counted per question first (a grouped subquery
    // the planner cannot fold into the join), so each question meets one
    // count instead of scanning the responses again; the scope's
    // interviews are read once and each one's responses found by index.
    let then = in_order(conn);
    let sql = format!(
        "SELECT qs.id AS set_id, qs.name, qs.version, q.position, q.prompt, \
           CAST(COALESCE(re.n, 0) AS BIGINT) AS answered \
         FROM question_sets qs JOIN questions q ON q.question_set_id = qs.id \
         LEFT JOIN (SELECT re.question_id, COUNT(*) AS n FROM interviews i {then} responses re ON re.interview_id = i.id \
              JOIN job_roles r ON r.id = i.job_role_id \
              WHERE i.started_at IS NOT NULL AND {} GROUP BY re.question_id) re ON re.question_id = q.id \
         ORDER BY qs.name, qs.id, q.position",
        filters(conn, s, "i.invited_at")
    );
    let rows = scoped(&sql, s).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(AnsweredRow {
                question_set_id: r.try_get("set_id")?,
                set_name: r.try_get("name")?,
                version: r.try_get("version")?,
                position: r.try_get("position")?,
                prompt: r.try_get("prompt")?,
                answered: r.try_get("answered")?,
            })
        })
        .collect()
}

/// Started interviews per question set.
pub async fn started_by_set(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT i.question_set_id AS set_id, CAST(COUNT(*) AS BIGINT) AS n {} \
         AND i.started_at IS NOT NULL GROUP BY i.question_set_id ORDER BY i.question_set_id",
        invited(conn, s)
    );
    let rows = scoped(&sql, s).fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("set_id")?, r.try_get("n")?)))
        .collect()
}

/// Of each completed interview, ms from invitation to completion and the
/// length of its window (invitation to expiry), packed into one column
/// ([`packed`]): the window figures are percentiles over every completion,
/// 70,000 of them at 100,000 interviews.
pub async fn completions(conn: &mut AnyConnection, s: &Scope) -> ApiResult<Vec<(Millis, Millis)>> {
    let times = packed::concat(
        conn,
        &packed::tuple_expr(&[
            "i.completed_at - i.invited_at",
            "i.expires_at - i.invited_at",
        ]),
    );
    let sql = format!(
        "SELECT {times} AS times {} AND i.completed_at IS NOT NULL",
        invited(conn, s)
    );
    let row = scoped(&sql, s).fetch_one(conn).await?;
    Ok(packed::tuples::<2>(row.try_get("times")?)?
        .into_iter()
        .map(|[took, window]| (took, window))
        .collect())
}
