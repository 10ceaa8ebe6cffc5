//! Setting one's own password, and an admin's reset of a trainee's (忘记密码).

use crate::access::Actor;
use crate::auth::session;
use crate::error::{AppError, Result};
use crate::extract::{ApiJson, ApiPath};
use crate::services::passwords;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::office::{PasswordChange, PasswordReset};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change))
        .routes(routes!(reset))
}

/// The signed-in person sets their own password: required after signing in with a one-time
/// password (every other route answers 403 `password_change_required` until then). The
/// person's other sessions end; this one stays.
#[utoipa::path(post, path = "/api/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204, description = "Set; `must_change_password` is cleared"),
        (status = 400, body = ErrorBody, description = "`invalid_json`"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 422, body = ErrorBody, description = "`validation_failed`: `current_password` wrong, or `new_password` too short, too long, the 身份证号 or phone, or the same as before"),
        (status = 503, body = ErrorBody, description = "`server_busy`")))]
async fn change(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode> {
    let token = session::token_from(&headers).ok_or(AppError::Unauthenticated)?;
    passwords::change(&state, &actor, &token, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 忘记密码: a unit admin (their unit's trainees) or an office or the province (trainees in
/// their region subtree), having verified the person, resets the trainee's password to a new
/// one-time password, shown once here. The trainee's sessions end; at the next sign-in they
/// set their own. Audited as `password.reset`.
#[utoipa::path(post, path = "/api/people/{id}/password-reset", tag = "unit",
    params(("id" = i64, Path, description = "the trainee's user id")),
    responses((status = 200, body = PasswordReset),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "a trainee or a proctor"),
        (status = 404, body = ErrorBody, description = "no such trainee in the admin's unit or region subtree"),
        (status = 503, body = ErrorBody, description = "`server_busy`")))]
async fn reset(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PasswordReset>> {
    Ok(Json(passwords::reset(&state, &actor, id).await?))
}
