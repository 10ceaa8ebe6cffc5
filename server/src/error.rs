//! The one error type of the server and its single mapping to the API's error answer
//! (`{"error": {"code", "message", "fields"}}`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use qinxue_core::api::{ErrorBody, ErrorDetail, FieldError, RowError};
use qinxue_core::ErrorCode;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request could not be read: not JSON, wrong media type, too large, wrong shape.
    #[error("bad request body: {code:?}")]
    Body {
        status: StatusCode,
        code: ErrorCode,
        message: String,
        fields: Vec<FieldError>,
    },
    /// Fields that failed the domain rules.
    #[error("validation failed on {0:?}")]
    Validation(Vec<FieldError>),
    /// An imported file with bad rows: every one of them, and nothing imported.
    #[error("import refused: {} bad rows", .0.len())]
    BadRows(Vec<RowError>),
    /// A unique value (身份证号, phone) that another account already has.
    #[error("conflict on {}", .0.field)]
    Conflict(FieldError),
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong login or password")]
    InvalidCredentials,
    #[error("rate limited")]
    RateLimited(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A request that the current state refuses; the code says why (409).
    #[error("refused: {0:?}")]
    Refused(ErrorCode),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("no policy year configured")]
    NoPolicyYear,
    #[error("not enrolled for the year")]
    NotEnrolled,
    #[error("study session ended")]
    SessionEnded,
    #[error("study deadline passed")]
    StudyClosed,
    #[error("check expired")]
    CheckExpired,
    #[error("wrong answer")]
    WrongAnswer,
    #[error("registration closed")]
    RegistrationClosed,
    /// The payment platform did not answer (or not usably); the order is kept, payable later.
    #[error("payment platform unavailable")]
    PaymentUnavailable,
    #[error("order already settled")]
    OrderSettled,
    #[error("notification signature does not verify")]
    BadSignature,
    #[error("notification amount differs from the order's")]
    AmountMismatch,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn field(field: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, message)])
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            AppError::Body { status, code, .. } => (*status, *code),
            AppError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
            ),
            AppError::BadRows(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidImport),
            AppError::Conflict(f) => (StatusCode::CONFLICT, f.code),
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated),
            AppError::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
            }
            AppError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            AppError::Forbidden => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            AppError::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            AppError::Refused(code) => (StatusCode::CONFLICT, *code),
            AppError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
            }
            AppError::NoPolicyYear => (StatusCode::CONFLICT, ErrorCode::NoPolicyYear),
            AppError::NotEnrolled => (StatusCode::FORBIDDEN, ErrorCode::NotEnrolled),
            AppError::SessionEnded => (StatusCode::CONFLICT, ErrorCode::SessionEnded),
            AppError::StudyClosed => (StatusCode::CONFLICT, ErrorCode::StudyClosed),
            AppError::CheckExpired => (StatusCode::CONFLICT, ErrorCode::CheckExpired),
            AppError::WrongAnswer => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::WrongAnswer),
            AppError::RegistrationClosed => (StatusCode::CONFLICT, ErrorCode::RegistrationClosed),
            AppError::PaymentUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::PaymentUnavailable,
            ),
            AppError::OrderSettled => (StatusCode::CONFLICT, ErrorCode::OrderSettled),
            AppError::BadSignature => (StatusCode::UNAUTHORIZED, ErrorCode::BadSignature),
            AppError::AmountMismatch => (StatusCode::CONFLICT, ErrorCode::AmountMismatch),
            AppError::Database(_) | AppError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
            }
        }
    }

    /// The body the client sees. Server faults say nothing of their cause.
    pub fn body(&self) -> ErrorBody {
        let (_, code) = self.status_and_code();
        let rows = match self {
            AppError::BadRows(rows) => rows.clone(),
            _ => vec![],
        };
        let (message, fields) = match self {
            AppError::Body {
                message, fields, ..
            } => (message.clone(), fields.clone()),
            AppError::Validation(fields) => {
                // One bad field: say which, so that a person reading only the summary knows.
                let message = match fields.as_slice() {
                    [only] => only.message.clone(),
                    _ => code.default_message().to_owned(),
                };
                (message, fields.clone())
            }
            AppError::BadRows(rows) => (
                format!(
                    "文件中有 {} 行有错误，未导入任何题目，请修改后重新导入",
                    rows.len()
                ),
                vec![],
            ),
            AppError::Conflict(f) => (f.message.clone(), vec![f.clone()]),
            AppError::RateLimited(message) => ((*message).to_owned(), vec![]),
            _ => (code.default_message().to_owned(), vec![]),
        };
        ErrorBody {
            error: ErrorDetail {
                code,
                message,
                fields,
                rows,
            },
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, Json(self.body())).into_response();
        if let AppError::RateLimited(_) = self {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("60"));
        }
        response
    }
}

/// The unique constraint a database error violated, if that is what it is. SQLite names the
/// column (`users.id_number`), PostgreSQL the constraint (`users_id_number_key`); both contain
/// the column name, which is what callers match on.
pub fn unique_violation(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(
            db.constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned()),
        ),
        _ => None,
    }
}
