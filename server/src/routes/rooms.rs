//! A room's terminals (the kiosk at `/room/<code>`): the session's public face, signing in at
//! a seat by 身份证号 and PIN, the seat's person and course, and signing out. A seat studies
//! through the study routes (`routes::study`), which accept its credential.

use crate::access::Seat;
use crate::auth::seat::{self as cookies, TERMINAL_COOKIE};
use crate::auth::session::{self, new_token, token_hash};
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::group_sessions::{self, SeatEvent};
use crate::services::seats;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{AppendHeaders, IntoResponse};
use axum::Json;
use futures::{Stream, StreamExt};
use qinxue_core::api::ErrorBody;
use qinxue_core::group::{RoomInfo, SeatSession, SeatSignIn, TerminalView};
use qinxue_core::practice::{AnswerQuestion, Attempt, GradedAnswer};
use std::convert::Infallible;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(info))
        .routes(routes!(sign_in))
        .routes(routes!(terminal_state))
        .routes(routes!(seat))
        .routes(routes!(sign_out))
        .routes(routes!(practice))
        .routes(routes!(practice_answer))
        .routes(routes!(events))
}

/// The terminal's own cookie: its hash (which the server keeps), and a `Set-Cookie` when the
/// terminal had none yet.
fn terminal(headers: &HeaderMap, secure: bool) -> Result<(String, Option<HeaderValue>)> {
    match cookies::cookie(headers, TERMINAL_COOKIE) {
        Some(t) => Ok((token_hash(&t), None)),
        None => {
            let (token, hash) = new_token()?;
            Ok((hash, Some(cookies::set_terminal(&token, secure))))
        }
    }
}

/// What the kiosk shows before anyone signs in (no one's data); gives a terminal its cookie.
#[utoipa::path(get, path = "/api/rooms/{code}", security(()), tag = "rooms",
    params(("code" = String, Path, description = "room code")),
    responses((status = 200, body = RoomInfo), (status = 404, body = ErrorBody)))]
async fn info(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> Result<impl IntoResponse> {
    let room = seats::info(&state, &code).await?;
    let (_, set) = terminal(&headers, state.config.secure_cookies)?;
    Ok((AppendHeaders(set.map(|c| (SET_COOKIE, c))), Json(room)))
}

/// A person signs in at this terminal with their 身份证号 and the PIN on the proctor's
/// console. The answer sets the seat cookie (valid for this session's study only) and ends
/// any account sign-in of the terminal; the person's seat elsewhere and the terminal's last
/// person are signed out.
#[utoipa::path(post, path = "/api/rooms/{code}/sign-in", security(()), tag = "rooms", request_body = SeatSignIn,
    params(("code" = String, Path, description = "room code")),
    responses(
        (status = 200, body = SeatSession, description = "Seated (seat cookie set)"),
        (status = 401, body = ErrorBody, description = "`wrong_pin`"),
        (status = 403, body = ErrorBody, description = "`not_in_region`, `not_assigned` or `not_enrolled`"),
        (status = 404, body = ErrorBody, description = "no such room"),
        (status = 409, body = ErrorBody, description = "`room_not_open`, `room_closed` or `room_full`"),
        (status = 422, body = ErrorBody, description = "a 身份证号 that cannot be one"),
        (status = 429, body = ErrorBody, description = "too many wrong PINs from this terminal"),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<SeatSignIn>,
) -> Result<impl IntoResponse> {
    let secure = state.config.secure_cookies;
    let (terminal, set_terminal) = terminal(&headers, secure)?;
    let seated = seats::sign_in(&state, &code, terminal, req).await?;
    let cookies = [
        Some(cookies::set_seat(&seated.token, secure)),
        Some(session::clear_cookie(secure)),
        set_terminal,
    ];
    Ok((
        AppendHeaders(cookies.into_iter().flatten().map(|c| (SET_COOKIE, c))),
        Json(seated.seat),
    ))
}

/// A kiosk nobody sits at asks this every few seconds: it shows its 4-digit `seat_code`
/// until the proctor seats someone at it from the console (`POST
/// /api/group-sessions/{id}/seats`); the next ask then takes that seat (`seat`, the seat
/// cookie set, any account sign-in of the terminal ended).
#[utoipa::path(post, path = "/api/rooms/{code}/terminal", security(()), tag = "rooms",
    params(("code" = String, Path, description = "room code")),
    responses(
        (status = 200, body = TerminalView, description = "The seat code to show, or the seat the proctor made here (seat cookie set)"),
        (status = 404, body = ErrorBody, description = "no such room"),
        (status = 409, body = ErrorBody, description = "`room_not_open` or `room_closed`"),
    ))]
async fn terminal_state(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> Result<impl IntoResponse> {
    let secure = state.config.secure_cookies;
    let (terminal, set_terminal) = terminal(&headers, secure)?;
    let (seated, seat_code) = seats::terminal(&state, &code, terminal).await?;
    let mut cookies = vec![set_terminal];
    let seat = seated.map(|s| {
        cookies.push(Some(cookies::set_seat(&s.token, secure)));
        cookies.push(Some(session::clear_cookie(secure)));
        s.seat
    });
    Ok((
        AppendHeaders(cookies.into_iter().flatten().map(|c| (SET_COOKIE, c))),
        Json(TerminalView { seat_code, seat }),
    ))
}

/// Who sits at this terminal and what they study; also the seat page's sign of life while no
/// lesson is open.
#[utoipa::path(get, path = "/api/rooms/{code}/seat", security(("seat" = [])), tag = "rooms",
    params(("code" = String, Path, description = "room code")),
    responses(
        (status = 200, body = SeatSession),
        (status = 401, body = ErrorBody, description = "no seat, or `seat_ended`, `seat_moved`"),
        (status = 403, body = ErrorBody, description = "`seat_only`: a seat of another room"),
        (status = 409, body = ErrorBody, description = "`room_closed`"),
    ))]
async fn seat(
    State(state): State<AppState>,
    seat: Seat,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<SeatSession>> {
    Ok(Json(seats::current(&state, &seat, &code).await?))
}

/// Signs out of the seat and clears the terminal's seat cookie (also after the seat ended).
#[utoipa::path(post, path = "/api/rooms/{code}/sign-out", security(()), tag = "rooms",
    params(("code" = String, Path, description = "room code")),
    responses((status = 204, description = "Signed out (seat cookie cleared)")))]
async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> Result<impl IntoResponse> {
    if let Some(token) = cookies::cookie(&headers, cookies::SEAT_COOKIE) {
        seats::sign_out(&state, &code, &token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, cookies::clear_seat(state.config.secure_cookies))],
    ))
}

/// The seat's person's attempt on the practice set the proctor pushed last (made at the
/// first look; graded by the practice rules).
#[utoipa::path(get, path = "/api/rooms/{code}/practice", security(("seat" = [])), tag = "rooms",
    params(("code" = String, Path, description = "room code")),
    responses(
        (status = 200, body = Attempt),
        (status = 401, body = ErrorBody, description = "no seat, or `seat_ended`, `seat_moved`"),
        (status = 403, body = ErrorBody, description = "`seat_only`: a seat of another room"),
        (status = 404, body = ErrorBody, description = "no practice pushed yet"),
    ))]
async fn practice(
    State(state): State<AppState>,
    seat: Seat,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Attempt>> {
    seats::in_room(&state, &seat, &code).await?;
    Ok(Json(group_sessions::seat_practice(&state, &seat).await?))
}

/// The seat answers a question of the pushed practice set: immediate feedback, and the
/// console's tally moves.
#[utoipa::path(post, path = "/api/rooms/{code}/practice/answers", security(("seat" = [])), tag = "rooms",
    request_body = AnswerQuestion,
    params(("code" = String, Path, description = "room code")),
    responses(
        (status = 200, body = GradedAnswer),
        (status = 401, body = ErrorBody, description = "no seat, or `seat_ended`, `seat_moved`"),
        (status = 403, body = ErrorBody, description = "`seat_only`"),
        (status = 404, body = ErrorBody, description = "no practice pushed yet"),
        (status = 409, body = ErrorBody, description = "`already_answered`"),
        (status = 422, body = ErrorBody, description = "a question not in the set, or a choice that is not one"),
    ))]
async fn practice_answer(
    State(state): State<AppState>,
    seat: Seat,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<AnswerQuestion>,
) -> Result<Json<GradedAnswer>> {
    seats::in_room(&state, &seat, &code).await?;
    Ok(Json(group_sessions::seat_answer(&state, &seat, req).await?))
}

/// The seat's live events as server-sent events: `practice` (`{"id"}`: a practice set was
/// pushed; first the current one, if any), `ended` (`{"code"}`: `seat_ended`, `seat_moved` or
/// `room_closed`; the last event) and `ping` (`{"now"}`, when nothing happened for 5 s).
#[utoipa::path(get, path = "/api/rooms/{code}/events", security(("seat" = [])), tag = "rooms",
    params(("code" = String, Path, description = "room code")),
    responses(
        (status = 200, content_type = "text/event-stream", description = "`practice`, `ended` and `ping` events"),
        (status = 401, body = ErrorBody, description = "no seat, or `seat_ended`, `seat_moved`"),
        (status = 403, body = ErrorBody, description = "`seat_only`"),
    ))]
async fn events(
    State(state): State<AppState>,
    seat: Seat,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    seats::in_room(&state, &seat, &code).await?;
    let hash = cookies::cookie(&headers, cookies::SEAT_COOKIE)
        .map(|t| token_hash(&t))
        .unwrap_or_default();
    let mut n: u64 = 0;
    let events = group_sessions::seat_events(&state, &seat, hash).map(move |e| {
        n += 1;
        let (name, data) = match e {
            SeatEvent::Practice(id) => ("practice", serde_json::json!({"id": id})),
            SeatEvent::Ended(code) => ("ended", serde_json::json!({"code": code})),
            SeatEvent::Ping(now) => ("ping", serde_json::json!({"now": now})),
        };
        Ok(Event::default()
            .event(name)
            .id(n.to_string())
            .data(data.to_string()))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
