//! Policy years for the provincial admin (DESIGN.md §8), and the year in force for anyone.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::{policy, policy_admin};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use qinxue_core::api::ErrorBody;
use qinxue_core::office::PolicyYearView;
use qinxue_core::PolicyYear;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create_next))
        .routes(routes!(get, update))
        .routes(routes!(in_force))
}

/// The year in force (Shanghai calendar), public: the home page explains the year's steps with
/// its 学时, fees and deadlines to visitors before they register, and the help page answers
/// from the same settings, so that the two never disagree.
#[utoipa::path(get, path = "/api/policy-year", security(()), tag = "policy",
    responses((status = 200, body = PolicyYear), (status = 503, body = ErrorBody, description = "`server_busy`")))]
async fn in_force(State(state): State<AppState>) -> Result<Json<PolicyYear>> {
    Ok(Json(policy::in_force(&state, state.clock.now()).await?))
}

/// Every configured year, the latest first.
#[utoipa::path(get, path = "/api/admin/policy-years", tag = "policy",
    responses((status = 200, body = Vec<PolicyYearView>), (status = 403, body = ErrorBody, description = "not the provincial admin")))]
async fn list(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<PolicyYearView>>> {
    Ok(Json(policy_admin::list(&state, &actor).await?))
}

/// Opens the year after the latest one, with its settings and its deadlines a year later.
#[utoipa::path(post, path = "/api/admin/policy-years", tag = "policy",
    responses((status = 201, body = PolicyYearView), (status = 403, body = ErrorBody)))]
async fn create_next(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<(StatusCode, Json<PolicyYearView>)> {
    Ok((
        StatusCode::CREATED,
        Json(policy_admin::create_next(&state, &actor).await?),
    ))
}

/// One year's settings: required 学时 and fee by grade, deadlines, minutes per 学时, daily
/// cap, check interval, supplementary cap.
#[utoipa::path(get, path = "/api/admin/policy-years/{year}", tag = "policy",
    params(("year" = i32, Path, description = "the policy year")),
    responses((status = 200, body = PolicyYearView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "the year is not configured")))]
async fn get(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(year): ApiPath<i32>,
) -> Result<Json<PolicyYearView>> {
    Ok(Json(policy_admin::get(&state, &actor, year).await?))
}

/// Changes a year's settings (audited, with the settings before and after). Credited study
/// and existing orders stay as they are.
#[utoipa::path(put, path = "/api/admin/policy-years/{year}", tag = "policy",
    params(("year" = i32, Path, description = "the policy year")),
    request_body = PolicyYear,
    responses((status = 200, body = PolicyYearView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "the year is not configured"),
        (status = 409, body = ErrorBody, description = "`study_closed`: the year is over, its settings stay (only `late_payment` may still change)"),
        (status = 422, body = ErrorBody, description = "`validation_failed`, each field out of bounds named")))]
async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(year): ApiPath<i32>,
    ApiJson(input): ApiJson<PolicyYear>,
) -> Result<Json<PolicyYearView>> {
    Ok(Json(
        policy_admin::update(&state, &actor, year, input).await?,
    ))
}
