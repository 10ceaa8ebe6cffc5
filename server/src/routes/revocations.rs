//! Revoking certificates (the province) and the signed list of revoked codes that
//! verification pages keep for checking payloads offline.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiJson, ApiPath};
use crate::services::certificates;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use qinxue_core::api::{Certificate, ErrorBody};
use qinxue_core::certificate::{RevocationList, RevokeCertificate};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(revoke))
        .routes(routes!(revoked))
}

/// Revokes a certificate: its verification page and `GET /api/verify/{code}` then say it was
/// revoked, when and why, and it joins `GET /api/verify/revoked`. Provincial admin; audited.
/// Revoking a revoked certificate changes nothing (the first reason stays).
#[utoipa::path(post, path = "/api/admin/certificates/{code}/revoke", tag = "completion",
    params(("code" = String, Path, description = "the certificate's verification code")),
    request_body = RevokeCertificate,
    responses(
        (status = 200, body = Certificate, description = "the certificate, revoked"),
        (status = 400, body = ErrorBody, description = "`invalid_body`: not JSON of this shape"),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "`forbidden`: not the provincial admin"),
        (status = 404, body = ErrorBody, description = "no certificate has this code"),
        (status = 422, body = ErrorBody, description = "`validation_failed`: `reason` empty or over 200 characters"),
    ))]
async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<RevokeCertificate>,
) -> Result<Json<Certificate>> {
    Ok(Json(
        certificates::revoke(&state, &actor, &code, &req.reason).await?,
    ))
}

/// Public: the codes of every revoked certificate as of `generated_at`, signed with the key
/// of `GET /api/verify/key` (the signature covers `qinxue-revocations 1`, the time and each
/// code, one a line). A verification page keeps the last copy and, offline, checks payloads
/// against it and says how old it is.
#[utoipa::path(get, path = "/api/verify/revoked", security(()), tag = "completion",
    responses((status = 200, body = RevocationList)))]
async fn revoked(State(state): State<AppState>) -> Result<Response> {
    let list = certificates::revocations(&state).await?;
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(list),
    )
        .into_response())
}
