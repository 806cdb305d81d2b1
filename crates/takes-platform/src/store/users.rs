//! Users and their API tokens. Only a token's hash is stored; the token
//! itself is shown once, when it is issued.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::db::Db;

/// A user as a request's caller: `(id, name, stored role)`.
pub async fn by_token_hash(
    db: &Db,
    token_hash: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("role")?)))
        .transpose()
}

/// `(id, stored role)` of the user called `name`.
pub async fn by_name(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT id, role FROM users WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("role")?)))
        .transpose()
}

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    role: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO users (id, name, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(name)
        .bind(role)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
    token_hash: &str,
    label: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The stored role of user `id`, if there is such a user.
pub async fn role_of(conn: &mut AnyConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT role FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get("role"))
        .transpose()
}

/// How many users the platform has (the demo seeds only an empty one).
pub async fn user_count(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(conn)
        .await?
        .try_get("n")
}
