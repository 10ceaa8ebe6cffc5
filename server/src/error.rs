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
        C::PaymentUnavailable | C::ServerBusy | C::RequestTimeout => {
            StatusCode::SERVICE_UNAVAILABLE
        }
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

/// Domain errors as the client sees them: each service's refusals, with the code, fields and
/// Chinese message they answer with (the status follows from the code, see [`status`]).
mod domain {
    use super::AppError;
    use crate::payments::NotificationError;
    use crate::services::accounts::AccountError;
    use crate::services::activities::{self, ActivityError};
    use crate::services::audit_log::AuditLogError;
    use crate::services::certificates::CertificateError;
    use crate::services::completion::CompletionError;
    use crate::services::course_admin::CourseAdminError;
    use crate::services::eligibility::{self, EligibilityError};
    use crate::services::group_sessions::{
        CorrectionProblem, GroupSessionError, PushProblem, ScheduleProblem,
    };
    use crate::services::orders::OrderError;
    use crate::services::passwords::PasswordError;
    use crate::services::payments::PaymentError;
    use crate::services::policy_admin::PolicyAdminError;
    use crate::services::practice::PracticeError;
    use crate::services::question_import::QuestionImportError;
    use crate::services::reminders::RemindersError;
    use crate::services::reports::ReportsError;
    use crate::services::roster::{self, ImportError};
    use crate::services::seats::SeatError;
    use crate::services::selection::SelectionError;
    use crate::services::spreadsheet::SpreadsheetError;
    use crate::services::staff::StaffError;
    use crate::services::study::StudyError;
    use qinxue_core::api::FieldError;
    use qinxue_core::certificate::MAX_REASON_CHARS;
    use qinxue_core::order::MAX_ORDER_TRAINEES;
    use qinxue_core::ErrorCode;

    impl From<AccountError> for AppError {
        fn from(e: AccountError) -> Self {
            match e {
                AccountError::Invalid(fields) => AppError::Validation(fields),
                AccountError::UnknownUnit => {
                    AppError::field("unit_id", ErrorCode::UnknownUnit, "所选单位不存在")
                }
                AccountError::IdNumberTaken => AppError::Conflict(FieldError::new(
                    "id_number",
                    ErrorCode::IdNumberTaken,
                    ErrorCode::IdNumberTaken.default_message(),
                )),
                AccountError::PhoneTaken => AppError::Conflict(FieldError::new(
                    "phone",
                    ErrorCode::PhoneTaken,
                    ErrorCode::PhoneTaken.default_message(),
                )),
                AccountError::Incomplete { login, password } => {
                    let mut missing = Vec::new();
                    if login {
                        missing.push(FieldError::new(
                            "login",
                            ErrorCode::ValidationFailed,
                            "请输入身份证号、手机号或用户名",
                        ));
                    }
                    if password {
                        missing.push(FieldError::new(
                            "password",
                            ErrorCode::ValidationFailed,
                            "请输入密码",
                        ));
                    }
                    AppError::Validation(missing)
                }
                AccountError::InvalidCredentials => AppError::InvalidCredentials,
                AccountError::Fault(e) => e,
            }
        }
    }

    impl From<PracticeError> for AppError {
        fn from(e: PracticeError) -> Self {
            match e {
                PracticeError::Access(e) => e.into(),
                PracticeError::NotFound => AppError::NotFound,
                PracticeError::WrongTrade => AppError::Refused(ErrorCode::WrongTrade),
                PracticeError::NothingToRetry => AppError::Refused(ErrorCode::NothingToRetry),
                PracticeError::AttemptFinished => AppError::Refused(ErrorCode::AttemptFinished),
                PracticeError::NotInAttempt => {
                    AppError::field("question_id", ErrorCode::NotFound, "本次练习中没有这道题")
                }
                PracticeError::InvalidChoice(e) => {
                    AppError::field("chosen", ErrorCode::InvalidChoice, e.to_string())
                }
                PracticeError::AlreadyAnswered => AppError::Conflict(FieldError::new(
                    "question_id",
                    ErrorCode::AlreadyAnswered,
                    ErrorCode::AlreadyAnswered.default_message(),
                )),
                PracticeError::Fault(e) => e,
            }
        }
    }

    impl From<SelectionError> for AppError {
        fn from(e: SelectionError) -> Self {
            match e {
                SelectionError::Access(e) => e.into(),
                SelectionError::RegistrationClosed => AppError::RegistrationClosed,
                SelectionError::NotFound => AppError::NotFound,
                SelectionError::WrongTrade => AppError::field(
                    "course_id",
                    ErrorCode::WrongTrade,
                    ErrorCode::WrongTrade.default_message(),
                ),
                SelectionError::AlreadySelected => AppError::Refused(ErrorCode::AlreadySelected),
                SelectionError::PlanComplete => AppError::Refused(ErrorCode::PlanComplete),
                SelectionError::CourseStarted => AppError::Refused(ErrorCode::CourseStarted),
                SelectionError::Fault(e) => e,
            }
        }
    }

    impl From<CourseAdminError> for AppError {
        fn from(e: CourseAdminError) -> Self {
            match e {
                CourseAdminError::Access(e) => e.into(),
                CourseAdminError::NotFound => AppError::NotFound,
                CourseAdminError::Invalid(fields) => AppError::Validation(fields),
                CourseAdminError::Incomplete {
                    publishing,
                    problems,
                } => {
                    let prefix = if publishing {
                        "课程内容还不完整，暂不能发布"
                    } else {
                        "课程已发布，这样修改后将不符合发布要求（如需大改，请先下架）"
                    };
                    AppError::Explained {
                        code: ErrorCode::CourseIncomplete,
                        message: format!("{prefix}：{}", problems.join("；")),
                    }
                }
                CourseAdminError::NoSuchVideo => AppError::field(
                    "video",
                    ErrorCode::ValidationFailed,
                    "找不到这个视频文件，请重新上传",
                ),
                CourseAdminError::NotVideoLesson => AppError::field(
                    "kind",
                    ErrorCode::ValidationFailed,
                    "只有视频课时可以上传视频，请先把课时类型改为“视频”并保存",
                ),
                CourseAdminError::InvalidOrder => AppError::field(
                    "ids",
                    ErrorCode::InvalidOrder,
                    ErrorCode::InvalidOrder.default_message(),
                ),
                CourseAdminError::LessonStudied => AppError::Refused(ErrorCode::LessonStudied),
                CourseAdminError::QuestionAnswered => {
                    AppError::Refused(ErrorCode::QuestionAnswered)
                }
                CourseAdminError::FileTooLarge(limit) => AppError::Explained {
                    code: ErrorCode::FileTooLarge,
                    message: format!(
                        "题目文件不能超过 {}",
                        qinxue_core::admin::human_size(limit as u64)
                    ),
                },
                CourseAdminError::Questions(e) => e.into(),
                CourseAdminError::Fault(e) => e,
            }
        }
    }

    impl From<CertificateError> for AppError {
        fn from(e: CertificateError) -> Self {
            match e {
                CertificateError::Access(e) => e.into(),
                CertificateError::NotFound => AppError::NotFound,
                CertificateError::NotCompleted(message) => AppError::Explained {
                    code: ErrorCode::NotCompleted,
                    message,
                },
                CertificateError::RateLimited => AppError::RateLimited("核验过于频繁，请稍后再试"),
                CertificateError::BadReason => AppError::field(
                    "reason",
                    ErrorCode::ValidationFailed,
                    format!("请填写撤销原因（1–{MAX_REASON_CHARS} 字）"),
                ),
                CertificateError::Fault(e) => e,
            }
        }
    }

    impl From<StudyError> for AppError {
        fn from(e: StudyError) -> Self {
            match e {
                StudyError::Access(e) => e.into(),
                StudyError::NotFound => AppError::NotFound,
                StudyError::SeqOutOfRange => {
                    AppError::field("seq", ErrorCode::OutOfRange, "seq 应为从 1 开始递增的整数")
                }
                StudyError::PositionOutOfRange => {
                    AppError::field("position_secs", ErrorCode::OutOfRange, "播放位置超出范围")
                }
                StudyError::StudyClosed => AppError::StudyClosed,
                StudyError::SessionEnded => AppError::SessionEnded,
                StudyError::CheckExpired => AppError::CheckExpired,
                StudyError::WrongTrade => AppError::Refused(ErrorCode::WrongTrade),
                StudyError::NotEnrolled => AppError::NotEnrolled,
                StudyError::WrongAnswer => AppError::WrongAnswer,
                StudyError::Fault(e) => e,
            }
        }
    }

    impl From<GroupSessionError> for AppError {
        fn from(e: GroupSessionError) -> Self {
            use qinxue_core::group::MAX_REASON_CHARS;
            match e {
                GroupSessionError::Access(e) => e.into(),
                GroupSessionError::NotFound => AppError::NotFound,
                GroupSessionError::Invalid(fields) => AppError::Validation(fields),
                GroupSessionError::Schedule(problems) => AppError::Validation(
                    problems
                        .into_iter()
                        .map(|p| match p {
                            ScheduleProblem::RegionOutside => FieldError::new(
                                "region_code",
                                ErrorCode::NotInRegion,
                                "请选择您管理范围内的地区",
                            ),
                            ScheduleProblem::CourseUnpublished => FieldError::new(
                                "course_id",
                                ErrorCode::NotFound,
                                "请选择已发布的课程",
                            ),
                            ScheduleProblem::UnknownProctor => FieldError::new(
                                "proctor_login",
                                ErrorCode::UnknownProctor,
                                ErrorCode::UnknownProctor.default_message(),
                            ),
                            ScheduleProblem::TraineeOutside(id) => FieldError::new(
                                "trainee_ids",
                                ErrorCode::NotInRegion,
                                format!("编号为 {id} 的人员不是该地区的学员"),
                            ),
                        })
                        .collect(),
                ),
                GroupSessionError::SessionStarted => AppError::Refused(ErrorCode::SessionStarted),
                GroupSessionError::RoomNotOpen => AppError::Refused(ErrorCode::RoomNotOpen),
                GroupSessionError::RoomClosed => AppError::Refused(ErrorCode::RoomClosed),
                GroupSessionError::RollCallOpen => AppError::Refused(ErrorCode::RollCallOpen),
                GroupSessionError::CheckExpired => AppError::CheckExpired,
                GroupSessionError::WrongAnswer => AppError::WrongAnswer,
                GroupSessionError::SessionEnded => AppError::SessionEnded,
                GroupSessionError::AlreadyMarked => AppError::Conflict(FieldError::new(
                    "present",
                    ErrorCode::AlreadyAnswered,
                    "此人本次点名已登记；结束后如需更正，请联系经办机构",
                )),
                GroupSessionError::Correction(problems) => AppError::Validation(
                    problems
                        .into_iter()
                        .map(|p| match p {
                            CorrectionProblem::NoReason => FieldError::new(
                                "reason",
                                ErrorCode::InvalidBody,
                                "请填写更正的原因",
                            ),
                            CorrectionProblem::ReasonTooLong => FieldError::new(
                                "reason",
                                ErrorCode::InvalidBody,
                                format!("原因不能超过 {MAX_REASON_CHARS} 个字"),
                            ),
                            CorrectionProblem::CreditOutOfRange => FieldError::new(
                                "credited_secs",
                                ErrorCode::OutOfRange,
                                "学时不能为负，也不能超过本场集中学习的时长",
                            ),
                        })
                        .collect(),
                ),
                GroupSessionError::NotClosed => AppError::Refused(ErrorCode::NotClosed),
                GroupSessionError::TraineeOutside => AppError::field(
                    "trainee_id",
                    ErrorCode::NotInRegion,
                    ErrorCode::NotInRegion.default_message(),
                ),
                GroupSessionError::NotLecture => AppError::field(
                    "format",
                    ErrorCode::InvalidBody,
                    "这是机房分座学习：学员在座位上签到学习，不由监考员登记出勤",
                ),
                GroupSessionError::LessonNotOfCourse => {
                    AppError::field("lesson_id", ErrorCode::NotFound, "请选择本场课程中的一节课")
                }
                GroupSessionError::Push(problem) => AppError::field(
                    "question_ids",
                    ErrorCode::InvalidBody,
                    match problem {
                        PushProblem::NoQuestions => "本课程还没有练习题",
                        PushProblem::NoneChosen => "请至少选择一道题",
                        PushProblem::Repeated => "题目有重复",
                        PushProblem::NotOfCourse => "只能选择本场课程的练习题",
                    },
                ),
                GroupSessionError::NoPractice => AppError::Explained {
                    code: ErrorCode::NotFound,
                    message: "监考员还没有发布练习".into(),
                },
                GroupSessionError::NoPolicyYear => AppError::NoPolicyYear,
                GroupSessionError::Practice(e) => e.into(),
                GroupSessionError::Seat(e) => e.into(),
                GroupSessionError::Fault(e) => e,
            }
        }
    }

    impl From<ImportError> for AppError {
        fn from(e: ImportError) -> Self {
            use ErrorCode::{FileTooLarge, InvalidImport, UnsupportedFileType};
            let (code, message): (ErrorCode, String) = match e {
                ImportError::Access(e) => return e.into(),
                ImportError::Fault(e) => return e,
                ImportError::EmptyUpload => {
                    (InvalidImport, "上传的文件是空的，请重新选择文件".into())
                }
                ImportError::TooLarge => (
                    FileTooLarge,
                    format!(
                        "文件超过 {} MB，请分成几个文件导入",
                        roster::MAX_BYTES / 1024 / 1024
                    ),
                ),
                ImportError::OldExcel => (
                    UnsupportedFileType,
                    "这是旧版 Excel 97-2003 工作簿（.xls），请在 Excel 或 WPS 中另存为“Excel 工作簿（*.xlsx）”后再导入".into(),
                ),
                ImportError::BadUtf8 => (
                    InvalidImport,
                    "文件开头标明是 UTF-8 编码，但其中有无法识别的文字，请重新保存后再导入".into(),
                ),
                ImportError::Utf16 => (
                    InvalidImport,
                    "文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV（逗号分隔）”后再导入".into(),
                ),
                ImportError::NotSpreadsheet => (
                    UnsupportedFileType,
                    "文件不是 CSV 表格或 Excel 工作簿（XLSX），请在 Excel 或 WPS 中另存为“Excel 工作簿（*.xlsx）”或“CSV（逗号分隔）”后再导入".into(),
                ),
                ImportError::UnknownEncoding => (
                    InvalidImport,
                    "无法识别文件的文字编码，请另存为“CSV UTF-8（逗号分隔）”后再导入".into(),
                ),
                ImportError::NoHeader => (InvalidImport, "文件不是 CSV 表格，无法读取表头".into()),
                ImportError::Empty => (
                    InvalidImport,
                    "文件是空的，请在第 1 行写表头，从第 2 行起每行一人".into(),
                ),
                ImportError::UnreadableRow(row) => (
                    InvalidImport,
                    format!("第 {row} 行无法读取（引号不成对？）"),
                ),
                ImportError::NotXlsx => (
                    UnsupportedFileType,
                    "文件不是 Excel 工作簿（XLSX），请在 Excel 或 WPS 中另存为“Excel 工作簿（*.xlsx）”或“CSV（逗号分隔）”后再导入".into(),
                ),
                ImportError::NotZip => (
                    UnsupportedFileType,
                    "文件已损坏或不是 Excel 工作簿（XLSX），请重新保存后再导入".into(),
                ),
                ImportError::DamagedPart => (
                    InvalidImport,
                    "文件已损坏，请在 Excel 或 WPS 中重新保存后再导入".into(),
                ),
                ImportError::UnpackedTooLarge => (
                    FileTooLarge,
                    "工作簿内容过大，请只保留人员名单一张表，或分成几个文件导入".into(),
                ),
                ImportError::MissingColumns(labels) => (
                    InvalidImport,
                    format!(
                        "第 1 行表头缺少列：{}（应有 身份证号、姓名、手机、用工类型、工种、等级）",
                        labels.join("、")
                    ),
                ),
                ImportError::TooManyRows => (
                    InvalidImport,
                    format!(
                        "一个文件最多 {} 人，请分成几个文件导入",
                        roster::MAX_ROWS
                    ),
                ),
                ImportError::HeaderOnly => (InvalidImport, "文件中只有表头，没有人员".into()),
                ImportError::BadRows(rows) => (
                    InvalidImport,
                    format!(
                        "文件中有 {rows} 行有错误，未导入任何人员；请先检查文件，按提示修改后重新导入"
                    ),
                ),
                ImportError::ChangedMeanwhile => (
                    InvalidImport,
                    "导入时人员名单有变化，未导入任何人员，请重新导入".into(),
                ),
                ImportError::TakenMeanwhile => (
                    InvalidImport,
                    "导入时有人同时注册了文件中的身份证号或手机号，请重新导入".into(),
                ),
            };
            AppError::Explained { code, message }
        }
    }

    impl From<OrderError> for AppError {
        fn from(e: OrderError) -> Self {
            match e {
                OrderError::Access(e) => e.into(),
                OrderError::YearNotOffered { current } => AppError::field(
                    "year",
                    ErrorCode::OutOfRange,
                    format!("只能报名 {current} 年度"),
                ),
                OrderError::RegistrationClosed => AppError::RegistrationClosed,
                OrderError::NoTraineesChosen => AppError::field(
                    "trainee_ids",
                    ErrorCode::ValidationFailed,
                    "请选择要缴费的人员",
                ),
                OrderError::TraineeCount => AppError::field(
                    "trainee_ids",
                    ErrorCode::OutOfRange,
                    format!("每张订单可选 1 到 {MAX_ORDER_TRAINEES} 人"),
                ),
                OrderError::NotUnitStaff(ids) => {
                    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                    AppError::Validation(vec![FieldError::new(
                        "trainee_ids",
                        ErrorCode::NotUnitStaff,
                        format!("编号为 {} 的人员不是本单位的学员", ids.join("、")),
                    )])
                }
                OrderError::AlreadyPaid { field, names, year } => {
                    AppError::Conflict(FieldError::new(
                        field,
                        ErrorCode::AlreadyPaid,
                        format!(
                            "{} 已缴纳 {year} 年度培训费，不能重复缴费",
                            names.join("、")
                        ),
                    ))
                }
                OrderError::NotPayable => AppError::Forbidden,
                OrderError::NotFound => AppError::NotFound,
                OrderError::Settled => AppError::OrderSettled,
                OrderError::PaymentUnavailable => AppError::PaymentUnavailable,
                OrderError::NoPolicyYear(_) => AppError::NoPolicyYear,
                OrderError::Fault(e) => e,
            }
        }
    }

    impl From<ActivityError> for AppError {
        fn from(e: ActivityError) -> Self {
            match e {
                ActivityError::Access(e) => e.into(),
                ActivityError::NotFound => AppError::NotFound,
                ActivityError::NoRegion => AppError::Forbidden,
                ActivityError::Invalid(fields) => AppError::Validation(fields),
                ActivityError::YearNotConfigured(year) => AppError::field(
                    "date",
                    ErrorCode::OutOfRange,
                    format!("{year} 年度的政策尚未设置，不能登记该年度的活动"),
                ),
                ActivityError::Decided => AppError::Refused(ErrorCode::ActivityDecided),
                ActivityError::BadReason => AppError::field(
                    "reason",
                    ErrorCode::ValidationFailed,
                    format!("请填写退回原因（不超过 {} 个字）", activities::MAX_REASON),
                ),
                ActivityError::NotApproved => AppError::Refused(ErrorCode::ActivityNotApproved),
                ActivityError::NoAttendees => AppError::field(
                    "id_numbers",
                    ErrorCode::ValidationFailed,
                    "名单是空的，请填写参加人员的身份证号",
                ),
                ActivityError::TooManyAttendees => AppError::field(
                    "id_numbers",
                    ErrorCode::OutOfRange,
                    format!("一次最多上传 {} 人", qinxue_core::activity::MAX_ATTENDEES),
                ),
                ActivityError::NoPolicyYear => AppError::NoPolicyYear,
                ActivityError::NoIdColumn => AppError::Explained {
                    code: ErrorCode::InvalidImport,
                    message:
                        "文件中没有“身份证号”列：请在第一行写上“身份证号”，或每行只写一个身份证号"
                            .to_owned(),
                },
                ActivityError::Import(e) => e.into(),
                ActivityError::Fault(e) => e,
            }
        }
    }

    impl From<AuditLogError> for AppError {
        fn from(e: AuditLogError) -> Self {
            match e {
                AuditLogError::Access(e) => e.into(),
                AuditLogError::Fault(e) => e,
            }
        }
    }

    impl From<CompletionError> for AppError {
        fn from(e: CompletionError) -> Self {
            match e {
                CompletionError::Access(e) => e.into(),
                CompletionError::NotFound => AppError::NotFound,
                CompletionError::Fault(e) => e,
            }
        }
    }

    impl From<ReportsError> for AppError {
        fn from(e: ReportsError) -> Self {
            match e {
                ReportsError::Access(e) => e.into(),
                ReportsError::NotFound => AppError::NotFound,
                ReportsError::Fault(e) => e,
            }
        }
    }

    impl From<SeatError> for AppError {
        fn from(e: SeatError) -> Self {
            match e {
                SeatError::Access(e) => e.into(),
                SeatError::NotFound => AppError::NotFound,
                SeatError::RoomNotOpen => AppError::Refused(ErrorCode::RoomNotOpen),
                SeatError::RoomClosed => AppError::Refused(ErrorCode::RoomClosed),
                SeatError::RoomFull => AppError::Refused(ErrorCode::RoomFull),
                SeatError::NotInRegion => AppError::Refused(ErrorCode::NotInRegion),
                SeatError::NotAssigned => AppError::Refused(ErrorCode::NotAssigned),
                SeatError::NotEnrolled => AppError::NotEnrolled,
                SeatError::UnknownTrainee => AppError::field(
                    "trainee_id",
                    ErrorCode::NotFound,
                    "没有这名学员，请重新选择",
                ),
                SeatError::InvalidIdNumber => AppError::field(
                    "id_number",
                    ErrorCode::InvalidIdNumber,
                    "身份证号不正确，请核对后重新输入",
                ),
                SeatError::NobodyNamed => AppError::field(
                    "id_number",
                    ErrorCode::InvalidBody,
                    "请输入身份证号，或从名单中选择学员",
                ),
                SeatError::BadSeatCode => AppError::field(
                    "seat_code",
                    ErrorCode::InvalidBody,
                    "座位码是电脑屏幕上显示的 4 位数字",
                ),
                SeatError::UnknownSeatCode => AppError::field(
                    "seat_code",
                    ErrorCode::NotFound,
                    "没有显示这个座位码的电脑，请核对屏幕上的数字",
                ),
                SeatError::TerminalLocked => AppError::RateLimited(
                    "签到码错误次数过多，请 10 分钟后再试，或请监考员帮您签到",
                ),
                SeatError::WrongPin => AppError::Refused(ErrorCode::WrongPin),
                SeatError::SeatOnly => AppError::Refused(ErrorCode::SeatOnly),
                SeatError::NoPolicyYear => AppError::NoPolicyYear,
                SeatError::StudyClosed => AppError::StudyClosed,
                SeatError::Study(e) => e.into(),
                SeatError::RollCall(e) => (*e).into(),
                SeatError::Fault(e) => e,
            }
        }
    }

    /// A file that could not be written is a fault: 500, its cause logged.
    impl From<SpreadsheetError> for AppError {
        fn from(e: SpreadsheetError) -> Self {
            AppError::Internal(e.to_string())
        }
    }

    impl From<StaffError> for AppError {
        fn from(e: StaffError) -> Self {
            match e {
                StaffError::Access(e) => e.into(),
                StaffError::NotFound => AppError::NotFound,
                StaffError::Fault(e) => e,
            }
        }
    }

    impl From<RemindersError> for AppError {
        fn from(e: RemindersError) -> Self {
            match e {
                RemindersError::Access(e) => e.into(),
                RemindersError::Fault(e) => e,
            }
        }
    }

    impl From<EligibilityError> for AppError {
        fn from(e: EligibilityError) -> Self {
            // A look-up's bad query names the parameter and why.
            let query = |field: &str, code: ErrorCode, message: &str| AppError::Body {
                code: ErrorCode::InvalidQuery,
                message: message.to_owned(),
                fields: vec![FieldError::new(field, code, message)],
            };
            match e {
                EligibilityError::Access(e) => e.into(),
                EligibilityError::InvalidIdNumber(why) => {
                    query("id_number", ErrorCode::InvalidIdNumber, &why)
                }
                EligibilityError::YearOutOfRange => query(
                    "year",
                    ErrorCode::OutOfRange,
                    "年度应为 2000 年至今年之间的年份",
                ),
                EligibilityError::RateLimited => AppError::RateLimited("查询过于频繁，请稍后再试"),
                EligibilityError::InvalidName => AppError::field(
                    "name",
                    ErrorCode::OutOfRange,
                    format!("名称应为 1 至 {} 个字符", eligibility::MAX_NAME_CHARS),
                ),
                EligibilityError::NotFound => AppError::NotFound,
                EligibilityError::Fault(e) => e,
            }
        }
    }

    impl From<PasswordError> for AppError {
        fn from(e: PasswordError) -> Self {
            match e {
                PasswordError::Access(e) => e.into(),
                PasswordError::Weak(e) => {
                    AppError::field("new_password", ErrorCode::InvalidPassword, e.to_string())
                }
                PasswordError::Unchanged => AppError::field(
                    "new_password",
                    ErrorCode::InvalidPassword,
                    "新密码不能与原密码相同，请设置一个只有您自己知道的密码",
                ),
                PasswordError::WrongCurrent => AppError::field(
                    "current_password",
                    ErrorCode::InvalidCredentials,
                    "原密码（或一次性密码）不正确",
                ),
                PasswordError::NotFound => AppError::NotFound,
                PasswordError::Fault(e) => e,
            }
        }
    }

    impl From<PolicyAdminError> for AppError {
        fn from(e: PolicyAdminError) -> Self {
            match e {
                PolicyAdminError::Access(e) => e.into(),
                PolicyAdminError::NotFound => AppError::NotFound,
                PolicyAdminError::YearMismatch => {
                    AppError::field("year", ErrorCode::OutOfRange, "年度与地址中的年度不一致")
                }
                PolicyAdminError::Invalid(fields) => AppError::Validation(fields),
                PolicyAdminError::StudyClosed => AppError::StudyClosed,
                PolicyAdminError::NoPolicyYear => AppError::NoPolicyYear,
                PolicyAdminError::Fault(e) => e,
            }
        }
    }

    impl From<QuestionImportError> for AppError {
        fn from(e: QuestionImportError) -> Self {
            match e {
                QuestionImportError::Unreadable(message) => AppError::Explained {
                    code: ErrorCode::InvalidImport,
                    message,
                },
                QuestionImportError::BadRows(rows) => AppError::BadRows(rows),
            }
        }
    }

    impl From<PaymentError> for AppError {
        fn from(e: PaymentError) -> Self {
            match e {
                PaymentError::Refused(NotificationError::NotJson) => {
                    AppError::body_error(ErrorCode::InvalidJson, vec![])
                }
                PaymentError::Refused(NotificationError::BadSignature) => AppError::BadSignature,
                PaymentError::Refused(NotificationError::BadField(field)) => {
                    AppError::Validation(vec![FieldError::new(
                        field,
                        ErrorCode::InvalidBody,
                        format!("字段 {field} 缺失或取值无效"),
                    )])
                }
                PaymentError::UnknownOrder => AppError::NotFound,
                PaymentError::AmountMismatch => AppError::AmountMismatch,
                PaymentError::Fault(e) => e,
            }
        }
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
