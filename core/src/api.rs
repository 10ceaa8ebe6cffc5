//! Request and response bodies of the HTTP API (DESIGN.md §7). Every field is part of the
//! contract with the front end, tests and external integrations.

use crate::account::{
    check_password, parse_name, EmploymentType, NameError, PasswordError, Role, TRADES,
};
use crate::catalogue::CourseCategory;
use crate::error_code::ErrorCode;
use crate::grade::Grade;
use crate::id_number::{IdNumber, IdNumberError};
use crate::ledger::{BeatVerdict, LessonKind};
use crate::order::{ItemOutcome, OrderKind, OrderStatus, RefundReason};
use crate::phone::{Phone, PhoneError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// Always `ok` when the server and its database answer.
    pub status: String,
}

/// Every error answer: `{"error": {...}}` with a 4xx (or, for a server fault, 5xx) status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    /// Stable, snake_case; programs match on it.
    pub code: ErrorCode,
    /// Chinese, for people.
    pub message: String,
    /// The fields at fault, when the error is about the body's content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// The rows at fault, when the error is about an imported file (every bad row, in order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowError>,
}

/// One row of an imported file that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RowError {
    /// The row's first line in the file, counting the header as line 1.
    pub line: u64,
    /// Chinese, for people: every problem of the row.
    pub message: String,
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldError {
    /// The JSON field name, e.g. `id_number`.
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

/// `POST /api/auth/register`: a trainee creates their own account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegisterRequest {
    /// 18-character 身份证号 (GB 11643 check character; a lower-case `x` and surrounding
    /// spaces are accepted).
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^\s*[0-9]{17}[0-9Xx]\s*$", example = "350502198001011235")
    )]
    pub id_number: String,
    /// 1 to 30 characters (`account::NAME_MAX_CHARS`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 30))]
    pub name: String,
    /// 11-digit mobile number starting with 1.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^\s*1[0-9]{10}\s*$", example = "13800000000")
    )]
    pub phone: String,
    /// 8 to 128 characters, not the 身份证号 or the phone number (`account::check_password`).
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
    /// A unit from `GET /api/units`.
    pub unit_id: i64,
    pub employment_type: EmploymentType,
    /// One of the trades (工种) of `account::TRADES` (the registration form lists them).
    #[cfg_attr(feature = "openapi", schema(example = "汽车驾驶员"))]
    pub trade: String,
    pub grade: Grade,
}

/// A registration whose fields have all been checked; only the unit's existence is left to
/// the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTrainee {
    pub id_number: IdNumber,
    pub name: String,
    pub phone: Phone,
    pub password: String,
    pub unit_id: i64,
    pub employment_type: EmploymentType,
    pub trade: String,
    pub grade: Grade,
}

impl RegisterRequest {
    /// Checks every field and reports all the faults at once, so that a form can show each
    /// next to its field. `today` is the Shanghai date, for the birth date check.
    pub fn validate(&self, today: NaiveDate) -> Result<NewTrainee, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id_number = IdNumber::parse(&self.id_number, today)
            .map_err(|e: IdNumberError| {
                errors.push(FieldError::new(
                    "id_number",
                    ErrorCode::InvalidIdNumber,
                    e.to_string(),
                ))
            })
            .ok();
        let name = parse_name(&self.name)
            .map_err(|e: NameError| {
                errors.push(FieldError::new(
                    "name",
                    ErrorCode::InvalidName,
                    e.to_string(),
                ))
            })
            .ok();
        let phone = Phone::parse(&self.phone)
            .map_err(|e: PhoneError| {
                errors.push(FieldError::new(
                    "phone",
                    ErrorCode::InvalidPhone,
                    e.to_string(),
                ))
            })
            .ok();
        if let Err(e) = check_password(&self.password, &self.id_number, &self.phone) {
            let e: PasswordError = e;
            errors.push(FieldError::new(
                "password",
                ErrorCode::InvalidPassword,
                e.to_string(),
            ));
        }
        if self.unit_id <= 0 {
            errors.push(FieldError::new(
                "unit_id",
                ErrorCode::UnknownUnit,
                "请选择所在单位",
            ));
        }
        let trade = self.trade.trim();
        if !TRADES.contains(&trade) {
            errors.push(FieldError::new(
                "trade",
                ErrorCode::InvalidTrade,
                "请从列表中选择工种",
            ));
        }
        match (id_number, name, phone) {
            (Some(id_number), Some(name), Some(phone)) if errors.is_empty() => Ok(NewTrainee {
                id_number,
                name,
                phone,
                password: self.password.clone(),
                unit_id: self.unit_id,
                employment_type: self.employment_type,
                trade: trade.to_owned(),
                grade: self.grade,
            }),
            _ => Err(errors),
        }
    }
}

/// Answer to a successful registration or login; the session cookie comes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    /// 身份证号, mobile number, or an administrator's username.
    pub login: String,
    pub password: String,
}

/// `GET /api/me`: who is signed in and what this year asks of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The trainee's grade; null for administrators.
    pub grade: Option<Grade>,
    /// Masked, e.g. `350***********1235`; null for administrators.
    pub id_number: Option<String>,
    /// Masked, e.g. `138****8000`.
    pub phone: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub trade: Option<String>,
    pub unit: Option<Unit>,
    /// The region an office administrator manages.
    pub region: Option<Region>,
    /// The current policy year; null only when none is configured.
    pub year: Option<YearInfo>,
}

/// The current year's requirement as it applies to the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct YearInfo {
    pub year: i32,
    /// 学时 this trainee must complete (42 graded, 24 ungraded); null for administrators.
    pub required_hours: Option<u32>,
    /// Fee in fen for this trainee (12600 or 7200); null for administrators.
    pub fee_fen: Option<i64>,
    /// Last instant (UTC) to register and pay: 23:59:59 Asia/Shanghai on the deadline day.
    pub registration_deadline: DateTime<Utc>,
    /// Last instant (UTC) to complete the 学时.
    pub study_deadline: DateTime<Utc>,
    /// Minutes of credited study per 学时.
    pub minutes_per_hour: u32,
    pub registration_open: bool,
    pub study_open: bool,
    /// The trainee is paid for the year and may study; false for administrators.
    #[serde(default)]
    pub enrolled: bool,
}

/// An employer (单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    /// Full path of the region, e.g. `福建省 泉州市 鲤城区`.
    pub region_name: String,
}

/// A node of the province's region tree (province → city → county).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Region {
    /// Administrative division code, e.g. `350500`.
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    /// 1 province, 2 city, 3 county.
    pub level: i32,
}

/// A course in the catalogue (`GET /api/courses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Course {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    /// Trades (工种) a trade course is for; empty for public courses.
    pub trades: Vec<String>,
    /// 学时 the course plans for.
    pub hours: u32,
    pub description: String,
    /// URL of the cover image.
    pub cover: String,
    pub lessons: Vec<LessonSummary>,
}

/// A lesson as listed in its course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LessonSummary {
    pub id: i64,
    pub title: String,
    pub kind: LessonKind,
    /// Nominal length; the lesson never earns more.
    pub duration_secs: i64,
}

/// One lesson with its content and the signed-in trainee's progress (`GET /api/lessons/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Lesson {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub title: String,
    pub kind: LessonKind,
    pub duration_secs: i64,
    /// Text lessons: the lesson; video lessons: a summary. A small Markdown subset.
    pub body: String,
    /// Video lessons: the video's URL.
    pub video: Option<String>,
    /// Video lessons: what is said, for those who cannot hear it.
    pub transcript: Option<String>,
    pub progress: LessonProgressView,
}

/// Where a trainee stands on a lesson this year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LessonProgressView {
    pub credited_secs: i64,
    /// Video: the furthest point played; the player lets no one seek beyond it.
    pub furthest_secs: i64,
    /// Where to resume.
    pub position_secs: i64,
}

/// `POST /api/study/sessions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StartStudy {
    pub lesson_id: i64,
}

/// A new study session; any other session of the trainee has ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StudySession {
    pub session_id: i64,
    /// Send a heartbeat this often while the page is visible.
    pub heartbeat_secs: i64,
    /// Time allowed to answer a check.
    pub check_window_secs: i64,
    pub progress: LessonProgressView,
}

/// `POST /api/study/sessions/{id}/heartbeat`: the interval since the previous heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HeartbeatRequest {
    /// 1 for the first heartbeat of a session, then one more each time; a retry repeats it.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000_000))]
    pub seq: i64,
    /// The page was visible throughout the interval.
    pub visible: bool,
    /// Position in the lesson, in seconds (at most a day).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 86_400))]
    pub position_secs: i64,
    /// There was input (reading) or playback (video) during the interval. Absent means yes.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// The server's answer to a heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HeartbeatReply {
    /// Seconds this heartbeat added.
    pub credited_secs: i64,
    pub verdict: BeatVerdict,
    pub lesson_credited_secs: i64,
    /// Credited seconds in the policy year so far.
    pub year_credited_secs: i64,
    pub furthest_secs: i64,
    /// An open anti-idle check to answer, if any.
    pub check: Option<CheckPrompt>,
}

/// An anti-idle check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CheckPrompt {
    pub id: String,
    pub prompt: String,
    /// Answers to choose from.
    pub options: Vec<String>,
    pub expires_at: DateTime<Utc>,
    /// A check of one's own, or (at a seat of a group session) the proctor's roll call.
    #[serde(default)]
    pub kind: CheckKind,
}

/// What asks a heartbeat's `check`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// An anti-idle check of online study.
    #[default]
    Check,
    /// A roll call of the group session's proctor (or the server's, at random).
    RollCall,
}

/// `POST /api/study/checks/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CheckAnswer {
    pub answer: String,
}

/// A right answer: credit held while the check was open is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CheckPassed {
    pub credited_secs: i64,
    pub lesson_credited_secs: i64,
}

/// `POST /api/study/sessions/{id}/end`: optionally the last interval, sent on `pagehide`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EndStudy {
    pub last: Option<HeartbeatRequest>,
}

/// `GET /api/study/progress`: the year's credited time, by course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StudyProgress {
    pub year: i32,
    pub required_hours: u32,
    pub minutes_per_hour: u32,
    pub credited_secs: i64,
    /// 学时 with one decimal, rounded down, e.g. `12.5`.
    pub credited_hours: String,
    pub courses: Vec<CourseProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CourseProgress {
    pub course_id: i64,
    pub title: String,
    pub hours: u32,
    pub credited_secs: i64,
    pub credited_hours: String,
    /// Per lesson, in course order.
    pub lessons: Vec<LessonCredit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LessonCredit {
    pub lesson_id: i64,
    pub credited_secs: i64,
    pub duration_secs: i64,
}

/// `POST /api/test/clock` (only with `QINXUE_TEST_CLOCK=1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClockAdvance {
    pub advance_secs: i64,
    /// `true` stops the clock (tests that count exact seconds), `false` lets it run again.
    #[serde(default)]
    pub freeze: Option<bool>,
}

/// The server's clock after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClockNow {
    pub now: DateTime<Utc>,
}

/// `POST /api/orders`: register and pay for a year. A trainee sends `{year}` for themself; a
/// unit admin sends `{year, trainee_ids}` with staff of their own unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateOrder {
    /// The policy year in force (`GET /api/me` → `year.year`), or an earlier year that
    /// allows late payment (`late_payment`; `GET /api/me/years` → `payable`).
    pub year: i32,
    /// Unit admins only: the trainees (ids from `GET /api/unit/staff`) the unit pays for.
    #[serde(default)]
    pub trainee_ids: Option<Vec<i64>>,
}

/// An order ready to pay: send the browser to `pay_url`, the payment platform's cashier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderCreated {
    pub id: i64,
    /// The total, in fen.
    pub amount_fen: i64,
    pub status: OrderStatus,
    /// The cashier page of the payment platform.
    pub pay_url: String,
}

/// An order as its payer (or the trainee or unit admin it concerns) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Order {
    pub id: i64,
    /// The order number the payment platform knows, e.g. `Q2026-3FA9C0D21B7E4A55`.
    pub order_no: String,
    pub kind: OrderKind,
    pub year: i32,
    /// The total, in fen.
    pub amount_fen: i64,
    pub status: OrderStatus,
    /// The paying unit, for unit orders.
    pub unit_name: Option<String>,
    /// The account that created the order.
    pub payer_name: String,
    /// 电子票据号 of the payment, once paid.
    pub receipt_no: Option<String>,
    /// When the payment platform took the money.
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Money to pay back, in fen (0 unless `status` is `refund_due`).
    pub refund_fen: i64,
    pub refund_reason: Option<RefundReason>,
    /// The cashier page of the open payment, while the order is open and one exists.
    pub pay_url: Option<String>,
    /// The people paid for. A trainee looking at their unit's order sees only themself.
    pub items: Vec<OrderItem>,
}

/// One person in an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderItem {
    pub trainee_id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
    /// The grade the fee was set by.
    pub grade: Grade,
    pub fee_fen: i64,
    /// What the payment did for this person; null until the order is settled.
    pub outcome: Option<ItemOutcome>,
}

/// `GET /api/unit/staff`: the trainees of the unit admin's unit and where each stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitStaff {
    pub year: i32,
    pub registration_open: bool,
    pub registration_deadline: DateTime<Utc>,
    pub staff: Vec<StaffMember>,
}

/// One trainee of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
    /// Masked mobile number.
    pub phone: String,
    /// The grade the year's fee is set by.
    pub grade: Grade,
    /// The year's fee for this person, in fen.
    pub fee_fen: i64,
    /// Paid for the year: the enrolment is active.
    pub paid: bool,
    /// An open (unpaid) order that already contains this person, if any.
    pub open_order_id: Option<i64>,
}

/// `POST /api/test/reconcile` (only with `QINXUE_TEST_CLOCK=1`): one reconciliation run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReconcileReport {
    /// Open orders asked about at the payment platform.
    pub checked: u32,
    /// Of those, orders whose state changed.
    pub resolved: u32,
    /// Queries that failed (platform unreachable or a bad answer); tried again next run.
    pub failed: u32,
}

/// `GET /api/me/years`: one of the trainee's policy years, from the year they registered to
/// this one (`qinxue_core::completion` says which credits count for which year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrainingYear {
    pub year: i32,
    /// Registered and paid for the year.
    pub enrolled: bool,
    /// The grade the year's requirement is for (the enrolment's, else the profile's).
    pub grade: Option<Grade>,
    pub required_hours: u32,
    /// Minutes of credited study that make one of this year's 学时.
    pub minutes_per_hour: u32,
    /// Seconds that count for this year, by source.
    pub credited_secs: crate::completion::BySource,
    /// Their sum.
    pub credited_total_secs: i64,
    /// Seconds still missing; zero once completed (an unpaid year may miss only its payment).
    pub missing_secs: i64,
    pub completed: bool,
    /// When the requirement was reached.
    pub completed_at: Option<DateTime<Utc>>,
    /// The last instant to complete the year on time (23:59:59 Shanghai of its last day); an
    /// unfinished paid year stays open after it (policy section 七).
    pub study_deadline: DateTime<Utc>,
    /// The last instant to register and pay.
    pub registration_deadline: DateTime<Utc>,
    /// Whether the year can still be paid for now.
    pub payable: bool,
}

/// `GET /api/me/certificates/{year}` and `GET /api/verify/{code}`: a certificate (学时证明)
/// and everything it states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Certificate {
    /// The verification code printed on it.
    pub code: String,
    /// Its verification page (`/verify/<code>`).
    pub url: String,
    /// The PDF; only its holder is given it.
    pub pdf_url: Option<String>,
    /// What its QR code holds: the verification page with the signed payload after `#`.
    pub qr_text: String,
    /// The signed facts in Base45 (`qinxue_core::certificate`), checkable offline against
    /// `GET /api/verify/key`.
    pub payload: String,
    pub facts: crate::certificate::CertificateFacts,
    pub unit_name: String,
    pub issued_at: DateTime<Utc>,
    /// Revoked certificates are no proof of anything; the reason says why.
    pub revoked: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

/// `POST /api/admin/api-tokens`: a token for an exam office or another external system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    /// Who it is for, e.g. 泉州市工考办考务系统 (1–60 characters).
    pub name: String,
}

/// The answer to `POST /api/admin/api-tokens`: the token is shown this once and never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiTokenCreated {
    pub id: i64,
    pub name: String,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// `GET /api/admin/api-tokens`: a token as listed (without the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// `GET /api/eligibility?id_number=&year=`: whether a person completed a year, as their
/// certificate would state it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Eligibility {
    /// The 身份证号 asked about, masked.
    pub id_number: String,
    pub year: i32,
    pub completed: bool,
    /// The year's requirement for the person's grade (0 when they never enrolled nor gave a
    /// grade).
    pub required_hours: u32,
    /// 学时 that count for the year, to one decimal (rounded down).
    pub credited_hours: f64,
    /// When the requirement was reached.
    pub completed_at: Option<DateTime<Utc>>,
}

/// `GET /api/verify/key`: the province's public key that signs every certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VerifyKey {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, hex.
    pub public_key: String,
    /// How a payload is laid out, for verifiers written elsewhere.
    pub layout: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> RegisterRequest {
        RegisterRequest {
            id_number: "350502198001011235".into(),
            name: "王建国".into(),
            phone: "13800138000".into(),
            password: "Secret#2026".into(),
            unit_id: 1,
            employment_type: EmploymentType::InPost,
            trade: "电工".into(),
            grade: Grade::Intermediate,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn a_valid_registration_is_normalised() {
        let mut r = valid();
        r.id_number = " 11010519491231002x".into();
        let t = r.validate(today()).unwrap();
        assert_eq!(t.id_number.as_str(), "11010519491231002X");
        assert_eq!(t.trade, "电工");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let r = RegisterRequest {
            id_number: "350502198001011236".into(),
            name: "".into(),
            phone: "12345".into(),
            password: "short".into(),
            unit_id: 0,
            employment_type: EmploymentType::Contract,
            trade: "宇航员".into(),
            grade: Grade::Ungraded,
        };
        let fields: Vec<String> = r
            .validate(today())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["id_number", "name", "phone", "password", "unit_id", "trade"]
        );
    }

    #[test]
    fn error_bodies_omit_an_empty_field_list() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::NotFound,
                message: "x".into(),
                fields: vec![],
                rows: vec![],
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_found","message":"x"}}"#
        );
    }
}
