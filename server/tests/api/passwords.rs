//! One-time passwords (issue 11: accounts a roster import makes; issue 14: 忘记密码): shown
//! once, good for signing in, and nothing else works until the person sets their own; an
//! admin who verified the person resets a trainee's password inside their unit or region
//! subtree only, which ends the trainee's sessions and is audited.

use crate::helpers::{
    error_of, insert_admin, unique_id_number, unique_phone, unit_in_region, TestApp, DEMO_GRADED,
    DEMO_PASSWORD,
};
use qinxue_core::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn import(app: &TestApp, admin: &Client, csv: &str) -> Value {
    let res = admin
        .post(app.url("/api/unit/roster/import"))
        .header(reqwest::header::CONTENT_TYPE, "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn login(app: &TestApp, login: &str, password: &str) -> (Client, reqwest::Response) {
    let client = app.client();
    let res = app
        .post(
            &client,
            "/api/auth/login",
            &json!({"login": login, "password": password}),
        )
        .await;
    (client, res)
}

async fn set_password(
    app: &TestApp,
    client: &Client,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.post(
        client,
        "/api/me/password",
        &json!({"current_password": current, "new_password": new}),
    )
    .await
}

#[tokio::test]
async fn an_imported_person_signs_in_with_the_sheet_and_must_set_a_password_first() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let (id_number, phone) = (unique_id_number(), unique_phone());
    let csv = format!(
        "身份证号,姓名,手机,用工类型,工种,等级\n{id_number},何小明,{phone},在编在岗,电工,初级工\n\
         {DEMO_GRADED},王建国,13805950001,在编在岗,电工,中级工\n"
    );
    let preview: Value = admin
        .post(app.url("/api/unit/roster/import?dry_run=true"))
        .body(csv.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        preview["passwords"],
        json!([]),
        "a dry run makes no password"
    );
    let done = import(&app, &admin, &csv).await;
    let sheet = done["passwords"].as_array().unwrap();
    assert_eq!(sheet.len(), 1, "only the new person gets one: {done}");
    assert_eq!(sheet[0]["row"], 2);
    assert_eq!(sheet[0]["name"], "何小明");
    assert_eq!(sheet[0]["id_number"], id_number.as_str());
    let one_time = sheet[0]["password"].as_str().unwrap().to_owned();
    assert_eq!(one_time.len(), 10);

    let (person, res) = login(&app, &id_number, &one_time).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me = app.get(&person, "/api/me").await;
    assert_eq!(me.status(), StatusCode::OK, "who they are is open");
    for path in [
        "/api/selections",
        "/api/study/progress",
        "/api/me/years",
        "/api/orders",
    ] {
        let res = app.get(&person, path).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            error_of(res).await["code"],
            "password_change_required",
            "{path}"
        );
    }
    let res = set_password(&app, &person, "wrong-one", "Mein-Passwort-7").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(res).await["fields"][0]["field"],
        "current_password"
    );
    for bad in ["short", one_time.as_str(), id_number.as_str()] {
        let res = set_password(&app, &person, &one_time, bad).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(error_of(res).await["fields"][0]["field"], "new_password");
    }
    let res = set_password(&app, &person, &one_time, "Mein-Passwort-7").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&person, "/api/selections").await.status(),
        StatusCode::OK
    );
    let (_, res) = login(&app, &id_number, &one_time).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the sheet's password is spent"
    );
    let (_, res) = login(&app, &phone, "Mein-Passwort-7").await;
    assert_eq!(res.status(), StatusCode::OK);

    // The same file again makes no account and no password, and keeps the person's own.
    let again = import(&app, &admin, &csv).await;
    assert_eq!(
        (
            again["created"].as_i64(),
            again["passwords"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    let (_, res) = login(&app, &id_number, "Mein-Passwort-7").await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn trainee_id(app: &TestApp, admin: &Client, id_number_tail: &str) -> i64 {
    let staff: Value = app
        .get(admin, "/api/unit/staff")
        .await
        .json()
        .await
        .unwrap();
    staff["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id_number"].as_str().unwrap().ends_with(id_number_tail))
        .and_then(|s| s["id"].as_i64())
        .expect("the trainee is staff of the unit")
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_the_unit_or_the_office_only_in_their_reach() {
    let app = TestApp::spawn().await;
    let unit = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let wang = trainee_id(&app, &unit, &DEMO_GRADED[14..]).await;
    let studying = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let path = format!("/api/people/{wang}/password-reset");

    // Outside the admin's reach: another unit, an office of another city; not an admin.
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
    for (login, status) in [
        ("unit-fuzhou", StatusCode::NOT_FOUND),
        ("fuzhou-admin", StatusCode::NOT_FOUND),
        ("proctor-demo", StatusCode::FORBIDDEN),
        (DEMO_GRADED, StatusCode::FORBIDDEN),
    ] {
        let someone = app.login_as(login, DEMO_PASSWORD).await;
        assert_eq!(
            app.post(&someone, &path, &json!({})).await.status(),
            status,
            "{login}"
        );
    }
    let res = app
        .post(&unit, "/api/people/999999/password-reset", &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&studying, "/api/selections").await.status(),
        StatusCode::OK
    );

    let res = app.post(&unit, &path, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let reset: Value = res.json().await.unwrap();
    assert_eq!(reset["name"], "王建国");
    assert!(
        reset["id_number"].as_str().unwrap().contains('*'),
        "masked: {reset}"
    );
    let one_time = reset["password"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&studying, "/api/selections").await.status(),
        StatusCode::UNAUTHORIZED,
        "the trainee's sessions end"
    );
    let (_, res) = login(&app, DEMO_GRADED, DEMO_PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
    let (person, res) = login(&app, DEMO_GRADED, &one_time).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.get(&person, "/api/selections").await;
    assert_eq!(error_of(res).await["code"], "password_change_required");
    assert_eq!(
        set_password(&app, &person, &one_time, "Wang-Jianguo-2026")
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&person, "/api/selections").await.status(),
        StatusCode::OK
    );

    // The office of his city may reset too; both resets and the change are in the audit log.
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    assert_eq!(
        app.post(&office, &path, &json!({})).await.status(),
        StatusCode::OK
    );
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let log: Value = app
        .get(&province, "/api/admin/audit?action=password")
        .await
        .json()
        .await
        .unwrap();
    let entries = log["entries"].as_array().unwrap();
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["target"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let target = format!("user:{wang}");
    assert_eq!(
        actions
            .iter()
            .filter(|(a, t)| *a == "password.reset" && *t == target)
            .count(),
        2,
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|(a, _)| *a == "password.change"),
        "{actions:?}"
    );
    assert!(
        entries.iter().all(|e| !e.to_string().contains(&one_time)),
        "no password in the log"
    );
}
