//! The authorization matrix (issues 9, 11 and 13): every route of the running server's OpenAPI
//! document, called by every kind of caller, against the status the access rules give each.
//! It fails when the document has a route the table lacks, or the table one the document lacks,
//! so that no route ships without its row (the test-clock routes count: the test server runs
//! with the test clock).
//!
//! Each row that writes runs on its own server with the demo data, so that no row's writes
//! decide another row's answers; the reads (`GET`) share one. Path ids are real records of the
//! demo trainee 王建国 (his lesson, session, check, attempt, order, group-session seat), of his
//! unit, of a 鲤城区 group session, or of a draft course, so that a row asks "someone else's
//! record" where it matters: another trainee or unit must not find it (404: existence
//! is private), and a role that may not use the route at all is refused (403) whatever the
//! record. Bodies are valid, so that a refusal is about who calls and never about the body; for
//! the callers allowed, the status is what that body earns (e.g. 409 for paying for someone
//! already paid). Within a row the callers run from the last column to the first: strangers
//! meet the records before their owners (王建国, his unit's admin) use them.

use crate::helpers::{
    check_answer, client_with_cookie, insert_admin, register_trainee, registration, session_cookie,
    unique_id_number, unique_phone, unit_in_region, Options, TestApp, DEMO_GRADED, DEMO_PASSWORD,
    DEMO_UNGRADED,
};
use crate::sim::{notification, PaySim, SECRET};
use futures::StreamExt;
use qinxue_core::Role;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Instant;
use Body::{Json, Raw};
use Id::*;

/// Who calls: the table's columns, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// Nobody signed in.
    Anonymous,
    /// 王建国, trainee of 泉州市鲤城区机关事务服务中心 (鲤城区 350502), registered and paid.
    Trainee,
    /// A trainee registered into a unit in 福州 (350100).
    OtherTrainee,
    /// `unit-demo`, admin of 王建国's unit.
    UnitAdmin,
    /// The admin of the 福州 unit.
    OtherUnitAdmin,
    /// `quanzhou-admin`, the office of 泉州市 (350500), whose subtree holds 王建国's unit.
    OfficeInside,
    /// The office of 福州市 (350100), outside that subtree.
    OfficeOutside,
    /// `proctor-demo`.
    Proctor,
    /// `province-admin`.
    Province,
}

const CALLERS: [Caller; 9] = [
    Caller::Anonymous,
    Caller::Trainee,
    Caller::OtherTrainee,
    Caller::UnitAdmin,
    Caller::OtherUnitAdmin,
    Caller::OfficeInside,
    Caller::OfficeOutside,
    Caller::Proctor,
    Caller::Province,
];

/// A record that fills a path parameter, made on each row's server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Id {
    /// A public course in 王建国's plan that has a text lesson and practice questions.
    Course,
    /// That course's first text lesson.
    Lesson,
    /// Another course of his plan, which no fixture studies or practises.
    Planned,
    /// 王建国's live study session on [`Lesson`].
    Session,
    /// An anti-idle check open in that session, unanswered.
    Check,
    /// 王建国's practice attempt on [`Course`], unanswered.
    Attempt,
    /// 王建国's own paid order of the year.
    Order,
    /// His unit's pending order for an unpaid colleague (not him).
    UnitOrder,
    /// That unpaid colleague, a trainee of his unit (whose password admins may reset).
    Colleague,
    /// An unpublished course of the provincial admin, complete: a text lesson and a question.
    Draft,
    /// The draft's text lesson.
    DraftLesson,
    /// A video lesson of the draft, without its video yet.
    DraftVideo,
    /// The draft's question.
    DraftQuestion,
    /// The policy year in force.
    Year,
    /// The year before it, which 王建国 completed (his certificate's).
    LastYear,
    /// A certificate code that no certificate has.
    UnknownCode,
    /// An API token id that no token has.
    UnknownToken,
    /// A supplementary activity filed by `quanzhou-admin` for 泉州市, awaiting the province.
    Activity,
    /// Such an activity approved by the province (its attendance may be uploaded).
    ApprovedActivity,
    /// A group session of 鲤城区 (inside 泉州, outside 福州) scheduled by `quanzhou-admin` to
    /// start in a minute, run by `proctor-demo`, open to the region's enrolled trainees.
    Group,
    /// That session opened by its proctor, with 王建国 seated by its PIN.
    OpenGroup,
    /// A roll call running in the open session.
    RollCall,
    /// That session closed after 王建国 sat in it.
    ClosedGroup,
    /// The open session's room code.
    Room,
    /// A practice set pushed to the open session's seats.
    Practice,
}

/// A request body, made for each cell from the row's records.
#[derive(Clone, Copy)]
enum Body {
    None,
    Json(fn(&World) -> Value),
    /// A raw upload: its content type and bytes.
    Raw(&'static str, fn() -> Vec<u8>),
}

struct Row {
    /// `METHOD /path`, the path as the OpenAPI document writes it.
    route: &'static str,
    /// What fills the path's `{…}` parameters, in order.
    ids: &'static [Id],
    body: Body,
    /// The status each caller gets, in [`CALLERS`] order.
    expect: [u16; 9],
}

const fn row(route: &'static str, ids: &'static [Id], body: Body, expect: [u16; 9]) -> Row {
    Row {
        route,
        ids,
        body,
        expect,
    }
}

const NONE: Body = Body::None;
const CSV: &str = "text/csv";
const MP4: &str = "video/mp4";
const PNG: &str = "image/png";
const FORM: &str = "multipart/form-data; boundary=----qinxue-authz";

/// Every route: columns anonymous, trainee 王建国, trainee of another unit (福州), his unit's
/// admin, another unit's admin, office inside his region's subtree (泉州), office outside it
/// (福州), proctor, provincial admin.
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //   route                                                      path ids                 body                     anon  trn  trn2 unit unt2 offi offo proc prov
    row("GET    /api/health",                                       &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST   /api/auth/register",                                &[],                     Json(new_trainee),       [201, 201, 201, 201, 201, 201, 201, 201, 201]),
    row("POST   /api/auth/login",                                   &[],                     Json(login_ungraded),    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST   /api/auth/logout",                                  &[],                     NONE,                    [401, 204, 204, 204, 204, 204, 204, 204, 204]),
    row("POST   /api/me/password",                                  &[],                     Json(password_change),   [401, 204, 422, 204, 204, 204, 204, 204, 204]),
    row("POST   /api/people/{id}/password-reset",                   &[Colleague],            NONE,                    [401, 403, 403, 200, 404, 200, 404, 403, 200]),
    row("GET    /api/me",                                           &[],                     NONE,                    [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/me/years",                                     &[],                     NONE,                    [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/me/reminders",                                 &[],                     NONE,                    [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/me/certificates/{year}",                       &[LastYear],             NONE,                    [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/me/certificates/{year}/pdf",                   &[LastYear],             NONE,                    [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/me/certificates/{year}/qr.svg",                &[LastYear],             NONE,                    [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/unit/certificates.zip",                        &[],                     NONE,                    [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("GET    /api/policy-year",                                  &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/verify/key",                                   &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/verify/{code}",                                &[UnknownCode],          NONE,                    [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET    /api/verify/revoked",                               &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST   /api/admin/certificates/{code}/revoke",             &[UnknownCode],          Json(revoke_reason),     [401, 403, 403, 403, 403, 403, 403, 403, 404]),
    row("GET    /api/eligibility",                                  &[],                     NONE,                    [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    row("GET    /api/admin/api-tokens",                             &[],                     NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/api-tokens",                             &[],                     Json(token_name),        [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    row("DELETE /api/admin/api-tokens/{id}",                        &[UnknownToken],         NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 404]),
    row("GET    /api/regions",                                      &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/units",                                        &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/courses",                                      &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/lessons/{id}",                                 &[Lesson],               NONE,                    [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/selections",                                   &[],                     NONE,                    [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/selections",                                   &[],                     Json(select_course),     [401, 409, 201, 403, 403, 403, 403, 403, 403]),
    row("DELETE /api/selections/{course_id}",                       &[Planned],              NONE,                    [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/study/sessions",                               &[],                     Json(start_study),       [401, 201, 403, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/study/sessions/{id}/heartbeat",                &[Session],              Json(heartbeat),         [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/study/sessions/{id}/end",                      &[Session],              Json(end_study),         [401, 204, 404, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/study/checks/{id}",                            &[Check],                Json(answer_check),      [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/study/progress",                               &[],                     NONE,                    [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/courses/{id}/practice",                        &[Course],               Json(start_practice),    [401, 201, 201, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/courses/{id}/practice/attempts",               &[Course],               NONE,                    [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/practice/{attempt}",                           &[Attempt],              NONE,                    [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/practice/{attempt}/answers",                   &[Attempt],              Json(answer_question),   [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/practice/{attempt}/finish",                    &[Attempt],              NONE,                    [401, 200, 404, 403, 403, 403, 403, 403, 403]),
    row("POST   /api/orders",                                       &[],                     Json(order_for_trainee), [401, 403, 403, 409, 422, 403, 403, 403, 403]),
    row("GET    /api/orders",                                       &[],                     NONE,                    [401, 200, 200, 200, 200, 403, 403, 403, 403]),
    row("GET    /api/orders/{id}",                                  &[Order],                NONE,                    [401, 200, 404, 404, 404, 403, 403, 403, 403]),
    row("POST   /api/orders/{id}/pay",                              &[UnitOrder],            NONE,                    [401, 404, 404, 200, 404, 403, 403, 403, 403]),
    row("GET    /api/unit/staff",                                   &[],                     NONE,                    [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("GET    /api/unit/staff/progress",                          &[],                     NONE,                    [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("GET    /api/unit/staff/progress.csv",                      &[],                     NONE,                    [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("GET    /api/unit/staff/progress.xlsx",                     &[],                     NONE,                    [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("GET    /api/unit/roster.csv",                              &[],                     NONE,                    [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("GET    /api/unit/roster.xlsx",                             &[],                     NONE,                    [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("POST   /api/unit/roster/import",                           &[],                     Raw(FORM, roster_form),  [401, 403, 403, 200, 200, 403, 403, 403, 403]),
    row("POST   /api/payments/notify",                              &[],                     Json(signed_notice),     [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET    /api/admin/courses",                                &[],                     NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/courses",                                &[],                     Json(course_input),      [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    row("GET    /api/admin/upload-limits",                          &[],                     NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/uploads/videos",                         &[],                     Raw(MP4, clip),          [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    row("GET    /api/admin/courses/{id}",                           &[Draft],                NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("PUT    /api/admin/courses/{id}",                           &[Draft],                Json(course_input),      [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/courses/{id}/publish",                   &[Draft],                NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/courses/{id}/unpublish",                 &[Draft],                NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("PUT    /api/admin/courses/{id}/cover",                     &[Draft],                Raw(PNG, png),           [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/courses/{id}/lessons",                   &[Draft],                Json(text_lesson),       [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    row("PUT    /api/admin/courses/{id}/lessons/{lesson_id}",       &[Draft, DraftLesson],   Json(text_lesson),       [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("DELETE /api/admin/courses/{id}/lessons/{lesson_id}",       &[Draft, DraftLesson],   NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("PUT    /api/admin/courses/{id}/lessons/{lesson_id}/video", &[Draft, DraftVideo],    Raw(MP4, clip),          [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("PUT    /api/admin/courses/{id}/lesson-order",              &[Draft],                Json(lesson_order),      [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/courses/{id}/questions",                 &[Draft],                Json(question),          [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    row("PUT    /api/admin/courses/{id}/questions/{question_id}",   &[Draft, DraftQuestion], Json(question),          [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("DELETE /api/admin/courses/{id}/questions/{question_id}",   &[Draft, DraftQuestion], NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("PUT    /api/admin/courses/{id}/question-order",            &[Draft],                Json(question_order),    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/courses/{id}/questions/import",          &[Draft],                Raw(CSV, questions_csv), [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    row("GET    /api/admin/policy-years",                           &[],                     NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/admin/policy-years",                           &[],                     NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    row("GET    /api/admin/policy-years/{year}",                    &[Year],                 NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("PUT    /api/admin/policy-years/{year}",                    &[Year],                 Json(policy_year),       [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("GET    /api/admin/audit",                                  &[],                     NONE,                    [401, 403, 403, 403, 403, 200, 200, 403, 200]),
    row("GET    /api/admin/audit.csv",                              &[],                     NONE,                    [401, 403, 403, 403, 403, 200, 200, 403, 200]),
    row("POST   /api/group-sessions",                               &[],                     Json(group_plan),        [401, 403, 403, 403, 403, 201, 422, 403, 403]),
    row("GET    /api/group-sessions",                               &[],                     NONE,                    [401, 403, 403, 403, 403, 200, 200, 200, 403]),
    row("GET    /api/group-sessions/{id}",                          &[Group],                NONE,                    [401, 403, 403, 403, 403, 200, 404, 200, 403]),
    row("PUT    /api/group-sessions/{id}",                          &[Group],                Json(group_plan),        [401, 403, 403, 403, 403, 200, 404, 403, 403]),
    row("POST   /api/group-sessions/{id}/cancel",                   &[Group],                NONE,                    [401, 403, 403, 403, 403, 200, 404, 403, 403]),
    row("POST   /api/group-sessions/{id}/open",                     &[Group],                NONE,                    [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    row("POST   /api/group-sessions/{id}/pin",                      &[OpenGroup],            NONE,                    [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    row("POST   /api/group-sessions/{id}/close",                    &[OpenGroup],            NONE,                    [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    row("POST   /api/group-sessions/{id}/seats",                    &[OpenGroup],            Json(proctor_seating),   [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    row("GET    /api/group-sessions/{id}/events",                   &[OpenGroup],            NONE,                    [401, 403, 403, 403, 403, 200, 404, 200, 403]),
    row("POST   /api/group-sessions/{id}/roll-calls",               &[OpenGroup],            NONE,                    [401, 403, 403, 403, 403, 403, 403, 201, 403]),
    row("POST   /api/group-sessions/{id}/roll-calls/{roll_call_id}/ticks", &[OpenGroup, RollCall], Json(tick_trainee), [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    row("PUT    /api/group-sessions/{id}/lecture",                  &[OpenGroup],            Json(lecture_lesson),    [401, 403, 403, 403, 403, 403, 403, 422, 403]),
    row("POST   /api/group-sessions/{id}/roll-calls/{roll_call_id}/presence", &[OpenGroup, RollCall], Json(presence_mark), [401, 403, 403, 403, 403, 403, 403, 422, 403]),
    row("POST   /api/group-sessions/{id}/practice",                 &[OpenGroup],            Json(practice_push),     [401, 403, 403, 403, 403, 403, 403, 201, 403]),
    row("POST   /api/group-sessions/{id}/practice/{practice_id}/answers", &[OpenGroup, Practice], Json(paper_answer), [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    row("POST   /api/group-sessions/{id}/corrections",              &[ClosedGroup],          Json(correction),        [401, 403, 403, 403, 403, 200, 404, 403, 403]),
    row("GET    /api/me/group-sessions",                            &[],                     NONE,                    [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    row("GET    /api/rooms/{code}",                                 &[Room],                 NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST   /api/rooms/{code}/sign-in",                         &[Room],                 Json(seat_sign_in),      [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST   /api/rooms/{code}/terminal",                        &[Room],                 NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/rooms/{code}/seat",                            &[Room],                 NONE,                    [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    row("GET    /api/rooms/{code}/practice",                        &[Room],                 NONE,                    [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    row("POST   /api/rooms/{code}/practice/answers",                &[Room],                 Json(seat_answer),       [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    row("GET    /api/rooms/{code}/events",                          &[Room],                 NONE,                    [401, 401, 401, 401, 401, 401, 401, 401, 401]),
    row("POST   /api/rooms/{code}/sign-out",                        &[Room],                 NONE,                    [204, 204, 204, 204, 204, 204, 204, 204, 204]),
    row("POST   /api/test/group-sessions/tick",                     &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET    /api/reports/summary",                              &[],                     NONE,                    [401, 403, 403, 403, 403, 200, 200, 403, 200]),
    row("GET    /api/reports/non-completers.csv",                   &[],                     NONE,                    [401, 403, 403, 403, 403, 200, 200, 403, 200]),
    row("GET    /api/reports/non-completers.xlsx",                  &[],                     NONE,                    [401, 403, 403, 403, 403, 200, 200, 403, 200]),
    row("GET    /api/activities",                                   &[],                     NONE,                    [401, 403, 403, 403, 403, 200, 200, 403, 200]),
    row("POST   /api/activities",                                   &[],                     Json(activity_input),    [401, 403, 403, 403, 403, 201, 201, 403, 403]),
    row("GET    /api/activities/{id}",                              &[Activity],             NONE,                    [401, 403, 403, 403, 403, 200, 404, 403, 200]),
    row("PUT    /api/activities/{id}",                              &[Activity],             Json(activity_input),    [401, 403, 403, 403, 403, 200, 404, 403, 403]),
    row("POST   /api/activities/{id}/approve",                      &[Activity],             NONE,                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/activities/{id}/reject",                       &[Activity],             Json(reject_reason),     [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    row("POST   /api/activities/{id}/attendance",                   &[ApprovedActivity],     Json(attendance_list),   [401, 403, 403, 403, 403, 200, 404, 403, 403]),
    row("POST   /api/test/clock",                                   &[],                     Json(clock_still),       [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST   /api/test/reminders",                               &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST   /api/test/reconcile",                               &[],                     NONE,                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
];

/// Servers run at the same time: a row spends most of its time waiting for commits and for
/// Argon2 sign-ins, not on the two cores.
const PARALLEL_ROWS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_access_rules_say() {
    let started = Instant::now();
    let sim = PaySim::start().await;
    let documented = documented_routes(&sim).await;
    let tabled: BTreeSet<String> = MATRIX.iter().map(|r| route_key(r.route)).collect();
    assert_eq!(tabled.len(), MATRIX.len(), "a route has two rows");
    let mut failures: Vec<String> = Vec::new();
    for missing in documented.difference(&tabled) {
        failures.push(format!(
            "{missing}: in the OpenAPI document, but has no row"
        ));
    }
    for stale in tabled.difference(&documented) {
        failures.push(format!(
            "{stale}: has a row, but is not in the OpenAPI document"
        ));
    }
    let (reads, writes): (Vec<&Row>, Vec<&Row>) = MATRIX
        .iter()
        .filter(|r| documented.contains(&route_key(r.route)))
        .partition(|r| r.route.starts_with("GET "));
    // Reads change nothing, so they share one server; every other row has its own.
    let groups = std::iter::once(reads).chain(writes.into_iter().map(|r| vec![r]));
    let results: Vec<Vec<String>> = futures::stream::iter(groups)
        .map(|rows| run_rows(&sim, rows))
        .buffer_unordered(PARALLEL_ROWS)
        .collect()
        .await;
    failures.extend(results.into_iter().flatten());
    println!(
        "authorization matrix: {} routes × {} callers in {:.1} s",
        MATRIX.len(),
        CALLERS.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} cells disagree with the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `METHOD /path` with single spaces, as the table and the document are compared.
fn route_key(route: &str) -> String {
    route.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every (method, path) of the running server's OpenAPI document.
async fn documented_routes(sim: &PaySim) -> BTreeSet<String> {
    let app = start_app(sim).await;
    let doc: Value = app
        .get(&app.client(), "/api/openapi.json")
        .await
        .json()
        .await
        .expect("the OpenAPI document is JSON");
    let paths = doc["paths"].as_object().expect("the document has paths");
    let methods = [
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    ];
    paths
        .iter()
        .flat_map(|(path, item)| {
            methods
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect()
}

async fn start_app(sim: &PaySim) -> TestApp {
    let url = sim.url();
    TestApp::start_with(Options::default(), move |c| c.pay_url = url).await
}

/// Runs rows on a server of their own; answers a line for every cell that disagrees.
async fn run_rows(sim: &PaySim, rows: Vec<&Row>) -> Vec<String> {
    let ids: Vec<Id> = rows.iter().flat_map(|r| r.ids.iter().copied()).collect();
    let world = World::build(start_app(sim).await, &ids).await;
    let mut failures = Vec::new();
    for row in rows {
        failures.extend(run_row(&world, row).await);
    }
    failures
}

async fn run_row(world: &World, row: &Row) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, caller) in CALLERS.iter().enumerate().rev() {
        let (status, body) = world.call(*caller, row).await;
        let route = route_key(row.route);
        if status != row.expect[i] {
            failures.push(format!(
                "{route} as {caller:?}: expected {}, got {status}: {}",
                row.expect[i],
                body.chars().take(200).collect::<String>()
            ));
        } else if let Some(problem) = error_shape_problem(status, &body) {
            failures.push(format!("{route} as {caller:?}: {status} {problem}: {body}"));
        }
    }
    failures
}

/// Why a 4xx answer is not in the API's error shape, if it is not.
fn error_shape_problem(status: u16, body: &str) -> Option<&'static str> {
    if !(400..500).contains(&status) {
        return None;
    }
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return Some("is not JSON");
    };
    let error = &v["error"];
    match (error["code"].as_str(), error["message"].as_str()) {
        (Some(code), Some(message)) if !code.is_empty() && !message.is_empty() => None,
        _ => Some("lacks error.code or error.message"),
    }
}

/// One row's server, its callers signed in, and the records the row's paths and bodies name.
struct World {
    app: TestApp,
    /// One browser per caller, in [`CALLERS`] order; each sends its own session cookie and
    /// keeps no cookie jar, so a sign-in, registration or sign-out in a cell changes nobody.
    clients: Vec<Client>,
    /// The 福州 unit, which new trainees register into.
    other_unit: i64,
    year: i64,
    trainee_id: i64,
    course: i64,
    lesson: i64,
    planned: i64,
    order: i64,
    session: i64,
    check: String,
    check_answer: String,
    attempt: i64,
    attempt_question: i64,
    unit_order: i64,
    colleague: i64,
    activity: i64,
    draft: i64,
    draft_lesson: i64,
    draft_video: i64,
    draft_question: i64,
    /// A valid schedule of a group session for 鲤城区, starting a minute after the fixtures.
    group_body: Value,
    group: i64,
    room: String,
    pin: String,
    roll_call: i64,
    /// The seat code the fixture's kiosk terminal shows.
    seat_code: String,
    practice: i64,
    practice_question: i64,
}

impl World {
    async fn build(app: TestApp, ids: &[Id]) -> World {
        let fuzhou_unit = unit_in_region(&app, "350100").await;
        insert_admin(
            &app,
            Role::UnitAdmin,
            "unit-fuzhou",
            Some(fuzhou_unit),
            "350100",
        )
        .await;
        insert_admin(&app, Role::OfficeAdmin, "fuzhou-admin", None, "350100").await;
        let mut clients = Vec::new();
        for caller in CALLERS {
            let login = match caller {
                Caller::Anonymous => None,
                Caller::Trainee => Some(DEMO_GRADED),
                Caller::OtherTrainee => {
                    clients.push(client_with_cookie(
                        &register_trainee(&app, fuzhou_unit, "junior").await,
                    ));
                    continue;
                }
                Caller::UnitAdmin => Some("unit-demo"),
                Caller::OtherUnitAdmin => Some("unit-fuzhou"),
                Caller::OfficeInside => Some("quanzhou-admin"),
                Caller::OfficeOutside => Some("fuzhou-admin"),
                Caller::Proctor => Some("proctor-demo"),
                Caller::Province => Some("province-admin"),
            };
            clients.push(match login {
                None => app.client(),
                Some(login) => {
                    client_with_cookie(&session_cookie(&app, login, DEMO_PASSWORD).await)
                }
            });
        }
        let mut w = World {
            app,
            clients,
            other_unit: fuzhou_unit,
            year: 0,
            trainee_id: 0,
            course: 0,
            lesson: 0,
            planned: 0,
            order: 0,
            session: 0,
            check: String::new(),
            check_answer: String::new(),
            attempt: 0,
            attempt_question: 0,
            unit_order: 0,
            colleague: 0,
            activity: 0,
            draft: 0,
            draft_lesson: 0,
            draft_video: 0,
            draft_question: 0,
            group_body: Value::Null,
            group: 0,
            room: String::new(),
            pin: String::new(),
            roll_call: 0,
            seat_code: String::new(),
            practice: 0,
            practice_question: 0,
        };
        w.trainee_records().await;
        w.group_body = group_schedule(&w).await;
        if ids.iter().any(|i| matches!(i, Session | Check)) {
            w.session = w
                .created(Caller::Trainee, "/api/study/sessions", start_study(&w))
                .await["session_id"]
                .as_i64()
                .unwrap();
        }
        if ids.contains(&Check) {
            w.open_check().await;
        }
        if ids.contains(&Attempt) {
            let path = format!("/api/courses/{}/practice", w.course);
            let attempt = w.created(Caller::Trainee, &path, start_practice(&w)).await;
            w.attempt = attempt["id"].as_i64().unwrap();
            w.attempt_question = attempt["questions"][0]["id"].as_i64().unwrap();
        }
        if ids.contains(&UnitOrder) || ids.contains(&Colleague) {
            w.unit_order_for_a_colleague().await;
        }
        if ids.iter().any(|i| matches!(i, Activity | ApprovedActivity)) {
            w.activity(ids.contains(&ApprovedActivity)).await;
        }
        if ids
            .iter()
            .any(|i| matches!(i, Draft | DraftLesson | DraftVideo | DraftQuestion))
        {
            w.draft_course(ids.contains(&DraftVideo)).await;
        }
        if ids.iter().any(|i| {
            matches!(
                i,
                Group | OpenGroup | RollCall | ClosedGroup | Room | Practice
            )
        }) {
            w.group_session(ids).await;
        }
        w
    }

    /// The group session, taken as far as the row needs: scheduled; opened with 王建国 seated;
    /// a roll call started; closed.
    async fn group_session(&mut self, ids: &[Id]) {
        let created = self
            .created(
                Caller::OfficeInside,
                "/api/group-sessions",
                group_plan(self),
            )
            .await;
        self.group = created["id"].as_i64().unwrap();
        self.room = created["code"].as_str().unwrap().to_owned();
        if !ids
            .iter()
            .any(|i| matches!(i, OpenGroup | RollCall | ClosedGroup | Room | Practice))
        {
            return;
        }
        let opened = self.proctor_post("/open", 200).await;
        self.pin = opened["pin"].as_str().unwrap().to_owned();
        // A kiosk terminal of the room, as its page opens it, seats 王建国.
        let terminal = self.app.client();
        let room = format!("/api/rooms/{}", self.room);
        let res = self.app.get(&terminal, &room).await;
        assert_eq!(res.status(), StatusCode::OK, "fixture GET {room}");
        let res = self
            .app
            .post(&terminal, &format!("{room}/sign-in"), &seat_sign_in(self))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "fixture seat sign-in");
        let res = self
            .app
            .post(&terminal, &format!("{room}/terminal"), &json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "fixture kiosk seat code");
        self.seat_code = res.json::<Value>().await.unwrap()["seat_code"]
            .as_str()
            .unwrap()
            .to_owned();
        if ids.contains(&Practice) {
            let pushed = self.proctor_post("/practice", 201).await;
            self.practice = pushed["practice"]["id"].as_i64().unwrap();
            self.practice_question = pushed["practice"]["questions"][0]["question_id"]
                .as_i64()
                .unwrap();
        }
        if ids.contains(&RollCall) {
            self.roll_call = self.proctor_post("/roll-calls", 201).await["id"]
                .as_i64()
                .unwrap();
        }
        if ids.contains(&ClosedGroup) {
            self.proctor_post("/close", 200).await;
        }
    }

    /// The proctor's request on the group session; panics unless it answers `status`.
    async fn proctor_post(&self, rest: &str, status: u16) -> Value {
        let path = format!("/api/group-sessions/{}{rest}", self.group);
        let res = self
            .app
            .post(self.client(Caller::Proctor), &path, &json!({}))
            .await;
        let got = res.status().as_u16();
        let answer: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "fixture POST {path}: {answer}");
        answer
    }

    fn client(&self, caller: Caller) -> &Client {
        &self.clients[CALLERS.iter().position(|c| *c == caller).unwrap()]
    }

    async fn get(&self, caller: Caller, path: &str) -> Value {
        let res = self.app.get(self.client(caller), path).await;
        assert_eq!(res.status(), StatusCode::OK, "fixture GET {path}");
        res.json().await.unwrap()
    }

    /// Posts a fixture's request; panics unless it answers 201.
    async fn created(&self, caller: Caller, path: &str, body: Value) -> Value {
        let res = self.app.post(self.client(caller), path, &body).await;
        let status = res.status();
        let answer: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::CREATED, "fixture POST {path}: {answer}");
        answer
    }

    /// 王建国's id, year, plan and paid order.
    async fn trainee_records(&mut self) {
        let me = self.get(Caller::Trainee, "/api/me").await;
        self.trainee_id = me["id"].as_i64().unwrap();
        self.year = me["year"]["year"].as_i64().unwrap();
        let plan = self.get(Caller::Trainee, "/api/selections").await;
        let courses = plan["courses"].as_array().unwrap();
        let studied = courses
            .iter()
            .find(|c| {
                c["category"] == "public"
                    && c["lessons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|l| l["kind"] == "text")
            })
            .expect("王建国's plan has a public course with a text lesson");
        self.course = studied["id"].as_i64().unwrap();
        self.lesson = studied["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "text")
            .and_then(|l| l["id"].as_i64())
            .unwrap();
        self.planned = courses
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .find(|id| *id != self.course)
            .expect("王建国's plan has two courses");
        let orders = self.get(Caller::Trainee, "/api/orders").await;
        self.order = orders[0]["id"].as_i64().expect("王建国 has his paid order");
    }

    /// Studies in the session until the server attaches a check, and leaves it unanswered.
    async fn open_check(&mut self) {
        let path = format!("/api/study/sessions/{}/heartbeat", self.session);
        for seq in 1..=100 {
            self.app.advance_clock(20).await;
            let res = self
                .app
                .post(
                    self.client(Caller::Trainee),
                    &path,
                    &json!({"seq": seq, "visible": true, "position_secs": 0}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK, "fixture heartbeat");
            let reply: Value = res.json().await.unwrap();
            if !reply["check"].is_null() {
                self.check = reply["check"]["id"].as_str().unwrap().to_owned();
                self.check_answer = check_answer(&reply["check"], true);
                return;
            }
        }
        panic!("no check within 100 heartbeats");
    }

    /// The unit admin orders for an unpaid colleague of 王建国.
    async fn unit_order_for_a_colleague(&mut self) {
        let staff = self.get(Caller::UnitAdmin, "/api/unit/staff").await;
        let colleague = staff["staff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["paid"] == false)
            .and_then(|s| s["id"].as_i64())
            .expect("the demo unit has unpaid staff");
        self.colleague = colleague;
        let body = json!({"year": self.year, "trainee_ids": [colleague]});
        let order = self.created(Caller::UnitAdmin, "/api/orders", body).await;
        self.unit_order = order["id"].as_i64().unwrap();
    }

    /// A supplementary activity filed by the 泉州 office (and approved, if asked for).
    async fn activity(&mut self, approved: bool) {
        let body = activity_input(self);
        let filed = self
            .created(Caller::OfficeInside, "/api/activities", body)
            .await;
        self.activity = filed["id"].as_i64().unwrap();
        if approved {
            let path = format!("/api/activities/{}/approve", self.activity);
            let res = self
                .app
                .post(self.client(Caller::Province), &path, &json!({}))
                .await;
            assert_eq!(res.status(), StatusCode::OK, "fixture POST {path}");
        }
    }

    /// A complete unpublished course (and a video lesson in it, if asked for).
    async fn draft_course(&mut self, with_video: bool) {
        let course = self
            .created(Caller::Province, "/api/admin/courses", course_input(self))
            .await;
        self.draft = course["id"].as_i64().unwrap();
        let lessons = format!("/api/admin/courses/{}/lessons", self.draft);
        let course = self
            .created(Caller::Province, &lessons, text_lesson(self))
            .await;
        self.draft_lesson = course["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "text")
            .and_then(|l| l["id"].as_i64())
            .unwrap();
        let questions = format!("/api/admin/courses/{}/questions", self.draft);
        let course = self
            .created(Caller::Province, &questions, question(self))
            .await;
        self.draft_question = course["questions"][0]["id"].as_i64().unwrap();
        if with_video {
            let video = json!({
                "title": "安全用电演示",
                "kind": "video",
                "duration_secs": 46,
                "body": "演示验电的步骤。",
            });
            let course = self.created(Caller::Province, &lessons, video).await;
            self.draft_video = course["lessons"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["kind"] == "video")
                .and_then(|l| l["id"].as_i64())
                .unwrap();
        }
    }

    fn id(&self, id: Id) -> String {
        let value = match id {
            Course => self.course,
            Lesson => self.lesson,
            Planned => self.planned,
            Session => self.session,
            Check => return self.check.clone(),
            Attempt => self.attempt,
            Order => self.order,
            UnitOrder => self.unit_order,
            Colleague => self.colleague,
            Draft => self.draft,
            DraftLesson => self.draft_lesson,
            DraftVideo => self.draft_video,
            DraftQuestion => self.draft_question,
            Year => self.year,
            LastYear => self.year - 1,
            UnknownCode => return "0000000000".into(),
            UnknownToken => 999_999,
            Activity | ApprovedActivity => self.activity,
            Group | OpenGroup | ClosedGroup => self.group,
            RollCall => self.roll_call,
            Room => return self.room.clone(),
            Practice => self.practice,
        };
        value.to_string()
    }

    /// The row's path with its parameters filled in.
    fn path(&self, row: &Row) -> String {
        let template = row.route.split_whitespace().nth(1).unwrap();
        let mut ids = row.ids.iter();
        let mut path = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').unwrap() + open;
            let id = ids
                .next()
                .unwrap_or_else(|| panic!("{}: too few path ids", row.route));
            path.push_str(&rest[..open]);
            path.push_str(&self.id(*id));
            rest = &rest[close + 1..];
        }
        assert!(ids.next().is_none(), "{}: too many path ids", row.route);
        path.push_str(rest);
        path
    }

    /// One cell: the status and the body's text.
    async fn call(&self, caller: Caller, row: &Row) -> (u16, String) {
        let method = row.route.split_whitespace().next().unwrap();
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client(caller)
            .request(method, self.app.url(&self.path(row)));
        req = match row.body {
            Body::None => req,
            Json(body) => req.json(&body(self)),
            Raw(content_type, bytes) => req.header(CONTENT_TYPE, content_type).body(bytes()),
        };
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let streams = res
            .headers()
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        // A live event stream never ends: its status is the answer.
        if streams {
            return (status, String::new());
        }
        (status, res.text().await.unwrap_or_default())
    }
}

// The bodies. Each is valid for the route, so that a refusal is never about the body.

fn new_trainee(w: &World) -> Value {
    registration(w.other_unit, "junior")
}

fn login_ungraded(_: &World) -> Value {
    json!({"login": DEMO_UNGRADED, "password": DEMO_PASSWORD})
}

fn select_course(w: &World) -> Value {
    json!({"course_id": w.course})
}

fn start_study(w: &World) -> Value {
    json!({"lesson_id": w.lesson})
}

fn heartbeat(_: &World) -> Value {
    json!({"seq": 1, "visible": true, "position_secs": 0})
}

fn end_study(_: &World) -> Value {
    json!({"last": null})
}

fn answer_check(w: &World) -> Value {
    json!({"answer": w.check_answer})
}

fn start_practice(_: &World) -> Value {
    json!({"retry_wrong_of": null})
}

fn answer_question(w: &World) -> Value {
    json!({"question_id": w.attempt_question, "chosen": [0]})
}

/// A unit order for 王建国, who has paid for himself.
fn order_for_trainee(w: &World) -> Value {
    json!({"year": w.year, "trainee_ids": [w.trainee_id]})
}

/// A notification signed with the platform's secret, of an order nobody made.
fn signed_notice(_: &World) -> Value {
    notification(
        SECRET,
        json!({
            "payment_id": "EP20260901DEADBEEF",
            "merchant_order_id": "Q2026-00000000DEADBEEF",
            "amount_fen": 12600,
            "status": "paid",
            "receipt_no": "FJ2026090100000001",
            "paid_at": "2026-09-01T08:01:10Z",
            "notify_id": "NT20260901AAAAAAAAAAAAAAAA",
        }),
    )
}

fn course_input(_: &World) -> Value {
    json!({
        "title": "低压电气安全",
        "category": "trade",
        "trades": ["电工"],
        "hours": 1,
        "description": "低压电气设备的日常检查。",
    })
}

fn text_lesson(_: &World) -> Value {
    json!({
        "title": "验电",
        "kind": "text",
        "duration_secs": 2700,
        "body": "## 检查要点\n\n- 先断电\n- 再验电",
    })
}

fn lesson_order(w: &World) -> Value {
    json!({"ids": [w.draft_lesson]})
}

fn question(_: &World) -> Value {
    json!({"kind": "true_false", "stem": "停电检修前必须验电。", "answer": [0], "explanation": "规程如此要求。"})
}

fn question_order(w: &World) -> Value {
    json!({"ids": [w.draft_question]})
}

/// The year in force with the notice's standard settings.
fn policy_year(w: &World) -> Value {
    serde_json::to_value(qinxue_core::PolicyYear::standard(w.year as i32)).unwrap()
}

fn revoke_reason(_: &World) -> Value {
    json!({"reason": "学时记录有误"})
}

fn token_name(_: &World) -> Value {
    json!({"name": "泉州市考务系统"})
}

fn activity_input(w: &World) -> Value {
    json!({
        "title": "安全用电技能交流",
        "kind": "exchange",
        "date": format!("{}-06-15", w.year),
        "place": "泉州市职业技能实训基地",
        "hours": 2,
        "expected": 40,
    })
}

fn reject_reason(_: &World) -> Value {
    json!({"reason": "请补充主讲人资质"})
}

/// 王建国, enrolled in 鲤城区 (inside the 泉州 office's subtree).
fn attendance_list(_: &World) -> Value {
    json!({"id_numbers": [DEMO_GRADED]})
}

/// A schedule for 鲤城区 starting a minute from the server's now, three hours long.
async fn group_schedule(w: &World) -> Value {
    let now = w.app.advance_clock(0).await;
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    json!({
        "title": "鲤城区机房集中学习",
        "room": "区机关事务服务中心三楼机房",
        "starts_at": at(1),
        "ends_at": at(181),
        "capacity": 60,
        "course_id": w.course,
        "proctor_login": "proctor-demo",
        "format": "seats",
        "region_code": "350502",
    })
}

/// The schedule the fixtures made (and, for a change, the same again).
fn group_plan(w: &World) -> Value {
    w.group_body.clone()
}

fn seat_sign_in(w: &World) -> Value {
    json!({"id_number": DEMO_GRADED, "pin": w.pin})
}

/// The fixture's session is of the seats format: its proctor is told a lecture's routes are
/// not for it (422), everyone else is refused before that.
fn lecture_lesson(w: &World) -> Value {
    json!({"lesson_id": w.lesson})
}

fn presence_mark(w: &World) -> Value {
    json!({"trainee_id": w.trainee_id, "present": true})
}

fn practice_push(_: &World) -> Value {
    json!({})
}

fn paper_answer(w: &World) -> Value {
    json!({"trainee_id": w.trainee_id, "question_id": w.practice_question, "chosen": [0]})
}

/// No caller has a seat credential: refused before the body is read.
fn seat_answer(w: &World) -> Value {
    json!({"question_id": w.attempt_question, "chosen": [0]})
}

fn proctor_seating(w: &World) -> Value {
    json!({"seat_code": w.seat_code, "id_number": DEMO_GRADED})
}

fn tick_trainee(w: &World) -> Value {
    json!({"trainee_id": w.trainee_id})
}

fn correction(w: &World) -> Value {
    json!({"trainee_id": w.trainee_id, "credited_secs": 0, "reason": "平板断网，监考员核实"})
}

fn clock_still(_: &World) -> Value {
    json!({"advance_secs": 0})
}

fn questions_csv() -> Vec<u8> {
    "题型,题目,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析\n\
     判断,漏电保护器应每月试验一次。,,,,,,,正确,按月试验。\n"
        .as_bytes()
        .to_vec()
}

/// Each caller sets a new password of their own, giving the demo password as the current one.
fn password_change(_: &World) -> Value {
    json!({"current_password": DEMO_PASSWORD, "new_password": "Neues-Passwort-2026"})
}

/// A roster of one new person, as a browser's form sends the file.
fn roster_form() -> Vec<u8> {
    format!(
        "------qinxue-authz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n\
         身份证号,姓名,手机,用工类型,工种,等级\r\n{},赵一,{},在编在岗,电工,初级工\r\n\
         \r\n------qinxue-authz--\r\n",
        unique_id_number(),
        unique_phone()
    )
    .into_bytes()
}

/// The demo's 46-second clip.
fn clip() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../public/media/public-safety-3.mp4");
    std::fs::read(path).expect("the demo clip")
}

/// A 1×1 PNG's header: covers are judged by their first bytes.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.resize(1000, 0);
    bytes
}
