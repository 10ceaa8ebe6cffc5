//! The course catalogue and lesson content.

use crate::access::{Actor, Learner};
use crate::error::Result;
use crate::extract::{ApiPath, ApiQuery};
use crate::services::selection::{self, CourseFilter};
use crate::services::{seats, study};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use qinxue_core::api::{Course, ErrorBody, Lesson};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_courses))
        .routes(routes!(get_lesson))
}

/// Published courses with their lessons, filtered; a signed-in trainee's trade comes first.
#[utoipa::path(get, path = "/api/courses", security((), ("session" = [])), tag = "catalogue", params(CourseFilter),
    responses((status = 200, body = Vec<Course>), (status = 400, body = ErrorBody)))]
async fn list_courses(
    State(state): State<AppState>,
    actor: Option<Actor>,
    ApiQuery(filter): ApiQuery<CourseFilter>,
) -> Result<Json<Vec<Course>>> {
    Ok(Json(
        selection::catalogue(&state, actor.as_ref().map(Actor::user), &filter).await?,
    ))
}

/// A lesson's content and the trainee's progress on it this year.
#[utoipa::path(get, path = "/api/lessons/{id}", security(("session" = []), ("seat" = [])), tag = "catalogue",
    params(("id" = i64, Path, description = "lesson id")),
    responses((status = 200, body = Lesson), (status = 404, body = ErrorBody)))]
async fn get_lesson(
    State(state): State<AppState>,
    learner: Learner,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Lesson>> {
    let lesson = match &learner {
        Learner::Account(actor) => study::lesson(&state, actor, id).await?,
        Learner::Seat(seat) => seats::lesson(&state, seat, id).await?,
    };
    Ok(Json(lesson))
}
