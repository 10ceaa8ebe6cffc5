//! `POST /api/test/reconcile`: runs reconciliation now instead of at its next tick. Mounted
//! only with `QINXUE_TEST_CLOCK=1`, like the test clock.

use crate::error::Result;
use crate::services::payments;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use qinxue_core::api::ReconcileReport;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(reconcile))
}

#[utoipa::path(post, path = "/api/test/reconcile", security(()), tag = "test",
    responses((status = 200, body = ReconcileReport)))]
async fn reconcile(State(state): State<AppState>) -> Result<Json<ReconcileReport>> {
    Ok(Json(payments::reconcile(&state).await?))
}
