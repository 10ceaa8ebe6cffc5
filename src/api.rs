//! The one typed client of the server's JSON API (DESIGN.md §7).
//!
//! Every call answers `Result<T, ApiError>`: callers decide what a failure means (a 401 from
//! `/api/me` is "signed out", a 422 carries per-field messages), so nothing is flattened into
//! an `Option` here. The session cookie is HttpOnly and the API is same-origin, so the
//! browser's default `same-origin` credentials mode is all the authentication there is.

use crate::i18n::t;
use crate::wire::{parse, FromJson};
use leptos::prelude::window;
use qinxue_core::api::{
    CheckAnswer, CheckPassed, Course, CreateOrder, EndStudy, ErrorDetail, FieldError,
    HeartbeatReply, HeartbeatRequest, Lesson, LoginRequest, Me, Order, OrderCreated, Region,
    RegisterRequest, StartStudy, StudyProgress, StudySession, Unit, UnitStaff,
};
use qinxue_core::practice::{Attempt, AttemptSummary, GradedAnswer, Plan};
use qinxue_core::ErrorCode;
use send_wrapper::SendWrapper;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

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

    /// Whether trying the same request again later may succeed: no answer, or a fault on the
    /// server's side rather than a refusal of this request.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network => true,
            ApiError::Status(status) => *status >= 500,
            ApiError::Refused(detail) => detail.code == ErrorCode::Internal,
            ApiError::Decode => false,
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
    read(&get("/api/me").await?)
}

/// `GET /api/units`: every unit a trainee may belong to.
pub async fn units() -> Result<Vec<Unit>, ApiError> {
    read(&get("/api/units").await?)
}

/// `GET /api/regions`: the province → city → county tree, flattened.
pub async fn regions() -> Result<Vec<Region>, ApiError> {
    read(&get("/api/regions").await?)
}

/// `POST /api/auth/login`; on success the browser holds the session cookie. The answer's
/// `SessionUser` is not decoded: the app always asks `/api/me` next, which says more.
pub async fn login(request: &LoginRequest) -> Result<(), ApiError> {
    post("/api/auth/login", encode(request)).await.map(drop)
}

/// `POST /api/auth/register`; on success the new trainee is signed in (the answer's
/// `SessionUser` is not decoded, as for login).
pub async fn register(request: &RegisterRequest) -> Result<(), ApiError> {
    post("/api/auth/register", encode(request)).await.map(drop)
}

/// `POST /api/auth/logout`.
pub async fn logout() -> Result<(), ApiError> {
    post("/api/auth/logout", None).await.map(drop)
}

/// `GET /api/courses`: the published catalogue, each course with its lessons, the trainee's
/// own trade first; `query` filters it (`q`, `category`, `trade`, URL-encoded; empty for all).
pub async fn courses(query: &str) -> Result<Vec<Course>, ApiError> {
    read(&get(&format!("/api/courses?{query}")).await?)
}

// The selection and practice bodies are a few numbers, written out here: serde's serialiser
// for each type would cost the first visit more than these lines.

/// `GET /api/selections`: the trainee's plan of courses for the year.
pub async fn plan() -> Result<Plan, ApiError> {
    read(&get("/api/selections").await?)
}

/// `POST /api/selections`: adds a course to the plan; a refusal says which rule.
pub async fn select_course(course_id: i64) -> Result<Plan, ApiError> {
    let body = format!(r#"{{"course_id":{course_id}}}"#);
    read(&post("/api/selections", Some(body)).await?)
}

/// `DELETE /api/selections/{id}`: removes a course not yet studied from the plan.
pub async fn unselect_course(course_id: i64) -> Result<Plan, ApiError> {
    let path = format!("/api/selections/{course_id}");
    read(&send("DELETE", &path, None).await?)
}

/// `POST /api/courses/{id}/practice`: a new attempt on every question, or only on those
/// `retry_wrong_of` (an earlier attempt) got wrong.
pub async fn start_practice(
    course_id: i64,
    retry_wrong_of: Option<i64>,
) -> Result<Attempt, ApiError> {
    let earlier = retry_wrong_of.map_or_else(|| "null".to_owned(), |id| id.to_string());
    let body = format!(r#"{{"retry_wrong_of":{earlier}}}"#);
    read(&post(&format!("/api/courses/{course_id}/practice"), Some(body)).await?)
}

/// `GET /api/courses/{id}/practice/attempts`: the trainee's attempts, newest first.
pub async fn practice_history(course_id: i64) -> Result<Vec<AttemptSummary>, ApiError> {
    read(&get(&format!("/api/courses/{course_id}/practice/attempts")).await?)
}

/// `POST /api/practice/{attempt}/answers`: the answer, graded and explained at once.
pub async fn answer_practice(
    attempt: i64,
    question_id: i64,
    chosen: &[usize],
) -> Result<GradedAnswer, ApiError> {
    let chosen: Vec<String> = chosen.iter().map(ToString::to_string).collect();
    let body = format!(
        r#"{{"question_id":{question_id},"chosen":[{}]}}"#,
        chosen.join(",")
    );
    read(&post(&format!("/api/practice/{attempt}/answers"), Some(body)).await?)
}

/// `POST /api/practice/{attempt}/finish`: the attempt, scored.
pub async fn finish_practice(attempt: i64) -> Result<Attempt, ApiError> {
    read(&post(&format!("/api/practice/{attempt}/finish"), None).await?)
}

/// `GET /api/lessons/{id}`: a lesson's content and the trainee's progress on it.
pub async fn lesson(id: i64) -> Result<Lesson, ApiError> {
    read(&get(&format!("/api/lessons/{id}")).await?)
}

/// `GET /api/study/progress`: the year's credited time, by course.
pub async fn study_progress() -> Result<StudyProgress, ApiError> {
    read(&get("/api/study/progress").await?)
}

/// `POST /api/study/sessions`: opens a study session, ending the trainee's other one.
pub async fn start_study(lesson_id: i64) -> Result<StudySession, ApiError> {
    let body = encode(&StartStudy { lesson_id });
    read(&post("/api/study/sessions", body).await?)
}

/// `POST /api/study/sessions/{id}/heartbeat`.
pub async fn heartbeat(session: i64, beat: &HeartbeatRequest) -> Result<HeartbeatReply, ApiError> {
    let path = format!("/api/study/sessions/{session}/heartbeat");
    read(&post(&path, encode(beat)).await?)
}

/// `POST /api/study/checks/{id}`: answers an anti-idle check.
pub async fn answer_check(check: &str, answer: String) -> Result<CheckPassed, ApiError> {
    let path = format!("/api/study/checks/{check}");
    read(&post(&path, encode(&CheckAnswer { answer })).await?)
}

/// `POST /api/study/sessions/{id}/end` with `navigator.sendBeacon`, which the browser delivers
/// even while the page is being closed, when a `fetch` would be cancelled. The body is a Blob
/// typed `application/json`, which the server requires. Nothing comes back: a lost report
/// costs at most the last interval.
pub fn end_study_beacon(session: i64, last: Option<HeartbeatRequest>) {
    let Some(body) = encode(&EndStudy { last }) else {
        return;
    };
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(JSON);
    let parts = web_sys::js_sys::Array::of1(&body.into());
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        let url = format!("/api/study/sessions/{session}/end");
        let _ = window()
            .navigator()
            .send_beacon_with_opt_blob(&url, Some(&blob));
    }
}

/// `POST /api/orders`: registers for the year (oneself, or with `trainee_ids` the unit
/// admin's staff) and opens the payment; the answer's `pay_url` is the cashier.
pub async fn create_order(request: &CreateOrder) -> Result<OrderCreated, ApiError> {
    read(&post("/api/orders", encode(request)).await?)
}

/// `POST /api/orders/{id}/pay`: a cashier page for an open order.
pub async fn pay_order(id: i64) -> Result<OrderCreated, ApiError> {
    read(&post(&format!("/api/orders/{id}/pay"), None).await?)
}

/// `GET /api/orders`: the trainee's orders, or the unit admin's unit's, newest first.
pub async fn orders() -> Result<Vec<Order>, ApiError> {
    read(&get("/api/orders").await?)
}

/// `GET /api/orders/{id}`: one order as the server knows it.
pub async fn order(id: i64) -> Result<Order, ApiError> {
    read(&get(&format!("/api/orders/{id}")).await?)
}

/// `GET /api/unit/staff`: the unit admin's staff and where each stands this year.
pub async fn unit_staff() -> Result<UnitStaff, ApiError> {
    read(&get("/api/unit/staff").await?)
}

const JSON: &str = "application/json";

/// A request body as JSON. Serialising the API's own types cannot fail.
fn encode<B: Serialize>(body: &B) -> Option<String> {
    serde_json::to_string(body).ok()
}

/// The answer's body as `T`, read by [`crate::wire`].
fn read<T: FromJson>(body: &str) -> Result<T, ApiError> {
    parse(body).ok_or_else(|| {
        leptos::logging::warn!("qinxue api: unexpected answer: {body:.200}");
        ApiError::Decode
    })
}

/// `GET path`: the answer's body.
async fn get(path: &str) -> Result<String, ApiError> {
    send("GET", path, None).await
}

/// `POST path` with a JSON body (or none): the answer's body.
async fn post(path: &str, body: Option<String>) -> Result<String, ApiError> {
    send("POST", path, body).await
}

/// Sends a request and answers the body of a 2xx answer; every other answer becomes an
/// [`ApiError`]. Not generic, so that every call shares one copy of this code.
///
/// A load that runs under a reactive owner (a page's data task) is aborted when that owner
/// is cleaned up, e.g. when the person navigates away; submits dispatched by actions run
/// without an owner and always complete, so a registration that reached the server never
/// looks failed.
///
/// The browser's `fetch` directly: a wrapper crate's request builder and error types cost
/// the first visit more than these lines.
async fn send(method: &str, path: &str, body: Option<String>) -> Result<String, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(signal) = abort_signal_for_owner() {
        init.set_signal(Some(&signal));
    }
    if let Some(body) = body {
        let headers = web_sys::js_sys::Object::new();
        web_sys::js_sys::Reflect::set(&headers, &"Content-Type".into(), &JSON.into())
            .map_err(failed)?;
        init.set_headers(&headers);
        init.set_body(&body.into());
    }
    let fetched = window().fetch_with_str_and_init(path, &init);
    let response: web_sys::Response = JsFuture::from(fetched)
        .await
        .map_err(failed)?
        .unchecked_into();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.map(|t| t.as_string()),
        Err(e) => Err(e),
    };
    if response.ok() {
        return text.map_err(failed)?.ok_or(ApiError::Network);
    }
    Err(
        match text.ok().flatten().and_then(|t| parse::<ErrorDetail>(&t)) {
            Some(detail) => ApiError::Refused(detail),
            None => ApiError::Status(response.status()),
        },
    )
}

/// No answer: the technical cause goes to the console, for whoever helps the person on the
/// phone.
fn failed(cause: JsValue) -> ApiError {
    leptos::logging::warn!("qinxue api: {cause:?}");
    ApiError::Network
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
