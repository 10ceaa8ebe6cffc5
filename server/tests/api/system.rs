//! Health, unknown paths, the OpenAPI document and the test clock.

use crate::helpers::{error_of, Options, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::spawn().await;
    let res = app.get(&app.client(), "/api/health").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let res = app.get(&app.client(), "/api/no/such/thing").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(res).await["code"], "not_found");

    let res = app
        .client()
        .delete(app.url("/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_of(res).await["code"], "method_not_allowed");
}

#[tokio::test]
async fn the_openapi_document_describes_the_contract() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get(&app.client(), "/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/health",
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/me",
        "/api/units",
        "/api/regions",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    let mut unresolved = Vec::new();
    unresolved_references(&doc, &doc, &mut unresolved);
    assert!(
        unresolved.is_empty(),
        "references to nothing: {unresolved:?}"
    );
    let grade = &doc["components"]["schemas"]["Grade"]["enum"];
    assert_eq!(
        grade,
        &json!([
            "junior",
            "intermediate",
            "senior",
            "technician",
            "senior_technician",
            "ungraded"
        ])
    );
}

/// Every `$ref` under `node` that names nothing in `doc`.
fn unresolved_references(doc: &Value, node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                match value.as_str() {
                    Some(target) if key == "$ref" => {
                        if target
                            .strip_prefix('#')
                            .and_then(|p| doc.pointer(p))
                            .is_none()
                        {
                            out.push(target.to_owned());
                        }
                    }
                    _ => unresolved_references(doc, value, out),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| unresolved_references(doc, item, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_test_clock_moves_deadlines_into_the_past() {
    let app = TestApp::spawn().await;
    let client = app
        .login_as(crate::helpers::DEMO_GRADED, crate::helpers::DEMO_PASSWORD)
        .await;
    let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    assert_eq!(me["year"]["registration_open"], true);

    crate::helpers::advance_past(&app, &client, "registration_deadline").await;
    // Weeks later the old session has expired too.
    let client = app
        .login_as(crate::helpers::DEMO_GRADED, crate::helpers::DEMO_PASSWORD)
        .await;
    let me: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    assert_eq!(me["year"]["registration_open"], false, "{me}");
}

#[tokio::test]
async fn the_test_clock_refuses_to_go_backwards() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            &app.client(),
            "/api/test/clock",
            &json!({"advance_secs": -60}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(res).await["fields"][0]["field"], "advance_secs");
}

#[tokio::test]
async fn without_the_test_flag_there_is_no_test_clock() {
    let app = TestApp::start(Options {
        demo: true,
        test_clock: false,
    })
    .await;
    let res = app
        .post(
            &app.client(),
            "/api/test/clock",
            &json!({"advance_secs": 60}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(res).await["code"], "not_found");
}
