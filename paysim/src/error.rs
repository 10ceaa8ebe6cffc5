//! The one error type of the simulator's API and its single mapping to the error answer
//! `{"error": {"code", "message"}}` (PROTOCOL.md, "Errors").

use crate::store::Status;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// The machine-readable `code` of an error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidJson,
    InvalidBody,
    InvalidQuery,
    InvalidField,
    UnsupportedMediaType,
    PayloadTooLarge,
    BadSignature,
    StaleTimestamp,
    NonceReused,
    AmountMismatch,
    PaymentFinal,
    PaymentNotFinal,
    PaymentNotFound,
    NotFound,
    MethodNotAllowed,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read: not JSON, wrong media type, wrong shape, bad query.
    #[error("bad request: {code:?}: {message}")]
    Request {
        status: StatusCode,
        code: ErrorCode,
        message: String,
    },
    /// A field that was read but breaks a rule of the protocol.
    #[error("invalid field {field}: {message}")]
    InvalidField {
        field: &'static str,
        message: String,
    },
    #[error("bad signature: {0}")]
    BadSignature(#[from] crate::sign::SignError),
    #[error("timestamp outside the allowed window")]
    StaleTimestamp,
    #[error("nonce already used")]
    NonceReused,
    /// The merchant order already has a payment with another amount.
    #[error("amount differs from the existing payment's {existing}")]
    AmountMismatch { existing: i64 },
    /// The payment reached a final state; another action cannot change it.
    #[error("payment already {0:?}")]
    PaymentFinal(Status),
    /// A notification was asked for a payment that has none yet.
    #[error("payment still pending")]
    PaymentNotFinal,
    #[error("payment not found")]
    PaymentNotFound,
    #[error("route not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn request(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Request {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        ApiError::InvalidField {
            field,
            message: message.into(),
        }
    }

    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::Request { status, code, .. } => (*status, *code),
            ApiError::InvalidField { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidField)
            }
            ApiError::BadSignature(_) => (StatusCode::UNAUTHORIZED, ErrorCode::BadSignature),
            ApiError::StaleTimestamp => (StatusCode::UNAUTHORIZED, ErrorCode::StaleTimestamp),
            ApiError::NonceReused => (StatusCode::UNAUTHORIZED, ErrorCode::NonceReused),
            ApiError::AmountMismatch { .. } => (StatusCode::CONFLICT, ErrorCode::AmountMismatch),
            ApiError::PaymentFinal(_) => (StatusCode::CONFLICT, ErrorCode::PaymentFinal),
            ApiError::PaymentNotFinal => (StatusCode::CONFLICT, ErrorCode::PaymentNotFinal),
            ApiError::PaymentNotFound => (StatusCode::NOT_FOUND, ErrorCode::PaymentNotFound),
            ApiError::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }

    /// The message a developer reads; internal faults say nothing of their cause.
    pub fn message(&self) -> String {
        match self {
            ApiError::Request { message, .. } => message.clone(),
            ApiError::InvalidField { field, message } => format!("{field}: {message}"),
            ApiError::BadSignature(e) => format!("签名无效：{e}"),
            ApiError::StaleTimestamp => "timestamp 与平台时间相差超过 5 分钟".into(),
            ApiError::NonceReused => "nonce 已用过；每个请求须用新的 nonce".into(),
            ApiError::AmountMismatch { existing } => {
                format!("该商户订单号已有金额为 {existing} 分的缴费，金额不一致")
            }
            ApiError::PaymentFinal(status) => {
                format!("该缴费已是最终状态（{}），不能再变更", status.as_str())
            }
            ApiError::PaymentNotFinal => "该缴费尚未完成，没有通知可发".into(),
            ApiError::PaymentNotFound => "没有这笔缴费".into(),
            ApiError::NotFound => "没有这个地址".into(),
            ApiError::MethodNotAllowed => "该地址不支持这个请求方法".into(),
            ApiError::Internal(_) => "平台内部错误".into(),
        }
    }
}

/// The wire shape of every error answer.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            // Merchants integrating against the simulator look here for why they were refused.
            tracing::info!(error = %self, "request refused");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.message(),
            },
        };
        (status, Json(body)).into_response()
    }
}
