//! The unit admin's staff view: this year's status per person, and its exports.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::ApiQuery;
use crate::services::spreadsheet::XLSX_TYPE;
use crate::services::staff::{self, Filter, Sort};
use crate::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::office::{StaffStatus, UnitProgress};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(progress))
        .routes(routes!(progress_csv))
        .routes(routes!(progress_xlsx))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ProgressQuery {
    /// The policy year; the year in force when absent.
    year: Option<i32>,
    /// Only the people in this status.
    status: Option<StaffStatus>,
    /// Part of a name, or the last digits of a 身份证号 or phone.
    q: Option<String>,
    /// `name` (default), `progress` (least done first) or `status` (furthest behind first).
    sort: Option<Sort>,
}

impl ProgressQuery {
    fn filter(self) -> Filter {
        Filter {
            year: self.year,
            status: self.status,
            query: self
                .q
                .map(|q| q.trim().to_owned())
                .filter(|q| !q.is_empty()),
            sort: self.sort.unwrap_or_default(),
        }
    }
}

/// The unit admin's staff in the year: registered, paid, 学时 done of required, completed
/// (settled as each person's own `/api/me/years`), with the count of each status; 身份证号 and
/// phone masked. Filtered and sorted as asked; no row limit.
#[utoipa::path(get, path = "/api/unit/staff/progress", tag = "unit", params(ProgressQuery),
    responses((status = 200, body = UnitProgress),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown status, sort or parameter"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "not a unit admin"),
        (status = 404, body = ErrorBody, description = "a year outside the programme")))]
async fn progress(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<Json<UnitProgress>> {
    Ok(Json(staff::progress(&state, &actor, &q.filter()).await?))
}

/// The same list as CSV with a BOM (Chinese Excel opens it as UTF-8), every row of the filter.
#[utoipa::path(get, path = "/api/unit/staff/progress.csv", tag = "unit", params(ProgressQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 400, body = ErrorBody, description = "`invalid_query`"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "not a unit admin"),
        (status = 404, body = ErrorBody, description = "a year outside the programme")))]
async fn progress_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<impl IntoResponse> {
    let bytes = staff::export_csv(&state, &actor, &q.filter()).await?;
    Ok(super::download(
        bytes,
        "text/csv; charset=utf-8",
        "staff-progress.csv",
    ))
}

/// The same list as XLSX, every row of the filter.
#[utoipa::path(get, path = "/api/unit/staff/progress.xlsx", tag = "unit", params(ProgressQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, body = ErrorBody, description = "`invalid_query`"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "not a unit admin"),
        (status = 404, body = ErrorBody, description = "a year outside the programme")))]
async fn progress_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<impl IntoResponse> {
    let bytes = staff::export_xlsx(&state, &actor, &q.filter()).await?;
    Ok(super::download(bytes, XLSX_TYPE, "staff-progress.xlsx"))
}
