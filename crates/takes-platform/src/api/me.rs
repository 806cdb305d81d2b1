use takes_api::{Me, Problem};

use crate::auth::Caller;

/// The signed-in user.
#[utoipa::path(get, path = "/v1/me", tag = "reviewing",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(caller: Caller) -> axum::Json<Me> {
    axum::Json(Me {
        id: caller.id,
        name: caller.name,
        role: caller.role,
    })
}
