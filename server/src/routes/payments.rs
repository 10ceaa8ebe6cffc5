//! `POST /api/payments/notify`: where the payment platform posts its signed notifications
//! (paysim/PROTOCOL.md §4). Answered with exactly `success` once the notification is applied
//! or known already; anything that does not verify gets a 4xx and changes nothing.

use crate::error::{AppError, Result};
use crate::services::payments;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use qinxue_core::api::ErrorBody;
use qinxue_core::ErrorCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The acknowledgement the protocol requires: these 7 bytes, nothing else.
const ACK: &str = "success";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(notify))
}

/// A payment's final state, from the platform. The body is read raw: it is verified over the
/// fields exactly as sent, and kept as received.
#[utoipa::path(post, path = "/api/payments/notify", security(()), tag = "payments",
    request_body(content = String, description = "signed JSON notification", content_type = "application/json"),
    responses(
        (status = 200, body = String, description = "`success`: applied, or already applied"),
        (status = 400, body = ErrorBody, description = "`invalid_json`"),
        (status = 401, body = ErrorBody, description = "`bad_signature`: unsigned or forged"),
        (status = 404, body = ErrorBody, description = "no such order"),
        (status = 409, body = ErrorBody, description = "`amount_mismatch`"),
        (status = 413, body = ErrorBody, description = "`payload_too_large`"),
        (status = 422, body = ErrorBody, description = "`validation_failed`: a field missing or invalid"),
    ))]
async fn notify(
    State(state): State<AppState>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<&'static str> {
    // Only a body over the size limit cannot be read; it gets the API's error shape too.
    let body = body.map_err(|_| AppError::body_error(ErrorCode::PayloadTooLarge, vec![]))?;
    payments::receive_notification(&state, &body).await?;
    Ok(ACK)
}
