//! Share links to an interview's results page. Only the token's hash is
//! stored; the token itself is shown once, in the link.

use sqlx::{AnyConnection, Row};
use takes_api::Anchor;

use crate::clock::Millis;
use crate::error::ApiResult;

/// A share link as stored (never its token).
pub struct ShareLink {
    pub id: String,
    pub interview_id: String,
    pub created_by: Option<String>,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub revoked_at: Option<Millis>,
}

const COLUMNS: &str = "id, interview_id, created_by, created_at, expires_at, revoked_at";

fn link(r: &sqlx::any::AnyRow) -> Result<ShareLink, sqlx::Error> {
    Ok(ShareLink {
        id: r.try_get("id")?,
        interview_id: r.try_get("interview_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// A new link's row.
pub struct NewLink<'a> {
    pub id: &'a str,
    pub interview_id: &'a str,
    pub token_hash: &'a str,
    pub created_by: Option<&'a str>,
    pub created_at: Millis,
    pub expires_at: Millis,
}

pub async fn insert(conn: &mut AnyConnection, l: NewLink<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO share_links (id, interview_id, token_hash, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(l.id)
    .bind(l.interview_id)
    .bind(l.token_hash)
    .bind(l.created_by)
    .bind(l.created_at)
    .bind(l.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts a platform-made link unless a concurrent caller inserted the
/// same one (its id and token are derived, so both made the same row);
/// whether this call inserted it.
pub async fn insert_system(conn: &mut AnyConnection, l: NewLink<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO share_links (id, interview_id, token_hash, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, NULL, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(l.id)
    .bind(l.interview_id)
    .bind(l.token_hash)
    .bind(l.created_at)
    .bind(l.expires_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The platform-made links of an interview (`created_by` NULL), newest
/// first.
pub async fn system_links(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Vec<ShareLink>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM share_links WHERE interview_id = $1 AND created_by IS NULL \
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(interview_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(link).collect()
}

/// The server secret called `name`, made from `fresh` on first use (when
/// several servers race, all get the one stored first).
pub async fn server_secret(
    conn: &mut AnyConnection,
    name: &str,
    fresh: &str,
    at: Millis,
) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO server_secrets (name, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(fresh)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("SELECT secret FROM server_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(conn)
        .await?
        .try_get("secret")
}

/// The interview's links, newest first.
pub async fn for_interview(
    conn: &mut AnyConnection,
    interview_id: &str,
) -> Result<Vec<ShareLink>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM share_links WHERE interview_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(interview_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(link).collect()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<ShareLink>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM share_links WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(link).transpose()
}

/// The link with this token hash, expired and revoked ones included (the
/// page tells those apart from unknown links).
pub async fn by_token_hash(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<ShareLink>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM share_links WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(link).transpose()
}

/// Revokes link `id` unless it already is; whether this call revoked it.
pub async fn revoke(conn: &mut AnyConnection, id: &str, at: Millis) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE share_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// A question's rubric anchors, by question id, for the results page.
/// (Reads the roles aggregate.)
pub async fn anchors(
    conn: &mut AnyConnection,
    question_set_id: &str,
) -> ApiResult<Vec<(String, Vec<Anchor>)>> {
    let rows = sqlx::query("SELECT id, anchors_json FROM questions WHERE question_set_id = $1")
        .bind(question_set_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let anchors: Vec<Anchor> =
                serde_json::from_str(&r.try_get::<String, _>("anchors_json")?)?;
            Ok((r.try_get("id")?, anchors))
        })
        .collect()
}
