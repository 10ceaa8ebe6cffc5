//! The eligibility look-up for exam offices, and the API tokens it takes (DESIGN.md §8).

use crate::access::{Actor, ApiClient};
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::services::eligibility;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use qinxue_core::api::{ApiTokenCreated, ApiTokenInfo, CreateApiToken, Eligibility, ErrorBody};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Declares the `api_token` bearer scheme that the eligibility look-up names.
pub struct ApiTokenScheme;

impl utoipa::Modify for ApiTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(look_up))
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct EligibilityQuery {
    /// The person's 身份证号 (18 characters, checksum-validated).
    id_number: String,
    /// The policy year.
    year: i32,
}

/// Whether a person completed a year's required 学时, for exam offices (报考升级考核): send
/// `Authorization: Bearer <token>` with a token from the provincial admin. Every look-up is
/// audited; each token may ask 120 times a minute. A person unknown here, or a year before
/// they registered, is answered as not completed.
#[utoipa::path(get, path = "/api/eligibility", tag = "eligibility", params(EligibilityQuery),
    security(("api_token" = [])),
    responses(
        (status = 200, body = Eligibility),
        (status = 400, body = ErrorBody, description = "`invalid_query`: a malformed 身份证号 or year"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`: no token, or an unknown or revoked one"),
        (status = 429, body = ErrorBody, description = "`rate_limited`"),
    ))]
async fn look_up(
    State(state): State<AppState>,
    client: ApiClient,
    ApiQuery(q): ApiQuery<EligibilityQuery>,
) -> Result<Json<Eligibility>> {
    Ok(Json(
        eligibility::look_up(&state, &client, &q.id_number, q.year).await?,
    ))
}

/// Makes an API token for an exam office; the answer is the only time the token is shown
/// (it is stored hashed). Provincial admin; audited.
#[utoipa::path(post, path = "/api/admin/api-tokens", tag = "eligibility",
    request_body = CreateApiToken,
    responses(
        (status = 201, body = ApiTokenCreated),
        (status = 403, body = ErrorBody, description = "not the provincial admin"),
        (status = 422, body = ErrorBody, description = "`validation_failed`: the name"),
    ))]
async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateApiToken>,
) -> Result<(StatusCode, Json<ApiTokenCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(eligibility::create_token(&state, &actor, req).await?),
    ))
}

/// Every API token (without the tokens), the newest first. Provincial admin.
#[utoipa::path(get, path = "/api/admin/api-tokens", tag = "eligibility",
    responses(
        (status = 200, body = Vec<ApiTokenInfo>),
        (status = 403, body = ErrorBody, description = "not the provincial admin"),
    ))]
async fn list_tokens(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<ApiTokenInfo>>> {
    Ok(Json(eligibility::list_tokens(&state, &actor).await?))
}

/// Revokes an API token at once. Provincial admin; audited.
#[utoipa::path(delete, path = "/api/admin/api-tokens/{id}", tag = "eligibility",
    params(("id" = i64, Path, description = "token id")),
    responses(
        (status = 204, description = "revoked (also when it was already)"),
        (status = 403, body = ErrorBody, description = "not the provincial admin"),
        (status = 404, body = ErrorBody, description = "no such token"),
    ))]
async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    eligibility::revoke_token(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
