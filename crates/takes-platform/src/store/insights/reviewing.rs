//! Reviewing rows for the insights: the shape and labels of the submitted
//! ratings (for distributions, leniency, halo and the muted-first shift) of
//! interviews completed in the scope's period; the ratings themselves come
//! from the in-memory rollup (`rollup/`), assignment times for turnaround
//! from `turnaround.rs`.
//! A scope's `reviewer_id` keeps the interviews that reviewer is assigned
//! to, with every reviewer's rows on them: a reviewer's own leniency is
//! measured against the others on the same answers.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::error::ApiResult;

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
