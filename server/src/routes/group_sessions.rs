//! Group sessions (集中学习) for the office and the proctor (DESIGN.md §8 "Group sessions"):
//! scheduling, the console's view and live events, opening, PIN, roll calls, closing and
//! corrections; and a trainee's coming sessions.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::group_sessions::{self, Watched};
use crate::services::seats;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures::{Stream, StreamExt};
use qinxue_core::api::ErrorBody;
use qinxue_core::group::{
    AttendanceCorrection, DueReport, GroupSessionCreated, GroupSessionInput, GroupSessionSummary,
    GroupSessionView, LectureLesson, PaperAnswer, PracticePush, PresenceMark, ProctorSeating,
    RollCallStarted, RollCallTick,
};
use qinxue_core::practice::GradedAnswer;
use std::convert::Infallible;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(cancel))
        .routes(routes!(open))
        .routes(routes!(new_pin))
        .routes(routes!(close))
        .routes(routes!(seat_person))
        .routes(routes!(events))
        .routes(routes!(roll_call))
        .routes(routes!(tick))
        .routes(routes!(set_lecture))
        .routes(routes!(presence))
        .routes(routes!(push_practice))
        .routes(routes!(paper_answer))
        .routes(routes!(correct))
        .routes(routes!(mine))
}

/// `POST /api/test/group-sessions/tick`, mounted only with `QINXUE_TEST_CLOCK=1`.
pub fn test_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(run_due))
}

/// An office admin schedules a session in their region's subtree.
#[utoipa::path(post, path = "/api/group-sessions", tag = "group sessions", request_body = GroupSessionInput,
    responses(
        (status = 201, body = GroupSessionCreated),
        (status = 403, body = ErrorBody, description = "not an office admin"),
        (status = 422, body = ErrorBody, description = "`validation_failed`: times, capacity, a region, proctor or trainee outside the admin's subtree, an unpublished course"),
    ))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<GroupSessionInput>,
) -> Result<(StatusCode, Json<GroupSessionCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(group_sessions::create(&state, &actor, input).await?),
    ))
}

/// The sessions of an office admin's subtree, or those a proctor runs; latest first.
#[utoipa::path(get, path = "/api/group-sessions", tag = "group sessions",
    responses((status = 200, body = Vec<GroupSessionSummary>), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<GroupSessionSummary>>> {
    Ok(Json(group_sessions::list(&state, &actor).await?))
}

/// A session with its seats (problems first) and, once closed, its attendance.
#[utoipa::path(get, path = "/api/group-sessions/{id}", tag = "group sessions",
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 403, body = ErrorBody, description = "neither an office admin nor a proctor"),
        (status = 404, body = ErrorBody, description = "not in the admin's subtree, or not the proctor's"),
    ))]
async fn get_one(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(group_sessions::view(&state, &actor, id).await?))
}

/// The office admin changes a session before it starts.
#[utoipa::path(put, path = "/api/group-sessions/{id}", tag = "group sessions", request_body = GroupSessionInput,
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`session_started`"),
        (status = 422, body = ErrorBody),
    ))]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<GroupSessionInput>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(
        group_sessions::update(&state, &actor, id, input).await?,
    ))
}

/// The office admin calls a session off before it starts.
#[utoipa::path(post, path = "/api/group-sessions/{id}/cancel", tag = "group sessions",
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`session_started`"),
    ))]
async fn cancel(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(group_sessions::cancel(&state, &actor, id).await?))
}

/// Its proctor opens the session (from 30 minutes before its start) with a new PIN.
#[utoipa::path(post, path = "/api/group-sessions/{id}/open", tag = "group sessions",
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`room_not_open` (too early) or `room_closed`"),
    ))]
async fn open(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(group_sessions::open(&state, &actor, id).await?))
}

/// Its proctor asks for a new PIN.
#[utoipa::path(post, path = "/api/group-sessions/{id}/pin", tag = "group sessions",
    params(("id" = i64, Path, description = "group session id")),
    responses((status = 200, body = GroupSessionView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn new_pin(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(group_sessions::new_pin(&state, &actor, id).await?))
}

/// Its proctor closes the session: every seat is signed out; the answer has the attendance.
#[utoipa::path(post, path = "/api/group-sessions/{id}/close", tag = "group sessions",
    params(("id" = i64, Path, description = "group session id")),
    responses((status = 200, body = GroupSessionView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(group_sessions::close(&state, &actor, id).await?))
}

/// Its proctor seats a person at the terminal that shows `seat_code` (the 4 digits on a
/// kiosk nobody sits at), named by `trainee_id` or `id_number`: admitted as by PIN (region,
/// list, enrolment, capacity; their other seat and the terminal's last person are signed
/// out). The kiosk takes the seat at its next `POST /api/rooms/{code}/terminal`.
#[utoipa::path(post, path = "/api/group-sessions/{id}/seats", tag = "group sessions",
    request_body = ProctorSeating,
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 403, body = ErrorBody, description = "`not_in_region`, `not_assigned` or `not_enrolled`"),
        (status = 404, body = ErrorBody, description = "not the proctor's session"),
        (status = 409, body = ErrorBody, description = "`room_not_open`, `room_closed` or `room_full`"),
        (status = 422, body = ErrorBody, description = "no terminal shows `seat_code`, an unknown `trainee_id`, a bad `id_number`, or neither given"),
    ))]
async fn seat_person(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ProctorSeating>,
) -> Result<Json<GroupSessionView>> {
    seats::seat_by_proctor(&state, &actor, id, req).await?;
    Ok(Json(group_sessions::view(&state, &actor, id).await?))
}

/// The console's live changes as server-sent events: `snapshot` (the whole view, first and
/// whenever more than seats change), `seat` (one seat) and `ping` (`{"now"}`, when nothing
/// changed for 5 s). A reconnect is a new stream, so it starts with a snapshot.
#[utoipa::path(get, path = "/api/group-sessions/{id}/events", tag = "group sessions",
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, content_type = "text/event-stream", description = "`snapshot`, `seat` and `ping` events"),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
async fn events(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    // Refuse what the caller may not see with the API's error, not an empty stream.
    group_sessions::view(&state, &actor, id).await?;
    let stream = group_sessions::watch(&state, &actor, id)?;
    let mut n: u64 = 0;
    let events = stream.map(move |watched| {
        n += 1;
        let (name, data) = match watched {
            Watched::Snapshot(v) => ("snapshot", serde_json::to_string(&v)),
            Watched::Seat(s) => ("seat", serde_json::to_string(&s)),
            Watched::Ping(now) => (
                "ping",
                serde_json::to_string(&serde_json::json!({"now": now})),
            ),
        };
        Ok(Event::default()
            .event(name)
            .id(n.to_string())
            .data(data.unwrap_or_else(|_| "null".into())))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Its proctor starts a roll call: every seat is asked (as its heartbeat reply's `check`,
/// `kind: "roll_call"`) and has 60 s to answer.
#[utoipa::path(post, path = "/api/group-sessions/{id}/roll-calls", tag = "group sessions",
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 201, body = RollCallStarted),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`roll_call_open`, `room_not_open` or `room_closed`"),
    ))]
async fn roll_call(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<RollCallStarted>)> {
    Ok((
        StatusCode::CREATED,
        Json(group_sessions::roll_call(&state, &actor, id).await?),
    ))
}

/// Its proctor ticks a seated person present at a running roll call.
#[utoipa::path(post, path = "/api/group-sessions/{id}/roll-calls/{roll_call_id}/ticks", tag = "group sessions",
    request_body = RollCallTick,
    params(("id" = i64, Path, description = "group session id"), ("roll_call_id" = i64, Path, description = "roll call id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 404, body = ErrorBody, description = "no such roll call, or the person has no seat here"),
        (status = 409, body = ErrorBody, description = "`check_expired`: the roll call is over"),
    ))]
async fn tick(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, roll_call_id)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<RollCallTick>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(
        group_sessions::tick(&state, &actor, id, roll_call_id, req.trainee_id).await?,
    ))
}

/// Lecture format: its proctor chooses the lesson of the course played on the projector
/// (at opening it is the course's first). The stretch that ends at each roll call is credited
/// to the lesson played when that roll call started.
#[utoipa::path(put, path = "/api/group-sessions/{id}/lecture", tag = "group sessions",
    request_body = LectureLesson,
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 404, body = ErrorBody, description = "not the proctor's session"),
        (status = 409, body = ErrorBody, description = "`room_closed`"),
        (status = 422, body = ErrorBody, description = "a lesson not of the session's course, or a session of the seats format (`format`)"),
    ))]
async fn set_lecture(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LectureLesson>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(
        group_sessions::set_lecture(&state, &actor, id, req).await?,
    ))
}

/// Lecture format: at the latest roll call (the opening one, a random one the console is
/// prompted for, the closing one; marks taken for 10 minutes) its proctor marks a person
/// present or absent, by `trainee_id` or `id_number`. Present at this roll call and the one
/// before, they are credited the time between them on the lesson played, within the lesson's
/// nominal duration and the daily cap, through the ledger; their other live study session
/// ends. A mark is final.
#[utoipa::path(post, path = "/api/group-sessions/{id}/roll-calls/{roll_call_id}/presence", tag = "group sessions",
    request_body = PresenceMark,
    params(("id" = i64, Path, description = "group session id"), ("roll_call_id" = i64, Path, description = "roll call id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 403, body = ErrorBody, description = "`not_in_region`, `not_assigned` or `not_enrolled`"),
        (status = 404, body = ErrorBody, description = "no such roll call, or not the proctor's session"),
        (status = 409, body = ErrorBody, description = "`check_expired` (not the latest roll call, or its 10 minutes are over), `already_answered` (marked otherwise already), `room_not_open`, `room_closed`"),
        (status = 422, body = ErrorBody, description = "a bad `id_number`, an unknown `trainee_id`, neither, or a session of the seats format (`format`)"),
    ))]
async fn presence(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, roll_call_id)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<PresenceMark>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(
        group_sessions::mark_presence(&state, &actor, id, roll_call_id, req).await?,
    ))
}

/// Its proctor pushes a practice set of the session's course to every seat (all its
/// questions, or `question_ids` in that order; the latest push is current). Seats hear of it
/// as a `practice` event on `GET /api/rooms/{code}/events`; the console's `practice` shows the
/// answers per question (answered, right, wrong), live over its own events.
#[utoipa::path(post, path = "/api/group-sessions/{id}/practice", tag = "group sessions",
    request_body = PracticePush,
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 201, body = GroupSessionView),
        (status = 404, body = ErrorBody, description = "not the proctor's session"),
        (status = 409, body = ErrorBody, description = "`room_not_open` or `room_closed`"),
        (status = 422, body = ErrorBody, description = "`question_ids`: empty, repeated, not of the course, or the course has none"),
    ))]
async fn push_practice(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PracticePush>,
) -> Result<(StatusCode, Json<GroupSessionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(group_sessions::push_practice(&state, &actor, id, req).await?),
    ))
}

/// Its proctor records an answer a person gave on paper to the current practice set, by
/// `trainee_id` or `id_number` (admitted as for a seat); graded by the practice rules and
/// counted in the tally; audited.
#[utoipa::path(post, path = "/api/group-sessions/{id}/practice/{practice_id}/answers", tag = "group sessions",
    request_body = PaperAnswer,
    params(("id" = i64, Path, description = "group session id"), ("practice_id" = i64, Path, description = "pushed practice set id")),
    responses(
        (status = 200, body = GradedAnswer),
        (status = 403, body = ErrorBody, description = "`not_in_region`, `not_assigned` or `not_enrolled`"),
        (status = 404, body = ErrorBody, description = "not the current set of the proctor's session"),
        (status = 409, body = ErrorBody, description = "`already_answered`, `room_closed`"),
        (status = 422, body = ErrorBody, description = "a bad `id_number`, an unknown `trainee_id`, a question not in the set, a choice that is not one"),
    ))]
async fn paper_answer(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, practice_id)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<PaperAnswer>,
) -> Result<Json<GradedAnswer>> {
    Ok(Json(
        group_sessions::paper_answer(&state, &actor, id, practice_id, req).await?,
    ))
}

/// The office admin corrects a person's credited time in a closed session (audited).
#[utoipa::path(post, path = "/api/group-sessions/{id}/corrections", tag = "group sessions",
    request_body = AttendanceCorrection,
    params(("id" = i64, Path, description = "group session id")),
    responses(
        (status = 200, body = GroupSessionView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`not_closed`"),
        (status = 422, body = ErrorBody, description = "no reason, seconds out of range, a person outside the region"),
    ))]
async fn correct(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AttendanceCorrection>,
) -> Result<Json<GroupSessionView>> {
    Ok(Json(
        group_sessions::correct(&state, &actor, id, req).await?,
    ))
}

/// A trainee's coming group sessions: assigned to them, or open to their region.
#[utoipa::path(get, path = "/api/me/group-sessions", tag = "group sessions",
    responses((status = 200, body = Vec<GroupSessionSummary>), (status = 403, body = ErrorBody)))]
async fn mine(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<GroupSessionSummary>>> {
    Ok(Json(group_sessions::upcoming(&state, &actor).await?))
}

/// Runs the due work now: sessions past their end close, random roll calls due start.
#[utoipa::path(post, path = "/api/test/group-sessions/tick", security(()), tag = "test",
    responses((status = 200, body = DueReport)))]
async fn run_due(State(state): State<AppState>) -> Result<Json<DueReport>> {
    let (closed, roll_calls) = group_sessions::run_due(&state).await?;
    Ok(Json(DueReport {
        closed: u32::try_from(closed).unwrap_or(u32::MAX),
        roll_calls: u32::try_from(roll_calls).unwrap_or(u32::MAX),
    }))
}
