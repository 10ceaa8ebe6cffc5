//! The eligibility look-up for exam offices: tokens made and revoked by the province, look-ups
//! by 身份证号 and year, each audited, bad input refused.

use crate::helpers::{error_of, fields_of, TestApp, DEMO_GRADED, DEMO_PASSWORD, DEMO_UNGRADED};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn new_token(app: &TestApp, province: &Client, name: &str) -> (i64, String) {
    let res = app
        .post(province, "/api/admin/api-tokens", &json!({ "name": name }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], name);
    (
        body["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_owned(),
    )
}

async fn look_up(app: &TestApp, token: Option<&str>, query: &str) -> reqwest::Response {
    let mut req = app
        .client()
        .get(app.url(&format!("/api/eligibility?{query}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn this_year(app: &TestApp) -> i64 {
    let client = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    me["year"]["year"].as_i64().unwrap()
}

async fn audited_lookups(app: &TestApp) -> i64 {
    let db = app.db().await;
    let mut conn = db.read().await.unwrap();
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'eligibility.lookup'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    drop(conn);
    db.close().await;
    n
}

#[tokio::test]
async fn an_exam_office_token_answers_who_completed_which_year() {
    let app = TestApp::spawn().await;
    let year = this_year(&app).await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let (_, token) = new_token(&app, &province, "泉州市考务系统").await;
    let ask = |id: &'static str, y: i64| format!("id_number={id}&year={y}");

    let res = look_up(&app, Some(&token), &ask(DEMO_GRADED, year - 1)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["completed"], true);
    assert_eq!(a["required_hours"], 42);
    assert!(a["credited_hours"].as_f64().unwrap() >= 42.0);
    assert!(a["completed_at"].is_string());
    assert_eq!(a["id_number"], "350***********1235");

    let a: Value = look_up(&app, Some(&token), &ask(DEMO_GRADED, year))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (a["completed"].clone(), a["credited_hours"].clone()),
        (json!(false), json!(0.0))
    );

    let a: Value = look_up(&app, Some(&token), &ask(DEMO_UNGRADED, year - 1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["completed"], false);
    assert_eq!(a["required_hours"], 24);
    assert_eq!(a["credited_hours"], 10.0);

    // A valid number nobody registered with: not completed, nothing more.
    let a: Value = look_up(&app, Some(&token), &ask("11010519491231002X", year - 1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["completed"], false);
    assert_eq!(a["required_hours"], 0);
    assert_eq!(audited_lookups(&app).await, 4);
}

#[tokio::test]
async fn without_a_live_token_the_answer_is_401_and_bad_input_400() {
    let app = TestApp::spawn().await;
    let year = this_year(&app).await;
    let q = format!("id_number={DEMO_GRADED}&year={year}");
    for token in [None, Some("qxe_nonsense"), Some("")] {
        let res = look_up(&app, token, &q).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        error_of(res).await;
    }
    // A signed-in person's cookie is no token.
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let res = app.get(&province, &format!("/api/eligibility?{q}")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let (id, token) = new_token(&app, &province, "考务系统").await;
    for (query, field) in [
        (
            format!("id_number=350502198001011234&year={year}"),
            "id_number",
        ),
        (format!("id_number=12345&year={year}"), "id_number"),
        (format!("id_number={DEMO_GRADED}&year=1990"), "year"),
    ] {
        let res = look_up(&app, Some(&token), &query).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        let e = error_of(res).await;
        assert_eq!(e["code"], "invalid_query");
        assert_eq!(fields_of(&e), [field]);
    }
    let res = look_up(&app, Some(&token), "year=2025").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        audited_lookups(&app).await,
        0,
        "refused look-ups ask nothing"
    );

    // Revoked: refused at once; revoking again changes nothing; an unknown token is not found.
    let res = app
        .client()
        .delete(app.url(&format!("/api/admin/api-tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    for _ in 0..2 {
        let res = province
            .delete(app.url(&format!("/api/admin/api-tokens/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(
        look_up(&app, Some(&token), &q).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = province
        .delete(app.url("/api/admin/api-tokens/424242"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_province_makes_tokens_which_are_shown_once_and_stored_hashed() {
    let app = TestApp::spawn().await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let (id, token) = new_token(&app, &province, "厦门市考务系统").await;
    assert!(token.starts_with("qxe_") && token.len() > 40);
    let list: Vec<Value> = app
        .get(&province, "/api/admin/api-tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["name"], "厦门市考务系统");
    assert!(list[0]["revoked_at"].is_null());
    assert!(!list[0].to_string().contains(&token[4..]));
    let db = app.db().await;
    let mut conn = db.read().await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(!stored.contains(&token[4..]));
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.create'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    drop(conn);
    db.close().await;

    for name in ["", "   ", &"长".repeat(61)] {
        let res = app
            .post(&province, "/api/admin/api-tokens", &json!({ "name": name }))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
    }
    for login in [DEMO_GRADED, "unit-demo", "quanzhou-admin"] {
        let other = app.login_as(login, DEMO_PASSWORD).await;
        let res = app
            .post(&other, "/api/admin/api-tokens", &json!({"name": "x"}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
    }
}

#[tokio::test]
async fn a_token_is_rate_limited_and_the_look_up_is_documented() {
    let app = TestApp::spawn().await;
    let year = this_year(&app).await;
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    let (_, token) = new_token(&app, &province, "压力测试").await;
    let (_, other) = new_token(&app, &province, "另一个系统").await;
    let q = format!("id_number={DEMO_GRADED}&year={year}");
    let mut last = StatusCode::OK;
    for _ in 0..121 {
        last = look_up(&app, Some(&token), &q).await.status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        look_up(&app, Some(&other), &q).await.status(),
        StatusCode::OK
    );

    let doc: Value = app
        .get(&app.client(), "/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let op = &doc["paths"]["/api/eligibility"]["get"];
    assert!(op["security"].to_string().contains("api_token"), "{op}");
    assert_eq!(
        doc["components"]["securitySchemes"]["api_token"]["scheme"],
        "bearer"
    );
    assert!(doc["paths"]["/api/admin/api-tokens/{id}"]["delete"].is_object());
}
