//! A room's terminals (the kiosk at `/room/<code>`): the session's public face, signing in at
//! a seat by 身份证号 and PIN, the seat's person and course, and signing out. A seat studies
//! through the study routes (`routes::study`), which accept its credential.

use crate::access::Seat;
use crate::auth::seat::{self as cookies, TERMINAL_COOKIE};
use crate::auth::session::{self, new_token, token_hash};
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::seats;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::group::{RoomInfo, SeatSession, SeatSignIn};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(info))
        .routes(routes!(sign_in))
        .routes(routes!(seat))
        .routes(routes!(sign_out))
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
#[utoipa::path(get, path = "/api/rooms/{code}", tag = "rooms",
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
#[utoipa::path(post, path = "/api/rooms/{code}/sign-in", tag = "rooms", request_body = SeatSignIn,
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

/// Who sits at this terminal and what they study; also the seat page's sign of life while no
/// lesson is open.
#[utoipa::path(get, path = "/api/rooms/{code}/seat", tag = "rooms",
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
#[utoipa::path(post, path = "/api/rooms/{code}/sign-out", tag = "rooms",
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
