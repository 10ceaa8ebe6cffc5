//! Policy years (DESIGN.md §8): the provincial admin reads and changes a year, opens the
//! next one from the last; a change rewrites no credited time and no order.

use crate::helpers::{
    advance_past, error_of, fields_of, Learner, TestApp, DEMO_PASSWORD, DEMO_UNGRADED,
};
use crate::sim::{app_with, PaySim};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn province(app: &TestApp) -> Client {
    app.login_as("province-admin", DEMO_PASSWORD).await
}

async fn this_year(app: &TestApp, client: &Client) -> i64 {
    let years: Value = app
        .get(client, "/api/admin/policy-years")
        .await
        .json()
        .await
        .unwrap();
    let me: Value = app
        .get(&app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await, "/api/me")
        .await
        .json()
        .await
        .unwrap();
    let year = me["year"]["year"].as_i64().unwrap();
    assert!(
        years.as_array().unwrap().iter().any(|y| y["year"] == year),
        "the year in force is listed: {years}"
    );
    year
}

async fn put(app: &TestApp, client: &Client, year: i64, body: &Value) -> reqwest::Response {
    client
        .put(app.url(&format!("/api/admin/policy-years/{year}")))
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_province_reads_and_changes_a_year() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let year = this_year(&app, &admin).await;
    let path = format!("/api/admin/policy-years/{year}");
    let res = app.get(&admin, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut y: Value = res.json().await.unwrap();
    assert_eq!(y["graded_hours"], 42);
    assert_eq!(y["ungraded_fee_fen"], 7200);
    assert_eq!(y["minutes_per_hour"], 45);
    assert_eq!(y["daily_cap_minutes"], 480);
    assert_eq!(y["check_min_minutes"], 5);
    assert_eq!(y["check_max_minutes"], 15);
    assert_eq!(y["editable"], true);
    let by_grade = y["by_grade"].as_array().unwrap();
    assert_eq!(by_grade.len(), 6);
    assert!(by_grade
        .iter()
        .any(|g| g["grade"] == "ungraded" && g["required_hours"] == 24 && g["fee_fen"] == 7200));

    y["graded_fee_fen"] = json!(13_000);
    y["daily_cap_minutes"] = json!(360);
    y["supplementary_cap_hours"] = json!(8);
    let res = put(&app, &admin, year, &y).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let again: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(again["graded_fee_fen"], 13_000);
    assert_eq!(again["daily_cap_minutes"], 360);
    assert_eq!(again["supplementary_cap_hours"], 8);
    // The trainee's year shows the new fee of graded staff.
    let trainee = Learner::demo(&app).await;
    let me: Value = app
        .get(&trainee.client, "/api/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["year"]["fee_fen"], 13_000);

    // Saving the same settings again changes nothing.
    assert_eq!(
        put(&app, &admin, year, &again).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_change_rewrites_neither_credited_time_nor_an_order_already_made() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let admin = province(&app).await;
    let year = this_year(&app, &admin).await;
    // 王建国 has studied; 林晓梅 opens an order at the ungraded fee.
    let learner = Learner::demo(&app).await;
    let (lesson, _) = crate::helpers::lesson_of_kind(&app, "text").await;
    let session = learner.start(lesson).await;
    learner.study(session, 1, 6).await;
    let credited = learner.year_secs().await;
    assert!(credited > 0);
    let lin = app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await;
    let res = app.post(&lin, "/api/orders", &json!({"year": year})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let order: Value = res.json().await.unwrap();
    assert_eq!(order["amount_fen"], 7200);

    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(&admin, &path).await.json().await.unwrap();
    y["ungraded_fee_fen"] = json!(8000);
    y["minutes_per_hour"] = json!(60);
    assert_eq!(put(&app, &admin, year, &y).await.status(), StatusCode::OK);

    assert_eq!(learner.year_secs().await, credited);
    let res = app.get(&lin, &format!("/api/orders/{}", order["id"])).await;
    let kept: Value = res.json().await.unwrap();
    assert_eq!(kept["amount_fen"], 7200);
    let me: Value = app.get(&lin, "/api/me").await.json().await.unwrap();
    assert_eq!(me["year"]["fee_fen"], 8000);
}

#[tokio::test]
async fn bad_settings_are_refused_field_by_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let year = this_year(&app, &admin).await;
    let path = format!("/api/admin/policy-years/{year}");
    let good: Value = app.get(&admin, &path).await.json().await.unwrap();
    let mut bad = good.clone();
    bad["graded_hours"] = json!(420);
    bad["check_min_minutes"] = json!(30);
    bad["study_deadline"] = json!(format!("{}-01-31", year + 1));
    let res = put(&app, &admin, year, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = error_of(res).await;
    assert_eq!(
        fields_of(&error),
        ["graded_hours", "check_max_minutes", "study_deadline"]
    );
    let mut other = good.clone();
    other["year"] = json!(year + 5);
    let error = error_of(put(&app, &admin, year, &other).await).await;
    assert_eq!(fields_of(&error), ["year"]);
    let mut typo = good.clone();
    typo["graded_fee_fen"] = json!("126元");
    let res = put(&app, &admin, year, &typo).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(unchanged, good);

    let res = app.get(&admin, "/api/admin/policy-years/1999").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let standard = serde_json::to_value(qinxue_core::PolicyYear::standard(1999)).unwrap();
    assert_eq!(
        put(&app, &admin, 1999, &standard).await.status(),
        StatusCode::NOT_FOUND
    );
    for login in ["quanzhou-admin", "unit-demo", DEMO_UNGRADED] {
        let someone = app.login_as(login, DEMO_PASSWORD).await;
        assert_eq!(
            app.get(&someone, &path).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            put(&app, &someone, year, &good).await.status(),
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_next_year_is_made_from_the_last_and_a_finished_year_stays_as_it_was() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let year = this_year(&app, &admin).await;
    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(&admin, &path).await.json().await.unwrap();
    y["graded_fee_fen"] = json!(13_500);
    assert_eq!(put(&app, &admin, year, &y).await.status(), StatusCode::OK);

    let res = app
        .post(&admin, "/api/admin/policy-years", &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let next: Value = res.json().await.unwrap();
    assert_eq!(next["year"], year + 1);
    assert_eq!(next["graded_fee_fen"], 13_500);
    assert_eq!(next["study_deadline"], format!("{}-12-31", year + 1));
    let listed: Value = app
        .get(&admin, "/api/admin/policy-years")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["year"], year + 1);

    let lin = app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await;
    advance_past(&app, &lin, "study_deadline").await;
    // Months later: a new sign-in.
    let admin = province(&app).await;
    let closed: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(closed["editable"], false);
    let mut late = closed.clone();
    late["graded_hours"] = json!(40);
    let res = put(&app, &admin, year, &late).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "study_closed");
    // The new year in force is still open to changes.
    let mut open = next.clone();
    open["graded_hours"] = json!(40);
    let res = put(&app, &admin, year + 1, &open).await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// Sets settings of the year through the API, as the provincial admin does.
async fn set(app: &TestApp, admin: &Client, year: i64, changes: &[(&str, i64)]) {
    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(admin, &path).await.json().await.unwrap();
    for (field, value) in changes {
        y[*field] = json!(value);
    }
    let res = put(app, admin, year, &y).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

#[tokio::test]
async fn study_is_credited_under_the_years_daily_cap_and_check_interval_as_they_change() {
    let app = TestApp::spawn().await;
    crate::helpers::freeze_clock_in_the_morning(&app).await;
    let admin = province(&app).await;
    let year = this_year(&app, &admin).await;
    // 王建国 studied 1,790 s earlier today (Shanghai); the year's cap is lowered to 30 minutes
    // and checks put off for two hours, so that only the cap limits what follows.
    let today = (chrono::DateTime::from_timestamp(crate::helpers::now(&app).await, 0).unwrap()
        + chrono::Duration::hours(8))
    .format("%Y-%m-%d")
    .to_string();
    let db = app.db().await;
    db.write(move |c| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO study_days (user_id, day, credited_secs) \
                 SELECT id, $2, 1790 FROM users WHERE id_number = $1",
            )
            .bind(crate::helpers::DEMO_GRADED)
            .bind(today)
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    })
    .await
    .expect("a day's credit");
    db.close().await;
    set(
        &app,
        &admin,
        year,
        &[
            ("daily_cap_minutes", 30),
            ("check_min_minutes", 120),
            ("check_max_minutes", 120),
        ],
    )
    .await;

    let learner = Learner::demo(&app).await;
    let (lesson, _) = crate::helpers::lesson_of_kind(&app, "text").await;
    let session = learner.start(lesson).await;
    let (credited, next) = learner.study(session, 1, 3).await;
    assert_eq!(credited, 10, "the 10 s left under a 30-minute cap");

    // The writer remembers the live session; the change reaches it at the next heartbeat.
    set(&app, &admin, year, &[("daily_cap_minutes", 31)]).await;
    let (credited, next) = learner.study(session, next, 4).await;
    assert_eq!(credited, 60, "up to the new cap of 1,860 s");
    let before = learner.year_secs().await;
    assert_eq!(before, 70);

    // Lowered below what the day has: nothing more, and nothing taken back.
    set(&app, &admin, year, &[("daily_cap_minutes", 30)]).await;
    let (credited, _) = learner.study(session, next, 2).await;
    assert_eq!(credited, 0);
    assert_eq!(learner.year_secs().await, before);

    // A check interval of one minute: a new session's first check comes after 60 s (the
    // standard 5–15 minutes would bring none).
    set(
        &app,
        &admin,
        year,
        &[
            ("daily_cap_minutes", 480),
            ("check_min_minutes", 1),
            ("check_max_minutes", 1),
        ],
    )
    .await;
    let session = learner.start(lesson).await;
    let mut checks = Vec::new();
    for seq in 1..=3 {
        app.advance_clock(20).await;
        checks.push(!learner.beat(session, seq, 0).await["check"].is_null());
    }
    assert_eq!(checks, [false, false, true]);
}

#[tokio::test]
async fn anyone_reads_the_year_in_force_with_the_provinces_settings() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let year = this_year(&app, &admin).await;
    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(&admin, &path).await.json().await.unwrap();
    y["ungraded_fee_fen"] = json!(8000);
    assert_eq!(put(&app, &admin, year, &y).await.status(), StatusCode::OK);

    // Signed out: what the home page and the help page explain the year with.
    let res = app.get(&app.client(), "/api/policy-year").await;
    assert_eq!(res.status(), StatusCode::OK);
    let public: Value = res.json().await.unwrap();
    assert_eq!(public["year"], year);
    assert_eq!(public["graded_hours"], 42);
    assert_eq!(public["ungraded_hours"], 24);
    assert_eq!(public["graded_fee_fen"], y["graded_fee_fen"]);
    assert_eq!(
        public["ungraded_fee_fen"], 8000,
        "the province's change shows"
    );
    assert_eq!(public["registration_deadline"], y["registration_deadline"]);
    assert_eq!(public["study_deadline"], y["study_deadline"]);
}
