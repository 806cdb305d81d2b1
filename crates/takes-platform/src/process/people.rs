//! Creating users and issuing their tokens: one implementation for the
//! process apply and the user API. Only a token's hash is stored.

use sqlx::AnyConnection;

use crate::clock::Millis;
use crate::ids::{hash_token, new_id, new_token};
use crate::store::users;

/// A token just issued: `(token id, token)`.
pub async fn issue(
    conn: &mut AnyConnection,
    now: Millis,
    user_id: &str,
    label: &str,
) -> Result<(String, String), sqlx::Error> {
    let token = new_token();
    let token_id = new_id();
    users::insert_token(
        conn,
        &token_id,
        user_id,
        &hash_token(&token),
        label,
        now,
        None,
    )
    .await?;
    Ok((token_id, token))
}

/// A new user with a first token: `(user id, token id, token)`. `email`
/// is stored lowercase.
pub async fn create(
    conn: &mut AnyConnection,
    now: Millis,
    email: &str,
    name: &str,
    role: &str,
    label: &str,
) -> Result<(String, String, String), sqlx::Error> {
    let id = new_id();
    users::insert_with_email(conn, &id, name, role, &email.to_lowercase(), now).await?;
    let (token_id, token) = issue(conn, now, &id, label).await?;
    Ok((id, token_id, token))
}

/// Whether someone other than `me` is called `name` (names are unique).
pub async fn name_taken(
    conn: &mut AnyConnection,
    name: &str,
    me: Option<&str>,
) -> Result<bool, sqlx::Error> {
    Ok(users::by_name(conn, name)
        .await?
        .is_some_and(|(holder, _)| Some(holder.as_str()) != me))
}
