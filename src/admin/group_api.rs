//! The calls of group sessions (集中学习, DESIGN.md §8): the office's scheduling and
//! attendance, the proctor's console. Made through the one client, [`crate::api`], and read
//! with serde: this module is in the admin bundle only.

use crate::api::{self, json, ApiError, Body};
use qinxue_core::group::{
    AttendanceCorrection, GroupSessionCreated, GroupSessionInput, GroupSessionSummary,
    GroupSessionView, LectureLesson, PaperAnswer, PracticePush, PresenceMark, ProctorSeating,
    RollCallStarted, RollCallTick,
};
use qinxue_core::practice::GradedAnswer;
use serde::de::DeserializeOwned;

async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Body) -> Result<T, ApiError> {
    api::read_serde(&api::send(method, path, body).await?)
}

/// `GET /api/group-sessions`: the office's sessions, or those the proctor runs.
pub async fn list() -> Result<Vec<GroupSessionSummary>, ApiError> {
    call("GET", "/api/group-sessions", Body::Empty).await
}

/// `GET /api/group-sessions/{id}`.
pub async fn get(id: i64) -> Result<GroupSessionView, ApiError> {
    call("GET", &format!("/api/group-sessions/{id}"), Body::Empty).await
}

/// `POST /api/group-sessions`.
pub async fn create(input: &GroupSessionInput) -> Result<GroupSessionCreated, ApiError> {
    call("POST", "/api/group-sessions", json(input)).await
}

/// `PUT /api/group-sessions/{id}`: before the session starts.
pub async fn update(id: i64, input: &GroupSessionInput) -> Result<GroupSessionView, ApiError> {
    call("PUT", &format!("/api/group-sessions/{id}"), json(input)).await
}

/// `POST /api/group-sessions/{id}/{action}` for `cancel`, `open`, `pin` and `close`.
pub async fn act(id: i64, action: &str) -> Result<GroupSessionView, ApiError> {
    call(
        "POST",
        &format!("/api/group-sessions/{id}/{action}"),
        Body::Empty,
    )
    .await
}

/// `POST /api/group-sessions/{id}/roll-calls`.
pub async fn roll_call(id: i64) -> Result<RollCallStarted, ApiError> {
    call(
        "POST",
        &format!("/api/group-sessions/{id}/roll-calls"),
        Body::Empty,
    )
    .await
}

/// `POST /api/group-sessions/{id}/roll-calls/{roll_call}/ticks`: the proctor sees the person.
pub async fn tick(id: i64, roll_call: i64, trainee_id: i64) -> Result<GroupSessionView, ApiError> {
    let path = format!("/api/group-sessions/{id}/roll-calls/{roll_call}/ticks");
    call("POST", &path, json(&RollCallTick { trainee_id })).await
}

/// `POST /api/group-sessions/{id}/corrections`: after closing, with a reason (audited).
pub async fn correct(id: i64, c: &AttendanceCorrection) -> Result<GroupSessionView, ApiError> {
    call(
        "POST",
        &format!("/api/group-sessions/{id}/corrections"),
        json(c),
    )
    .await
}

/// `POST /api/group-sessions/{id}/seats`: the proctor seats a person at the terminal that
/// shows the seat code.
pub async fn seat(id: i64, seating: &ProctorSeating) -> Result<GroupSessionView, ApiError> {
    call(
        "POST",
        &format!("/api/group-sessions/{id}/seats"),
        json(seating),
    )
    .await
}

/// `POST /api/group-sessions/{id}/roll-calls/{roll_call}/presence`: at a lecture's roll call
/// the proctor marks a person present or absent.
pub async fn presence(
    id: i64,
    roll_call: i64,
    mark: &PresenceMark,
) -> Result<GroupSessionView, ApiError> {
    let path = format!("/api/group-sessions/{id}/roll-calls/{roll_call}/presence");
    call("POST", &path, json(mark)).await
}

/// `PUT /api/group-sessions/{id}/lecture`: the lesson the projector plays from now on.
pub async fn set_lecture(id: i64, lesson: &LectureLesson) -> Result<GroupSessionView, ApiError> {
    let path = format!("/api/group-sessions/{id}/lecture");
    call("PUT", &path, json(lesson)).await
}

/// `POST /api/group-sessions/{id}/practice`: every question of the course, to every seat.
pub async fn push_practice(id: i64) -> Result<GroupSessionView, ApiError> {
    let path = format!("/api/group-sessions/{id}/practice");
    call("POST", &path, json(&PracticePush::default())).await
}

/// `POST /api/group-sessions/{id}/practice/{practice_id}/answers`: an answer given on paper.
pub async fn paper_answer(
    id: i64,
    practice_id: i64,
    answer: &PaperAnswer,
) -> Result<GradedAnswer, ApiError> {
    let path = format!("/api/group-sessions/{id}/practice/{practice_id}/answers");
    call("POST", &path, json(answer)).await
}
