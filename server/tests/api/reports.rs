//! The offices' reports (DESIGN.md §8): scoped to the reader's subtree on the server (404
//! outside it), drill-down from city to county to unit, and a non-completers export whose
//! rows agree with the summary.

use crate::helpers::{lesson_of_kind, Learner, TestApp, DEMO_GRADED, DEMO_PASSWORD};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn summary(app: &TestApp, client: &Client, query: &str) -> Value {
    let res = app
        .get(client, &format!("/api/reports/summary{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

fn part<'a>(list: &'a Value, key: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {list}"))
}

async fn non_completers(app: &TestApp, client: &Client, query: &str) -> Vec<String> {
    let res = app
        .get(client, &format!("/api/reports/non-completers.csv{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    text.lines().skip(1).map(str::to_owned).collect()
}

#[tokio::test]
async fn an_office_drills_down_its_subtree_and_sees_nothing_outside_it() {
    let app = TestApp::spawn().await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let city = summary(&app, &office, "").await;
    assert_eq!(city["region"], "350500");
    assert_eq!(
        city["parent"],
        Value::Null,
        "the office's own region is its top"
    );
    let licheng = part(&city["by_region"], "350502");
    assert_eq!(licheng["name"], "鲤城区");
    assert!(licheng["trainees"].as_i64().unwrap() >= 4);
    assert_eq!(licheng["paid"], 1, "王建国");
    let sum: i64 = city["by_region"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["trainees"].as_i64().unwrap())
        .sum();
    assert_eq!(city["trainees"].as_i64().unwrap(), sum);

    let county = summary(&app, &office, "?region=350502").await;
    assert_eq!(county["parent"], "350500");
    assert_eq!(county["trainees"], licheng["trainees"]);
    assert_eq!(county["by_unit"][0]["name"], "泉州市鲤城区机关事务服务中心");
    assert!(county["by_grade"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["key"] == "intermediate" && g["name"] == "中级工"));

    // Down to a unit: its counts, and only its people in the export.
    let unit = &county["by_unit"][0];
    let unit_id = unit["key"].as_str().unwrap();
    let one = summary(&app, &office, &format!("?region=350502&unit={unit_id}")).await;
    assert_eq!(one["unit"]["name"], unit["name"]);
    assert_eq!(one["trainees"], unit["trainees"]);
    assert_eq!(one["by_unit"].as_array().unwrap().len(), 1);
    let listed = non_completers(&app, &office, &format!("?region=350502&unit={unit_id}")).await;
    assert_eq!(
        listed.len() as i64,
        one["trainees"].as_i64().unwrap() - one["completed"].as_i64().unwrap()
    );
    let elsewhere = part(&city["by_region"], "350503");
    assert!(elsewhere["trainees"].as_i64().unwrap() > 0);
    let fengze = summary(&app, &office, "?region=350503").await;
    let other_unit = fengze["by_unit"][0]["key"].as_str().unwrap();
    let res = app
        .get(
            &office,
            &format!("/api/reports/summary?region=350502&unit={other_unit}"),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a unit outside the region"
    );
    for outside in ["350100", "350000", "999999"] {
        let res = app
            .get(&office, &format!("/api/reports/summary?region={outside}"))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{outside}");
        let res = app
            .get(
                &office,
                &format!("/api/reports/non-completers.csv?region={outside}"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{outside}");
    }
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let top = summary(&app, &province, "").await;
    assert_eq!(top["region"], "350000");
    assert!(top["trainees"].as_i64().unwrap() >= city["trainees"].as_i64().unwrap());
    let from_top = summary(&app, &province, "?region=350500").await;
    assert_eq!(from_top["parent"], "350000");
    assert_eq!(from_top["trainees"], city["trainees"]);
    for login in ["unit-demo", "proctor-demo", DEMO_GRADED] {
        let someone = app.login_as(login, DEMO_PASSWORD).await;
        let res = app.get(&someone, "/api/reports/summary").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
    }
}

#[tokio::test]
async fn a_completed_year_counts_once_and_leaves_the_non_completers_list() {
    let app = TestApp::spawn().await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let before = summary(&app, &office, "?region=350502").await;
    let listed = non_completers(&app, &office, "?region=350502").await;
    let open = before["trainees"].as_i64().unwrap() - before["completed"].as_i64().unwrap();
    assert_eq!(
        listed.len() as i64,
        open,
        "the export agrees with the summary"
    );
    assert!(listed.iter().any(|l| l.starts_with("王建国,")));
    assert!(
        listed.iter().all(|l| !l.contains("350502198001011235")),
        "身份证号 masked"
    );

    // A year of one 学时 of ten minutes, which 王建国 then studies.
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let year = before["year"].as_i64().unwrap();
    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(&province, &path).await.json().await.unwrap();
    y["graded_hours"] = json!(1);
    y["supplementary_cap_hours"] = json!(1);
    y["minutes_per_hour"] = json!(10);
    let res = province.put(app.url(&path)).json(&y).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Elsewhere in 泉州 the demo's staff complete years of their own (the more so with
    // this requirement).
    let city_before = summary(&app, &office, "").await["completed"]
        .as_i64()
        .unwrap();
    let learner = Learner::demo(&app).await;
    let (lesson, _) = lesson_of_kind(&app, "text").await;
    let session = learner.start(lesson).await;
    learner.study(session, 1, 35).await;
    let res = app
        .post(
            &learner.client,
            &format!("/api/study/sessions/{session}/end"),
            &json!({"last": null}),
        )
        .await;
    assert!(res.status().is_success());

    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let after = summary(&app, &office, "?region=350502").await;
    assert_eq!(after["completed"], 1);
    assert_eq!(part(&after["by_region"], "350502")["completed"], 1);
    let city = summary(&app, &office, "").await;
    assert_eq!(city["completed"].as_i64().unwrap(), city_before + 1);
    let listed = non_completers(&app, &office, "?region=350502").await;
    assert_eq!(listed.len() as i64, open - 1);
    assert!(!listed.iter().any(|l| l.starts_with("王建国,")));
}

#[tokio::test]
async fn a_trainee_mid_lesson_counts_with_what_the_live_session_credited() {
    let app = TestApp::spawn().await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let before = summary(&app, &office, "?region=350502").await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let year = before["year"].as_i64().unwrap();
    let path = format!("/api/admin/policy-years/{year}");
    let mut y: Value = app.get(&province, &path).await.json().await.unwrap();
    y["graded_hours"] = json!(1);
    y["supplementary_cap_hours"] = json!(1);
    y["minutes_per_hour"] = json!(10);
    let res = province.put(app.url(&path)).json(&y).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let learner = Learner::demo(&app).await;
    let (lesson, _) = lesson_of_kind(&app, "text").await;
    let session = learner.start(lesson).await;

    // Half of the 学时, the session still open: listed, with what the session credited.
    let (_, next) = learner.study(session, 1, 15).await;
    // What the trainee's own progress page says this year holds.
    let credited = learner.year_secs().await;
    assert!(credited > 0 && credited < 600, "{credited}");
    let listed = non_completers(&app, &office, "?region=350502").await;
    let row = listed
        .iter()
        .find(|l| l.starts_with("王建国,"))
        .expect("王建国 listed");
    let hours = format!("{:.1}", (credited / 60) as f64 / 10.0);
    assert!(
        row.contains(&format!(",{hours},1.0,")),
        "{row} ({credited} s)"
    );

    // The rest of it, the session still open: completed, and the export agrees.
    learner.study(session, next, 20).await;
    let after = summary(&app, &office, "?region=350502").await;
    assert_eq!(after["completed"], 1);
    let listed = non_completers(&app, &office, "?region=350502").await;
    assert_eq!(listed.len() as i64, after["trainees"].as_i64().unwrap() - 1);
    assert!(!listed.iter().any(|l| l.starts_with("王建国,")));
}
