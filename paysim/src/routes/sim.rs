//! Test controls that exist only in the simulator (PROTOCOL.md, "Test controls"): act on a
//! payment as the cashier would, re-send a notification, read the delivery log and change the
//! fault mode at run time. Unsigned, because only tests and scripts on the same machine use
//! them; a real platform has nothing like them.

use crate::error::{ApiError, ErrorCode, Result};
use crate::faults::Faults;
use crate::notify::{Attempt, Event};
use crate::routes::payments::PaymentView;
use crate::routes::signed;
use crate::state::AppState;
use crate::store::Action;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/sim/payments/{payment_id}/{action}", post(act))
        .route("/api/sim/notifications", get(notifications))
        .route("/api/sim/faults", get(get_faults).post(set_faults))
}

/// `pay`, `cancel` and `fail` do what the cashier's buttons do and answer with the payment;
/// `notify` sends the payment's notification event again (same `notify_id`).
async fn act(
    State(state): State<AppState>,
    Path((payment_id, action)): Path<(String, String)>,
) -> Result<Response> {
    if action == "notify" {
        let payment = state
            .store
            .get(&payment_id)
            .ok_or(ApiError::PaymentNotFound)?;
        let event = Event::of(&payment).ok_or(ApiError::PaymentNotFinal)?;
        let notify_id = event.notify_id.clone();
        state.notifier.send(event);
        return Ok((
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "notify_id": notify_id })),
        )
            .into_response());
    }
    let action = Action::from_segment(&action).ok_or(ApiError::NotFound)?;
    let finished = state
        .store
        .finish(&payment_id, action, chrono::Utc::now())?;
    if finished.changed {
        state.notify(&finished.payment);
    }
    signed(
        &state,
        StatusCode::OK,
        &PaymentView::from(&finished.payment),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogFilter {
    payment_id: Option<String>,
    notify_id: Option<String>,
}

/// The answer of `GET /api/sim/notifications`.
#[derive(Debug, Serialize)]
pub struct NotificationLog {
    /// Deliveries not finished yet; 0 means the merchant will receive nothing more.
    pub in_flight: usize,
    pub attempts: Vec<Attempt>,
}

async fn notifications(
    State(state): State<AppState>,
    filter: std::result::Result<Query<LogFilter>, QueryRejection>,
) -> Result<Json<NotificationLog>> {
    let Ok(Query(filter)) = filter else {
        return Err(ApiError::request(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            "只支持 payment_id 和 notify_id 两个参数",
        ));
    };
    Ok(Json(NotificationLog {
        in_flight: state.notifier.in_flight(),
        attempts: state
            .notifier
            .attempts(filter.payment_id.as_deref(), filter.notify_id.as_deref()),
    }))
}

/// The fault mode as `GET` and `POST /api/sim/faults` show it.
#[derive(Debug, Serialize)]
pub struct FaultsView {
    /// The canonical spec, accepted back by `POST` and by `PAYSIM_FAULTS`.
    pub spec: String,
    pub faults: Faults,
}

fn view(faults: Faults) -> Json<FaultsView> {
    Json(FaultsView {
        spec: faults.to_string(),
        faults,
    })
}

async fn get_faults(State(state): State<AppState>) -> Json<FaultsView> {
    view(state.notifier.faults())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFaults {
    spec: String,
}

/// `{"spec": "duplicate=1,copies=5"}`; `{"spec": "none"}` turns every fault off.
async fn set_faults(State(state): State<AppState>, body: Bytes) -> Result<Json<FaultsView>> {
    let request: SetFaults = serde_json::from_slice(&body).map_err(|e| {
        ApiError::request(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody,
            format!("须为 {{\"spec\": \"…\"}}：{e}"),
        )
    })?;
    let faults =
        Faults::parse(&request.spec).map_err(|e| ApiError::field("spec", e.to_string()))?;
    tracing::info!(faults = %faults, "fault mode changed");
    state.notifier.set_faults(faults.clone());
    Ok(view(faults))
}
