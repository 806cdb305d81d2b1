//! Sessions: creating one (items copy their question and rubric), finding
//! one for a caller, listing them, and their items and participants.

use sqlx::{AnyConnection, Row};
use takes_api::{
    CalibrationItem, CalibrationParticipant, CalibrationQuestion, JobRoleView, ResponseView,
};

use crate::calibration::status_of;
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids::new_id;
use crate::store::assignments::rubric;
use crate::store::audit;
use crate::store::page::PageRequest;

/// A session as one user sees it.
pub struct SessionRow {
    pub id: String,
    pub title: String,
    pub created_at: Millis,
    pub deadline_at: Millis,
    pub revealed_at: Option<Millis>,
    /// `Some(submitted_at)` when the user takes part.
    pub me: Option<Option<Millis>>,
}

/// Session `id` with `user_id`'s participation, if the session exists.
pub async fn access_row(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
) -> ApiResult<Option<SessionRow>> {
    let Some(row) = sqlx::query(
        "SELECT s.id, s.title, s.created_at, s.deadline_at, s.revealed_at, \
                p.user_id AS me, p.submitted_at \
         FROM calibration_sessions s \
         LEFT JOIN calibration_participants p ON p.session_id = s.id AND p.user_id = $2 \
         WHERE s.id = $1",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    let me = match row.try_get::<Option<String>, _>("me")? {
        Some(_) => Some(row.try_get::<Option<i64>, _>("submitted_at")?),
        None => None,
    };
    Ok(Some(SessionRow {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        created_at: row.try_get("created_at")?,
        deadline_at: row.try_get("deadline_at")?,
        revealed_at: row.try_get("revealed_at")?,
        me,
    }))
}

/// A session in a list, with its counts and `user_id`'s part in it.
pub struct ListRow {
    pub id: String,
    pub title: String,
    pub created_at: Millis,
    pub deadline_at: Millis,
    pub revealed_at: Option<Millis>,
    pub participant: bool,
    pub submitted_at: Option<Millis>,
    pub item_count: i64,
    pub participant_count: i64,
    pub submitted_count: i64,
    pub my_scored_count: i64,
}

/// One page of sessions, newest first: those `user_id` takes part in, or
/// every session when `all`.
pub async fn list(
    conn: &mut AnyConnection,
    user_id: &str,
    all: bool,
    page: &PageRequest,
) -> ApiResult<(Vec<ListRow>, Option<String>)> {
    let rows = sqlx::query(
        "SELECT s.id, s.title, s.created_at, s.deadline_at, s.revealed_at, \
                p.user_id AS me, p.submitted_at, \
                (SELECT COUNT(*) FROM calibration_items i WHERE i.session_id = s.id) AS item_count, \
                (SELECT COUNT(*) FROM calibration_participants q WHERE q.session_id = s.id) AS participant_count, \
                (SELECT COUNT(*) FROM calibration_participants q WHERE q.session_id = s.id \
                   AND q.submitted_at IS NOT NULL) AS submitted_count, \
                (SELECT COUNT(*) FROM calibration_scores c WHERE c.session_id = s.id \
                   AND c.user_id = $1) AS my_scored_count \
         FROM calibration_sessions s \
         LEFT JOIN calibration_participants p ON p.session_id = s.id AND p.user_id = $1 \
         WHERE ($2 = 1 OR p.user_id IS NOT NULL) \
           AND (s.created_at < $3 OR (s.created_at = $3 AND s.id < $4)) \
         ORDER BY s.created_at DESC, s.id DESC LIMIT $5",
    )
    .bind(user_id)
    .bind(i64::from(all))
    .bind(page.after_key)
    .bind(&page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(conn)
    .await?;
    let rows = rows
        .iter()
        .map(|row| {
            Ok(ListRow {
                id: row.try_get("id")?,
                title: row.try_get("title")?,
                created_at: row.try_get("created_at")?,
                deadline_at: row.try_get("deadline_at")?,
                revealed_at: row.try_get("revealed_at")?,
                participant: row.try_get::<Option<String>, _>("me")?.is_some(),
                submitted_at: row.try_get("submitted_at")?,
                item_count: row.try_get("item_count")?,
                participant_count: row.try_get("participant_count")?,
                submitted_count: row.try_get("submitted_count")?,
                my_scored_count: row.try_get("my_scored_count")?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    page.finish(rows, |r| Ok::<_, ApiError>((r.created_at, r.id.clone())))
}

/// A new session's contents, shared by the API and the demo seed.
pub struct NewSession<'a> {
    pub title: &'a str,
    pub created_by: &'a str,
    pub created_at: Millis,
    pub deadline_at: Millis,
    pub participant_ids: &'a [String],
    pub response_ids: &'a [String],
}

/// Inserts a session, its items (copying question and rubric) and its
/// participants, and records the creation in the audit log. Unknown users
/// or responses, and items on different scales, are 422s naming the entry.
pub async fn insert_session(conn: &mut AnyConnection, new: NewSession<'_>) -> ApiResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO calibration_sessions (id, title, created_by, created_at, deadline_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(new.title)
    .bind(new.created_by)
    .bind(new.created_at)
    .bind(new.deadline_at)
    .execute(&mut *conn)
    .await?;
    for (i, user_id) in new.participant_ids.iter().enumerate() {
        let exists = sqlx::query("SELECT 1 AS x FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_none() {
            return Err(ApiError::invalid(
                &format!("participant_ids[{i}]"),
                format!("participant_ids[{i}] {user_id:?} is not a user of this platform"),
            ));
        }
        sqlx::query(
            "INSERT INTO calibration_participants (session_id, user_id, updated_at) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(new.created_at)
        .execute(&mut *conn)
        .await?;
    }
    let mut scale: Option<(i64, i64)> = None;
    for (i, response_id) in new.response_ids.iter().enumerate() {
        let field = format!("response_ids[{i}]");
        let q = sqlx::query(
            "SELECT q.id, q.prompt, q.competency, q.time_limit_s, q.scale_min, q.scale_max, \
                    q.pass_score, q.anchors_json \
             FROM responses r JOIN questions q ON q.id = r.question_id WHERE r.id = $1",
        )
        .bind(response_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                &field,
                format!("{field} {response_id:?} is not a recorded response"),
            )
        })?;
        refuse_live(conn, &field, response_id).await?;
        let this = (
            q.try_get::<i64, _>("scale_min")?,
            q.try_get::<i64, _>("scale_max")?,
        );
        match scale {
            None => scale = Some(this),
            // Alpha and ICC compare ratings across items: on different
            // scales the numbers would not mean the same thing.
            Some(first) if first != this => {
                return Err(ApiError::invalid(
                    &field,
                    format!(
                        "{field} is scored {}..={} but response_ids[0] {}..={}; \
                         a session's items share one scale so their ratings compare",
                        this.0, this.1, first.0, first.1
                    ),
                ))
            }
            Some(_) => {}
        }
        sqlx::query(
            "INSERT INTO calibration_items (id, session_id, position, response_id, question_id, prompt, \
             competency, time_limit_s, scale_min, scale_max, pass_score, anchors_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(i as i64 + 1)
        .bind(response_id)
        .bind(q.try_get::<String, _>("id")?)
        .bind(q.try_get::<String, _>("prompt")?)
        .bind(q.try_get::<String, _>("competency")?)
        .bind(q.try_get::<i64, _>("time_limit_s")?)
        .bind(this.0)
        .bind(this.1)
        .bind(q.try_get::<i64, _>("pass_score")?)
        .bind(q.try_get::<String, _>("anchors_json")?)
        .execute(&mut *conn)
        .await?;
    }
    audit::record_by(
        conn,
        new.created_at,
        new.created_by,
        "calibration.created",
        ("calibration_session", &id),
        serde_json::json!({
            "title": new.title, "deadline_at": new.deadline_at,
            "participant_ids": new.participant_ids, "response_ids": new.response_ids,
        }),
    )
    .await?;
    Ok(id)
}

/// 409 when `response_id` is from an interview still under review, that
/// is with an assignment not yet submitted. Its reviewer could otherwise
/// take part, submit the calibration, read everyone's ratings and notes on
/// that very response, and then change their live score; and an admin who
/// reviews it could read the results after the deadline. Refusing any open
/// assignment (not only participants') also covers those admins.
async fn refuse_live(conn: &mut AnyConnection, field: &str, response_id: &str) -> ApiResult<()> {
    let open = sqlx::query(
        "SELECT r.interview_id, u.name FROM responses r \
         JOIN assignments a ON a.interview_id = r.interview_id \
         JOIN users u ON u.id = a.reviewer_id \
         WHERE r.id = $1 AND a.status <> 'submitted' AND a.withdrawn_at IS NULL ORDER BY u.name, u.id",
    )
    .bind(response_id)
    .fetch_all(&mut *conn)
    .await?;
    let Some(first) = open.first() else {
        return Ok(());
    };
    let interview_id: String = first.try_get("interview_id")?;
    let names = open
        .iter()
        .map(|r| r.try_get::<String, _>("name"))
        .collect::<Result<Vec<_>, _>>()?;
    let (who, verb) = match names.len() {
        1 => (names[0].clone(), "has"),
        n => (format!("{} reviewers ({})", n, names.join(", ")), "have"),
    };
    Err(ApiError::conflict(format!(
        "{field} {response_id:?} is from interview {interview_id}, which is still under review: \
         {who} {verb} not submitted their scores yet. Calibration would show its participants \
         each other's ratings and notes on this response before the live review is done; \
         pick responses of interviews whose assignments are all submitted"
    ))
    .with_field(field))
}

/// A session's sample responses in order, each with its question, rubric
/// and role. No candidate name and no interview appear.
pub async fn items(conn: &mut AnyConnection, session_id: &str) -> ApiResult<Vec<CalibrationItem>> {
    let item_rows = sqlx::query(
        "SELECT ci.id, ci.position, ci.prompt, ci.competency, ci.time_limit_s, ci.scale_min, \
                ci.scale_max, ci.pass_score, ci.anchors_json, ci.response_id, \
                r.duration_ms, r.retakes_used, m.content_type, jr.title, jr.department \
         FROM calibration_items ci \
         JOIN responses r ON r.id = ci.response_id \
         JOIN media_objects m ON m.id = r.media_object_id \
         JOIN questions q ON q.id = ci.question_id \
         JOIN question_sets qs ON qs.id = q.question_set_id \
         JOIN job_roles jr ON jr.id = qs.job_role_id \
         WHERE ci.session_id = $1 ORDER BY ci.position",
    )
    .bind(session_id)
    .fetch_all(conn)
    .await?;
    let mut items = Vec::with_capacity(item_rows.len());
    for row in &item_rows {
        let rid: String = row.try_get("response_id")?;
        items.push(CalibrationItem {
            id: row.try_get("id")?,
            position: row.try_get("position")?,
            role: JobRoleView {
                title: row.try_get("title")?,
                department: row.try_get("department")?,
            },
            question: CalibrationQuestion {
                prompt: row.try_get("prompt")?,
                competency: row.try_get("competency")?,
                time_limit_s: row.try_get("time_limit_s")?,
                rubric: rubric(row)?,
            },
            response: ResponseView {
                media_url: format!("/v1/media/{rid}"),
                transcript_url: format!("/v1/responses/{rid}/transcript"),
                content_type: row.try_get("content_type")?,
                duration_s: row.try_get::<i64, _>("duration_ms")? as f64 / 1000.0,
                retakes_used: row.try_get("retakes_used")?,
                id: rid,
            },
        });
    }
    Ok(items)
}

/// A session's participants by name; `me` marks the caller. Drafts are
/// private: only "submitted or not" is shown.
pub async fn participants(
    conn: &mut AnyConnection,
    session_id: &str,
    me: &str,
) -> ApiResult<Vec<CalibrationParticipant>> {
    let rows = sqlx::query(
        "SELECT p.user_id, u.name, p.submitted_at FROM calibration_participants p \
         JOIN users u ON u.id = p.user_id WHERE p.session_id = $1 ORDER BY u.name, p.user_id",
    )
    .bind(session_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let user_id: String = r.try_get("user_id")?;
            let submitted_at: Option<i64> = r.try_get("submitted_at")?;
            Ok(CalibrationParticipant {
                is_me: user_id == me,
                user_id,
                name: r.try_get("name")?,
                status: status_of(submitted_at, 0),
                submitted_at: submitted_at.map(rfc3339),
            })
        })
        .collect()
}

/// A session's item ids in position order.
pub async fn item_ids(
    conn: &mut AnyConnection,
    session_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT id FROM calibration_items WHERE session_id = $1 ORDER BY position")
        .bind(session_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect()
}
