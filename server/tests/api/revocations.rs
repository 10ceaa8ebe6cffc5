//! Revoking a certificate (issue 12): by the province only, with a reason, audited; the
//! verification answer then says revoked, when and why; the signed list of revoked codes
//! names it; a new certificate may be issued after it.

use crate::helpers::{error_of, fields_of, TestApp, DEMO_GRADED, DEMO_PASSWORD};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use qinxue_core::certificate::revocation_message;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn last_years_certificate(app: &TestApp, trainee: &Client) -> Value {
    let me: Value = app.get(trainee, "/api/me").await.json().await.unwrap();
    let year = me["year"]["year"].as_i64().unwrap() - 1;
    let res = app
        .get(trainee, &format!("/api/me/certificates/{year}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn revoked_list(app: &TestApp) -> Value {
    let res = app.get(&app.client(), "/api/verify/revoked").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_province_revokes_a_certificate_with_a_reason_and_verification_says_so() {
    let app = TestApp::spawn().await;
    let trainee = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let c = last_years_certificate(&app, &trainee).await;
    let code = c["code"].as_str().unwrap().to_owned();
    let path = format!("/api/admin/certificates/{code}/revoke");
    let empty = revoked_list(&app).await;
    assert_eq!(empty["codes"], json!([]));

    // Nobody else may; a reason is required.
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let res = app.post(&office, &path, &json!({"reason": "x"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let province = app.login_as("province-admin", DEMO_PASSWORD).await;
    for bad in [json!({"reason": "  "}), json!({"reason": "长".repeat(201)})] {
        let res = app.post(&province, &path, &bad).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields_of(&error_of(res).await), ["reason"]);
    }
    let res = app.post(&province, &path, &json!({})).await;
    assert!(res.status().is_client_error());
    error_of(res).await;
    let res = app
        .post(
            &province,
            "/api/admin/certificates/0000000000/revoke",
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get(&app.client(), &format!("/api/verify/{code}")).await;
    assert_eq!(res.json::<Value>().await.unwrap()["revoked"], false);

    let res = app
        .post(
            &province,
            &path,
            &json!({"reason": "学时记录有误，已重新核定"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let revoked: Value = res.json().await.unwrap();
    assert_eq!(revoked["revoked"], true);
    assert_eq!(revoked["pdf_url"], Value::Null);
    // Again: nothing changes, the first reason stays.
    let res = app
        .post(&province, &path, &json!({"reason": "另一个原因"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let seen: Value = app
        .get(&app.client(), &format!("/api/verify/{code}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["revoked"], true);
    assert_eq!(seen["revoked_reason"], "学时记录有误，已重新核定");
    assert!(seen["revoked_at"].is_string());
    assert_eq!(seen["facts"], c["facts"], "what it stated stays visible");

    // The published list names it, signed with the certificates' key.
    let list = revoked_list(&app).await;
    assert_eq!(list["codes"], json!([code]));
    let key: Value = app
        .get(&app.client(), "/api/verify/key")
        .await
        .json()
        .await
        .unwrap();
    let key: [u8; 32] = hex::decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = VerifyingKey::from_bytes(&key).unwrap();
    let signature: [u8; 64] = hex::decode(list["signature"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let message = revocation_message(
        list["generated_at"].as_i64().unwrap(),
        std::slice::from_ref(&code),
    );
    key.verify(&message, &Signature::from_bytes(&signature))
        .expect("the list's signature holds");
    let other = revocation_message(list["generated_at"].as_i64().unwrap(), &[]);
    assert!(key
        .verify(&other, &Signature::from_bytes(&signature))
        .is_err());

    // Audited once, with the reason.
    let audit: Value = app
        .get(&province, "/api/admin/audit?action=certificate.revoke")
        .await
        .json()
        .await
        .unwrap();
    let text = audit.to_string();
    assert_eq!(
        text.matches("学时记录有误，已重新核定").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("另一个原因"));

    // The holder is issued a new certificate, valid.
    let again = last_years_certificate(&app, &trainee).await;
    assert_ne!(again["code"], c["code"]);
    assert_eq!(again["revoked"], false);
}
