//! The board's filtering, counting, sorting and paging, done in SQL over a
//! one-row-per-interview summary (stage, reviews in, mean of the submitted
//! ratings, the calibration flag), so a request reads the full rows of one
//! page only instead of assembling every interview of the caller's roles.
//! The rules are those of `api::board::assemble`, which builds the page's
//! rows; a test on both databases checks the two agree.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use super::{scoped, Scope, SCOPE};
use crate::calibration::FLAG_SPREAD;
use crate::error::ApiResult;

/// Filters applied before the stage counts (the stage itself after).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub min_score: Option<f64>,
    pub max_score: Option<f64>,
    pub disagreement: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Completed,
    Score,
    Role,
    Candidate,
    Reviews,
    /// Invited, awaiting reviews, ready to decide, decided.
    Stage,
    /// Whether the panel disagrees, then the mean.
    Disagreement,
}

impl SortKey {
    pub fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "completed" => SortKey::Completed,
            "score" => SortKey::Score,
            "role" => SortKey::Role,
            "candidate" => SortKey::Candidate,
            "reviews" => SortKey::Reviews,
            "stage" => SortKey::Stage,
            "disagreement" => SortKey::Disagreement,
            _ => return None,
        })
    }

    /// `ORDER BY`: the key, then newest first and the id, so that pages
    /// never repeat or skip a row. An interview without a mean sorts
    /// below every score.
    fn order_by(self, desc: bool) -> String {
        let d = if desc { "DESC" } else { "ASC" };
        let key = match self {
            SortKey::Completed => format!("t.at {d}"),
            SortKey::Score => {
                format!("CASE WHEN t.mean IS NULL THEN 0 ELSE 1 END {d}, t.mean {d}")
            }
            SortKey::Role => format!("t.title {d}"),
            SortKey::Candidate => format!("t.name {d}"),
            SortKey::Reviews => format!("t.submitted {d}, t.assigned {d}"),
            SortKey::Stage => format!(
                "CASE t.stage WHEN 'invited' THEN 0 WHEN 'awaiting_reviews' THEN 1 \
                 WHEN 'ready_to_decide' THEN 2 ELSE 3 END {d}"
            ),
            SortKey::Disagreement => {
                format!("t.flagged {d}, CASE WHEN t.mean IS NULL THEN 0 ELSE 1 END {d}, t.mean {d}")
            }
        };
        format!("{key}, t.at DESC, t.id ASC")
    }
}

impl SortKey {
    fn needs_scores(self) -> bool {
        matches!(self, SortKey::Score | SortKey::Disagreement)
    }
}

impl Filters {
    fn on_scores(&self) -> bool {
        self.min_score.is_some() || self.max_score.is_some() || self.disagreement.is_some()
    }
}

/// One row per interview of the scope (`$1` to `$7`). The stage: decided
/// once any decision exists, invited until completed, ready when every
/// (not withdrawn) reviewer submitted, else awaiting reviews. Drafts and
/// withdrawn assignments never count. Without `scores` the mean and the
/// flag are left out (no filter or sort needs them), which halves the work.
fn summary(scores: bool) -> String {
    if !scores {
        return format!(
            "SELECT b.id, b.at, b.title, b.name, {STAGE} AS stage, \
               COALESCE(ag.assigned, 0) AS assigned, COALESCE(ag.submitted, 0) AS submitted, \
               CAST(NULL AS DOUBLE PRECISION) AS mean, 0 AS flagged \
             FROM (SELECT i.id, i.status, COALESCE(i.completed_at, i.invited_at) AS at, \
                     r.title, c.name {SCOPE}) b \
             LEFT JOIN ({ASSIGNED}) ag ON ag.interview_id = b.id"
        );
    }
    format!(
        "SELECT b.id, b.at, b.title, b.name, {STAGE} AS stage, \
           COALESCE(ag.assigned, 0) AS assigned, COALESCE(ag.submitted, 0) AS submitted, \
           sc.mean, COALESCE(sc.flagged, 0) AS flagged \
         FROM (SELECT i.id, i.status, COALESCE(i.completed_at, i.invited_at) AS at, \
                 r.title, c.name {SCOPE}) b \
         LEFT JOIN ({ASSIGNED}) ag ON ag.interview_id = b.id \
         LEFT JOIN (SELECT x.interview_id, \
                 CAST(SUM(x.total) AS DOUBLE PRECISION) / CAST(SUM(x.n) AS DOUBLE PRECISION) AS mean, \
                 MAX(x.flag) AS flagged \
               FROM (SELECT a.interview_id, COUNT(*) AS n, SUM(s.rating) AS total, \
                       CASE WHEN COUNT(*) >= 2 AND (MAX(s.rating) - MIN(s.rating) >= {FLAG_SPREAD} \
                         OR (MIN(s.rating) < q.pass_score AND MAX(s.rating) >= q.pass_score)) \
                       THEN 1 ELSE 0 END AS flag \
                     FROM scores s JOIN assignments a ON a.id = s.assignment_id \
                     JOIN questions q ON q.id = s.question_id \
                     WHERE a.status = 'submitted' AND a.withdrawn_at IS NULL \
                     GROUP BY a.interview_id, s.question_id, q.pass_score) x \
               GROUP BY x.interview_id) sc \
           ON sc.interview_id = b.id"
    )
}

const STAGE: &str = "CASE WHEN EXISTS (SELECT 1 FROM decisions d WHERE d.interview_id = b.id) \
       THEN 'decided' \
     WHEN b.status <> 'completed' THEN 'invited' \
     WHEN COALESCE(ag.assigned, 0) > 0 AND ag.submitted = ag.assigned THEN 'ready_to_decide' \
     ELSE 'awaiting_reviews' END";

const ASSIGNED: &str = "SELECT a.interview_id, COUNT(*) AS assigned, \
       SUM(CASE WHEN a.status = 'submitted' THEN 1 ELSE 0 END) AS submitted \
     FROM assignments a WHERE a.withdrawn_at IS NULL GROUP BY a.interview_id";

/// The filters' conditions on the summary `t`, binding `$8` to `$12`.
const FILTERED: &str = "($8 = 0 OR (t.mean IS NOT NULL AND t.mean >= $9)) \
     AND ($10 = 0 OR (t.mean IS NOT NULL AND t.mean <= $11)) \
     AND ($12 < 0 OR t.flagged = $12)";

fn filtered<'q>(sql: &'q str, s: &'q Scope, f: &Filters) -> Query<'q, Any, AnyArguments<'q>> {
    scoped(sql, s)
        .bind(i64::from(f.min_score.is_some()))
        .bind(f.min_score.unwrap_or(0.0))
        .bind(i64::from(f.max_score.is_some()))
        .bind(f.max_score.unwrap_or(0.0))
        .bind(f.disagreement.map(i64::from).unwrap_or(-1))
}

/// Interviews per stage under the filters: (stage, count).
pub async fn stage_counts(
    conn: &mut AnyConnection,
    s: &Scope,
    f: &Filters,
) -> ApiResult<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT t.stage, COUNT(*) AS n FROM ({}) t WHERE {FILTERED} GROUP BY t.stage",
        summary(f.on_scores())
    );
    filtered(&sql, s, f)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("stage")?, r.try_get("n")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}

/// What one page shows.
pub struct PageSpec<'a> {
    /// A stage's name, or empty for every stage.
    pub stage: &'a str,
    pub key: SortKey,
    pub desc: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The ids of one page, in board order.
pub async fn page(
    conn: &mut AnyConnection,
    s: &Scope,
    f: &Filters,
    p: &PageSpec<'_>,
) -> ApiResult<Vec<String>> {
    let sql = format!(
        "SELECT t.id FROM ({}) t WHERE {FILTERED} AND ($13 = '' OR t.stage = $13) \
         ORDER BY {} LIMIT $14 OFFSET $15",
        summary(f.on_scores() || p.key.needs_scores()),
        p.key.order_by(p.desc)
    );
    filtered(&sql, s, f)
        .bind(p.stage)
        .bind(p.limit)
        .bind(p.offset)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}
