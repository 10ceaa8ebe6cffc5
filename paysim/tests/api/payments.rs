//! The merchant API: create, idempotence, amounts, signatures, timestamps, nonces, queries.

use crate::helpers::{error_code, signed, verified, Merchant, Sim};
use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn health_answers_ok() {
    let sim = Sim::start().await;
    let body: Value = sim
        .client
        .get(sim.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn a_created_payment_is_pending_and_can_be_queried_by_id_and_by_order() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q2025-000001", 12600).await;
    let id = created["payment_id"].as_str().unwrap();
    assert!(id.starts_with("EP"), "{created}");
    assert_eq!(created["amount_fen"], 12600);
    assert_eq!(created["merchant_order_id"], "Q2025-000001");
    assert_eq!(
        created["cashier_url"],
        json!(sim.url(&format!("/cashier/{id}")))
    );

    let by_id = sim.payment(id).await;
    let res = sim
        .signed_get(
            "/api/payments",
            &[],
            &[("merchant_order_id", "Q2025-000001")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let by_order = verified(res).await;
    assert_eq!(by_id, by_order.clone());
    assert_eq!(by_id["status"], "pending");
    assert_eq!(by_id["receipt_no"], Value::Null);
    assert_eq!(by_id["paid_at"], Value::Null);
}

#[tokio::test]
async fn creating_again_with_the_same_amount_returns_the_same_payment() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let first = sim.create(&merchant, "Q-idem", 7200).await;
    let res = sim.create_raw(merchant.order("Q-idem", 7200)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let again = verified(res).await;
    assert_eq!(again["payment_id"], first["payment_id"]);
    assert_eq!(again["cashier_url"], first["cashier_url"]);
}

#[tokio::test]
async fn another_amount_for_the_same_order_is_a_conflict() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    sim.create(&merchant, "Q-amount", 12600).await;
    let res = sim.create_raw(merchant.order("Q-amount", 7200)).await;
    assert_eq!(
        error_code(res, StatusCode::CONFLICT).await,
        "amount_mismatch"
    );
}

#[tokio::test]
async fn after_a_cancelled_payment_the_order_gets_a_new_one_but_after_a_paid_one_it_does_not() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let first = sim.create(&merchant, "Q-again", 12600).await;
    let first_id = first["payment_id"].as_str().unwrap();
    assert_eq!(
        sim.control(first_id, "cancel").await.status(),
        StatusCode::OK
    );

    let second = sim.create(&merchant, "Q-again", 12600).await;
    let second_id = second["payment_id"].as_str().unwrap();
    assert_ne!(second_id, first_id);
    assert_eq!(sim.payment(first_id).await["status"], "cancelled");
    assert_eq!(sim.control(second_id, "pay").await.status(), StatusCode::OK);

    let res = sim.create_raw(merchant.order("Q-again", 12600)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let third = verified(res).await;
    assert_eq!(third["payment_id"], second_id);
    assert_eq!(third["status"], "paid");
    let res = sim
        .signed_get("/api/payments", &[], &[("merchant_order_id", "Q-again")])
        .await;
    assert_eq!(verified(res).await["payment_id"], second_id);
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_creates_nothing() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let mut body = signed(merchant.order("Q-forged", 12600));
    body["amount_fen"] = json!(1);
    let res = sim
        .client
        .post(sim.url("/api/payments"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::UNAUTHORIZED).await,
        "bad_signature"
    );

    let mut unsigned = signed(merchant.order("Q-forged", 12600));
    unsigned.as_object_mut().unwrap().remove("sign");
    let res = sim
        .client
        .post(sim.url("/api/payments"))
        .json(&unsigned)
        .send()
        .await
        .unwrap();
    // `sign` is a required field, so its absence is a malformed body.
    assert_eq!(
        error_code(res, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );

    let res = sim
        .signed_get("/api/payments", &[], &[("merchant_order_id", "Q-forged")])
        .await;
    assert_eq!(
        error_code(res, StatusCode::NOT_FOUND).await,
        "payment_not_found"
    );
}

#[tokio::test]
async fn a_request_signed_with_another_secret_is_refused() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let mut body = signed(merchant.order("Q-secret", 12600));
    let fields = body.as_object().unwrap().clone();
    body["sign"] = json!(qinxue_paysim::sign::sign(b"not-the-secret", &fields).unwrap());
    let res = sim
        .client
        .post(sim.url("/api/payments"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::UNAUTHORIZED).await,
        "bad_signature"
    );
}

#[tokio::test]
async fn a_stale_or_future_timestamp_is_refused() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    for minutes in [-6, 6] {
        let mut fields = merchant.order("Q-stale", 12600);
        fields["timestamp"] =
            json!((Utc::now() + Duration::minutes(minutes))
                .to_rfc3339_opts(SecondsFormat::Secs, true));
        let res = sim.create_raw(fields).await;
        assert_eq!(
            error_code(res, StatusCode::UNAUTHORIZED).await,
            "stale_timestamp"
        );
    }
    // Within the window, and in another offset, is fine.
    let mut fields = merchant.order("Q-stale", 12600);
    fields["timestamp"] = json!((Utc::now() - Duration::minutes(4))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339());
    assert_eq!(sim.create_raw(fields).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_replayed_request_is_refused() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let body = signed(merchant.order("Q-replay", 12600));
    let send = || sim.client.post(sim.url("/api/payments")).json(&body).send();
    assert_eq!(send().await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(
        error_code(send().await.unwrap(), StatusCode::UNAUTHORIZED).await,
        "nonce_reused"
    );
}

#[tokio::test]
async fn malformed_requests_get_a_json_error() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let post = |body: &'static str, content_type: &'static str| {
        sim.client
            .post(sim.url("/api/payments"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let res = post("{", "application/json").await.unwrap();
    assert_eq!(
        error_code(res, StatusCode::BAD_REQUEST).await,
        "invalid_json"
    );
    let res = post("[]", "application/json").await.unwrap();
    assert_eq!(
        error_code(res, StatusCode::BAD_REQUEST).await,
        "invalid_json"
    );
    let res = post("{}", "text/plain").await.unwrap();
    assert_eq!(
        error_code(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await,
        "unsupported_media_type"
    );

    // Amount as a string, an unknown field: the body's shape is wrong.
    let mut fields = merchant.order("Q-bad", 12600);
    fields["amount_fen"] = json!("12600");
    let res = sim.create_raw(fields).await;
    assert_eq!(
        error_code(res, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );
    let mut fields = merchant.order("Q-bad", 12600);
    fields["amount"] = json!(12600);
    let res = sim.create_raw(fields).await;
    assert_eq!(
        error_code(res, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );

    // Well-formed, signed, but against the rules of a field.
    for (field, value) in [
        ("amount_fen", json!(0)),
        ("amount_fen", json!(-100)),
        ("merchant_order_id", json!("has space")),
        ("subject", json!("  ")),
        ("notify_url", json!("ftp://x/notify")),
        ("return_url", json!("/relative")),
        ("nonce", json!("short")),
        ("timestamp", json!("yesterday")),
    ] {
        let mut fields = merchant.order("Q-bad", 12600);
        fields[field] = value;
        let res = sim.create_raw(fields).await;
        assert_eq!(
            error_code(res, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid_field",
            "{field}"
        );
    }
}

#[tokio::test]
async fn queries_must_be_signed_and_name_one_payment() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-query", 12600).await;
    let id = created["payment_id"].as_str().unwrap();

    let res = sim
        .client
        .get(sim.url(&format!("/api/payments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::BAD_REQUEST).await,
        "invalid_query"
    );

    // A signature made for another payment does not open this one.
    let other = sim.create(&merchant, "Q-query-2", 100).await;
    let other_id = other["payment_id"].as_str().unwrap();
    let res = sim
        .signed_get(
            &format!("/api/payments/{id}"),
            &[("payment_id", other_id)],
            &[],
        )
        .await;
    assert_eq!(
        error_code(res, StatusCode::UNAUTHORIZED).await,
        "bad_signature"
    );

    let res = sim
        .signed_get("/api/payments/EP0000", &[("payment_id", "EP0000")], &[])
        .await;
    assert_eq!(
        error_code(res, StatusCode::NOT_FOUND).await,
        "payment_not_found"
    );

    let res = sim
        .signed_get(
            "/api/payments",
            &[],
            &[("merchant_order_id", "Q-query"), ("extra", "1")],
        )
        .await;
    assert_eq!(
        error_code(res, StatusCode::BAD_REQUEST).await,
        "invalid_query"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let sim = Sim::start().await;
    let res = sim.client.get(sim.url("/nowhere")).send().await.unwrap();
    assert_eq!(error_code(res, StatusCode::NOT_FOUND).await, "not_found");
    let res = sim
        .client
        .delete(sim.url("/api/payments"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::METHOD_NOT_ALLOWED).await,
        "method_not_allowed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_of_one_order_make_one_payment() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let request = sim
            .client
            .post(sim.url("/api/payments"))
            .json(&signed(merchant.order("Q-race", 12600)));
        tasks.spawn(async move { verified(request.send().await.unwrap()).await });
    }
    let answers = tasks.join_all().await;
    let ids: std::collections::HashSet<_> = answers
        .iter()
        .map(|a| a["payment_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
}
