//! Users and their API tokens. Only a token's hash is stored; the token
//! itself is shown once, when it is issued.

use sqlx::{AnyConnection, Row};

use crate::clock::Millis;
use crate::db::Db;

/// The token a request presented and whose it is.
pub struct Presented {
    pub token_id: String,
    pub user_id: String,
    pub name: String,
    pub role: String,
    pub revoked_at: Option<Millis>,
    pub expires_at: Option<Millis>,
    pub last_used_at: Option<Millis>,
    /// When the user was deactivated: their tokens stop working.
    pub deactivated_at: Option<Millis>,
}

/// The token with this hash, revoked and expired ones included (the caller
/// says which it is).
pub async fn by_token_hash(db: &Db, token_hash: &str) -> Result<Option<Presented>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id AS token_id, u.id, u.name, u.role, t.revoked_at, t.expires_at, t.last_used_at, \
         u.deactivated_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Presented {
            token_id: r.try_get("token_id")?,
            user_id: r.try_get("id")?,
            name: r.try_get("name")?,
            role: r.try_get("role")?,
            revoked_at: r.try_get("revoked_at")?,
            expires_at: r.try_get("expires_at")?,
            last_used_at: r.try_get("last_used_at")?,
            deactivated_at: r.try_get("deactivated_at")?,
        })
    })
    .transpose()
}

/// Records a use of token `id` at `at` (the caller throttles).
pub async fn touch_token(db: &Db, id: &str, at: Millis) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $1)",
    )
    .bind(at)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A token as listed (never its hash).
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub label: Option<String>,
    pub created_at: Millis,
    pub expires_at: Option<Millis>,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

/// Tokens of user `user_id`, or of everyone; newest first.
pub async fn tokens(
    conn: &mut AnyConnection,
    user_id: Option<&str>,
) -> Result<Vec<TokenRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.id, t.user_id, u.name, t.label, t.created_at, t.expires_at, t.last_used_at, \
           t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE (CAST($1 AS TEXT) IS NULL OR t.user_id = $1) ORDER BY t.created_at DESC, t.id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenRow {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                user_name: r.try_get("name")?,
                label: r.try_get("label")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
}

/// `(owner's user id, revoked_at)` of token `id`.
pub async fn token_owner(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(String, Option<Millis>)>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, revoked_at FROM api_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("user_id")?, r.try_get("revoked_at")?)))
        .transpose()
}

/// Revokes token `id` unless it already is; whether this call revoked it.
pub async fn revoke_token(
    conn: &mut AnyConnection,
    id: &str,
    at: Millis,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
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
    expires_at: Option<Millis>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(at)
    .bind(expires_at)
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

/// A user as the process and the user API see them.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    /// Stored lowercase.
    pub email: Option<String>,
    pub created_at: Millis,
    pub deactivated_at: Option<Millis>,
}

fn user_row(r: &sqlx::any::AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        email: r.try_get("email")?,
        created_at: r.try_get("created_at")?,
        deactivated_at: r.try_get("deactivated_at")?,
    })
}

const USER_COLUMNS: &str = "id, name, role, email, created_at, deactivated_at";

/// Every user, deactivated ones included, by id.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<UserRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
        .fetch_all(conn)
        .await?
        .iter()
        .map(user_row)
        .collect()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(user_row)
        .transpose()
}

/// Creates a user with an email (lowercase).
pub async fn insert_with_email(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    role: &str,
    email: &str,
    at: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, name, role, email, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(name)
    .bind(role)
    .bind(email)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a user's name, role and email.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    role: &str,
    email: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET name = $1, role = $2, email = $3 WHERE id = $4")
        .bind(name)
        .bind(role)
        .bind(email)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deactivates (`Some(at)`) or reactivates (`None`) a user.
pub async fn set_deactivated(
    conn: &mut AnyConnection,
    id: &str,
    at: Option<Millis>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET deactivated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
