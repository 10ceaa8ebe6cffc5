//! `POST /api/test/clock`: moves the server's clock forward. Mounted only when the server was
//! started with `QINXUE_TEST_CLOCK=1`; elsewhere the path answers 404 like any unknown one.

use crate::error::{AppError, Result};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use qinxue_core::api::{ClockAdvance, ClockNow, ErrorBody};
use qinxue_core::ErrorCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Ten years: far enough for any deadline test, small enough to stay a valid date.
const MAX_ADVANCE_SECS: i64 = 10 * 366 * 86_400;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(advance))
}

#[utoipa::path(post, path = "/api/test/clock", security(()), tag = "test", request_body = ClockAdvance,
    responses((status = 200, body = ClockNow), (status = 422, body = ErrorBody)))]
async fn advance(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ClockAdvance>,
) -> Result<Json<ClockNow>> {
    if !(0..=MAX_ADVANCE_SECS).contains(&req.advance_secs) {
        return Err(AppError::field(
            "advance_secs",
            ErrorCode::InvalidBody,
            "advance_secs 应为 0 到 316224000 之间的秒数",
        ));
    }
    match req.freeze {
        Some(true) => state.clock.freeze(),
        Some(false) => state.clock.unfreeze(),
        None => {}
    }
    Ok(Json(ClockNow {
        now: state.clock.advance(req.advance_secs),
    }))
}
