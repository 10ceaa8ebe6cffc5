//! `GET /api/health`: the process answers. Deliberately no database round trip, so that load
//! balancers and benchmarks measure the HTTP path alone.

use crate::state::AppState;
use axum::Json;
use qinxue_core::api::Health;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[utoipa::path(get, path = "/api/health", security(()), tag = "system", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}
