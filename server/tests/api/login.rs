//! Signing in and out, sessions, roles, and the login limits.

use crate::helpers::{error_of, registration, TestApp, DEMO_GRADED, DEMO_PASSWORD, DEMO_UNGRADED};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_trainee_signs_in_with_the_id_number_or_the_phone() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let body = registration(app.some_unit_id().await, "technician");
    app.post(&client, "/api/auth/register", &body).await;
    for login in [body["id_number"].clone(), body["phone"].clone()] {
        let client = app.login_as(login.as_str().unwrap(), "Passw0rd!").await;
        let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
        assert_eq!(me["grade"], "technician");
    }
}

#[tokio::test]
async fn a_lower_case_x_and_spaces_in_the_id_number_still_sign_in() {
    let app = TestApp::spawn().await;
    let mut body = registration(app.some_unit_id().await, "junior");
    // 11010519491231002X: the standard's own example, which ends in X.
    body["id_number"] = json!("11010519491231002X");
    assert_eq!(
        app.post(&app.client(), "/api/auth/register", &body)
            .await
            .status(),
        StatusCode::CREATED
    );
    app.login_as(" 11010519491231002x ", "Passw0rd!").await;
}

#[tokio::test]
async fn every_demo_account_signs_in_with_its_role() {
    let app = TestApp::spawn().await;
    for (login, role) in [
        (DEMO_GRADED, "trainee"),
        (DEMO_UNGRADED, "trainee"),
        ("unit-demo", "unit_admin"),
        ("quanzhou-admin", "office_admin"),
        ("province-admin", "provincial_admin"),
        ("proctor-demo", "proctor"),
    ] {
        let client = app.login_as(login, DEMO_PASSWORD).await;
        let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
        assert_eq!(me["role"], role, "{login}");
    }
}

#[tokio::test]
async fn the_demo_trainees_owe_42_and_24_hours() {
    let app = TestApp::spawn().await;
    for (login, grade, hours, fee) in [
        (DEMO_GRADED, "intermediate", 42, 12600),
        (DEMO_UNGRADED, "ungraded", 24, 7200),
    ] {
        let client = app.login_as(login, DEMO_PASSWORD).await;
        let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
        assert_eq!(
            (
                me["grade"].clone(),
                me["year"]["required_hours"].clone(),
                me["year"]["fee_fen"].clone()
            ),
            (json!(grade), json!(hours), json!(fee))
        );
    }
}

#[tokio::test]
async fn an_office_admin_sees_their_region_and_no_personal_requirement() {
    let app = TestApp::spawn().await;
    let client = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    assert_eq!(me["region"]["code"], "350500");
    assert_eq!(me["grade"], Value::Null);
    assert_eq!(me["year"]["required_hours"], Value::Null);
    assert_eq!(me["id_number"], Value::Null);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": DEMO_GRADED, "password": "nope-nope"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong = error_of(wrong).await;
    let unknown = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": "nobody", "password": "nope-nope"}),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(unknown).await, wrong);
    assert_eq!(wrong["code"], "invalid_credentials");
}

#[tokio::test]
async fn an_empty_login_form_names_both_fields() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": " ", "password": ""}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        crate::helpers::fields_of(&error_of(res).await),
        ["login", "password"]
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_for_good() {
    let app = TestApp::spawn().await;
    let client = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let res = client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let res = app.get(&client, "/api/me").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_stolen_cookie_is_useless_after_sign_out() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": DEMO_GRADED, "password": DEMO_PASSWORD}),
        )
        .await;
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let plain = reqwest::Client::new();
    let me = plain
        .get(app.url("/api/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let out = plain
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let me = plain
        .get(app.url("/api/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_in_use_stay_and_sessions_left_twelve_hours_expire() {
    let app = TestApp::spawn().await;
    let client = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    for _ in 0..4 {
        app.advance_clock(7 * 3600).await;
        assert_eq!(app.get(&client, "/api/me").await.status(), StatusCode::OK);
    }
    app.advance_clock(12 * 3600 + 1).await;
    let res = app.get(&client, "/api/me").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(res).await["code"], "unauthenticated");
}

#[tokio::test]
async fn five_wrong_passwords_lock_that_account_for_fifteen_minutes_only() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let res = app
            .post(
                &app.client(),
                "/api/auth/login",
                &json!({"login": DEMO_GRADED, "password": "wrong-guess"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": DEMO_GRADED, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let error = error_of(res).await;
    assert_eq!(error["code"], "rate_limited");
    assert!(error["message"].as_str().unwrap().contains("15分钟"));
    // Another account from the same address is not affected.
    app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await;
    app.advance_clock(15 * 60 + 1).await;
    app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
}

#[tokio::test]
async fn a_computer_room_of_sixty_behind_one_address_all_sign_in() {
    let app = TestApp::spawn().await;
    let unit = app.some_unit_id().await;
    let mut logins = Vec::new();
    for _ in 0..60 {
        let body = registration(unit, "junior");
        assert_eq!(
            app.post(&app.client(), "/api/auth/register", &body)
                .await
                .status(),
            StatusCode::CREATED
        );
        logins.push(body["id_number"].as_str().unwrap().to_owned());
    }
    // A few typos first, as happens in a real room.
    for login in &logins[..10] {
        let res = app
            .post(
                &app.client(),
                "/api/auth/login",
                &json!({"login": login, "password": "typo-typo"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let statuses = join_all(logins.iter().map(|login| {
        let app = &app;
        async move {
            app.post(
                &app.client(),
                "/api/auth/login",
                &json!({"login": login, "password": "Passw0rd!"}),
            )
            .await
            .status()
        }
    }))
    .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled() {
    let app = TestApp::spawn().await;
    let mut last = StatusCode::OK;
    for i in 0..60 {
        let res = app
            .post(
                &app.client(),
                "/api/auth/login",
                &json!({"login": format!("guess-{i}"), "password": "x1234567"}),
            )
            .await;
        last = res.status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            assert!(i >= 50, "throttled too early, after {i} failures");
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
