//! Reviewing rows for the insights: assignments with their times (for
//! turnaround), and the shape and labels of the submitted ratings (for
//! distributions, leniency, halo and the muted-first shift), of interviews
//! completed in the scope's period; the ratings themselves come from the
//! in-memory rollup (`rollup/`).
//! A scope's `reviewer_id` keeps the interviews that reviewer is assigned
//! to, with every reviewer's rows on them: a reviewer's own leniency is
//! measured against the others on the same answers.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use super::Scope;
use crate::clock::Millis;
use crate::error::ApiResult;

const JOINS: &str = "FROM assignments a JOIN interviews i ON i.id = a.interview_id \
     JOIN job_roles r ON r.id = i.job_role_id JOIN users u ON u.id = a.reviewer_id";

/// Interviews completed in the period, with the assignment filter: binds
/// `$1` to `$7`.
const COMPLETED: &str = "WHERE ($1 = 1 OR i.job_role_id IN (SELECT rr.job_role_id FROM role_recruiters rr WHERE rr.user_id = $2)) \
     AND ($3 = '' OR i.job_role_id = $3) AND ($4 = '' OR r.department = $4) \
     AND i.completed_at >= $5 AND i.completed_at < $6 AND ($7 = '' OR i.id IN (SELECT a2.interview_id FROM assignments a2 WHERE a2.reviewer_id = $7))";

fn scoped<'q>(sql: &'q str, s: &'q Scope) -> Query<'q, Any, AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(i64::from(s.all_roles))
        .bind(&s.user_id)
        .bind(&s.role_id)
        .bind(&s.department)
        .bind(s.from)
        .bind(s.to)
        .bind(&s.reviewer_id)
}

#[derive(Debug, Clone)]
pub struct AssignmentTimes {
    pub interview_id: String,
    pub reviewer_id: String,
    pub reviewer: String,
    pub role_id: String,
    pub title: String,
    pub completed_at: Millis,
    pub first_score_at: Option<Millis>,
    pub submitted_at: Option<Millis>,
    pub due_at: Millis,
    pub first_decision_at: Option<Millis>,
}

/// The first score and first decision are joined from rows grouped once
/// per assignment and interview, not looked up by a subquery per row.
pub async fn assignment_times(
    conn: &mut AnyConnection,
    s: &Scope,
) -> ApiResult<Vec<AssignmentTimes>> {
    let sql = format!(
        "SELECT a.interview_id, a.reviewer_id, u.name, r.id AS role_id, r.title, i.completed_at, \
           fs.first_score_at, a.submitted_at, a.due_at, fd.first_decision_at \
         {JOINS} \
         LEFT JOIN (SELECT sc.assignment_id, MIN(sc.created_at) AS first_score_at FROM scores sc \
              GROUP BY sc.assignment_id) fs ON fs.assignment_id = a.id \
         LEFT JOIN (SELECT d.interview_id, MIN(d.decided_at) AS first_decision_at FROM decisions d \
              GROUP BY d.interview_id) fd ON fd.interview_id = i.id \
         {COMPLETED} ORDER BY u.name, a.id"
    );
    let rows = scoped(&sql, s).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(AssignmentTimes {
                interview_id: r.try_get("interview_id")?,
                reviewer_id: r.try_get("reviewer_id")?,
                reviewer: r.try_get("name")?,
                role_id: r.try_get("role_id")?,
                title: r.try_get("title")?,
                completed_at: r.try_get("completed_at")?,
                first_score_at: r.try_get("first_score_at")?,
                submitted_at: r.try_get("submitted_at")?,
                due_at: r.try_get("due_at")?,
                first_decision_at: r.try_get("first_decision_at")?,
            })
        })
        .collect()
}

/// A question's labels, read once per request rather than once per rating.
#[derive(Debug, Clone)]
pub struct QuestionInfo {
    pub id: String,
    pub position: i64,
    pub prompt: String,
    pub competency: String,
    pub scale_min: i64,
    pub scale_max: i64,
    pub question_set_id: String,
    pub version: i64,
    pub role_id: String,
    pub title: String,
}

/// One submitted rating as indices into its [`RatingSet`]'s tables.
#[derive(Debug, Clone, Copy)]
pub struct Rated {
    /// Into `reviewers`.
    pub reviewer: u32,
    /// Into `interviews`.
    pub interview: u32,
    /// Into `questions`.
    pub question: u32,
    pub rating: i64,
    pub muted_rating: Option<i64>,
    pub submitted_at: Millis,
}

/// Submitted ratings of the scope, narrow: a million of them are read at
/// 100,000 interviews, so each row carries ids interned to indices and its
/// integers, and the labels come once. Every table is in ascending id
/// order, so ordering by index is ordering by id; `rows` are in interview,
/// question position, reviewer name order.
#[derive(Debug, Clone, Default)]
pub struct RatingSet {
    /// `(id, name)`.
    pub reviewers: Vec<(String, String)>,
    pub interviews: Vec<String>,
    pub questions: Vec<QuestionInfo>,
    pub rows: Vec<Rated>,
}

/// Labels of the questions `ids` (in that order), as they read now.
pub async fn question_infos(
    conn: &mut AnyConnection,
    ids: &[String],
) -> ApiResult<Vec<QuestionInfo>> {
    let question_rows = by_ids(
        conn,
        "SELECT q.id, q.position, q.prompt, q.competency, q.scale_min, q.scale_max, qs.id AS set_id, \
           qs.version, r.id AS role_id, r.title \
         FROM questions q JOIN question_sets qs ON qs.id = q.question_set_id \
         JOIN job_roles r ON r.id = qs.job_role_id WHERE q.id IN",
        ids,
    )
    .await?;
    let mut infos: std::collections::HashMap<String, QuestionInfo> = question_rows
        .iter()
        .map(|r| {
            Ok(QuestionInfo {
                id: r.try_get("id")?,
                position: r.try_get("position")?,
                prompt: r.try_get("prompt")?,
                competency: r.try_get("competency")?,
                scale_min: r.try_get("scale_min")?,
                scale_max: r.try_get("scale_max")?,
                question_set_id: r.try_get("set_id")?,
                version: r.try_get("version")?,
                role_id: r.try_get("role_id")?,
                title: r.try_get("title")?,
            })
        })
        .map(|q: ApiResult<QuestionInfo>| q.map(|q| (q.id.clone(), q)))
        .collect::<ApiResult<_>>()?;
    ids.iter()
        .map(|id| {
            infos.remove(id).ok_or_else(|| {
                crate::error::ApiError::internal(format!("question {id} of a score is gone"))
            })
        })
        .collect()
}

/// `(id, name)` of the reviewers `ids` (in that order), as named now.
pub async fn reviewer_names(
    conn: &mut AnyConnection,
    ids: Vec<String>,
) -> ApiResult<Vec<(String, String)>> {
    let mut names: std::collections::HashMap<String, String> =
        by_ids(conn, "SELECT u.id, u.name FROM users u WHERE u.id IN", &ids)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<ApiResult<_>>()?;
    Ok(ids
        .into_iter()
        .map(|id| {
            let name = names.remove(&id).unwrap_or_default();
            (id, name)
        })
        .collect())
}

/// `set` with its rows in interview, question position, reviewer name
/// order; reviewer and question indices break the remaining ties, so the
/// order never depends on how the rows were read.
pub fn sorted(mut set: RatingSet) -> RatingSet {
    let rank = name_ranks(&set.reviewers);
    let position: Vec<i64> = set.questions.iter().map(|q| q.position).collect();
    set.rows.sort_unstable_by_key(|r| {
        (
            r.interview,
            position[r.question as usize],
            rank[r.reviewer as usize],
            r.reviewer,
            r.question,
        )
    });
    set
}

/// Each reviewer's rank among the distinct names.
fn name_ranks(reviewers: &[(String, String)]) -> Vec<u32> {
    let mut names: Vec<&str> = reviewers.iter().map(|(_, n)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    reviewers
        .iter()
        .map(|(_, n)| names.binary_search(&n.as_str()).unwrap_or(0) as u32)
        .collect()
}

/// `sql` ending in `IN`, for every id, a few hundred at a time (SQLite
/// resolves each parameter by a linear search of the statement's names).
pub(crate) async fn by_ids(
    conn: &mut AnyConnection,
    sql: &str,
    ids: &[String],
) -> ApiResult<Vec<sqlx::any::AnyRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let text = format!("{sql} ({})", marks.join(", "));
        let mut q = sqlx::query(&text);
        for id in chunk {
            q = q.bind(id);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}
