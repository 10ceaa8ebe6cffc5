//! Trainee self-registration (DESIGN.md §7 `POST /api/auth/register`).

use crate::helpers::{error_of, fields_of, registration, TestApp, DEMO_GRADED};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_graded_trainee_registers_is_signed_in_and_owes_42_hours_and_126_yuan() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let body = registration(app.some_unit_id().await, "senior");
    let res = app.post(&client, "/api/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["role"], "trainee");

    let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    assert_eq!(me["grade"], "senior");
    assert_eq!(me["year"]["required_hours"], 42);
    assert_eq!(me["year"]["fee_fen"], 12600);
    let id = body["id_number"].as_str().unwrap();
    assert_eq!(
        me["id_number"],
        format!("{}***********{}", &id[..3], &id[14..])
    );
    assert_ne!(me["phone"], body["phone"]);
    assert!(me["phone"].as_str().unwrap().contains("****"));
}

#[tokio::test]
async fn an_ungraded_trainee_owes_24_hours_and_72_yuan() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let res = app
        .post(
            &client,
            "/api/auth/register",
            &registration(app.some_unit_id().await, "ungraded"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    assert_eq!(me["year"]["required_hours"], 24);
    assert_eq!(me["year"]["fee_fen"], 7200);
}

#[tokio::test]
async fn deadlines_are_utc_instants_of_the_last_shanghai_second() {
    let app = TestApp::spawn().await;
    let client = app.client();
    app.post(
        &client,
        "/api/auth/register",
        &registration(app.some_unit_id().await, "junior"),
    )
    .await;
    let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    for key in ["registration_deadline", "study_deadline"] {
        let at = me["year"][key].as_str().unwrap();
        assert!(at.ends_with("T15:59:59Z"), "{key} = {at}");
    }
}

#[tokio::test]
async fn an_id_number_already_registered_is_a_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut body = registration(app.some_unit_id().await, "junior");
    body["id_number"] = json!(DEMO_GRADED);
    let res = app.post(&app.client(), "/api/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let error = error_of(res).await;
    assert_eq!(error["code"], "id_number_taken");
    assert_eq!(fields_of(&error), ["id_number"]);
    // The new password did not replace the demo trainee's.
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": DEMO_GRADED, "password": "Passw0rd!"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_phone_number_in_use_is_a_conflict() {
    let app = TestApp::spawn().await;
    let unit = app.some_unit_id().await;
    let first = registration(unit, "junior");
    assert_eq!(
        app.post(&app.client(), "/api/auth/register", &first)
            .await
            .status(),
        StatusCode::CREATED
    );
    let mut second = registration(unit, "junior");
    second["phone"] = first["phone"].clone();
    let res = app.post(&app.client(), "/api/auth/register", &second).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "phone_taken");
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": second["id_number"], "password": "Passw0rd!"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the refused registration left no account"
    );
}

#[tokio::test]
async fn each_invalid_field_is_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let unit = app.some_unit_id().await;
    let cases: [(&str, Value, &str); 9] = [
        (
            "id_number",
            json!("350502198001011236"),
            "invalid_id_number",
        ),
        (
            "id_number",
            json!("990502198001011235"),
            "invalid_id_number",
        ),
        (
            "id_number",
            json!("35050219800230123X"),
            "invalid_id_number",
        ),
        ("phone", json!("2380013800"), "invalid_phone"),
        ("password", json!("1234567"), "invalid_password"),
        ("name", json!("张".repeat(31)), "invalid_name"),
        (
            "name",
            json!("Robert'); DROP TABLE users;--"),
            "invalid_name",
        ),
        ("trade", json!("宇航员"), "invalid_trade"),
        ("unit_id", json!(999_999), "unknown_unit"),
    ];
    for (field, value, code) in cases {
        let mut body = registration(unit, "junior");
        body[field] = value.clone();
        let res = app.post(&app.client(), "/api/auth/register", &body).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} = {value}"
        );
        let error = error_of(res).await;
        assert_eq!(error["code"], "validation_failed");
        assert_eq!(fields_of(&error), [field], "{field} = {value}");
        assert_eq!(error["fields"][0]["code"], code);
        let res = app
            .post(
                &app.client(),
                "/api/auth/login",
                &json!({"login": body["id_number"], "password": "Passw0rd!"}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{field}: no account was created"
        );
    }
}

#[tokio::test]
async fn simultaneous_registrations_all_succeed_and_a_duplicate_pair_yields_one_account() {
    let app = TestApp::spawn().await;
    let unit = app.some_unit_id().await;
    let bodies: Vec<Value> = (0..24)
        .map(|_| registration(unit, "intermediate"))
        .collect();
    let results = join_all(bodies.iter().map(|b| {
        let app = &app;
        async move {
            app.post(&app.client(), "/api/auth/register", b)
                .await
                .status()
        }
    }))
    .await;
    assert!(
        results.iter().all(|s| *s == StatusCode::CREATED),
        "{results:?}"
    );

    let twin = registration(unit, "intermediate");
    let results = join_all((0..2).map(|_| {
        let (app, twin) = (&app, &twin);
        async move {
            app.post(&app.client(), "/api/auth/register", twin)
                .await
                .status()
        }
    }))
    .await;
    let mut sorted = results.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{results:?}"
    );
}
