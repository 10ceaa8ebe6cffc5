//! The offices' territorial reports (DESIGN.md §8).

use crate::access::Actor;
use crate::error::Result;
use crate::extract::ApiQuery;
use crate::services::reports;
use crate::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::office::ReportSummary;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(non_completers_csv))
        .routes(routes!(non_completers_xlsx))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// The policy year; this year when absent.
    year: Option<i32>,
    /// A region code inside the reader's subtree; their own region when absent.
    region: Option<String>,
    /// A unit (id) of that region's subtree: the counts and people of that unit only.
    unit: Option<i64>,
}

/// Trainees, registered, paid and completed in a region for a year, by sub-region, unit and
/// grade. Drill down by asking again with a sub-region's code; `parent` goes back up.
#[utoipa::path(get, path = "/api/reports/summary", tag = "reports", params(ReportQuery),
    responses((status = 200, body = ReportSummary),
        (status = 403, body = ErrorBody, description = "neither an office nor the provincial admin"),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 404, body = ErrorBody, description = "a region outside the reader's subtree, a unit outside that region, or a year not configured")))]
async fn summary(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<ReportSummary>> {
    Ok(Json(
        reports::summary(&state, &actor, q.year, q.region.as_deref(), q.unit).await?,
    ))
}

/// Everyone in the region who has not completed the year, with their unit and what is
/// missing (身份证号 masked), as CSV with a BOM; no row limit.
#[utoipa::path(get, path = "/api/reports/non-completers.csv", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 400, body = ErrorBody, description = "`invalid_query`"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "neither an office nor the provincial admin"),
        (status = 404, body = ErrorBody, description = "a region outside the reader's subtree, a unit outside that region, or a year not configured")))]
async fn non_completers_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<impl IntoResponse> {
    let bytes =
        reports::non_completers_csv(&state, &actor, q.year, q.region.as_deref(), q.unit).await?;
    Ok(super::download(
        bytes,
        "text/csv; charset=utf-8",
        "non-completers.csv",
    ))
}

/// Everyone in the region who has not completed the year, with their unit and what is
/// missing (身份证号 masked), as XLSX (every cell text); no row limit.
#[utoipa::path(get, path = "/api/reports/non-completers.xlsx", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, body = ErrorBody, description = "`invalid_query`"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "neither an office nor the provincial admin"),
        (status = 404, body = ErrorBody, description = "a region outside the reader's subtree, a unit outside that region, or a year not configured")))]
async fn non_completers_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<impl IntoResponse> {
    let bytes =
        reports::non_completers_xlsx(&state, &actor, q.year, q.region.as_deref(), q.unit).await?;
    Ok(super::download(
        bytes,
        crate::services::spreadsheet::XLSX_TYPE,
        "non-completers.xlsx",
    ))
}
