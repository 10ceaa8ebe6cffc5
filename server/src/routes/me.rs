//! `GET /api/me`.

use crate::access::Actor;
use crate::error::Result;
use crate::services::accounts;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use qinxue_core::api::{ErrorBody, Me};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// The signed-in person, masked identifiers, and this year's requirement for them.
#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody, description = "`unauthenticated`")))]
async fn me(State(state): State<AppState>, actor: Actor) -> Result<Json<Me>> {
    Ok(Json(accounts::me(&state, actor).await?))
}
