//! Registration orders and the unit admin's staff list (DESIGN.md §4 and §7).

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::services::orders;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use qinxue_core::api::{CreateOrder, ErrorBody, Order, OrderCreated, UnitStaff};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get))
        .routes(routes!(pay))
        .routes(routes!(unit_staff))
}

/// Registers for the year and opens its payment: for oneself (`{year}`, a trainee; an open
/// order of theirs is reused) or for staff of one's unit (`{year, trainee_ids}`, a unit admin).
/// Send the browser to `pay_url`.
#[utoipa::path(post, path = "/api/orders", tag = "orders", request_body = CreateOrder,
    responses(
        (status = 201, body = OrderCreated),
        (status = 403, body = ErrorBody, description = "neither a trainee nor a unit admin"),
        (status = 409, body = ErrorBody, description = "`already_paid` (the message names who), `registration_closed` (past the year's registration deadline, and the year does not allow late payment), `order_settled`"),
        (status = 422, body = ErrorBody, description = "`validation_failed`: a year after the one in force or one never configured, empty or too many `trainee_ids`, `not_unit_staff`"),
        (status = 503, body = ErrorBody, description = "`payment_unavailable`: the order is kept; pay it later with `POST /api/orders/{id}/pay`"),
    ))]
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateOrder>,
) -> Result<(StatusCode, Json<OrderCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(orders::create(&state, &actor, req).await?),
    ))
}

/// A trainee's orders (their own, and their unit's that pay for them) or a unit admin's
/// unit's orders, newest first.
#[utoipa::path(get, path = "/api/orders", tag = "orders",
    responses((status = 200, body = Vec<Order>), (status = 403, body = ErrorBody)))]
async fn list(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<Order>>> {
    Ok(Json(orders::list(&state, &actor).await?))
}

/// One order, as the server knows it: what the payment return page shows.
#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody, description = "no such order, or someone else's")))]
async fn get(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Order>> {
    Ok(Json(orders::get(&state, &actor, id).await?))
}

/// A cashier page for an open order: after the platform was unavailable, or the payer
/// cancelled.
#[utoipa::path(post, path = "/api/orders/{id}/pay", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    responses(
        (status = 200, body = OrderCreated),
        (status = 404, body = ErrorBody, description = "no such order, or not the payer's"),
        (status = 409, body = ErrorBody, description = "`order_settled` or `registration_closed`"),
        (status = 503, body = ErrorBody, description = "`payment_unavailable`"),
    ))]
async fn pay(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrderCreated>> {
    Ok(Json(orders::pay(&state, &actor, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct StaffQuery {
    /// The policy year; the year in force when absent.
    year: Option<i32>,
}

/// The unit admin's unit's trainees (身份证号 and phone masked), each with the year's fee and
/// whether they are paid for.
#[utoipa::path(get, path = "/api/unit/staff", tag = "orders", params(StaffQuery),
    responses((status = 200, body = UnitStaff), (status = 403, body = ErrorBody, description = "not a unit admin"),
        (status = 409, body = ErrorBody, description = "`no_policy_year`: no policy year is configured for `year`")))]
async fn unit_staff(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<StaffQuery>,
) -> Result<Json<UnitStaff>> {
    Ok(Json(orders::unit_staff(&state, &actor, q.year).await?))
}
