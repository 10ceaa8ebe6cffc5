//! The HTTP API: each module owns its routes; this one merges them, documents them in the
//! OpenAPI document, and answers unknown API paths with the API's error shape.

mod activities;
mod admin_courses;
mod audit;
mod auth;
mod catalogue;
mod completion;
mod directory;
mod eligibility;
mod group_sessions;
mod health;
mod me;
pub mod media;
pub mod openapi;
mod orders;
mod passwords;
mod payments;
mod policy_years;
mod practice;
mod reminders;
mod reports;
mod revocations;
mod rooms;
mod roster;
mod selection;
mod staff;
mod study;
mod test_clock;
mod test_payments;

use crate::error::AppError;
use crate::state::AppState;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use eligibility::ApiTokenScheme;
use qinxue_core::api;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Qinxue (勤学) API", description = "工勤人员岗位继续教育平台"),
    components(schemas(
        api::ErrorBody,
        api::ErrorDetail,
        api::FieldError,
        api::RowError,
        qinxue_core::ErrorCode,
        // A type that only a query parameter names is referenced there but not collected from
        // the routes (Schemathesis skipped the staff exports' `sort` as unresolvable).
        crate::services::staff::Sort
    )),
    modifiers(&ApiTokenScheme)
)]
struct ApiDoc;

/// Every `/api` route. The test clock is mounted only when the configuration enables it.
pub fn router(state: &AppState) -> Router<AppState> {
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(me::router())
        .merge(directory::router())
        .merge(catalogue::router())
        .merge(study::router())
        .merge(selection::router())
        .merge(practice::router())
        .merge(orders::router())
        .merge(payments::router())
        .merge(policy_years::router())
        .merge(audit::router())
        .merge(roster::router())
        .merge(passwords::router())
        .merge(staff::router())
        .merge(reports::router())
        .merge(activities::router())
        .merge(admin_courses::router())
        .merge(group_sessions::router())
        .merge(rooms::router())
        .merge(completion::router())
        .merge(eligibility::router())
        .merge(reminders::router())
        .merge(revocations::router());
    if state.config.test_clock {
        api = api
            .merge(test_clock::router())
            .merge(test_payments::router())
            .merge(group_sessions::test_router())
            .merge(reminders::test_router());
    }
    let (router, doc) = api.split_for_parts();
    let doc = Arc::new(openapi::document(&doc));
    router
        .route(
            "/api/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
}

/// A file to download (a spreadsheet the services wrote): its bytes, type and name (ASCII,
/// so that every browser keeps it).
pub fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
