//! Data survives a restart, and the demo is written only once.

use crate::helpers::{registration, TestApp, DEMO_GRADED, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_restart_keeps_every_account_and_does_not_seed_again() {
    let mut app = TestApp::spawn().await;
    let body = registration(app.some_unit_id().await, "junior");
    assert_eq!(
        app.post(&app.client(), "/api/auth/register", &body)
            .await
            .status(),
        StatusCode::CREATED
    );
    let units_before: Vec<Value> = app
        .get(&app.client(), "/api/units")
        .await
        .json()
        .await
        .unwrap();

    app.restart().await;

    app.login_as(body["id_number"].as_str().unwrap(), "Passw0rd!")
        .await;
    app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let units_after: Vec<Value> = app
        .get(&app.client(), "/api/units")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        units_before, units_after,
        "the demo units were not written twice"
    );
}
