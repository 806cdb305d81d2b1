//! The recruiter's triage board: the rows behind it, read in a handful of
//! set-wise statements (one per kind of row, never one per interview), and
//! the writes only the board makes (reminders, reassignment).

pub mod summary;
pub mod writes;

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
    pub interview_id: String,
    /// A `LIKE` pattern on the lower-cased candidate name or role title.
    pub pattern: String,
    /// Completed (or, until then, invited) in `[from, to)`.
    pub from: Millis,
    pub to: Millis,
}

impl Scope {
    /// A pattern matching `text` anywhere, with `LIKE`'s wildcards escaped.
    pub fn contains(text: &str) -> String {
        if text.is_empty() {
            return String::new();
        }
        let mut p = String::from("%");
        for ch in text.to_lowercase().chars() {
            if matches!(ch, '%' | '_' | '\\') {
                p.push('\\');
            }
            p.push(ch);
        }
        p.push('%');
        p
    }
}

/// The interviews of a scope: `FROM … WHERE …` binding `$1` to `$7`.
const SCOPE: &str = "FROM interviews i JOIN candidates c ON c.id = i.candidate_id \
     JOIN job_roles r ON r.id = i.job_role_id \
     WHERE ($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
     AND ($3 = '' OR i.job_role_id = $3) AND ($4 = '' OR i.id = $4) \
     AND ($5 = '' OR LOWER(c.name) LIKE $5 ESCAPE '\\' OR LOWER(r.title) LIKE $5 ESCAPE '\\') \
     AND COALESCE(i.completed_at, i.invited_at) >= $6 AND COALESCE(i.completed_at, i.invited_at) < $7";

/// Which interviews [`rows`] reads: every one of a scope, or a page of
/// them already chosen (by [`summary::page`]).
#[derive(Clone, Copy)]
pub enum Which<'a> {
    Scope(&'a Scope),
    Ids(&'a [String]),
}

impl Which<'_> {
    /// `FROM … WHERE …` over `interviews i`, `candidates c`, `job_roles r`.
    fn from(&self) -> String {
        match self {
            Which::Scope(_) => SCOPE.to_string(),
            Which::Ids(ids) => {
                let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
                format!(
                    "FROM interviews i JOIN candidates c ON c.id = i.candidate_id \
                     JOIN job_roles r ON r.id = i.job_role_id WHERE i.id IN ({})",
                    marks.join(", ")
                )
            }
        }
    }

    fn bind<'q>(&self, sql: &'q str) -> Query<'q, Any, AnyArguments<'q>>
    where
        Self: 'q,
    {
        match *self {
            Which::Scope(s) => scoped(sql, s),
            Which::Ids(ids) => ids
                .iter()
                .fold(sqlx::query(sql), |q, id| q.bind(id.as_str())),
        }
    }
}

fn scoped<'q>(sql: &'q str, s: &'q Scope) -> Query<'q, Any, AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(i64::from(s.all_roles))
        .bind(&s.user_id)
        .bind(&s.role_id)
        .bind(&s.interview_id)
        .bind(&s.pattern)
        .bind(s.from)
        .bind(s.to)
}

pub struct InterviewRow {
    pub id: String,
    pub status: String,
    pub invited_at: Millis,
    pub expires_at: Millis,
    pub completed_at: Option<Millis>,
    pub question_set_id: String,
    pub role_id: String,
    pub role_title: String,
    pub candidate_name: String,
}

pub struct AssignmentRow {
    pub id: String,
    pub interview_id: String,
    pub reviewer_id: String,
    pub name: String,
    pub submitted: bool,
    pub due_at: Millis,
}

/// The submitted ratings of one question of one interview, summed up:
/// all the mean and the calibration flag need (the flag depends only on
/// the lowest and highest rating and whether there are two).
pub struct ScoreRow {
    pub interview_id: String,
    pub position: i64,
    pub pass_score: i64,
    pub count: i64,
    pub total: i64,
    pub lowest: i64,
    pub highest: i64,
    /// Ratings that differ from their muted (video-only) rating.
    pub shifted: i64,
}

pub struct DecisionRow {
    pub id: String,
    pub interview_id: String,
    pub action: String,
    pub reason: Option<String>,
    pub decided_at: Millis,
    pub decided_by: String,
    pub event_id: Option<String>,
}

/// A delivery of one of a decision's events (its `candidate.*` or its
/// `decision.made`) to one endpoint.
pub struct DeliveryRow {
    /// The decision's `event_id`, which the sync state is keyed by.
    pub event_id: String,
    /// The event this delivery carries.
    pub delivered_event: String,
    pub endpoint_id: String,
    pub state: String,
    pub last_error: Option<String>,
}

/// Everything the board shows about the interviews of a scope.
#[derive(Default)]
pub struct Rows {
    pub interviews: Vec<InterviewRow>,
    pub assignments: Vec<AssignmentRow>,
    pub scores: Vec<ScoreRow>,
    /// (question set, number of questions).
    pub question_counts: Vec<(String, i64)>,
    /// Oldest first, so the last per interview is its latest.
    pub decisions: Vec<DecisionRow>,
    /// Oldest first, so the last per (event, endpoint) is its state.
    pub deliveries: Vec<DeliveryRow>,
    /// (interview, reminder emails to the candidate).
    pub reminders: Vec<(String, i64)>,
}

pub async fn rows(conn: &mut AnyConnection, s: Which<'_>) -> ApiResult<Rows> {
    if matches!(s, Which::Ids(ids) if ids.is_empty()) {
        return Ok(Rows::default());
    }
    let from = s.from();
    let ids = format!("SELECT i.id {from}");
    let sql = format!(
        "SELECT i.id, i.status, i.invited_at, i.expires_at, i.completed_at, i.question_set_id, \
         i.job_role_id, r.title, c.name {from}"
    );
    let interviews = s
        .bind(&sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(InterviewRow {
                id: r.try_get("id")?,
                status: r.try_get("status")?,
                invited_at: r.try_get("invited_at")?,
                expires_at: r.try_get("expires_at")?,
                completed_at: r.try_get("completed_at")?,
                question_set_id: r.try_get("question_set_id")?,
                role_id: r.try_get("job_role_id")?,
                role_title: r.try_get("title")?,
                candidate_name: r.try_get("name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let sql = format!(
        "SELECT a.id, a.interview_id, a.reviewer_id, u.name, a.status, a.due_at FROM assignments a \
         JOIN users u ON u.id = a.reviewer_id WHERE a.interview_id IN ({ids}) AND a.withdrawn_at IS NULL \
         ORDER BY u.name, a.id"
    );
    let assignments = s
        .bind(&sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(AssignmentRow {
                id: r.try_get("id")?,
                interview_id: r.try_get("interview_id")?,
                reviewer_id: r.try_get("reviewer_id")?,
                name: r.try_get("name")?,
                submitted: r.try_get::<String, _>("status")? == "submitted",
                due_at: r.try_get("due_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // Drafts never count: only scores of submitted assignments. Summed in
    // SQL: one row per question instead of one per rating.
    let sql = format!(
        "SELECT a.interview_id, q.position, q.pass_score, COUNT(*) AS n, \
           CAST(SUM(s.rating) AS BIGINT) AS total, MIN(s.rating) AS lowest, MAX(s.rating) AS highest, \
           CAST(SUM(CASE WHEN s.muted_rating IS NOT NULL AND s.muted_rating <> s.rating THEN 1 ELSE 0 END) AS BIGINT) AS shifted \
         FROM scores s JOIN assignments a ON a.id = s.assignment_id JOIN questions q ON q.id = s.question_id \
         WHERE a.status = 'submitted' AND a.interview_id IN ({ids}) \
         GROUP BY a.interview_id, q.position, q.pass_score"
    );
    let scores = s
        .bind(&sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ScoreRow {
                interview_id: r.try_get("interview_id")?,
                position: r.try_get("position")?,
                pass_score: r.try_get("pass_score")?,
                count: r.try_get("n")?,
                total: r.try_get("total")?,
                lowest: r.try_get("lowest")?,
                highest: r.try_get("highest")?,
                shifted: r.try_get("shifted")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let sql = format!(
        "SELECT question_set_id, COUNT(*) AS n FROM questions WHERE question_set_id IN \
         (SELECT i.question_set_id {from}) GROUP BY question_set_id"
    );
    let question_counts = s
        .bind(&sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("question_set_id")?, r.try_get("n")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let sql = format!(
        "SELECT d.id, d.interview_id, d.action, d.reason, d.decided_at, d.event_id, u.name FROM decisions d \
         JOIN users u ON u.id = d.decided_by WHERE d.interview_id IN ({ids}) ORDER BY d.decided_at, d.id"
    );
    let decisions = s
        .bind(&sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(DecisionRow {
                id: r.try_get("id")?,
                interview_id: r.try_get("interview_id")?,
                action: r.try_get("action")?,
                reason: r.try_get("reason")?,
                decided_at: r.try_get("decided_at")?,
                decided_by: r.try_get("name")?,
                event_id: r.try_get("event_id")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let sql = format!(
        "SELECT d.event_id AS decision_event, w.event_id, w.endpoint_id, w.state, w.last_error, \
           w.created_at AS created, w.id AS delivery_id FROM webhook_deliveries w JOIN decisions d ON d.event_id = w.event_id \
         WHERE d.interview_id IN ({ids}) \
         UNION ALL \
         SELECT d.event_id AS decision_event, w.event_id, w.endpoint_id, w.state, w.last_error, \
           w.created_at AS created, w.id AS delivery_id FROM webhook_deliveries w JOIN decisions d ON d.made_event_id = w.event_id \
         WHERE d.interview_id IN ({ids}) \
         ORDER BY created, delivery_id"
    );
    let deliveries = s
        .bind(&sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(DeliveryRow {
                event_id: r.try_get("decision_event")?,
                delivered_event: r.try_get("event_id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                state: r.try_get("state")?,
                last_error: r.try_get("last_error")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let sql = format!(
        "SELECT interview_id, COUNT(*) AS n FROM email_outbox WHERE kind = 'reminder' \
         AND interview_id IN ({ids}) GROUP BY interview_id"
    );
    let reminders = s
        .bind(&sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("interview_id")?, r.try_get("n")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Rows {
        interviews,
        assignments,
        scores,
        question_counts,
        decisions,
        deliveries,
        reminders,
    })
}

/// The transcript of each answer of an interview: (question id, response
/// id, cues JSON).
pub async fn transcripts(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> ApiResult<Vec<(String, String, String)>> {
    sqlx::query("SELECT question_id, id, transcript_json FROM responses WHERE interview_id = $1")
        .bind(interview_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("question_id")?,
                r.try_get("id")?,
                r.try_get("transcript_json")?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}
