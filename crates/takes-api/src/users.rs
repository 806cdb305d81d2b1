//! People who sign in, as admins manage them (`/v1/users`): created with a
//! token shown once, renamed, given another role, deactivated (never
//! deleted: past scores stay).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::UserRole;

/// A user as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub name: String,
    /// Lowercase; users made with `takes token create` may have none.
    pub email: Option<String>,
    pub role: UserRole,
    /// False once deactivated: their tokens answer 401 and they get no new
    /// assignments.
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    #[serde(default)]
    pub deactivated_at: Option<String>,
}

/// `GET /v1/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
}

/// Body of `POST /v1/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: UserRole,
}

/// Body of `PATCH /v1/users/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<UserRole>,
    /// `false` deactivates, `true` reactivates.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A token just issued, shown this once (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    pub token_id: String,
    pub token: String,
}

/// Answer of `POST /v1/users`: the user and their first token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    pub token: IssuedToken,
}
