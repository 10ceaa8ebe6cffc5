//! Reminders before the year's deadlines (issue 12): to the unpaid before the registration
//! deadline and to the paid and unfinished before the study deadline, on the policy year's
//! days, once per person and reminder however often (and however concurrently) the job runs;
//! shown on the trainee's home page and kept as an SMS outbox. Driven by the test clock: the
//! server is moved into next year, whose deadlines are the notice's (31 October, 31 December)
//! and whose reminders go 7 days and 1 day before each.

use crate::helpers::{TestApp, DEMO_GRADED, DEMO_PASSWORD, DEMO_UNGRADED};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use qinxue_core::Grade;
use reqwest::StatusCode;
use serde_json::Value;

async fn now(app: &TestApp) -> DateTime<Utc> {
    app.advance_clock(0).await["now"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Moves the clock to noon (Shanghai) of `day`.
async fn move_to(app: &TestApp, day: NaiveDate) {
    let noon = chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let secs = (noon - now(app).await).num_seconds();
    assert!(secs >= 0, "the clock only moves forward");
    app.advance_clock(secs).await;
}

async fn run(app: &TestApp) -> Value {
    let res = app
        .post(&app.client(), "/api/test/reminders", &serde_json::json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn reminders_of(app: &TestApp, login: &str) -> Vec<Value> {
    let client = app.login_as(login, DEMO_PASSWORD).await;
    let res = app.get(&client, "/api/me/reminders").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Trainees, and the stored reminders of one kind and round with their phone and SMS state.
async fn stored(app: &TestApp, kind: &'static str, days: i64) -> (i64, Vec<(i64, String, bool)>) {
    let db = app.db().await;
    let out = db
        .write(move |c| {
            Box::pin(async move {
                let trainees: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'trainee'")
                        .fetch_one(&mut *c)
                        .await?;
                let rows: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
                    "SELECT user_id, phone, sms_sent_at FROM reminders \
                     WHERE kind = $1 AND days_before = $2 ORDER BY user_id",
                )
                .bind(kind)
                .bind(days)
                .fetch_all(&mut *c)
                .await?;
                Ok((
                    trainees,
                    rows.into_iter()
                        .map(|(u, p, s)| (u, p, s.is_none()))
                        .collect(),
                ))
            })
        })
        .await
        .expect("reminders read");
    db.close().await;
    out
}

async fn enrol(app: &TestApp, id_number: &'static str, year: i32) {
    let db = app.db().await;
    db.write(move |c| {
        Box::pin(async move {
            let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE id_number = $1")
                .bind(id_number)
                .fetch_one(&mut *c)
                .await?;
            qinxue_server::storage::enrolments::activate(c, id, year, Grade::Intermediate, 0)
                .await?;
            Ok(())
        })
    })
    .await
    .expect("enrolled");
    db.close().await;
}

#[tokio::test]
async fn reminders_go_once_to_the_unpaid_and_the_unfinished_on_the_years_days() {
    let app = TestApp::spawn().await;
    let next = now(&app)
        .await
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let year = chrono::Datelike::year(&next) + 1;
    let day = |m, d| NaiveDate::from_ymd_opt(year, m, d).unwrap();

    move_to(&app, day(1, 2)).await;
    assert_eq!(run(&app).await["rounds"], 0, "no round is due in January");
    // 王建国 is paid for next year; 林晓梅 and everyone else are not.
    enrol(&app, DEMO_GRADED, year).await;

    move_to(&app, day(10, 23)).await;
    assert_eq!(run(&app).await["rounds"], 0, "8 days before: not yet");
    move_to(&app, day(10, 24)).await;
    let first = run(&app).await;
    assert_eq!(first["rounds"], 1);
    let (trainees, rows) = stored(&app, "registration", 7).await;
    assert_eq!(first["sent"].as_i64().unwrap(), trainees - 1);
    assert_eq!(
        rows.len() as i64,
        trainees - 1,
        "every unpaid trainee, once"
    );
    assert!(
        rows.iter()
            .all(|(_, phone, unsent)| phone.len() == 11 && *unsent),
        "{rows:?}"
    );

    let lin = reminders_of(&app, DEMO_UNGRADED).await;
    assert_eq!(lin.len(), 1, "{lin:?}");
    assert_eq!(lin[0]["kind"], "registration");
    assert_eq!(lin[0]["year"], year);
    assert_eq!(lin[0]["days_before"], 7);
    assert_eq!(lin[0]["deadline"], format!("{year}-10-31"));
    let text = lin[0]["message"].as_str().unwrap();
    assert!(
        text.contains("林晓梅") && text.contains("10月31日") && text.contains("尚未缴费"),
        "{text}"
    );
    assert!(
        reminders_of(&app, DEMO_GRADED).await.is_empty(),
        "he has paid"
    );

    // Again the same day, and later in the week: nothing more.
    assert_eq!(run(&app).await["sent"], 0);
    move_to(&app, day(10, 27)).await;
    assert_eq!(run(&app).await["rounds"], 0);

    // The day before, two runs at once (as two instances would): each reminder once.
    move_to(&app, day(10, 30)).await;
    let (a, b) = tokio::join!(run(&app), run(&app));
    let sent = a["sent"].as_i64().unwrap() + b["sent"].as_i64().unwrap();
    let (_, rows) = stored(&app, "registration", 1).await;
    assert_eq!(sent, trainees - 1);
    assert_eq!(rows.len() as i64, trainees - 1);
    assert_eq!(reminders_of(&app, DEMO_UNGRADED).await.len(), 2);

    // Before the study deadline: only 王建国 is paid and unfinished.
    move_to(&app, day(12, 24)).await;
    assert_eq!(run(&app).await["sent"], 1);
    assert!(
        reminders_of(&app, DEMO_UNGRADED).await.is_empty(),
        "her registration reminders are of a deadline that has passed"
    );
    let wang = reminders_of(&app, DEMO_GRADED).await;
    assert_eq!(wang.len(), 1, "{wang:?}");
    assert_eq!(wang[0]["kind"], "study");
    assert_eq!(wang[0]["deadline"], format!("{year}-12-31"));
    let text = wang[0]["message"].as_str().unwrap();
    assert!(
        text.contains("王建国") && text.contains("还差 42.0 学时"),
        "{text}"
    );
}

#[tokio::test]
async fn the_years_reminder_days_are_configurable_and_checked() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("province-admin", DEMO_PASSWORD).await;
    let me: Value = app
        .get(&app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await, "/api/me")
        .await
        .json()
        .await
        .unwrap();
    let year = me["year"]["year"].as_i64().unwrap();
    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(y["reminder_days"], serde_json::json!([7, 1]));
    for bad in [
        serde_json::json!([0]),
        serde_json::json!([3, 3]),
        serde_json::json!([90]),
    ] {
        y["reminder_days"] = bad;
        let res = admin.put(app.url(&path)).json(&y).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e = crate::helpers::error_of(res).await;
        assert_eq!(crate::helpers::fields_of(&e), ["reminder_days"]);
    }
    y["reminder_days"] = serde_json::json!([14, 3]);
    let res = admin.put(app.url(&path)).json(&y).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let again: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(again["reminder_days"], serde_json::json!([14, 3]));

    let res = app.get(&app.client(), "/api/me/reminders").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.get(&admin, "/api/me/reminders").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
