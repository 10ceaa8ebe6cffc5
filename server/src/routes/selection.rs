//! A trainee's plan of courses for the year.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::selection;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::practice::{Plan, SelectCourse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(plan, select))
        .routes(routes!(unselect))
}

/// The selected courses and their 学时 against the requirement.
#[utoipa::path(get, path = "/api/selections", tag = "catalogue", responses((status = 200, body = Plan)))]
async fn plan(State(state): State<AppState>, actor: Actor) -> Result<Json<Plan>> {
    Ok(Json(selection::plan(&state, &actor).await?))
}

/// Adds a course to the plan.
#[utoipa::path(post, path = "/api/selections", tag = "catalogue", request_body = SelectCourse,
    responses(
        (status = 201, body = Plan),
        (status = 404, body = ErrorBody, description = "no such published course"),
        (status = 409, body = ErrorBody, description = "`already_selected`, `plan_complete` or `registration_closed`"),
        (status = 422, body = ErrorBody, description = "`wrong_trade`"),
    ))]
async fn select(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<SelectCourse>,
) -> Result<(StatusCode, Json<Plan>)> {
    Ok((
        StatusCode::CREATED,
        Json(selection::select(&state, &actor, req.course_id).await?),
    ))
}

/// Removes a course not yet studied from the plan.
#[utoipa::path(delete, path = "/api/selections/{course_id}", tag = "catalogue",
    params(("course_id" = i64, Path, description = "course id")),
    responses((status = 200, body = Plan), (status = 409, body = ErrorBody, description = "`course_started` or `registration_closed`")))]
async fn unselect(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(course_id): ApiPath<i64>,
) -> Result<Json<Plan>> {
    Ok(Json(selection::unselect(&state, &actor, course_id).await?))
}
