//! The one typed client of the server's JSON API (DESIGN.md §7).
//!
//! Every call answers `Result<T, ApiError>`: callers decide what a failure means (a 401 from
//! `/api/me` is "signed out", a 422 carries per-field messages), so nothing is flattened into
//! an `Option` here. The session cookie is HttpOnly and the API is same-origin, so the
//! browser's default `same-origin` credentials mode is all the authentication there is.

use crate::i18n::t;
use gloo_net::http::{Request, RequestBuilder, Response};
use qinxue_core::api::{
    ErrorBody, ErrorDetail, FieldError, LoginRequest, Me, Region, RegisterRequest, Unit,
};
use qinxue_core::ErrorCode;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a call did not give the answer asked for.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The server refused and said why in the contract's error shape; the code says more
    /// than the status, so only the code is kept.
    Refused(ErrorDetail),
    /// An error status without the contract's body, e.g. a proxy's 502 page.
    Status(u16),
    /// No answer at all: offline, server down, or the request was aborted. The cause is in
    /// the browser console; people only need to know to try again.
    Network,
    /// A success status whose body is not the expected type (cause in the console).
    Decode,
}

impl ApiError {
    /// The machine-readable reason, when the server gave one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Refused(detail) => Some(detail.code),
            _ => None,
        }
    }

    /// What to tell the person, in their language.
    pub fn message(&self) -> String {
        match self {
            ApiError::Refused(detail) if !detail.message.trim().is_empty() => {
                detail.message.clone()
            }
            ApiError::Refused(detail) => detail.code.default_message().to_owned(),
            ApiError::Status(status) => (t().server_status)(*status),
            ApiError::Network => t().network_error.to_owned(),
            ApiError::Decode => t().unexpected_answer.to_owned(),
        }
    }

    /// The fields the server found fault with; empty for other failures.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Refused(detail) => &detail.fields,
            _ => &[],
        }
    }
}

/// `GET /api/me`; `unauthenticated` when nobody is signed in.
pub async fn me() -> Result<Me, ApiError> {
    json(send(Request::get("/api/me"), None::<&()>).await?).await
}

/// `GET /api/units`: every unit a trainee may belong to.
pub async fn units() -> Result<Vec<Unit>, ApiError> {
    json(send(Request::get("/api/units"), None::<&()>).await?).await
}

/// `GET /api/regions`: the province → city → county tree, flattened.
pub async fn regions() -> Result<Vec<Region>, ApiError> {
    json(send(Request::get("/api/regions"), None::<&()>).await?).await
}

/// `POST /api/auth/login`; on success the browser holds the session cookie. The answer's
/// `SessionUser` is not decoded: the app always asks `/api/me` next, which says more.
pub async fn login(request: &LoginRequest) -> Result<(), ApiError> {
    send(Request::post("/api/auth/login"), Some(request))
        .await
        .map(drop)
}

/// `POST /api/auth/register`; on success the new trainee is signed in (the answer's
/// `SessionUser` is not decoded, as for login).
pub async fn register(request: &RegisterRequest) -> Result<(), ApiError> {
    send(Request::post("/api/auth/register"), Some(request))
        .await
        .map(drop)
}

/// `POST /api/auth/logout`.
pub async fn logout() -> Result<(), ApiError> {
    send(Request::post("/api/auth/logout"), None::<&()>)
        .await
        .map(drop)
}

/// Sends a request and turns every non-2xx answer into an [`ApiError`].
///
/// A load that runs under a reactive owner (a page's data task) is aborted when that owner
/// is cleaned up, e.g. when the person navigates away; submits dispatched by actions run
/// without an owner and always complete, so a registration that reached the server never
/// looks failed.
async fn send<B: Serialize>(
    builder: RequestBuilder,
    body: Option<&B>,
) -> Result<Response, ApiError> {
    let signal = abort_signal_for_owner();
    let builder = builder.abort_signal(signal.as_ref());
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|e| failed(ApiError::Network, &e))?;
    let response = request
        .send()
        .await
        .map_err(|e| failed(ApiError::Network, &e))?;
    if response.ok() {
        Ok(response)
    } else {
        let status = response.status();
        Err(match response.json::<ErrorBody>().await {
            Ok(body) => ApiError::Refused(body.error),
            Err(_) => ApiError::Status(status),
        })
    }
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response
        .json()
        .await
        .map_err(|e| failed(ApiError::Decode, &e))
}

/// Leaves the technical cause in the console, for whoever helps the person on the phone.
fn failed(error: ApiError, cause: &gloo_net::Error) -> ApiError {
    leptos::logging::warn!("qinxue api: {cause}");
    error
}

/// A signal that aborts the request when the current reactive owner is cleaned up.
fn abort_signal_for_owner() -> Option<web_sys::AbortSignal> {
    // Every browser the platform supports has AbortController; were it missing, requests
    // would merely run to completion, which is harmless.
    let controller = web_sys::AbortController::new().ok()?;
    let signal = controller.signal();
    // The cleanup must be Send; the app is single-threaded wasm, so it never leaves this thread.
    let controller = SendWrapper::new(controller);
    leptos::prelude::on_cleanup(move || controller.abort());
    Some(signal)
}
