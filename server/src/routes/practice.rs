//! Practice attempts with immediate feedback.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::practice;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::practice::{AnswerQuestion, Attempt, AttemptSummary, GradedAnswer, StartPractice};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(history))
        .routes(routes!(get_attempt))
        .routes(routes!(answer))
        .routes(routes!(finish))
}

/// Starts an attempt on a course's questions (or only those an earlier attempt got wrong).
#[utoipa::path(post, path = "/api/courses/{id}/practice", tag = "practice", request_body = StartPractice,
    params(("id" = i64, Path, description = "course id")),
    responses((status = 201, body = Attempt), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn start(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(course_id): ApiPath<i64>,
    ApiJson(req): ApiJson<StartPractice>,
) -> Result<(StatusCode, Json<Attempt>)> {
    let attempt = practice::start(&state, &actor, course_id, req.retry_wrong_of).await?;
    Ok((StatusCode::CREATED, Json(attempt)))
}

/// The trainee's attempts on a course, newest first.
#[utoipa::path(get, path = "/api/courses/{id}/practice/attempts", tag = "practice",
    params(("id" = i64, Path, description = "course id")),
    responses((status = 200, body = Vec<AttemptSummary>)))]
async fn history(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(course_id): ApiPath<i64>,
) -> Result<Json<Vec<AttemptSummary>>> {
    Ok(Json(practice::history(&state, &actor, course_id).await?))
}

#[utoipa::path(get, path = "/api/practice/{attempt}", tag = "practice",
    params(("attempt" = i64, Path, description = "attempt id")),
    responses((status = 200, body = Attempt), (status = 404, body = ErrorBody)))]
async fn get_attempt(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Attempt>> {
    Ok(Json(practice::get(&state, &actor, id).await?))
}

/// Answers one question; the answer is graded and explained at once.
#[utoipa::path(post, path = "/api/practice/{attempt}/answers", tag = "practice", request_body = AnswerQuestion,
    params(("attempt" = i64, Path, description = "attempt id")),
    responses(
        (status = 200, body = GradedAnswer),
        (status = 409, body = ErrorBody, description = "`already_answered` or `attempt_finished`"),
        (status = 422, body = ErrorBody, description = "`invalid_choice`"),
    ))]
async fn answer(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AnswerQuestion>,
) -> Result<Json<GradedAnswer>> {
    Ok(Json(
        practice::answer(&state, &actor, id, req.question_id, req.chosen).await?,
    ))
}

/// Finishes the attempt and scores it.
#[utoipa::path(post, path = "/api/practice/{attempt}/finish", tag = "practice",
    params(("attempt" = i64, Path, description = "attempt id")),
    responses((status = 200, body = Attempt), (status = 409, body = ErrorBody, description = "`attempt_finished`")))]
async fn finish(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Attempt>> {
    Ok(Json(practice::finish(&state, &actor, id).await?))
}
