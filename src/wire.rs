//! Reading the API's answers (`qinxue_core::api`) from parsed JSON, field by field.
//!
//! serde's derived decoders are generated code per type and per field: for the answers the
//! front end reads they cost the first visit about 10 KB (brotli) of its 200 KB budget. Here
//! `JSON.parse` does the parsing and each field is one small call. The answers are still the
//! core crate's types, so a field added there fails to compile here until it is read; a field
//! missing or of the wrong type makes the whole answer `None` (an "unexpected answer").
//!
//! The decoders are written once against [`Json`], a parsed value as far as they need one: in
//! the browser it is the `JsValue` that `JSON.parse` made; the host tests (`wire/tests.rs`)
//! give serde_json's `Value`, serialise every answer type with serde and decode it here, so
//! that a field renamed in core fails a test instead of a person's page.

use chrono::{DateTime, Utc};
use qinxue_core::api::{
    CheckPassed, CheckPrompt, Course, CourseProgress, ErrorBody, ErrorDetail, FieldError,
    HeartbeatReply, Lesson, LessonCredit, LessonProgressView, LessonSummary, Me, Order,
    OrderCreated, OrderItem, Region, RowError, StaffMember, StudyProgress, StudySession, Unit,
    UnitStaff, YearInfo,
};
use qinxue_core::catalogue::{CourseCategory, QuestionKind};
use qinxue_core::ledger::LessonKind;
use qinxue_core::order::{ItemOutcome, OrderKind, OrderStatus, RefundReason};
use qinxue_core::practice::{Attempt, AttemptSummary, GradedAnswer, Plan, PracticeQuestion};
use qinxue_core::{EmploymentType, Grade, Role};
use wasm_bindgen::JsValue;
use web_sys::js_sys::{Array, Date, Reflect, JSON};

#[cfg(test)]
mod tests;

mod completion;
mod group;
mod policy;

/// A parsed JSON value, as much of one as the decoders ask for.
pub trait Json: Sized {
    /// The member `key` of an object; a null-like value when it is absent or this is no object.
    fn member(&self, key: &str) -> Self;
    /// Null or absent.
    fn is_nothing(&self) -> bool;
    fn number(&self) -> Option<f64>;
    fn text(&self) -> Option<String>;
    fn truth(&self) -> Option<bool>;
    /// The elements of an array.
    fn items(&self) -> Option<impl Iterator<Item = Self>>;
    /// An instant on the wire (UTC, RFC 3339), to the millisecond.
    fn instant(&self) -> Option<DateTime<Utc>>;
}

/// The browser's parsed JSON.
impl Json for JsValue {
    fn member(&self, key: &str) -> Self {
        Reflect::get(self, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn is_nothing(&self) -> bool {
        self.is_null() || self.is_undefined()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn text(&self) -> Option<String> {
        self.as_string()
    }

    fn truth(&self) -> Option<bool> {
        self.as_bool()
    }

    fn items(&self) -> Option<impl Iterator<Item = Self>> {
        Array::is_array(self).then(|| {
            let array = Array::from(self);
            (0..array.length()).map(move |i| array.get(i))
        })
    }

    /// The browser's `Date.parse`: chrono's parser would cost the bundle several KB for the
    /// same answer.
    fn instant(&self) -> Option<DateTime<Utc>> {
        let millis = Date::parse(&self.as_string()?);
        if millis.is_nan() {
            return None;
        }
        DateTime::from_timestamp_millis(millis as i64)
    }
}

/// A value read from parsed JSON.
pub trait FromJson: Sized {
    fn from_json<J: Json>(value: &J) -> Option<Self>;
}

/// Parses `text` with the browser's `JSON.parse` and reads a `T` from it.
pub fn parse<T: FromJson>(text: &str) -> Option<T> {
    T::from_json(&JSON::parse(text).ok()?)
}

/// A whole number (JSON numbers are doubles; the API's fit exactly).
fn int<J: Json>(object: &J, key: &str) -> Option<i64> {
    whole(&object.member(key))
}

fn whole<J: Json>(value: &J) -> Option<i64> {
    let n = value.number()?;
    (n.fract() == 0.0).then_some(n as i64)
}

fn uint<J: Json>(object: &J, key: &str) -> Option<u32> {
    u32::try_from(int(object, key)?).ok()
}

fn string<J: Json>(object: &J, key: &str) -> Option<String> {
    object.member(key).text()
}

fn boolean<J: Json>(object: &J, key: &str) -> Option<bool> {
    object.member(key).truth()
}

/// `Some(None)` for null or absent, `Some(Some(t))` for a `T`, `None` for anything else.
fn maybe<J: Json, T>(object: &J, key: &str, read: impl Fn(&J) -> Option<T>) -> Option<Option<T>> {
    let value = object.member(key);
    if value.is_nothing() {
        Some(None)
    } else {
        read(&value).map(Some)
    }
}

/// A string or null.
fn nullable<J: Json>(object: &J, key: &str) -> Option<Option<String>> {
    maybe(object, key, J::text)
}

fn list<J: Json, T: FromJson>(object: &J, key: &str) -> Option<Vec<T>> {
    Vec::from_json(&object.member(key))
}

/// An enum that core gives no `from_wire` for, by its serde name: a string deserialiser, so
/// that no JSON parser but the browser's is in the bundle.
fn enum_str<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    use serde::de::value::{Error, StrDeserializer};
    T::deserialize(StrDeserializer::<Error>::new(text)).ok()
}

impl FromJson for String {
    fn from_json<J: Json>(value: &J) -> Option<Self> {
        value.text()
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json<J: Json>(value: &J) -> Option<Self> {
        value.items()?.map(|item| T::from_json(&item)).collect()
    }
}

impl FromJson for Course {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            code: string(o, "code")?,
            title: string(o, "title")?,
            category: CourseCategory::from_wire(&string(o, "category")?)?,
            trades: list(o, "trades")?,
            hours: uint(o, "hours")?,
            description: string(o, "description")?,
            cover: string(o, "cover")?,
            lessons: list(o, "lessons")?,
        })
    }
}

impl FromJson for usize {
    fn from_json<J: Json>(value: &J) -> Option<Self> {
        usize::try_from(whole(value)?).ok()
    }
}

impl FromJson for Plan {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            year: i32::try_from(int(o, "year")?).ok()?,
            required_hours: uint(o, "required_hours")?,
            planned_hours: uint(o, "planned_hours")?,
            registration_open: boolean(o, "registration_open")?,
            courses: list(o, "courses")?,
        })
    }
}

impl FromJson for PracticeQuestion {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            kind: QuestionKind::from_wire(&string(o, "kind")?)?,
            stem: string(o, "stem")?,
            options: list(o, "options")?,
        })
    }
}

/// An instant that may be null, e.g. when an attempt was finished.
fn maybe_instant<J: Json>(o: &J, key: &str) -> Option<Option<DateTime<Utc>>> {
    maybe(o, key, J::instant)
}

/// A score that is null until an attempt is finished.
fn maybe_score<J: Json>(o: &J) -> Option<Option<u32>> {
    maybe(o, "score", |v| u32::try_from(whole(v)?).ok())
}

impl FromJson for Attempt {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            course_id: int(o, "course_id")?,
            started_at: time(o, "started_at")?,
            finished_at: maybe_instant(o, "finished_at")?,
            questions: list(o, "questions")?,
            answers: list(o, "answers")?,
            score: maybe_score(o)?,
        })
    }
}

impl FromJson for GradedAnswer {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            question_id: int(o, "question_id")?,
            chosen: list(o, "chosen")?,
            correct: boolean(o, "correct")?,
            answer: list(o, "answer")?,
            explanation: string(o, "explanation")?,
        })
    }
}

impl FromJson for AttemptSummary {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            started_at: time(o, "started_at")?,
            finished_at: maybe_instant(o, "finished_at")?,
            questions: uint(o, "questions")?,
            correct: uint(o, "correct")?,
            score: maybe_score(o)?,
        })
    }
}

impl FromJson for LessonSummary {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            title: string(o, "title")?,
            kind: LessonKind::from_wire(&string(o, "kind")?)?,
            duration_secs: int(o, "duration_secs")?,
        })
    }
}

impl FromJson for Lesson {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            course_id: int(o, "course_id")?,
            course_title: string(o, "course_title")?,
            title: string(o, "title")?,
            kind: LessonKind::from_wire(&string(o, "kind")?)?,
            duration_secs: int(o, "duration_secs")?,
            body: string(o, "body")?,
            video: nullable(o, "video")?,
            transcript: nullable(o, "transcript")?,
            progress: LessonProgressView::from_json(&o.member("progress"))?,
        })
    }
}

impl FromJson for LessonProgressView {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            credited_secs: int(o, "credited_secs")?,
            furthest_secs: int(o, "furthest_secs")?,
            position_secs: int(o, "position_secs")?,
        })
    }
}

impl FromJson for StudySession {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            session_id: int(o, "session_id")?,
            heartbeat_secs: int(o, "heartbeat_secs")?,
            check_window_secs: int(o, "check_window_secs")?,
            progress: LessonProgressView::from_json(&o.member("progress"))?,
        })
    }
}

impl FromJson for HeartbeatReply {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        let verdict = enum_str(&string(o, "verdict")?)?;
        Some(Self {
            credited_secs: int(o, "credited_secs")?,
            verdict,
            lesson_credited_secs: int(o, "lesson_credited_secs")?,
            year_credited_secs: int(o, "year_credited_secs")?,
            furthest_secs: int(o, "furthest_secs")?,
            check: maybe(o, "check", CheckPrompt::from_json)?,
        })
    }
}

impl FromJson for CheckPrompt {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: string(o, "id")?,
            prompt: string(o, "prompt")?,
            options: list(o, "options")?,
            expires_at: time(o, "expires_at")?,
            // Absent from servers before group sessions: an anti-idle check.
            kind: match nullable(o, "kind")? {
                Some(kind) => enum_str(&kind)?,
                None => Default::default(),
            },
        })
    }
}

impl FromJson for CheckPassed {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            credited_secs: int(o, "credited_secs")?,
            lesson_credited_secs: int(o, "lesson_credited_secs")?,
        })
    }
}

impl FromJson for StudyProgress {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            year: i32::try_from(int(o, "year")?).ok()?,
            required_hours: uint(o, "required_hours")?,
            minutes_per_hour: uint(o, "minutes_per_hour")?,
            credited_secs: int(o, "credited_secs")?,
            credited_hours: string(o, "credited_hours")?,
            courses: list(o, "courses")?,
        })
    }
}

impl FromJson for CourseProgress {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            course_id: int(o, "course_id")?,
            title: string(o, "title")?,
            hours: uint(o, "hours")?,
            credited_secs: int(o, "credited_secs")?,
            credited_hours: string(o, "credited_hours")?,
            lessons: list(o, "lessons")?,
        })
    }
}

impl FromJson for LessonCredit {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            lesson_id: int(o, "lesson_id")?,
            credited_secs: int(o, "credited_secs")?,
            duration_secs: int(o, "duration_secs")?,
        })
    }
}

impl FromJson for Me {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            name: string(o, "name")?,
            role: Role::from_wire(&string(o, "role")?)?,
            grade: maybe(o, "grade", |v| Grade::from_wire(&v.text()?))?,
            id_number: nullable(o, "id_number")?,
            phone: nullable(o, "phone")?,
            employment_type: maybe(o, "employment_type", |v| {
                EmploymentType::from_wire(&v.text()?)
            })?,
            trade: nullable(o, "trade")?,
            unit: maybe(o, "unit", Unit::from_json)?,
            region: maybe(o, "region", Region::from_json)?,
            year: maybe(o, "year", YearInfo::from_json)?,
        })
    }
}

impl FromJson for YearInfo {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            year: i32::try_from(int(o, "year")?).ok()?,
            required_hours: maybe(o, "required_hours", |v| u32::try_from(whole(v)?).ok())?,
            fee_fen: maybe(o, "fee_fen", whole)?,
            registration_deadline: time(o, "registration_deadline")?,
            study_deadline: time(o, "study_deadline")?,
            minutes_per_hour: uint(o, "minutes_per_hour")?,
            registration_open: boolean(o, "registration_open")?,
            study_open: boolean(o, "study_open")?,
            enrolled: boolean(o, "enrolled").unwrap_or(false),
        })
    }
}

impl FromJson for Unit {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            name: string(o, "name")?,
            region_code: string(o, "region_code")?,
            region_name: string(o, "region_name")?,
        })
    }
}

impl FromJson for Region {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            code: string(o, "code")?,
            name: string(o, "name")?,
            parent_code: nullable(o, "parent_code")?,
            level: i32::try_from(int(o, "level")?).ok()?,
        })
    }
}

/// The instant at `key`.
fn time<J: Json>(object: &J, key: &str) -> Option<DateTime<Utc>> {
    object.member(key).instant()
}

fn grade<J: Json>(object: &J) -> Option<Grade> {
    Grade::from_wire(&string(object, "grade")?)
}

fn status<J: Json>(object: &J) -> Option<OrderStatus> {
    OrderStatus::from_wire(&string(object, "status")?)
}

impl FromJson for OrderCreated {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            amount_fen: int(o, "amount_fen")?,
            status: status(o)?,
            pay_url: string(o, "pay_url")?,
        })
    }
}

impl FromJson for Order {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            order_no: string(o, "order_no")?,
            kind: OrderKind::from_wire(&string(o, "kind")?)?,
            year: i32::try_from(int(o, "year")?).ok()?,
            amount_fen: int(o, "amount_fen")?,
            status: status(o)?,
            unit_name: nullable(o, "unit_name")?,
            payer_name: string(o, "payer_name")?,
            receipt_no: nullable(o, "receipt_no")?,
            paid_at: maybe_instant(o, "paid_at")?,
            created_at: time(o, "created_at")?,
            refund_fen: int(o, "refund_fen")?,
            refund_reason: maybe(o, "refund_reason", |v| RefundReason::from_wire(&v.text()?))?,
            pay_url: nullable(o, "pay_url")?,
            items: list(o, "items")?,
        })
    }
}

impl FromJson for OrderItem {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            trainee_id: int(o, "trainee_id")?,
            name: string(o, "name")?,
            id_number: string(o, "id_number")?,
            grade: grade(o)?,
            fee_fen: int(o, "fee_fen")?,
            outcome: maybe(o, "outcome", |v| ItemOutcome::from_wire(&v.text()?))?,
        })
    }
}

impl FromJson for UnitStaff {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            year: i32::try_from(int(o, "year")?).ok()?,
            registration_open: boolean(o, "registration_open")?,
            registration_deadline: time(o, "registration_deadline")?,
            staff: list(o, "staff")?,
        })
    }
}

impl FromJson for StaffMember {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            name: string(o, "name")?,
            id_number: string(o, "id_number")?,
            phone: string(o, "phone")?,
            grade: grade(o)?,
            fee_fen: int(o, "fee_fen")?,
            paid: boolean(o, "paid")?,
            open_order_id: maybe(o, "open_order_id", whole)?,
        })
    }
}

/// An error answer.
impl FromJson for ErrorBody {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            error: ErrorDetail::from_json(&o.member("error"))?,
        })
    }
}

impl FromJson for ErrorDetail {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            code: enum_str(&string(o, "code")?)?,
            message: string(o, "message")?,
            fields: maybe(o, "fields", Vec::from_json)?.unwrap_or_default(),
            rows: maybe(o, "rows", Vec::from_json)?.unwrap_or_default(),
        })
    }
}

impl FromJson for RowError {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            line: u64::try_from(int(o, "line")?).ok()?,
            message: string(o, "message")?,
        })
    }
}

impl FromJson for FieldError {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            field: string(o, "field")?,
            code: enum_str(&string(o, "code")?)?,
            message: string(o, "message")?,
        })
    }
}
