//! The routes: the merchant API ([`payments`]), the cashier pages ([`cashier`]) and the
//! simulator's test controls ([`sim`]). Each module owns its handlers and wire types; this one
//! only merges them and answers what no route matches.

pub mod cashier;
pub mod payments;
pub mod sim;

use crate::error::{ApiError, Result};
use crate::sign;
use crate::state::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .merge(payments::router())
        .merge(cashier::router())
        .merge(sim::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// A JSON answer with a `sign` field, so that the merchant can verify it came from the platform.
pub fn signed(state: &AppState, status: StatusCode, body: &impl Serialize) -> Result<Response> {
    let fields = sign::signed(state.config.secret.expose().as_bytes(), body)
        .map_err(|e| ApiError::Internal(format!("signing an answer: {e}")))?;
    Ok((status, Json(fields)).into_response())
}
