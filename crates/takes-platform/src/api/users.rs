//! Users and their tokens (admins): list, create with a first token shown
//! once, rename, change role, deactivate or reactivate (never delete), and
//! issue another token. The same functions as the process apply; every
//! change takes the process lock and is audited.

use axum::extract::State;
use axum::http::StatusCode;
use takes_api::users::{CreatedUser, IssuedToken, NewUser, User, UserPage, UserUpdate};
use takes_api::{Problem, UserRole};

use super::process::require_admin;
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::process::people;
use crate::state::AppState;
use crate::store::users::{self, UserRow};
use crate::store::{audit, process as lock};

const NAME_MAX: usize = 200;

fn view(u: UserRow) -> ApiResult<User> {
    Ok(User {
        role: UserRole::parse(&u.role)
            .ok_or_else(|| ApiError::internal("stored user role is unknown"))?,
        active: u.deactivated_at.is_none(),
        created_at: rfc3339(u.created_at),
        deactivated_at: u.deactivated_at.map(rfc3339),
        id: u.id,
        name: u.name,
        email: u.email,
    })
}

fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    crate::extract::check_text("name", name)?;
    let n = name.chars().count();
    if n == 0 || n > NAME_MAX || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            format!("name must be 1 to {NAME_MAX} characters without control characters"),
        ));
    }
    Ok(name.to_string())
}

/// Every user, deactivated ones included.
#[utoipa::path(get, path = "/v1/users", tag = "users", operation_id = "list_users",
    responses((status = 200, body = UserPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<UserPage>> {
    require_admin(&caller)?;
    let mut conn = state.db.pool.acquire().await?;
    let items = users::all(&mut conn)
        .await?
        .into_iter()
        .map(view)
        .collect::<ApiResult<_>>()?;
    Ok(axum::Json(UserPage { items }))
}

/// Creates a user and their first token (shown once).
#[utoipa::path(post, path = "/v1/users", tag = "users", operation_id = "create_user",
    request_body = NewUser,
    responses((status = 201, body = CreatedUser), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewUser>,
) -> ApiResult<(StatusCode, axum::Json<CreatedUser>)> {
    require_admin(&caller)?;
    let name = check_name(&body.name)?;
    let email = body.email.trim().to_lowercase();
    crate::extract::check_text("email", &email)?;
    if let Some(problem) = crate::email::address_problem(&email) {
        return Err(ApiError::invalid(
            "email",
            format!("email {email:?} {problem}"),
        ));
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    lock::lock(&mut w.tx).await?;
    let everyone = users::all(&mut w.tx).await?;
    if everyone
        .iter()
        .any(|u| u.email.as_deref() == Some(email.as_str()))
    {
        return Err(
            ApiError::conflict(format!("a user with email {email} exists")).with_field("email"),
        );
    }
    if people::name_taken(&mut w.tx, &name, None).await? {
        return Err(
            ApiError::conflict(format!("another user is already called {name:?}"))
                .with_field("name"),
        );
    }
    let role = body.role.as_str();
    let (id, token_id, token) = people::create(&mut w.tx, now, &email, &name, role, "api").await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "user.created",
        ("user", &id),
        serde_json::json!({"email": email, "name": name, "role": role, "token_id": token_id}),
    )
    .await?;
    let user = users::by_id(&mut w.tx, &id)
        .await?
        .ok_or_else(|| ApiError::internal("the new user vanished"))?;
    w.commit().await?;
    let created = CreatedUser {
        user: view(user)?,
        token: IssuedToken { token_id, token },
    };
    Ok((StatusCode::CREATED, axum::Json(created)))
}

async fn existing(conn: &mut sqlx::AnyConnection, id: &str) -> ApiResult<UserRow> {
    users::by_id(conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no user {id:?}")).with_field("id"))
}

/// Renames a user, changes their role, or deactivates (`active: false`:
/// their tokens stop working, their past scores stay) or reactivates them.
#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", operation_id = "update_user",
    params(("id" = String, Path, description = "User id")),
    request_body = UserUpdate,
    responses((status = 200, body = User), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<UserUpdate>,
) -> ApiResult<axum::Json<User>> {
    require_admin(&caller)?;
    let name = body.name.as_deref().map(check_name).transpose()?;
    if id == caller.id
        && (body.active == Some(false) || body.role.is_some_and(|r| r != UserRole::Admin))
    {
        return Err(ApiError::conflict(
            "you cannot deactivate yourself or give up your own admin role; ask another admin",
        )
        .with_field("id"));
    }
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    lock::lock(&mut w.tx).await?;
    let u = existing(&mut w.tx, &id).await?;
    if let Some(n) = &name {
        if people::name_taken(&mut w.tx, n, Some(&id)).await? {
            return Err(
                ApiError::conflict(format!("another user is already called {n:?}"))
                    .with_field("name"),
            );
        }
    }
    let new_name = name.clone().unwrap_or_else(|| u.name.clone());
    let new_role = body
        .role
        .map(|r| r.as_str().to_string())
        .unwrap_or_else(|| u.role.clone());
    if new_name != u.name || new_role != u.role {
        users::update(&mut w.tx, &id, &new_name, &new_role, u.email.as_deref()).await?;
    }
    match body.active {
        Some(false) if u.deactivated_at.is_none() => {
            users::set_deactivated(&mut w.tx, &id, Some(now)).await?
        }
        Some(true) if u.deactivated_at.is_some() => {
            users::set_deactivated(&mut w.tx, &id, None).await?
        }
        _ => {}
    }
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "user.updated",
        ("user", &id),
        serde_json::json!({"name": name, "role": body.role, "active": body.active}),
    )
    .await?;
    let after = existing(&mut w.tx, &id).await?;
    w.commit().await?;
    Ok(axum::Json(view(after)?))
}

/// Issues another token for a user (shown once).
#[utoipa::path(post, path = "/v1/users/{id}/tokens", tag = "users", operation_id = "issue_user_token",
    params(("id" = String, Path, description = "User id")),
    responses((status = 201, body = IssuedToken), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn issue_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<IssuedToken>)> {
    require_admin(&caller)?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let u = existing(&mut w.tx, &id).await?;
    if u.deactivated_at.is_some() {
        return Err(ApiError::conflict(format!(
            "user {:?} is deactivated; reactivate them first",
            u.name
        ))
        .with_field("id"));
    }
    let (token_id, token) = people::issue(&mut w.tx, now, &id, "api").await?;
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "token.created",
        ("api_token", &token_id),
        serde_json::json!({"user_id": id, "label": "api"}),
    )
    .await?;
    w.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(IssuedToken { token_id, token }),
    ))
}
