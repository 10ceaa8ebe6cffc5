//! The one error type of the server and its single mapping to the API's error answer
//! (`{"error": {"code", "message", "fields"}}`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use qinxue_core::api::{ErrorBody, ErrorDetail, FieldError, RowError};
use qinxue_core::ErrorCode;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The HTTP status an error code answers with: the one place where an error's status is
/// chosen. Field codes (`invalid_phone`, …) travel inside a 422 `validation_failed`; their
/// status here is the one they would answer with alone.
pub fn status(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::InvalidJson | C::InvalidQuery => StatusCode::BAD_REQUEST,
        C::Unauthenticated | C::InvalidCredentials | C::BadSignature => StatusCode::UNAUTHORIZED,
        C::Forbidden | C::NotEnrolled | C::CrossOrigin => StatusCode::FORBIDDEN,
        C::UriTooLong => StatusCode::URI_TOO_LONG,
        C::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        C::NotFound => StatusCode::NOT_FOUND,
        // Group sessions: a seat credential that is wrong or has ended must sign in again;
        // one used elsewhere, or a person not of the session, is refused; the session's state
        // refuses the rest.
        C::WrongPin | C::SeatEnded | C::SeatMoved => StatusCode::UNAUTHORIZED,
        C::SeatOnly | C::NotInRegion | C::NotAssigned => StatusCode::FORBIDDEN,
        C::UnknownProctor => StatusCode::UNPROCESSABLE_ENTITY,
        C::RoomNotOpen
        | C::RoomClosed
        | C::RoomFull
        | C::RollCallOpen
        | C::SessionStarted
        | C::NotClosed => StatusCode::CONFLICT,
        // Supplementary activities: the activity's state refuses it; the per-row codes of an
        // attendance upload travel inside a 200 answer.
        C::ActivityDecided | C::ActivityNotApproved | C::AlreadyCredited | C::CapReached => {
            StatusCode::CONFLICT
        }
        C::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        C::PayloadTooLarge | C::FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::UnsupportedMediaType | C::UnsupportedFileType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        C::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        C::InvalidBody
        | C::ValidationFailed
        | C::InvalidIdNumber
        | C::InvalidPhone
        | C::InvalidName
        | C::InvalidPassword
        | C::InvalidTrade
        | C::UnknownUnit
        | C::OutOfRange
        | C::NotUnitStaff
        | C::InvalidChoice
        | C::InvalidOrder
        | C::InvalidImport
        | C::WrongAnswer => StatusCode::UNPROCESSABLE_ENTITY,
        // The request is well formed, but the state of things refuses it.
        C::IdNumberTaken
        | C::PhoneTaken
        | C::NoPolicyYear
        | C::SessionEnded
        | C::StudyClosed
        | C::CheckExpired
        | C::RegistrationClosed
        | C::AlreadyPaid
        | C::OrderSettled
        | C::AmountMismatch
        | C::WrongTrade
        | C::AlreadySelected
        | C::PlanComplete
        | C::CourseStarted
        | C::AlreadyAnswered
        | C::AttemptFinished
        | C::NothingToRetry
        | C::CourseIncomplete
        | C::LessonStudied
        | C::QuestionAnswered
        | C::NotCompleted => StatusCode::CONFLICT,
        C::PaymentUnavailable | C::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
        C::PasswordChangeRequired => StatusCode::FORBIDDEN,
        C::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request could not be read: not JSON, wrong media type, too large, wrong shape.
    #[error("bad request body: {code:?}")]
    Body {
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
    /// Every password-hashing turn stayed taken while the request waited (503, `Retry-After`).
    #[error("password hashing busy")]
    Busy,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A request that the current state refuses; the code says why.
    #[error("refused: {0:?}")]
    Refused(ErrorCode),
    /// A refusal whose message says more than its code's default (what a course lacks, why a
    /// file is not taken).
    #[error("refused: {code:?}: {message}")]
    Explained { code: ErrorCode, message: String },
    /// An upload without a single byte: the request is wrong, not the file's type.
    #[error("empty upload")]
    EmptyUpload,
    /// The client stopped sending the upload half-way.
    #[error("upload interrupted")]
    UploadInterrupted,
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

    /// The body of a request that could not be read, with the code's own message unless one
    /// field says more.
    pub fn body_error(code: ErrorCode, fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [only] => only.message.clone(),
            _ => code.default_message().to_owned(),
        };
        AppError::Body {
            code,
            message,
            fields,
        }
    }

    /// The code the client sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Body { code, .. } | AppError::Explained { code, .. } => *code,
            AppError::Refused(code) => *code,
            AppError::Validation(_) => ErrorCode::ValidationFailed,
            AppError::BadRows(_) => ErrorCode::InvalidImport,
            AppError::Conflict(f) => f.code,
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AppError::RateLimited(_) => ErrorCode::RateLimited,
            AppError::Busy => ErrorCode::ServerBusy,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::EmptyUpload => ErrorCode::UnsupportedFileType,
            AppError::UploadInterrupted => ErrorCode::InvalidBody,
            AppError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            AppError::NoPolicyYear => ErrorCode::NoPolicyYear,
            AppError::NotEnrolled => ErrorCode::NotEnrolled,
            AppError::SessionEnded => ErrorCode::SessionEnded,
            AppError::StudyClosed => ErrorCode::StudyClosed,
            AppError::CheckExpired => ErrorCode::CheckExpired,
            AppError::WrongAnswer => ErrorCode::WrongAnswer,
            AppError::RegistrationClosed => ErrorCode::RegistrationClosed,
            AppError::PaymentUnavailable => ErrorCode::PaymentUnavailable,
            AppError::OrderSettled => ErrorCode::OrderSettled,
            AppError::BadSignature => ErrorCode::BadSignature,
            AppError::AmountMismatch => ErrorCode::AmountMismatch,
            AppError::Database(_) | AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The status: its code's, except for the uploads that are malformed requests rather than
    /// files of a refused kind or shape.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::EmptyUpload | AppError::UploadInterrupted => StatusCode::BAD_REQUEST,
            _ => status(self.code()),
        }
    }

    /// The body the client sees. Server faults say nothing of their cause.
    pub fn body(&self) -> ErrorBody {
        let code = self.code();
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
            AppError::Explained { message, .. } => (message.clone(), vec![]),
            AppError::EmptyUpload => ("上传的文件是空的，请重新选择文件".to_owned(), vec![]),
            AppError::UploadInterrupted => ("上传中断，请重新上传".to_owned(), vec![]),
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
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, Json(self.body())).into_response();
        // Seconds: a lock or limit lasts minutes; a queue for hashing drains in seconds.
        let retry_after = match self {
            AppError::RateLimited(_) => Some("60"),
            AppError::Busy => Some("2"),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static(secs));
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// HTTP stays at the edge: services and storage answer domain errors and read uploads as
    /// byte streams; only the routes, the extractors and this module know of axum and of
    /// status codes.
    #[test]
    fn services_and_storage_name_no_status_code_and_no_axum() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for dir in ["services", "storage"] {
            rust_files(&src.join(dir), &mut files);
        }
        assert!(files.len() > 10, "the source tree was not found");
        let mut found = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if code.contains("StatusCode") || code.contains("axum::") {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "HTTP inside services or storage:\n{}",
            found.join("\n")
        );
    }
}
