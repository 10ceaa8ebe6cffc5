//! The one typed client of the server's JSON API (DESIGN.md §7), for both bundles.
//!
//! Every call answers `Result<T, ApiError>`: callers decide what a failure means (a 401 from
//! `/api/me` is "signed out", a 422 carries per-field messages), so nothing is flattened into
//! an `Option` here. The session cookie is HttpOnly and the API is same-origin, so the
//! browser's default `same-origin` credentials mode is all the authentication there is.
//!
//! Every request goes through [`send`]. The trainee bundle's answers are read by
//! [`crate::wire`], which keeps serde's decoders out of a first visit; the admin bundle's
//! course-management calls (`crate::admin::courses_api`) read theirs with [`read_serde`],
//! whose decoders only that bundle links.

use crate::i18n::t;
use crate::wire::{parse, FromJson};
use leptos::prelude::window;
use qinxue_core::api::{
    CheckAnswer, CheckPassed, Course, CreateOrder, EndStudy, ErrorBody, ErrorDetail, FieldError,
    HeartbeatReply, HeartbeatRequest, Lesson, LoginRequest, Me, Order, OrderCreated, Region,
    RegisterRequest, StartStudy, StudyProgress, StudySession, Unit, UnitStaff,
};
use qinxue_core::practice::{Attempt, AttemptSummary, GradedAnswer, Plan};
use qinxue_core::{ErrorCode, PolicyYear};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
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
            // The server words every refusal; the code's own wording stays out of the
            // trainee's bundle (3 KB of text that a first visit would download for nothing).
            ApiError::Refused(detail) if !detail.message.trim().is_empty() => {
                detail.message.clone()
            }
            ApiError::Refused(_) => t().unexpected_answer.to_owned(),
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
    let me = get("/api/me").await.and_then(|body| read(&body));
    SIGNED_IN.with(|s| s.set(me.is_ok()));
    me
}

thread_local! {
    /// `/api/me` last said someone is signed in: a 401 after that means the sign-in expired
    /// or was ended elsewhere (see [`send`]).
    static SIGNED_IN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The page is already on its way to [`NEW_PASSWORD_PATH`]: a page asks for several things
    /// at once, each refused, and a second `assign` would abort the first load.
    static TO_NEW_PASSWORD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The page where a person who signed in with a one-time password sets their own.
pub const NEW_PASSWORD_PATH: &str = "/password";

/// `POST /api/me/password`.
pub async fn change_password(
    request: &qinxue_core::office::PasswordChange,
) -> Result<(), ApiError> {
    post("/api/me/password", json(request)).await.map(drop)
}

/// The sign-in page, with the way back to where the person is now; `ended` when it is
/// because the sign-in ended, which the page then says.
pub fn sign_in_url(ended: bool) -> String {
    let location = window().location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    format!(
        "/login?next={}{}",
        String::from(web_sys::js_sys::encode_uri_component(&here)),
        if ended { "&ended=1" } else { "" }
    )
}

/// Where `next` (from the sign-in page's address) may lead after signing in: a path of this
/// site, never another site's address.
pub fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    (local && !next.starts_with("/login")).then_some(next)
}

/// `GET /api/units`: every unit a trainee may belong to.
pub async fn units() -> Result<Vec<Unit>, ApiError> {
    read(&get("/api/units").await?)
}

/// `GET /api/policy-year`: the year in force, for anyone (the home and help pages).
pub async fn policy_year() -> Result<PolicyYear, ApiError> {
    read(&get("/api/policy-year").await?)
}

/// `GET /api/regions`: the province → city → county tree, flattened.
pub async fn regions() -> Result<Vec<Region>, ApiError> {
    read(&get("/api/regions").await?)
}

/// `POST /api/auth/login`; on success the browser holds the session cookie. The answer's
/// `SessionUser` is not decoded: the app always asks `/api/me` next, which says more.
pub async fn login(request: &LoginRequest) -> Result<(), ApiError> {
    post("/api/auth/login", json(request)).await.map(drop)
}

/// `POST /api/auth/register`; on success the new trainee is signed in (the answer's
/// `SessionUser` is not decoded, as for login).
pub async fn register(request: &RegisterRequest) -> Result<(), ApiError> {
    post("/api/auth/register", json(request)).await.map(drop)
}

/// `POST /api/auth/logout`.
pub async fn logout() -> Result<(), ApiError> {
    // Signing out on purpose: the 401s that follow are expected.
    SIGNED_IN.with(|s| s.set(false));
    post("/api/auth/logout", Body::Empty).await.map(drop)
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
    read(&post("/api/selections", select_body(course_id)).await?)
}

/// A `SelectCourse`.
fn select_body(course_id: i64) -> Body {
    Body::Json(format!(r#"{{"course_id":{course_id}}}"#))
}

/// `DELETE /api/selections/{id}`: removes a course not yet studied from the plan.
pub async fn unselect_course(course_id: i64) -> Result<Plan, ApiError> {
    let path = format!("/api/selections/{course_id}");
    read(&send("DELETE", &path, Body::Empty).await?)
}

/// `POST /api/courses/{id}/practice`: a new attempt on every question, or only on those
/// `retry_wrong_of` (an earlier attempt) got wrong.
pub async fn start_practice(
    course_id: i64,
    retry_wrong_of: Option<i64>,
) -> Result<Attempt, ApiError> {
    let path = format!("/api/courses/{course_id}/practice");
    read(&post(&path, practice_body(retry_wrong_of)).await?)
}

/// A `StartPractice`.
fn practice_body(retry_wrong_of: Option<i64>) -> Body {
    let earlier = retry_wrong_of.map_or_else(|| "null".to_owned(), |id| id.to_string());
    Body::Json(format!(r#"{{"retry_wrong_of":{earlier}}}"#))
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
    let path = format!("/api/practice/{attempt}/answers");
    read(&post(&path, answer_body(question_id, chosen)).await?)
}

/// An `AnswerQuestion`.
fn answer_body(question_id: i64, chosen: &[usize]) -> Body {
    let chosen: Vec<String> = chosen.iter().map(ToString::to_string).collect();
    Body::Json(format!(
        r#"{{"question_id":{question_id},"chosen":[{}]}}"#,
        chosen.join(",")
    ))
}

/// `POST /api/practice/{attempt}/finish`: the attempt, scored.
pub async fn finish_practice(attempt: i64) -> Result<Attempt, ApiError> {
    read(&post(&format!("/api/practice/{attempt}/finish"), Body::Empty).await?)
}

/// `GET /api/lessons/{id}`: a lesson's content and the trainee's progress on it.
pub async fn lesson(id: i64) -> Result<Lesson, ApiError> {
    read(&get(&format!("/api/lessons/{id}")).await?)
}

/// `GET /api/me/years`: the trainee's years since registration with their completion.
pub async fn my_years() -> Result<Vec<qinxue_core::api::TrainingYear>, ApiError> {
    read(&get("/api/me/years").await?)
}

/// `GET /api/me/group-sessions`: the trainee's coming group sessions (assigned to them, or
/// open to their region).
pub async fn my_group_sessions() -> Result<Vec<qinxue_core::group::GroupSessionSummary>, ApiError> {
    read(&get("/api/me/group-sessions").await?)
}

/// `GET /api/me/reminders`: the reminders before the year's deadlines that still hold.
pub async fn my_reminders() -> Result<Vec<qinxue_core::reminder::Reminder>, ApiError> {
    read(&get("/api/me/reminders").await?)
}

/// `GET /api/me/certificates/{year}`: the certificate of a completed year (409
/// `not_completed`, saying what is missing, otherwise).
pub async fn certificate(year: i32) -> Result<qinxue_core::api::Certificate, ApiError> {
    read(&get(&format!("/api/me/certificates/{year}")).await?)
}

/// `GET /api/verify/{code}`: what a certificate states, for anyone.
pub async fn verify(code: &str) -> Result<qinxue_core::api::Certificate, ApiError> {
    let code: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
    read(&get(&format!("/api/verify/{code}")).await?)
}

/// `GET /api/verify/revoked`: the signed list of revoked certificates, as served (kept as
/// it is for checking offline).
pub async fn revocations_text() -> Result<String, ApiError> {
    get("/api/verify/revoked").await
}

/// `GET /api/verify/key`: the key that signs every certificate's QR code.
pub async fn verify_key() -> Result<qinxue_core::api::VerifyKey, ApiError> {
    read(&get("/api/verify/key").await?)
}

/// `GET /api/study/progress`: the year's credited time, by course.
pub async fn study_progress() -> Result<StudyProgress, ApiError> {
    read(&get("/api/study/progress").await?)
}

/// `POST /api/study/sessions`: opens a study session, ending the trainee's other one.
pub async fn start_study(lesson_id: i64) -> Result<StudySession, ApiError> {
    read(&post("/api/study/sessions", json(&StartStudy { lesson_id })).await?)
}

/// `POST /api/study/sessions/{id}/heartbeat`.
pub async fn heartbeat(session: i64, beat: &HeartbeatRequest) -> Result<HeartbeatReply, ApiError> {
    let path = format!("/api/study/sessions/{session}/heartbeat");
    read(&post(&path, json(beat)).await?)
}

/// `POST /api/study/checks/{id}`: answers an anti-idle check.
pub async fn answer_check(check: &str, answer: String) -> Result<CheckPassed, ApiError> {
    let path = format!("/api/study/checks/{check}");
    read(&post(&path, json(&CheckAnswer { answer })).await?)
}

/// `POST /api/study/sessions/{id}/end` with `navigator.sendBeacon`, which the browser delivers
/// even while the page is being closed, when a `fetch` would be cancelled. The body is a Blob
/// typed `application/json`, which the server requires. Nothing comes back: a lost report
/// costs at most the last interval.
pub fn end_study_beacon(session: i64, last: Option<HeartbeatRequest>) {
    let Ok(body) = serde_json::to_string(&EndStudy { last }) else {
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
    read(&post("/api/orders", json(request)).await?)
}

/// `POST /api/orders/{id}/pay`: a cashier page for an open order.
pub async fn pay_order(id: i64) -> Result<OrderCreated, ApiError> {
    read(&post(&format!("/api/orders/{id}/pay"), Body::Empty).await?)
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

/// What a request carries.
pub enum Body {
    Empty,
    /// JSON text.
    Json(String),
    /// A file as the browser holds it (a `File` or `Blob`), sent as it is with this content
    /// type, so that a large video is never copied into wasm memory.
    File(JsValue, &'static str),
}

/// A request body as JSON. Serialising the API's own types cannot fail.
pub fn json<B: Serialize>(body: &B) -> Body {
    Body::Json(serde_json::to_string(body).unwrap_or_default())
}

/// The answer's body as `T`, read by [`crate::wire`].
fn read<T: FromJson>(body: &str) -> Result<T, ApiError> {
    parse(body).ok_or_else(|| {
        leptos::logging::warn!("qinxue api: unexpected answer: {body:.200}");
        ApiError::Decode
    })
}

/// The answer's body as `T`, read by serde: for the admin bundle's answers, which have no
/// [`crate::wire`] decoder. A trainee's page never calls it, so its bundle links no JSON parser.
pub fn read_serde<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| {
        leptos::logging::warn!("qinxue api: unexpected answer ({e}): {body:.200}");
        ApiError::Decode
    })
}

/// `GET path`: the answer's body.
async fn get(path: &str) -> Result<String, ApiError> {
    send("GET", path, Body::Empty).await
}

/// `POST path` with a body: the answer's body.
async fn post(path: &str, body: Body) -> Result<String, ApiError> {
    send("POST", path, body).await
}

/// Sends a request and answers the body of a 2xx answer; every other answer becomes an
/// [`ApiError`], its error body read with its `fields` and `rows`. Not generic, so that every
/// call shares one copy of this code.
///
/// A request made under a reactive owner (a page's `LocalResource`, or an `Action`, which
/// runs under the owner it was made in) is aborted when that owner is cleaned up, i.e. when
/// the person leaves the page that would show its answer; one started by `spawn_local` has no
/// owner and always completes.
///
/// The browser's `fetch` directly: a wrapper crate's request builder and error types cost
/// the first visit more than these lines.
pub async fn send(method: &str, path: &str, body: Body) -> Result<String, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(signal) = abort_signal_for_owner() {
        init.set_signal(Some(&signal));
    }
    let (content, content_type) = match body {
        Body::Empty => (None, None),
        Body::Json(text) => (Some(JsValue::from(text)), Some(JSON)),
        Body::File(file, content_type) => (Some(file), Some(content_type)),
    };
    if let Some(content_type) = content_type {
        let headers = web_sys::js_sys::Object::new();
        web_sys::js_sys::Reflect::set(&headers, &"Content-Type".into(), &content_type.into())
            .map_err(failed)?;
        init.set_headers(&headers);
    }
    if let Some(content) = content {
        init.set_body(&content);
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
    let error = match text.ok().flatten().and_then(|t| parse::<ErrorBody>(&t)) {
        Some(body) => ApiError::Refused(body.error),
        None => ApiError::Status(response.status()),
    };
    // The sign-in ended (expired, or signed out elsewhere) while the page thought it alive:
    // to the sign-in page, which brings the person back here. A full load, so that no page
    // goes on showing the name of someone no longer signed in.
    if error.code() == Some(ErrorCode::Unauthenticated) && SIGNED_IN.with(|s| s.replace(false)) {
        let _ = window().location().assign(&sign_in_url(true));
    }
    // Signed in with a one-time password: nothing else works until the person sets their own,
    // so every page leads to the page that does it.
    if error.code() == Some(ErrorCode::PasswordChangeRequired)
        && window().location().pathname().ok().as_deref() != Some(NEW_PASSWORD_PATH)
        && !TO_NEW_PASSWORD.with(|t| t.replace(true))
    {
        let _ = window().location().assign(NEW_PASSWORD_PATH);
    }
    Err(error)
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

#[cfg(test)]
mod tests {
    //! The request bodies written out by hand are the ones serde would read.

    use super::{answer_body, practice_body, safe_next, select_body, Body};
    use qinxue_core::practice::{AnswerQuestion, SelectCourse, StartPractice};
    use serde::de::DeserializeOwned;

    fn read<T: DeserializeOwned>(body: Body) -> T {
        let Body::Json(text) = body else {
            panic!("a JSON body");
        };
        serde_json::from_str(&text).expect("the server reads it")
    }

    #[test]
    fn after_signing_in_again_only_a_path_of_this_site_is_followed() {
        assert_eq!(safe_next("/lessons/12"), Some("/lessons/12"));
        assert_eq!(
            safe_next("/courses?q=%E7%94%B5"),
            Some("/courses?q=%E7%94%B5")
        );
        assert_eq!(safe_next("/admin/staff"), Some("/admin/staff"));
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "",
            "/login?next=/",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }

    #[test]
    fn selection_and_practice_bodies_are_what_the_server_reads() {
        assert_eq!(
            read::<SelectCourse>(select_body(42)),
            SelectCourse { course_id: 42 }
        );
        for retry_wrong_of in [None, Some(9)] {
            assert_eq!(
                read::<StartPractice>(practice_body(retry_wrong_of)),
                StartPractice { retry_wrong_of }
            );
        }
        for chosen in [vec![], vec![2], vec![0, 1, 3]] {
            assert_eq!(
                read::<AnswerQuestion>(answer_body(81, &chosen)),
                AnswerQuestion {
                    question_id: 81,
                    chosen,
                }
            );
        }
    }
}
