//! Supplementary activities (DESIGN.md §8): filed by an office for its subtree, approved or
//! rejected by the province, fixed once approved; attendance credited to each enrolled
//! attendee of the region within the year's supplementary cap, reported per row otherwise,
//! never twice; every write audited. And the reports' completion is the trainees' own.

use crate::helpers::{
    error_of, insert_admin, registration, unique_id_number, unit_in_region, TestApp, DEMO_GRADED,
    DEMO_PASSWORD, DEMO_UNGRADED,
};
use qinxue_core::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

fn activity(year: i64, hours: u32) -> Value {
    json!({
        "title": "安全生产专题讲座",
        "kind": "lecture",
        "date": format!("{year}-06-15"),
        "place": "泉州市人社局报告厅",
        "hours": hours,
        "expected": 80,
    })
}

async fn year_of(app: &TestApp) -> i64 {
    let trainee = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let me: Value = app.get(&trainee, "/api/me").await.json().await.unwrap();
    me["year"]["year"].as_i64().unwrap()
}

async fn file(app: &TestApp, office: &Client, body: &Value) -> i64 {
    let res = app.post(office, "/api/activities", body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["status"], "filed");
    a["id"].as_i64().unwrap()
}

async fn approve(app: &TestApp, province: &Client, id: i64) {
    let res = app
        .post(
            province,
            &format!("/api/activities/{id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn upload(app: &TestApp, office: &Client, id: i64, ids: &[&str]) -> Value {
    let res = app
        .post(
            office,
            &format!("/api/activities/{id}/attendance"),
            &json!({ "id_numbers": ids }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn set_year(app: &TestApp, province: &Client, year: i64, change: impl Fn(&mut Value)) {
    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(province, &path).await.json().await.unwrap();
    change(&mut y);
    let res = province.put(app.url(&path)).json(&y).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// 王建国's year as `/api/me/years` shows it.
async fn my_year(app: &TestApp, year: i64) -> Value {
    let trainee = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let years: Value = app
        .get(&trainee, "/api/me/years")
        .await
        .json()
        .await
        .unwrap();
    years
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == year)
        .cloned()
        .unwrap()
}

fn codes(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_activity_is_filed_decided_and_then_fixed() {
    let app = TestApp::spawn().await;
    let year = year_of(&app).await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    insert_admin(&app, Role::OfficeAdmin, "fuzhou-admin", None, "350100").await;
    let outside = app.login_as("fuzhou-admin", DEMO_PASSWORD).await;

    let mut bad = activity(year, 0);
    bad["title"] = json!(" ");
    let res = app.post(&office, "/api/activities", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = error_of(res).await["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["title", "hours"]);
    let res = app
        .post(&office, "/api/activities", &activity(1990, 2))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no such policy year"
    );
    let res = app
        .post(&province, "/api/activities", &activity(year, 2))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the province approves, it does not file"
    );

    let id = file(&app, &office, &activity(year, 2)).await;
    let path = format!("/api/activities/{id}");
    let got: Value = app.get(&office, &path).await.json().await.unwrap();
    assert_eq!(got["region"], "350500");
    assert_eq!(got["year"], year);
    assert_eq!(
        app.get(&outside, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed: Value = app
        .get(&outside, "/api/activities")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed,
        json!([]),
        "another city's office sees none of 泉州's"
    );
    let listed: Value = app
        .get(&province, "/api/activities?status=filed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["id"], id);

    // Filed: attendance waits for the approval; the office may change it.
    let res = app
        .post(
            &office,
            &format!("{path}/attendance"),
            &json!({"id_numbers": [DEMO_GRADED]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "activity_not_approved");
    let res = office
        .put(app.url(&path))
        .json(&activity(year, 3))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let res = app
        .post(
            &province,
            &format!("{path}/reject"),
            &json!({"reason": "  "}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &province,
            &format!("{path}/reject"),
            &json!({"reason": "请补充主讲人资质"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rejected: Value = res.json().await.unwrap();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "请补充主讲人资质");
    let res = app
        .post(&province, &format!("{path}/approve"), &json!({}))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "a rejected activity is refiled first"
    );

    let res = office
        .put(app.url(&path))
        .json(&activity(year, 3))
        .send()
        .await
        .unwrap();
    let refiled: Value = res.json().await.unwrap();
    assert_eq!(refiled["status"], "filed");
    assert_eq!(refiled["reason"], Value::Null);
    approve(&app, &province, id).await;
    let res = office
        .put(app.url(&path))
        .json(&activity(year, 8))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "activity_decided");
    let res = app
        .post(&province, &format!("{path}/approve"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let still: Value = app.get(&office, &path).await.json().await.unwrap();
    assert_eq!(still["hours"], 3, "an approved activity stays as approved");

    let audit: Value = app
        .get(&province, "/api/admin/audit?action=activity")
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "activity.file",
        "activity.update",
        "activity.reject",
        "activity.approve",
    ] {
        assert!(actions.contains(&a), "{a} audited: {actions:?}");
    }
}

#[tokio::test]
async fn attendance_credits_enrolled_people_of_the_region_once_within_the_cap() {
    let app = TestApp::spawn().await;
    let year = year_of(&app).await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    set_year(&app, &province, year, |y| {
        y["supplementary_cap_hours"] = json!(5)
    })
    .await;
    let fuzhou = registration(unit_in_region(&app, "350100").await, "junior");
    let res = app.post(&app.client(), "/api/auth/register", &fuzhou).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let fuzhou_id = fuzhou["id_number"].as_str().unwrap();
    let before = my_year(&app, year).await;
    let per_hour = before["minutes_per_hour"].as_i64().unwrap() * 60;

    let id = file(&app, &office, &activity(year, 4)).await;
    approve(&app, &province, id).await;
    let nobody = unique_id_number();
    let report = upload(
        &app,
        &office,
        id,
        &[
            DEMO_GRADED,
            "350502198001011234",
            DEMO_UNGRADED,
            fuzhou_id,
            &nobody,
            DEMO_GRADED,
        ],
    )
    .await;
    assert_eq!(report["rows"], 6);
    assert_eq!(report["credited"], 1);
    assert_eq!(report["credited_secs"], 4 * per_hour);
    assert_eq!(
        codes(&report),
        [
            (2, "invalid_id_number".to_owned()),
            (3, "not_enrolled".to_owned()),
            (4, "not_in_region".to_owned()),
            (5, "not_found".to_owned()),
            (6, "already_credited".to_owned()),
        ]
    );
    let masked = report["errors"][1]["id_number"].as_str().unwrap();
    assert!(!masked.contains("199203025017"), "masked: {masked}");

    let after = my_year(&app, year).await;
    assert_eq!(after["credited_secs"]["activity"], 4 * per_hour);
    assert_eq!(
        after["credited_total_secs"].as_i64().unwrap(),
        before["credited_total_secs"].as_i64().unwrap() + 4 * per_hour
    );

    // Twice: reported, not credited again.
    let again = upload(&app, &office, id, &[DEMO_GRADED]).await;
    assert_eq!(again["credited"], 0);
    assert_eq!(codes(&again), [(1, "already_credited".to_owned())]);

    // The cap of 5 学时 leaves one of the next activity's 4, and nothing of a third.
    let second = file(&app, &office, &activity(year, 4)).await;
    approve(&app, &province, second).await;
    let report = upload(&app, &office, second, &[DEMO_GRADED]).await;
    assert_eq!(report["credited"], 1);
    assert_eq!(report["capped"], 1);
    assert_eq!(report["credited_secs"], per_hour);
    let third = file(&app, &office, &activity(year, 2)).await;
    approve(&app, &province, third).await;
    let report = upload(&app, &office, third, &[DEMO_GRADED]).await;
    assert_eq!(codes(&report), [(1, "cap_reached".to_owned())]);
    assert_eq!(
        my_year(&app, year).await["credited_secs"]["activity"],
        5 * per_hour
    );

    // A CSV of the attendance (GBK, with a header) is read like the pasted list.
    let fourth = file(&app, &office, &activity(year, 1)).await;
    approve(&app, &province, fourth).await;
    let text = format!("姓名,身份证号\n林晓梅,{DEMO_UNGRADED}\n");
    let (csv, _, _) = encoding_rs::GBK.encode(&text);
    let res = office
        .post(app.url(&format!("/api/activities/{fourth}/attendance")))
        .header("content-type", "text/csv")
        .body(csv.into_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let report: Value = res.json().await.unwrap();
    assert_eq!(codes(&report), [(2, "not_enrolled".to_owned())]);

    // Outside the office's subtree the activity is not found; the province does not upload.
    insert_admin(&app, Role::OfficeAdmin, "fuzhou-admin", None, "350100").await;
    let outside = app.login_as("fuzhou-admin", DEMO_PASSWORD).await;
    let body = json!({"id_numbers": [DEMO_GRADED]});
    let path = format!("/api/activities/{id}/attendance");
    assert_eq!(
        app.post(&outside, &path, &body).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&province, &path, &body).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app.post(&office, &path, &json!({"id_numbers": []})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_dashboard_the_export_and_the_trainees_own_years_agree() {
    let app = TestApp::spawn().await;
    let year = year_of(&app).await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let summary = |client: &Client, query: String| {
        let app = &app;
        let client = client.clone();
        async move {
            let res = app
                .get(&client, &format!("/api/reports/summary{query}"))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()
        }
    };
    let export = |query: String| {
        let app = &app;
        let office = office.clone();
        async move {
            let res = app
                .get(&office, &format!("/api/reports/non-completers.csv{query}"))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            let text = String::from_utf8(res.bytes().await.unwrap()[3..].to_vec()).unwrap();
            text.lines().skip(1).map(str::to_owned).collect::<Vec<_>>()
        }
    };
    let check = |s: &Value, listed: usize| {
        let total = |k: &str| s[k].as_u64().unwrap();
        assert_eq!(
            total("trainees") - total("completed"),
            listed as u64,
            "export = summary"
        );
        for part in ["by_region", "by_unit", "by_grade"] {
            for k in ["trainees", "registered", "paid", "completed"] {
                let sum: u64 = s[part]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r[k].as_u64().unwrap())
                    .sum();
                assert_eq!(sum, total(k), "{part} adds up to the total {k}");
            }
        }
    };
    let city = summary(&office, String::new()).await;
    check(&city, export(String::new()).await.len());
    let top = summary(&province, String::new()).await;
    assert!(
        top["trainees"].as_u64().unwrap() >= 200,
        "the demo has a few hundred trainees"
    );
    assert!(
        top["completed"].as_u64().unwrap() > 0,
        "and some have completed"
    );
    assert!(
        top["by_region"].as_array().unwrap().len() >= 3,
        "in several cities"
    );
    assert!(!my_year(&app, year).await["completed"].as_bool().unwrap());

    // 王建国 completes his year by an activity alone (a requirement of one 学时): the summary,
    // the export and his own page say so together.
    set_year(&app, &province, year, |y| y["graded_hours"] = json!(1)).await;
    let id = file(&app, &office, &activity(year, 1)).await;
    approve(&app, &province, id).await;
    let before = summary(&office, "?region=350502".into()).await;
    let listed = export("?region=350502".into()).await;
    assert!(listed.iter().any(|l| l.starts_with("王建国,")));
    check(&before, listed.len());
    assert_eq!(
        upload(&app, &office, id, &[DEMO_GRADED]).await["credited"],
        1
    );
    let after = summary(&office, "?region=350502".into()).await;
    let listed = export("?region=350502".into()).await;
    check(&after, listed.len());
    assert_eq!(
        after["completed"].as_u64().unwrap(),
        before["completed"].as_u64().unwrap() + 1
    );
    assert!(!listed.iter().any(|l| l.starts_with("王建国,")));
    let mine = my_year(&app, year).await;
    assert_eq!(mine["completed"], true);
    assert_eq!(
        mine["credited_secs"]["activity"],
        mine["minutes_per_hour"].as_i64().unwrap() * 60
    );
}
