//! The audit log (DESIGN.md §8): every admin write, read by the province whole and by an
//! office for the people of its subtree; filtered by actor, action and time; exported as CSV.

use crate::helpers::{error_of, insert_admin, unit_in_region, TestApp, DEMO_PASSWORD};
use qinxue_core::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn entries(app: &TestApp, client: &Client, query: &str) -> Vec<Value> {
    let res = app.get(client, &format!("/api/admin/audit{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    let page: Value = res.json().await.unwrap();
    page["entries"].as_array().unwrap().clone()
}

fn actors(entries: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = entries
        .iter()
        .map(|e| e["actor"]["username"].as_str().unwrap_or("").to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[tokio::test]
async fn a_policy_year_change_is_logged_with_the_fields_before_and_after() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("province-admin", DEMO_PASSWORD).await;
    let years: Value = app
        .get(&admin, "/api/admin/policy-years")
        .await
        .json()
        .await
        .unwrap();
    let mut y = years[0].clone();
    let year = y["year"].as_i64().unwrap();
    y["graded_fee_fen"] = json!(13_000);
    y["daily_cap_minutes"] = json!(360);
    y["supplementary_cap_hours"] = json!(8);
    let res = admin
        .put(app.url(&format!("/api/admin/policy-years/{year}")))
        .json(&y)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let again = admin
        .put(app.url(&format!("/api/admin/policy-years/{year}")))
        .json(&y)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);

    let log = entries(&app, &admin, "?action=policy_year").await;
    assert_eq!(
        log.len(),
        1,
        "saving the same settings again logs nothing: {log:?}"
    );
    let entry = &log[0];
    assert_eq!(entry["action"], "policy_year.update");
    assert_eq!(entry["target"], format!("policy_year:{year}"));
    assert_eq!(entry["actor"]["username"], "province-admin");
    let changed: Vec<(&str, &str, &str)> = entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap(),
                c["before"].as_str().unwrap(),
                c["after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("daily_cap_minutes", "480", "360"),
            ("graded_fee_fen", "12600", "13000"),
            ("supplementary_cap_hours", "12", "8"),
        ]
    );
    let csv = app
        .get(&admin, "/api/admin/audit.csv?action=policy_year")
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = csv.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("编号,时间,操作人"));
    assert!(
        lines[1].contains("policy_year.update")
            && lines[1].contains("graded_fee_fen: 12600 → 13000")
    );
}

#[tokio::test]
async fn an_office_reads_the_actions_of_its_subtree_only_and_the_province_all() {
    let app = TestApp::spawn().await;
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
    // Every admin's sign-in is an audited action.
    for login in ["unit-demo", "unit-fuzhou", "fuzhou-admin", "province-admin"] {
        app.login_as(login, DEMO_PASSWORD).await;
    }
    let quanzhou = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let fuzhou = app.login_as("fuzhou-admin", DEMO_PASSWORD).await;

    assert_eq!(
        actors(&entries(&app, &quanzhou, "?action=sign_in").await),
        ["quanzhou-admin", "unit-demo"]
    );
    assert_eq!(
        actors(&entries(&app, &fuzhou, "?action=sign_in").await),
        ["fuzhou-admin", "unit-fuzhou"]
    );
    assert_eq!(
        actors(&entries(&app, &province, "?action=sign_in").await),
        [
            "fuzhou-admin",
            "province-admin",
            "quanzhou-admin",
            "unit-demo",
            "unit-fuzhou"
        ]
    );
    // By actor; outside the office's subtree the actor's entries are simply not there.
    assert_eq!(
        actors(&entries(&app, &province, "?actor=unit-fuzhou").await),
        ["unit-fuzhou"]
    );
    assert!(entries(&app, &quanzhou, "?actor=unit-fuzhou")
        .await
        .is_empty());
    for login in ["unit-demo", "proctor-demo", crate::helpers::DEMO_GRADED] {
        let someone = app.login_as(login, DEMO_PASSWORD).await;
        let res = app.get(&someone, "/api/admin/audit").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
        let res = app.get(&someone, "/api/admin/audit.csv").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
    }
}

#[tokio::test]
async fn entries_are_filtered_by_time_and_paged_newest_first() {
    let app = TestApp::spawn().await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    for _ in 0..4 {
        app.login_as("unit-demo", DEMO_PASSWORD).await;
    }
    let now: Value = app.advance_clock(0).await;
    let today = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap())
        .unwrap()
        .with_timezone(&qinxue_core::time::shanghai())
        .date_naive()
        .to_string();
    let all = entries(&app, &province, "?actor=unit-demo").await;
    assert_eq!(all.len(), 4);
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let page: Value = app
        .get(&province, "/api/admin/audit?actor=unit-demo&limit=3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["entries"].as_array().unwrap().len(), 3);
    let next = page["next_before"].as_i64().unwrap();
    let rest = entries(&app, &province, &format!("?actor=unit-demo&before={next}")).await;
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["id"], ids[3]);

    app.advance_clock(3 * 86_400).await;
    app.login_as("unit-demo", DEMO_PASSWORD).await;
    // Sessions do not last three days.
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let until_today = entries(&app, &province, &format!("?actor=unit-demo&to={today}")).await;
    assert_eq!(
        until_today.len(),
        4,
        "the date of `to` is included to its last second"
    );
    let later = entries(
        &app,
        &province,
        &format!("?actor=unit-demo&from={today}T23:59:59%2B08:00"),
    )
    .await;
    assert_eq!(later.len(), 1);
    let res = app.get(&province, "/api/admin/audit?from=yesterday").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = error_of(res).await;
    assert_eq!(crate::helpers::fields_of(&error), ["from"]);
}
