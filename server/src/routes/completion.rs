//! Completion and certificates (DESIGN.md §8): the trainee's years, their certificates and
//! PDFs, a unit's certificates as one ZIP, and the public verification.

use crate::access::Actor;
use crate::error::Result;
use crate::extract::{ApiPath, ApiQuery};
use crate::services::{certificates, completion};
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use qinxue_core::api::{Certificate, ErrorBody, TrainingYear, VerifyKey};
use serde::Deserialize;
use std::net::SocketAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(years))
        .routes(routes!(certificate))
        .routes(routes!(certificate_pdf))
        .routes(routes!(certificate_qr))
        .routes(routes!(unit_zip))
        .routes(routes!(verify_key))
        .routes(routes!(verify))
}

/// The trainee's years, from the one they registered in to this one, each with its 学时 by
/// source and whether and when it was completed. An unfinished paid year stays open: study
/// counts first for the earliest such year (`qinxue_core::completion`).
#[utoipa::path(get, path = "/api/me/years", tag = "completion",
    responses(
        (status = 200, body = Vec<TrainingYear>),
        (status = 401, body = ErrorBody, description = "`unauthenticated`"),
        (status = 403, body = ErrorBody, description = "not a trainee"),
    ))]
async fn years(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<TrainingYear>>> {
    Ok(Json(completion::my_years(&state, &actor).await?))
}

/// The certificate (学时证明) of a completed year, issued at the first request and the same
/// ever after.
#[utoipa::path(get, path = "/api/me/certificates/{year}", tag = "completion",
    params(("year" = i32, Path, description = "policy year")),
    responses(
        (status = 200, body = Certificate),
        (status = 403, body = ErrorBody, description = "not a trainee"),
        (status = 404, body = ErrorBody, description = "not one of the trainee's years"),
        (status = 409, body = ErrorBody, description = "`not_completed`: the message says what is missing"),
    ))]
async fn certificate(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(year): ApiPath<i32>,
) -> Result<Json<Certificate>> {
    Ok(Json(certificates::mine(&state, &actor, year).await?))
}

/// The certificate as a print-ready A4 PDF, its Chinese font embedded.
#[utoipa::path(get, path = "/api/me/certificates/{year}/pdf", tag = "completion",
    params(("year" = i32, Path, description = "policy year")),
    responses(
        (status = 200, content_type = "application/pdf", description = "the PDF"),
        (status = 403, body = ErrorBody, description = "not a trainee"),
        (status = 409, body = ErrorBody, description = "`not_completed`"),
    ))]
async fn certificate_pdf(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(year): ApiPath<i32>,
) -> Result<Response> {
    let (name, pdf) = certificates::my_pdf(&state, &actor, year).await?;
    Ok(download(
        pdf,
        "application/pdf",
        &format!("certificate-{year}.pdf"),
        &name,
    ))
}

/// The certificate's QR code as SVG, for the print page.
#[utoipa::path(get, path = "/api/me/certificates/{year}/qr.svg", tag = "completion",
    params(("year" = i32, Path, description = "policy year")),
    responses(
        (status = 200, content_type = "image/svg+xml", description = "the QR code"),
        (status = 403, body = ErrorBody, description = "not a trainee"),
        (status = 409, body = ErrorBody, description = "`not_completed`"),
    ))]
async fn certificate_qr(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(year): ApiPath<i32>,
) -> Result<Response> {
    let svg = certificates::my_qr(&state, &actor, year).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
        ],
        svg,
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct YearQuery {
    /// The policy year; the year in force when absent.
    year: Option<i32>,
}

/// Every certificate of the unit admin's staff for a year, as one ZIP of PDFs; who has not
/// completed the year is listed in it. Audited.
#[utoipa::path(get, path = "/api/unit/certificates.zip", tag = "completion", params(YearQuery),
    responses(
        (status = 200, content_type = "application/zip", description = "the ZIP"),
        (status = 403, body = ErrorBody, description = "not a unit admin"),
    ))]
async fn unit_zip(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Response> {
    let (year, name, zip) = certificates::unit_zip(&state, &actor, q.year).await?;
    Ok(download(
        zip,
        "application/zip",
        &format!("certificates-{year}.zip"),
        &name,
    ))
}

/// The province's public key, which verifies the signed payload in every certificate's QR
/// code without asking the server.
#[utoipa::path(get, path = "/api/verify/key", security(()), tag = "completion",
    responses((status = 200, body = VerifyKey)))]
async fn verify_key(State(state): State<AppState>) -> Json<VerifyKey> {
    Json(certificates::key(&state))
}

/// Public: everything a certificate states (身份证号 masked), and whether it was revoked.
/// Limited per address.
#[utoipa::path(get, path = "/api/verify/{code}", security(()), tag = "completion",
    params(("code" = String, Path, description = "the certificate's verification code")),
    responses(
        (status = 200, body = Certificate, description = "`pdf_url` is null"),
        (status = 404, body = ErrorBody, description = "no certificate has this code"),
        (status = 429, body = ErrorBody, description = "`rate_limited`"),
    ))]
async fn verify(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Certificate>> {
    Ok(Json(
        certificates::verify(&state, &peer.ip().to_string(), &code).await?,
    ))
}

/// A file to download: `ascii_name` for old clients, `name` (UTF-8, RFC 6266) for the rest.
fn download(bytes: Vec<u8>, content_type: &'static str, ascii_name: &str, name: &str) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
    ))
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
