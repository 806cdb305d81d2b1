//! Many rows per INSERT, for generated history (the demo's insights
//! history, the 100,000-interview benchmark): a few round trips instead of
//! one per row. Tables and columns are fixed here, never taken from input.

use sqlx::{AnyConnection, Row};

use crate::error::ApiResult;

/// One value of a generated row.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    MaybeInt(Option<i64>),
    MaybeReal(Option<f64>),
}

/// The tables history is generated into, each with its column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Interviews,
    Responses,
    Assignments,
    Scores,
    Decisions,
    Outcomes,
    Invitations,
    SelfIdentifications,
}

impl Table {
    fn sql(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Table::Interviews => (
                "interviews",
                &[
                    "id",
                    "candidate_id",
                    "job_role_id",
                    "question_set_id",
                    "status",
                    "invited_at",
                    "expires_at",
                    "started_at",
                    "completed_at",
                ],
            ),
            Table::Responses => (
                "responses",
                &[
                    "id",
                    "interview_id",
                    "question_id",
                    "media_object_id",
                    "duration_ms",
                    "transcript_json",
                    "retakes_used",
                    "recorded_at",
                ],
            ),
            Table::Assignments => (
                "assignments",
                &[
                    "id",
                    "interview_id",
                    "reviewer_id",
                    "status",
                    "assigned_at",
                    "due_at",
                    "submitted_at",
                ],
            ),
            Table::Scores => (
                "scores",
                &[
                    "assignment_id",
                    "question_id",
                    "rating",
                    "muted_rating",
                    "evidence_json",
                    "created_at",
                    "updated_at",
                ],
            ),
            Table::Decisions => (
                "decisions",
                &[
                    "id",
                    "interview_id",
                    "action",
                    "reason",
                    "decided_by",
                    "decided_at",
                ],
            ),
            Table::Outcomes => (
                "outcomes",
                &[
                    "interview_id",
                    "hired",
                    "performance_6m",
                    "performance_12m",
                    "employed_12m",
                    "updated_at",
                ],
            ),
            Table::Invitations => (
                "invitations",
                &["interview_id", "secret_hash", "created_by", "created_at"],
            ),
            Table::SelfIdentifications => (
                "self_identifications",
                &[
                    "interview_id",
                    "category",
                    "answer",
                    "text_version",
                    "answered_at",
                ],
            ),
        }
    }

    pub fn width(self) -> usize {
        self.sql().1.len()
    }
}

/// Parameters per statement on PostgreSQL: under its 65,535.
const MAX_PARAMS: usize = 30_000;
/// On SQLite: it resolves each `$N` by a linear search of the statement's
/// parameter names, so a statement's binding costs grow with the square
/// of its parameters (at 30,000 that search was two thirds of the demo's
/// seeding time); about a thousand per statement keeps it negligible.
const MAX_PARAMS_SQLITE: usize = 1_000;

/// Inserts `rows` (each `table.width()` cells in the table's column order).
pub async fn insert(conn: &mut AnyConnection, table: Table, rows: &[Vec<Cell>]) -> ApiResult<()> {
    let (name, columns) = table.sql();
    let width = columns.len();
    let max = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        MAX_PARAMS_SQLITE
    } else {
        MAX_PARAMS
    };
    let per = (max / width).max(1);
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {name} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            if row.len() != width {
                return Err(crate::error::ApiError::internal(format!(
                    "a generated {name} row has {} cells for {width} columns",
                    row.len()
                )));
            }
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for c in 0..width {
                n += 1;
                sql.push_str(&format!("{}${n}", if c == 0 { "" } else { ", " }));
            }
            sql.push(')');
        }
        // Not kept prepared: chunks of one size share their text, and a
        // kept PostgreSQL statement's parameter types are those of its
        // first binding, which a NULL in another chunk's row then breaks
        // ("incorrect binary data format in bind parameter").
        let mut q = sqlx::query(&sql).persistent(false);
        for cell in chunk.iter().flatten() {
            q = match cell {
                Cell::Text(s) => q.bind(s.as_str()),
                Cell::Int(v) => q.bind(*v),
                Cell::MaybeInt(v) => q.bind(*v),
                Cell::MaybeReal(v) => q.bind(*v),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Any stored media object: generated answers point at a real clip.
pub async fn any_media_object(conn: &mut AnyConnection) -> ApiResult<Option<String>> {
    let row = sqlx::query("SELECT id FROM media_objects ORDER BY id LIMIT 1")
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("id")?),
        None => None,
    })
}

/// The first `n` answers to a question set's questions, one per
/// question, for generated calibration sessions.
pub async fn sample_responses(
    conn: &mut AnyConnection,
    set_id: &str,
    n: i64,
) -> ApiResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT re.id FROM responses re JOIN questions q ON q.id = re.question_id \
         WHERE q.question_set_id = $1 AND q.position <= $2 AND re.interview_id = \
           (SELECT re2.interview_id FROM responses re2 JOIN questions q2 ON q2.id = re2.question_id \
            WHERE q2.question_set_id = $1 AND q2.position = $2 ORDER BY re2.id LIMIT 1) \
         ORDER BY q.position",
    )
    .bind(set_id)
    .bind(n)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}
