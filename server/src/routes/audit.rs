//! The audit log for the province and the offices (DESIGN.md §8).

use crate::access::Actor;
use crate::error::{AppError, Result};
use crate::extract::ApiQuery;
use crate::services::audit_log;
use crate::state::AppState;
use crate::storage::audit::Filter;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, NaiveDate};
use qinxue_core::api::ErrorBody;
use qinxue_core::office::AuditPage;
use qinxue_core::time::{end_of_local_day, shanghai};
use qinxue_core::ErrorCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(export))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    /// The actor: a sign-in name, a 身份证号, a name, or an account id.
    actor: Option<String>,
    /// An action (`policy_year.update`) or a family of actions (`policy_year`).
    action: Option<String>,
    /// From: a Shanghai date (`2027-03-01`, from its first second) or an RFC 3339 instant.
    from: Option<String>,
    /// To: a Shanghai date (to its last second) or an RFC 3339 instant.
    to: Option<String>,
    /// The page after this entry id (`next_before` of the previous page).
    before: Option<i64>,
    /// Entries on a page, at most 100.
    limit: Option<i64>,
}

/// An instant of the query: a date's first (or last) second in Shanghai, or RFC 3339.
fn instant(field: &str, value: Option<&str>, end_of_day: bool) -> Result<Option<i64>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let at = if end_of_day {
            end_of_local_day(d).timestamp()
        } else {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(shanghai()).single())
                .map(|t| t.timestamp())
                .unwrap_or_default()
        };
        return Ok(Some(at));
    }
    DateTime::parse_from_rfc3339(v)
        .map(|t| Some(t.timestamp()))
        .map_err(|_| {
            AppError::field(
                field,
                ErrorCode::InvalidQuery,
                format!("“{field}”应为日期（如 2027-03-01）或带时区的时间"),
            )
        })
}

impl AuditQuery {
    fn filter(&self) -> Result<Filter> {
        let text = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        Ok(Filter {
            actor: text(&self.actor),
            action: text(&self.action),
            from: instant("from", self.from.as_deref(), false)?,
            to: instant("to", self.to.as_deref(), true)?,
            before_id: self.before,
        })
    }
}

/// Entries of the audit log the caller may read (the province: all; an office: the actions of
/// the people in its subtree), newest first, with what each change changed.
#[utoipa::path(get, path = "/api/admin/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage),
        (status = 422, body = ErrorBody, description = "`validation_failed`: `from` or `to` is not a date"),
        (status = 403, body = ErrorBody, description = "neither an office nor the provincial admin")))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>> {
    Ok(Json(
        audit_log::page(&state, &actor, q.filter()?, q.limit).await?,
    ))
}

/// The same entries as CSV (UTF-8 with a BOM, for Excel), every one of them.
#[utoipa::path(get, path = "/api/admin/audit.csv", tag = "audit", params(AuditQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 422, body = ErrorBody, description = "`validation_failed`: `from` or `to` is not a date"),
        (status = 403, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<impl IntoResponse> {
    let bytes = audit_log::csv(&state, &actor, q.filter()?).await?;
    Ok(super::download(
        bytes,
        "text/csv; charset=utf-8",
        "audit.csv",
    ))
}
