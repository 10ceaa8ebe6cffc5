//! Study sessions, heartbeats and anti-idle checks (DESIGN.md §3 and §7). A seat of a group
//! session studies through the same routes with its seat credential (`access::Learner`): on
//! the session's course only, its checks being the proctor's roll calls.

use crate::access::{Actor, Beater, Learner};
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::{seats, study};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use qinxue_core::api::{
    CheckAnswer, CheckPassed, EndStudy, ErrorBody, HeartbeatReply, HeartbeatRequest, StartStudy,
    StudyProgress, StudySession,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(heartbeat))
        .routes(routes!(end))
        .routes(routes!(answer))
        .routes(routes!(progress))
}

/// Opens a study session on a lesson; the trainee's other session, if any, ends.
#[utoipa::path(post, path = "/api/study/sessions", security(("session" = []), ("seat" = [])), tag = "study", request_body = StartStudy,
    responses(
        (status = 201, body = StudySession),
        (status = 403, body = ErrorBody, description = "`not_enrolled` or not a trainee"),
        (status = 404, body = ErrorBody, description = "no such lesson"),
        (status = 409, body = ErrorBody, description = "`study_closed`"),
    ))]
async fn start(
    State(state): State<AppState>,
    learner: Learner,
    ApiJson(req): ApiJson<StartStudy>,
) -> Result<(StatusCode, Json<StudySession>)> {
    let opened = match &learner {
        Learner::Account(actor) => study::start(&state, actor, req.lesson_id).await?,
        Learner::Seat(seat) => seats::start(&state, seat, req.lesson_id).await?,
    };
    Ok((StatusCode::CREATED, Json(opened)))
}

/// Reports the interval since the previous heartbeat; the server decides what it earns.
#[utoipa::path(post, path = "/api/study/sessions/{id}/heartbeat", security(("session" = []), ("seat" = [])), tag = "study", request_body = HeartbeatRequest,
    params(("id" = i64, Path, description = "study session id")),
    responses(
        (status = 200, body = HeartbeatReply),
        (status = 404, body = ErrorBody, description = "no such session of this trainee"),
        (status = 409, body = ErrorBody, description = "`session_ended` (another tab or device took over) or `study_closed`"),
        (status = 422, body = ErrorBody, description = "`out_of_range` seq or position"),
    ))]
async fn heartbeat(
    State(state): State<AppState>,
    beater: Beater,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<HeartbeatRequest>,
) -> Result<Json<HeartbeatReply>> {
    let beat = study::validate_beat(&req)?;
    let reply = state.study.heartbeat(beater.studier()?, id, beat).await;
    if let Beater::Seat(seat) = &beater {
        state.rooms.changed(seat.group_session_id);
    }
    Ok(Json(reply?))
}

/// Ends a session (the page is closing), crediting its last interval if one is sent.
#[utoipa::path(post, path = "/api/study/sessions/{id}/end", security(("session" = []), ("seat" = [])), tag = "study", request_body = EndStudy,
    params(("id" = i64, Path, description = "study session id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn end(
    State(state): State<AppState>,
    learner: Learner,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EndStudy>,
) -> Result<StatusCode> {
    let ended = study::end(&state, learner.studier()?, id, req.last).await;
    if let Learner::Seat(seat) = &learner {
        state.rooms.changed(seat.group_session_id);
    }
    ended?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answers an anti-idle check.
#[utoipa::path(post, path = "/api/study/checks/{id}", security(("session" = []), ("seat" = [])), tag = "study", request_body = CheckAnswer,
    params(("id" = String, Path, description = "check id")),
    responses(
        (status = 200, body = CheckPassed),
        (status = 404, body = ErrorBody, description = "no open check with this id"),
        (status = 409, body = ErrorBody, description = "`check_expired`"),
        (status = 422, body = ErrorBody, description = "`wrong_answer`: crediting stops until the next check is answered"),
    ))]
async fn answer(
    State(state): State<AppState>,
    learner: Learner,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CheckAnswer>,
) -> Result<Json<CheckPassed>> {
    let passed = match &learner {
        Learner::Account(actor) => study::answer(&state, actor, id, req.answer).await?,
        Learner::Seat(seat) => seats::answer(&state, seat, &id, req.answer).await?,
    };
    Ok(Json(passed))
}

/// The year's credited time by course.
#[utoipa::path(get, path = "/api/study/progress", tag = "study", responses((status = 200, body = StudyProgress)))]
async fn progress(State(state): State<AppState>, actor: Actor) -> Result<Json<StudyProgress>> {
    Ok(Json(study::progress(&state, &actor).await?))
}
