//! Supplementary activities (DESIGN.md §8): filed by an office, decided by the province,
//! attendance uploaded by the office after the event.

use crate::access::Actor;
use crate::error::{AppError, Result};
use crate::extract::{parse_json, ApiJson, ApiPath, ApiQuery};
use crate::services::activities;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use qinxue_core::activity::{
    Activity, ActivityInput, ActivityStatus, AttendanceReport, AttendanceUpload, RejectActivity,
};
use qinxue_core::api::ErrorBody;
use qinxue_core::time::local_date;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, file))
        .routes(routes!(get, update))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(attendance))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Only the activities in this state.
    status: Option<ActivityStatus>,
}

/// The activities of the reader's region subtree (the province: every office's), the latest
/// filed first.
#[utoipa::path(get, path = "/api/activities", tag = "activities", params(ListQuery),
    responses((status = 200, body = Vec<Activity>),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown status"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "neither an office nor the provincial admin")))]
async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Activity>>> {
    Ok(Json(activities::list(&state, &actor, q.status).await?))
}

/// An office files a lecture or skill exchange for its region; it waits for the province.
#[utoipa::path(post, path = "/api/activities", tag = "activities", request_body = ActivityInput,
    responses((status = 201, body = Activity, description = "filed (`status: \"filed\"`)"),
        (status = 400, body = ErrorBody, description = "`invalid_json`"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "not an office admin (the province approves, it does not file)"),
        (status = 422, body = ErrorBody, description = "`validation_failed` naming each bad field (a year whose policy is not set: `date`), or `invalid_body`")))]
async fn file(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<ActivityInput>,
) -> Result<(StatusCode, Json<Activity>)> {
    Ok((
        StatusCode::CREATED,
        Json(activities::file(&state, &actor, input).await?),
    ))
}

/// One activity of the reader's subtree.
#[utoipa::path(get, path = "/api/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "the activity")),
    responses((status = 200, body = Activity),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "neither an office nor the provincial admin"),
        (status = 404, body = ErrorBody, description = "no such activity in the reader's subtree")))]
async fn get(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Activity>> {
    Ok(Json(activities::get(&state, &actor, id).await?))
}

/// Its office changes a filed or rejected activity, which is then filed again (audited with
/// the record before and after). An approved activity cannot be changed.
#[utoipa::path(put, path = "/api/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "the activity")), request_body = ActivityInput,
    responses((status = 200, body = Activity),
        (status = 400, body = ErrorBody, description = "`invalid_json`"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "not an office admin"),
        (status = 404, body = ErrorBody, description = "no such activity in the office's subtree"),
        (status = 409, body = ErrorBody, description = "`activity_decided`: it is approved"),
        (status = 422, body = ErrorBody, description = "`validation_failed` naming each bad field, or `invalid_body`")))]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ActivityInput>,
) -> Result<Json<Activity>> {
    Ok(Json(activities::update(&state, &actor, id, input).await?))
}

/// The province approves a filed activity; from then on it cannot be changed, and its
/// attendance can be uploaded.
#[utoipa::path(post, path = "/api/activities/{id}/approve", tag = "activities",
    params(("id" = i64, Path, description = "the activity")),
    responses((status = 200, body = Activity),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "not the provincial admin"),
        (status = 404, body = ErrorBody, description = "no such activity"),
        (status = 409, body = ErrorBody, description = "`activity_decided`: already approved or rejected")))]
async fn approve(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Activity>> {
    Ok(Json(activities::decide(&state, &actor, id, None).await?))
}

/// The province sends a filed activity back with a reason; the office may change it, which
/// files it again.
#[utoipa::path(post, path = "/api/activities/{id}/reject", tag = "activities",
    params(("id" = i64, Path, description = "the activity")), request_body = RejectActivity,
    responses((status = 200, body = Activity),
        (status = 400, body = ErrorBody, description = "`invalid_json`"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "not the provincial admin"),
        (status = 404, body = ErrorBody, description = "no such activity"),
        (status = 409, body = ErrorBody, description = "`activity_decided`: already approved or rejected"),
        (status = 422, body = ErrorBody, description = "`validation_failed` on `reason` (empty or longer than 200), or `invalid_body`")))]
async fn reject(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RejectActivity>,
) -> Result<Json<Activity>> {
    Ok(Json(
        activities::decide(&state, &actor, id, Some(body.reason)).await?,
    ))
}

/// Its office uploads who attended an approved activity: JSON `{id_numbers: [...]}` (a list
/// pasted from a sheet), or a file — CSV (UTF-8, with a BOM, or GBK) or XLSX with a
/// 身份证号 column, or one 身份证号 a line — as the raw body or the `file` field of
/// `multipart/form-data`. Each enrolled person of the activity's region is credited its
/// 学时 (within the year's supplementary cap) as the source `activity`; every other row is
/// in `errors` with its reason (`invalid_id_number`, `not_found`, `not_in_region`,
/// `not_enrolled`, `already_credited`, `cap_reached`) and credits nothing.
#[utoipa::path(post, path = "/api/activities/{id}/attendance", tag = "activities",
    params(("id" = i64, Path, description = "the activity")),
    request_body(content((AttendanceUpload = "application/json"), (String = "text/csv"), (String = "multipart/form-data")),
        description = "the 身份证号 list, or a CSV/XLSX file (multipart field `file`)"),
    responses((status = 200, body = AttendanceReport),
        (status = 400, body = ErrorBody, description = "`invalid_json`"),
        (status = 401, body = ErrorBody, description = "not signed in"),
        (status = 403, body = ErrorBody, description = "not an office admin"),
        (status = 404, body = ErrorBody, description = "no such activity in the office's subtree"),
        (status = 409, body = ErrorBody, description = "`activity_not_approved`"),
        (status = 413, body = ErrorBody, description = "`file_too_large`"),
        (status = 415, body = ErrorBody, description = "`unsupported_file_type`: not a CSV or XLSX file"),
        (status = 422, body = ErrorBody, description = "an empty list, more than 5000 rows, a file without a 身份证号 column (`invalid_import`), or `invalid_body`")))]
async fn attendance(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AttendanceReport>> {
    // Who may upload is checked before the body is read.
    actor.office_admin()?;
    let bytes = super::roster::read_upload(body).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let lower = content_type.to_ascii_lowercase();
    let rows = if lower.starts_with("application/json") {
        let upload: AttendanceUpload = parse_json(&bytes)?;
        upload
            .id_numbers
            .into_iter()
            .enumerate()
            .map(|(i, n)| (i as u64 + 1, n))
            .collect()
    } else {
        let file = if lower.starts_with("multipart/form-data") {
            super::roster::multipart_file(&content_type, &bytes)?
        } else {
            bytes
        };
        if file.is_empty() {
            return Err(AppError::EmptyUpload);
        }
        let today = local_date(state.clock.now());
        tokio::task::spawn_blocking(move || activities::id_numbers_of_file(file, today))
            .await
            .map_err(|e| AppError::Internal(format!("attendance file task: {e}")))??
    };
    Ok(Json(
        activities::upload_attendance(&state, &actor, id, rows).await?,
    ))
}
