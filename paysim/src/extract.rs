//! Extractors for the merchant's signed requests (PROTOCOL.md, "Requests"): they read the JSON
//! body or the query, check its shape, signature, timestamp and nonce, and reject in the API's
//! error shape. A handler that takes one of them sees only authenticated requests.

use crate::error::{ApiError, ErrorCode};
use crate::sign;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// How far a request's `timestamp` may be from the platform's clock, either way.
pub const MAX_SKEW: Duration = Duration::minutes(5);

/// A signed JSON body, deserialised into `T` after it is authenticated.
#[derive(Debug)]
pub struct SignedJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for SignedJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "请求体须为 application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::request(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    "请求体过大",
                )
            } else {
                invalid_json()
            }
        })?;
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(invalid_json());
        };
        let typed = typed(&fields, ErrorCode::InvalidBody)?;
        authenticate(state, &fields)?;
        Ok(SignedJson(typed))
    }
}

/// A signed query: the query parameters together with the path parameters (signed as if they
/// were query parameters), deserialised into `T` after they are authenticated.
#[derive(Debug)]
pub struct SignedQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for SignedQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bad_query = |message: String| {
            ApiError::request(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
        };
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad_query("查询参数无法解析".into()))?;
        let path = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| bad_query("路径参数无法解析".into()))?;
        let mut fields = Map::new();
        let path_pairs = path.iter().map(|(k, v)| (k.to_owned(), v.to_owned()));
        for (key, value) in path_pairs.chain(pairs) {
            if fields.contains_key(&key) {
                // Two values for one key would make the signed string ambiguous.
                return Err(bad_query(format!("参数 {key} 出现了不止一次")));
            }
            fields.insert(key, Value::String(value));
        }
        let typed = typed(&fields, ErrorCode::InvalidQuery)?;
        authenticate(state, &fields)?;
        Ok(SignedQuery(typed))
    }
}

fn invalid_json() -> ApiError {
    ApiError::request(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidJson,
        "请求体不是 JSON 对象",
    )
}

/// The request's fields as `T`; serde's message names the missing, unknown or mistyped field.
fn typed<T: DeserializeOwned>(fields: &Map<String, Value>, code: ErrorCode) -> Result<T, ApiError> {
    let status = if code == ErrorCode::InvalidBody {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::BAD_REQUEST
    };
    serde_json::from_value(Value::Object(fields.clone()))
        .map_err(|e| ApiError::request(status, code, format!("请求格式错误：{e}")))
}

/// Checks, in this order, the form of `timestamp` and `nonce`, the signature, the timestamp's
/// freshness and the nonce's novelty. A nonce is spent only by a request that passed the rest.
pub fn authenticate(state: &AppState, fields: &Map<String, Value>) -> Result<(), ApiError> {
    let timestamp = match fields.get("timestamp") {
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                ApiError::field("timestamp", "须为 RFC 3339 时间，如 2025-09-01T08:00:00Z")
            })?,
        _ => return Err(ApiError::field("timestamp", "缺失")),
    };
    let nonce = match fields.get("nonce") {
        Some(Value::String(s)) if valid_nonce(s) => s,
        _ => {
            return Err(ApiError::field(
                "nonce",
                "须为 8 到 64 个字母、数字、- 或 _",
            ))
        }
    };
    sign::verify(state.config.secret.expose().as_bytes(), fields)?;
    let now = Utc::now();
    if (now - timestamp).abs() > MAX_SKEW {
        return Err(ApiError::StaleTimestamp);
    }
    // A replay is refused until its timestamp leaves the window, after which it is stale.
    if !state.store.use_nonce(nonce, timestamp + MAX_SKEW, now) {
        return Err(ApiError::NonceReused);
    }
    Ok(())
}

fn valid_nonce(s: &str) -> bool {
    (8..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
