//! Regions and units: public, because registration needs them before anyone is signed in.

use crate::error::{AppError, Result};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::storage::{regions, units};
use crate::views::directory as view;
use axum::extract::State;
use axum::Json;
use qinxue_core::api::{ErrorBody, Region, Unit};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions))
        .routes(routes!(list_units))
}

/// The region tree, parents first.
#[utoipa::path(get, path = "/api/regions", security(()), tag = "directory", responses((status = 200, body = Vec<Region>)))]
async fn list_regions(State(state): State<AppState>) -> Result<Json<Vec<Region>>> {
    let mut conn = state.db.read().await?;
    let rows = regions::list(&mut conn).await?;
    Ok(Json(rows.into_iter().map(view::region).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct UnitsQuery {
    /// Only units in this region's subtree, e.g. `350500` for all of 泉州.
    region: Option<String>,
}

/// Units, optionally those of one region's subtree.
#[utoipa::path(get, path = "/api/units", security(()), tag = "directory", params(UnitsQuery),
    responses((status = 200, body = Vec<Unit>), (status = 404, body = ErrorBody, description = "unknown region")))]
async fn list_units(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> Result<Json<Vec<Unit>>> {
    let mut conn = state.db.read().await?;
    if let Some(code) = q.region.as_deref() {
        regions::get(&mut conn, code)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let units = units::list(&mut conn, q.region.as_deref()).await?;
    let all = regions::list(&mut conn).await?;
    Ok(Json(
        units.into_iter().map(|u| view::unit(u, &all)).collect(),
    ))
}
