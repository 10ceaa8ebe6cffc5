//! Completion per year (`GET /api/me/years`): the demo's completed and unfinished previous
//! years, study counted for the earliest unfinished paid year, and who may ask.

use crate::helpers::{
    error_of, freeze_clock, lesson_of_kind, Learner, TestApp, DEMO_GRADED, DEMO_PASSWORD,
    DEMO_UNGRADED,
};
use chrono::{DateTime, Datelike, FixedOffset};
use qinxue_core::Grade;
use reqwest::StatusCode;
use serde_json::Value;

/// 45 minutes, the standard 学时.
const HOUR: i64 = 45 * 60;

async fn years_of(app: &TestApp, login: &str) -> Vec<Value> {
    let client = app.login_as(login, DEMO_PASSWORD).await;
    let res = app.get(&client, "/api/me/years").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn total(y: &Value) -> i64 {
    let by = &y["credited_secs"];
    ["online", "practice", "group", "activity"]
        .iter()
        .map(|s| by[s].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn the_graded_demo_trainee_completed_last_year_and_is_studying_this_one() {
    let app = TestApp::spawn().await;
    let years = years_of(&app, DEMO_GRADED).await;
    assert_eq!(years.len(), 2, "{years:?}");
    let (last, this) = (&years[0], &years[1]);
    let this_year = this["year"].as_i64().unwrap();
    assert_eq!(last["year"].as_i64().unwrap(), this_year - 1);
    assert_eq!(last["enrolled"], true);
    assert_eq!(last["completed"], true);
    assert_eq!(last["required_hours"], 42);
    assert_eq!(last["missing_secs"], 0);
    assert!(last["credited_secs"]["online"].as_i64().unwrap() >= 40 * HOUR);
    assert!(last["credited_secs"]["practice"].as_i64().unwrap() > 0);
    assert_eq!(last["credited_total_secs"].as_i64().unwrap(), total(last));
    // Reached during the autumn study of that year, in Shanghai time.
    let at = DateTime::parse_from_rfc3339(last["completed_at"].as_str().unwrap()).unwrap();
    let local = at.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap());
    assert_eq!(i64::from(local.year()), this_year - 1);
    assert!((9..=10).contains(&local.month()), "{local}");

    assert_eq!(this["enrolled"], true);
    assert_eq!(this["completed"], false);
    assert!(this["completed_at"].is_null());
    assert_eq!(this["missing_secs"], 42 * HOUR);
    assert_eq!(this["payable"], false);
}

#[tokio::test]
async fn the_ungraded_demo_trainee_sees_her_unfinished_last_year_still_open() {
    let app = TestApp::spawn().await;
    let years = years_of(&app, DEMO_UNGRADED).await;
    let (last, this) = (&years[0], &years[1]);
    assert_eq!(last["enrolled"], true);
    assert_eq!(last["completed"], false);
    assert_eq!(last["required_hours"], 24);
    assert_eq!(total(last), 10 * HOUR);
    assert_eq!(last["missing_secs"], 14 * HOUR);
    assert_eq!(this["enrolled"], false);
    assert_eq!(this["payable"], true);
    assert_eq!(this["missing_secs"], 24 * HOUR);
}

/// Pays 林晓梅's current year directly in the database (the payment flow has tests of its
/// own), so that she may study.
async fn enrol_ungraded_this_year(app: &TestApp, year: i32) {
    let db = app.db().await;
    db.write(move |c| {
        Box::pin(async move {
            let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE id_number = $1")
                .bind(DEMO_UNGRADED)
                .fetch_one(&mut *c)
                .await?;
            qinxue_server::storage::enrolments::activate(c, id, year, Grade::Ungraded, 0).await?;
            Ok(())
        })
    })
    .await
    .expect("enrolled");
    db.close().await;
}

#[tokio::test]
async fn study_this_year_counts_first_for_the_unfinished_last_year() {
    let app = TestApp::spawn().await;
    freeze_clock(&app).await;
    let this_year = years_of(&app, DEMO_UNGRADED).await[1]["year"]
        .as_i64()
        .unwrap();
    enrol_ungraded_this_year(&app, i32::try_from(this_year).unwrap()).await;
    let me = Learner {
        app: &app,
        client: app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await,
    };
    let (lesson, _) = lesson_of_kind(&app, "text").await;
    let session = me.start(lesson).await;
    let (credited, _) = me.study(session, 1, 3).await;
    assert_eq!(credited, 60);
    // The progress page shows what was studied this year; completion credits it to the
    // earliest unfinished paid year, live session included.
    assert_eq!(me.year_secs().await, 60);
    let years: Vec<Value> = app
        .get(&me.client, "/api/me/years")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(total(&years[0]), 10 * HOUR + 60);
    assert_eq!(years[0]["missing_secs"], 14 * HOUR - 60);
    assert_eq!(total(&years[1]), 0);
    assert_eq!(years[1]["enrolled"], true);
}

#[tokio::test]
async fn only_a_signed_in_trainee_has_years() {
    let app = TestApp::spawn().await;
    let res = app.get(&app.client(), "/api/me/years").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    error_of(res).await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let res = app.get(&admin, "/api/me/years").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    error_of(res).await;
}

/// The previous year's settings, as the provincial admin reads them.
async fn last_year_settings(app: &TestApp, admin: &reqwest::Client, year: i64) -> Value {
    let res = app
        .get(admin, &format!("/api/admin/policy-years/{year}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn put_year(app: &TestApp, admin: &reqwest::Client, year: i64, body: &Value) -> StatusCode {
    admin
        .put(app.url(&format!("/api/admin/policy-years/{year}")))
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_past_year_never_paid_for_is_payable_only_where_that_year_allows_late_payment() {
    let sim = crate::sim::PaySim::start().await;
    let app = crate::sim::app_with(&sim).await;
    let unit = app.some_unit_id().await;
    let trainee = crate::helpers::client_with_cookie(
        &crate::helpers::register_trainee(&app, unit, "ungraded").await,
    );
    let me: Value = app.get(&trainee, "/api/me").await.json().await.unwrap();
    let last = me["year"]["year"].as_i64().unwrap() - 1;
    let last_body = serde_json::json!({ "year": last });
    let order_last = || app.post(&trainee, "/api/orders", &last_body);
    let res = order_last().await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "registration_closed");
    let res = app
        .post(
            &trainee,
            "/api/orders",
            &serde_json::json!({ "year": last + 2 }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    error_of(res).await;

    // The year is over: its settings stay, but the province may open it to late payment.
    let admin = app.login_as("province-admin", DEMO_PASSWORD).await;
    let mut y = last_year_settings(&app, &admin, last).await;
    assert_eq!(y["late_payment"], false);
    assert_eq!(y["editable"], false);
    y["graded_hours"] = serde_json::json!(40);
    assert_eq!(put_year(&app, &admin, last, &y).await, StatusCode::CONFLICT);
    y["graded_hours"] = serde_json::json!(42);
    y["late_payment"] = serde_json::json!(true);
    assert_eq!(put_year(&app, &admin, last, &y).await, StatusCode::OK);
    assert_eq!(
        last_year_settings(&app, &admin, last).await["late_payment"],
        true
    );

    let res = order_last().await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["amount_fen"], 7200);
    sim.act(
        &crate::sim::payment_id(created["pay_url"].as_str().unwrap()),
        "pay",
    )
    .await;
    sim.settled_log().await;
    let order: Value = app
        .get(&trainee, &format!("/api/orders/{}", created["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(order["status"], "paid");
    let years: Vec<Value> = app
        .get(&trainee, "/api/me/years")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(years[0]["year"], last);
    assert_eq!(years[0]["enrolled"], true);
    assert_eq!(years[0]["completed"], false);
    assert_eq!(years[0]["missing_secs"], 24 * HOUR);
}

#[tokio::test]
async fn she_may_study_for_her_unfinished_paid_year_before_paying_for_this_one() {
    let app = TestApp::spawn().await;
    freeze_clock(&app).await;
    let me = Learner {
        app: &app,
        client: app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await,
    };
    let (lesson, _) = lesson_of_kind(&app, "text").await;
    let session = me.start(lesson).await;
    let (credited, _) = me.study(session, 1, 3).await;
    assert_eq!(credited, 60);
    let years: Vec<Value> = app
        .get(&me.client, "/api/me/years")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(total(&years[0]), 10 * HOUR + 60, "counted for last year");
    assert_eq!(years[1]["enrolled"], false);
    assert_eq!(total(&years[1]), 0);

    // Someone with no unfinished paid year must pay for this one first.
    let unit = app.some_unit_id().await;
    let newcomer = crate::helpers::client_with_cookie(
        &crate::helpers::register_trainee(&app, unit, "ungraded").await,
    );
    let res = app
        .post(
            &newcomer,
            "/api/study/sessions",
            &serde_json::json!({ "lesson_id": lesson }),
        )
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(error_of(res).await["code"], "not_enrolled");
}
