//! Malformed requests: each gets a 4xx in the API's error shape and writes nothing.

use crate::helpers::{error_of, fields_of, registration, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .post(app.url("/api/auth/register"))
        .header("content-type", "application/json")
        .body("{\"id_number\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await["code"], "invalid_json");
}

#[tokio::test]
async fn a_form_post_is_refused_as_the_wrong_media_type() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("login=a&password=b")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_of(res).await["code"], "unsupported_media_type");
}

#[tokio::test]
async fn wrong_types_unknown_enums_and_missing_fields_name_the_field() {
    let app = TestApp::spawn().await;
    let unit = app.some_unit_id().await;
    let mut wrong_type = registration(unit, "junior");
    wrong_type["unit_id"] = json!("one");
    let mut unknown_grade = registration(unit, "junior");
    unknown_grade["grade"] = json!("grandmaster");
    let mut unknown_employment = registration(unit, "junior");
    unknown_employment["employment_type"] = json!("volunteer");
    let mut missing = registration(unit, "junior");
    missing.as_object_mut().unwrap().remove("phone");
    for (body, field) in [
        (wrong_type, "unit_id"),
        (unknown_grade, "grade"),
        (unknown_employment, "employment_type"),
        (missing, "phone"),
    ] {
        let res = app.post(&app.client(), "/api/auth/register", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let error = error_of(res).await;
        assert_eq!(error["code"], "invalid_body");
        assert_eq!(fields_of(&error), [field]);
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() {
    let app = TestApp::spawn().await;
    let mut body = registration(app.some_unit_id().await, "junior");
    body["name"] = json!("长".repeat(100_000));
    let res = app.post(&app.client(), "/api/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(res).await["code"], "payload_too_large");
}

#[tokio::test]
async fn routes_that_need_a_session_refuse_missing_and_forged_cookies() {
    let app = TestApp::spawn().await;
    let plain = reqwest::Client::new();
    for cookie in [
        None,
        Some("qinxue_session=deadbeef"),
        Some("qinxue_session="),
    ] {
        for (method, path) in [("GET", "/api/me"), ("POST", "/api/auth/logout")] {
            let mut req = plain.request(method.parse().unwrap(), app.url(path));
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            let res = req.send().await.unwrap();
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {cookie:?}"
            );
            assert_eq!(error_of(res).await["code"], "unauthenticated");
        }
    }
}

#[tokio::test]
async fn none_of_the_bad_requests_created_an_account() {
    let app = TestApp::spawn().await;
    let unit = app.some_unit_id().await;
    let body = registration(unit, "junior");
    let mut bad = body.clone();
    bad["grade"] = json!(7);
    app.post(&app.client(), "/api/auth/register", &bad).await;
    let mut bad = body.clone();
    bad["password"] = json!("short");
    app.post(&app.client(), "/api/auth/register", &bad).await;
    // The same 身份证号 and phone are still free.
    assert_eq!(
        app.post(&app.client(), "/api/auth/register", &body)
            .await
            .status(),
        StatusCode::CREATED
    );
}
