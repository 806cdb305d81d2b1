//! Reviewing rows for the insights: submitted ratings (for distributions,
//! leniency, halo and the muted-first shift), of interviews completed in
//! the scope's period (assignment times for turnaround are in
//! `turnaround.rs`).
//! A scope's `reviewer_id` keeps the interviews that reviewer is assigned
//! to, with every reviewer's rows on them: a reviewer's own leniency is
//! measured against the others on the same answers.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use super::Scope;
use crate::clock::Millis;
use crate::error::ApiResult;

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

/// Ids in first-seen order, to be renumbered in ascending order.
#[derive(Default)]
struct Interner {
    index: std::collections::HashMap<String, u32>,
    ids: Vec<String>,
}

impl Interner {
    fn intern(&mut self, id: String) -> u32 {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.index.insert(id.clone(), i);
        self.ids.push(id);
        i
    }

    /// The ids sorted, and for each first-seen index its sorted index.
    fn sorted(self) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.ids.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.ids[a as usize].cmp(&self.ids[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let mut ids = self.ids;
        let sorted = order
            .iter()
            .map(|&old| std::mem::take(&mut ids[old as usize]))
            .collect();
        (sorted, remap)
    }
}

/// Ratings of submitted assignments only (a draft is not yet a judgement),
/// streamed into a [`RatingSet`].
pub async fn rating_set(conn: &mut AnyConnection, s: &Scope) -> ApiResult<RatingSet> {
    use futures::TryStreamExt;
    let sql = format!(
        "SELECT a.reviewer_id, a.interview_id, sc.question_id, sc.rating, sc.muted_rating, a.submitted_at \
         FROM assignments a JOIN interviews i ON i.id = a.interview_id \
         JOIN job_roles r ON r.id = i.job_role_id JOIN scores sc ON sc.assignment_id = a.id \
         {COMPLETED} AND a.status = 'submitted'"
    );
    let (mut reviewers, mut interviews, mut questions) = (
        Interner::default(),
        Interner::default(),
        Interner::default(),
    );
    let mut rows = Vec::new();
    {
        let mut stream = scoped(&sql, s).fetch(&mut *conn);
        while let Some(r) = stream.try_next().await? {
            rows.push(Rated {
                reviewer: reviewers.intern(r.try_get(0)?),
                interview: interviews.intern(r.try_get(1)?),
                question: questions.intern(r.try_get(2)?),
                rating: r.try_get(3)?,
                muted_rating: r.try_get(4)?,
                submitted_at: r.try_get(5)?,
            });
        }
    }
    let (reviewer_ids, reviewer_map) = reviewers.sorted();
    let (interview_ids, interview_map) = interviews.sorted();
    let (question_ids, question_map) = questions.sorted();
    for r in &mut rows {
        r.reviewer = reviewer_map[r.reviewer as usize];
        r.interview = interview_map[r.interview as usize];
        r.question = question_map[r.question as usize];
    }
    let question_rows = by_ids(
        conn,
        "SELECT q.id, q.position, q.prompt, q.competency, q.scale_min, q.scale_max, qs.id AS set_id, \
           qs.version, r.id AS role_id, r.title \
         FROM questions q JOIN question_sets qs ON qs.id = q.question_set_id \
         JOIN job_roles r ON r.id = qs.job_role_id WHERE q.id IN",
        &question_ids,
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
    let questions = question_ids
        .iter()
        .map(|id| {
            infos.remove(id).ok_or_else(|| {
                crate::error::ApiError::internal(format!("question {id} of a score is gone"))
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let mut names: std::collections::HashMap<String, String> = by_ids(
        conn,
        "SELECT u.id, u.name FROM users u WHERE u.id IN",
        &reviewer_ids,
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
    .collect::<ApiResult<_>>()?;
    let reviewers: Vec<(String, String)> = reviewer_ids
        .into_iter()
        .map(|id| {
            let name = names.remove(&id).unwrap_or_default();
            (id, name)
        })
        .collect();
    rows.sort_by(|a, b| {
        a.interview
            .cmp(&b.interview)
            .then_with(|| {
                questions[a.question as usize]
                    .position
                    .cmp(&questions[b.question as usize].position)
            })
            .then_with(|| {
                reviewers[a.reviewer as usize]
                    .1
                    .cmp(&reviewers[b.reviewer as usize].1)
            })
    });
    Ok(RatingSet {
        reviewers,
        interviews: interview_ids,
        questions,
        rows,
    })
}

/// `sql` ending in `IN`, for every id, a few hundred at a time (SQLite
/// resolves each parameter by a linear search of the statement's names).
async fn by_ids(
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
