//! Registration, sign-in and sign-out.

use crate::access::Actor;
use crate::auth::session;
use crate::error::{AppError, Result};
use crate::extract::ApiJson;
use crate::services::accounts;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use qinxue_core::api::{ErrorBody, LoginRequest, RegisterRequest, SessionUser};
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
}

/// A trainee registers; the new account is signed in.
#[utoipa::path(post, path = "/api/auth/register", security(()), tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, body = SessionUser, description = "Registered and signed in (session cookie set)"),
        (status = 409, body = ErrorBody, description = "`id_number_taken` or `phone_taken`"),
        (status = 422, body = ErrorBody, description = "`validation_failed` with the fields at fault"),
    ))]
async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<impl IntoResponse> {
    let signed_in = accounts::register(&state, req).await?;
    let cookie = session::set_cookie(&signed_in.token, state.config.secure_cookies);
    Ok((
        StatusCode::CREATED,
        [(SET_COOKIE, cookie)],
        Json(signed_in.user),
    ))
}

/// Signs in with a 身份证号, mobile number or administrator username.
#[utoipa::path(post, path = "/api/auth/login", security(()), tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = SessionUser, description = "Signed in (session cookie set)"),
        (status = 401, body = ErrorBody, description = "`invalid_credentials`"),
        (status = 429, body = ErrorBody, description = "`rate_limited`"),
    ))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse> {
    let signed_in = accounts::login(&state, req, peer.ip().to_string()).await?;
    let cookie = session::set_cookie(&signed_in.token, state.config.secure_cookies);
    Ok(([(SET_COOKIE, cookie)], Json(signed_in.user)))
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out (cookie cleared)"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
    ))]
async fn logout(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> Result<impl IntoResponse> {
    let token = session::token_from(&headers).ok_or(AppError::Unauthenticated)?;
    accounts::logout(&state, &actor, token).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            SET_COOKIE,
            session::clear_cookie(state.config.secure_cookies),
        )],
    ))
}
