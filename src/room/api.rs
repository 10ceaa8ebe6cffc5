//! The kiosk's calls to `/api/rooms/{code}…` (DESIGN.md §8), made through the one client
//! ([`crate::api::send`]) and read with serde: this module is in the room bundle only.

use crate::api::{self, json, ApiError, Body};
use qinxue_core::group::{RoomInfo, SeatSession, SeatSignIn, TerminalView};
use qinxue_core::practice::{AnswerQuestion, Attempt, GradedAnswer};
use serde::de::DeserializeOwned;

async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Body) -> Result<T, ApiError> {
    api::read_serde(&api::send(method, path, body).await?)
}

/// A room code as it may go into a path: the kiosk's address is typed by people, so anything
/// but the code's letters and digits is dropped (the server answers 404 to a wrong code).
pub fn clean_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// `GET /api/rooms/{code}`: the session's public face (also gives the terminal its cookie).
pub async fn info(code: &str) -> Result<RoomInfo, ApiError> {
    call("GET", &format!("/api/rooms/{code}"), Body::Empty).await
}

/// `POST /api/rooms/{code}/sign-in`: sits the person down at this terminal.
pub async fn sign_in(code: &str, id_number: String, pin: String) -> Result<SeatSession, ApiError> {
    let body = json(&SeatSignIn { id_number, pin });
    call("POST", &format!("/api/rooms/{code}/sign-in"), body).await
}

/// `POST /api/rooms/{code}/terminal`: the seat code this terminal shows while nobody sits
/// here, or the seat the proctor made here from the console (the seat cookie then set).
pub async fn terminal(code: &str) -> Result<TerminalView, ApiError> {
    call("POST", &format!("/api/rooms/{code}/terminal"), Body::Empty).await
}

/// `GET /api/rooms/{code}/seat`: who sits here; a refusal says the seat has ended and why.
pub async fn seat(code: &str) -> Result<SeatSession, ApiError> {
    call("GET", &format!("/api/rooms/{code}/seat"), Body::Empty).await
}

/// `POST /api/rooms/{code}/sign-out`: ends the seat and clears its cookie (also after the
/// seat ended, so that nothing of the person stays on the terminal).
pub async fn sign_out(code: &str) -> Result<(), ApiError> {
    api::send("POST", &format!("/api/rooms/{code}/sign-out"), Body::Empty)
        .await
        .map(drop)
}

/// `GET /api/rooms/{code}/practice`: the seat's attempt on the set the proctor pushed last.
pub async fn practice(code: &str) -> Result<Attempt, ApiError> {
    call("GET", &format!("/api/rooms/{code}/practice"), Body::Empty).await
}

/// `POST /api/rooms/{code}/practice/answers`: one answer, graded at once.
pub async fn answer(code: &str, answer: &AnswerQuestion) -> Result<GradedAnswer, ApiError> {
    let path = format!("/api/rooms/{code}/practice/answers");
    call("POST", &path, json(answer)).await
}
