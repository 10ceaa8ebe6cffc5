//! Notification delivery: retries until acknowledged, giving up, and each fault of the fault
//! mode, as the merchant's endpoint and the delivery log see them.

use crate::helpers::{error_code, Merchant, Sim, SECRET};
use qinxue_paysim::faults::Faults;
use qinxue_paysim::sign;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;

fn field<'a>(values: &'a [Value], name: &str) -> Vec<&'a str> {
    values.iter().map(|v| v[name].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_notification_is_retried_until_the_merchant_answers_exactly_success() {
    let sim = Sim::start().await;
    // Two errors, then a 200 whose body is not exactly `success`, then the acknowledgement.
    let merchant = Merchant::scripted(&[(500, "error"), (500, "error"), (200, "SUCCESS")]).await;
    let created = sim.create(&merchant, "Q-retry", 12600).await;
    let id = created["payment_id"].as_str().unwrap();
    sim.control(id, "pay").await;

    let got = merchant.wait_for(4).await;
    let log = sim.settled_log(id).await;
    assert_eq!(
        merchant.received().len(),
        4,
        "nothing after the acknowledgement"
    );
    assert_eq!(
        field(&got, "notify_id")
            .into_iter()
            .collect::<HashSet<_>>()
            .len(),
        1
    );
    // Each attempt is signed afresh, with its own nonce.
    assert_eq!(
        field(&got, "nonce")
            .into_iter()
            .collect::<HashSet<_>>()
            .len(),
        4
    );
    for note in &got {
        sign::verify(SECRET.as_bytes(), note.as_object().unwrap()).unwrap();
        assert_eq!(note["status"], "paid");
    }

    let outcomes: Vec<_> = log
        .iter()
        .map(|a| {
            (
                a["attempt"].as_u64().unwrap(),
                a["outcome"].as_str().unwrap(),
                a["http_status"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (1, "rejected", Some(500)),
            (2, "rejected", Some(500)),
            (3, "rejected", Some(200)),
            (4, "acknowledged", Some(200)),
        ]
    );
    assert_eq!(log[2]["detail"], "SUCCESS");
    assert!(log.iter().all(|a| a["gave_up"] == false));
}

#[tokio::test]
async fn delivery_gives_up_after_the_schedule_when_nobody_answers() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    // A port that was just free: connections to it are refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut fields = merchant.order("Q-down", 100);
    fields["notify_url"] = json!(format!("http://127.0.0.1:{port}/notify"));
    let res = sim.create_raw(fields).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["payment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.control(&id, "pay").await;

    let log = sim.settled_log(&id).await;
    // One attempt and the three retries of the test schedule.
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|a| a["outcome"] == "transport_error"));
    assert!(log[3]["gave_up"] == true && log[..3].iter().all(|a| a["gave_up"] == false));
    // The payment is paid all the same: the merchant learns it by querying.
    assert_eq!(sim.payment(&id).await["status"], "paid");
}

#[tokio::test]
async fn the_duplicate_fault_delivers_the_same_notification_several_times() {
    let sim = Sim::start_with(|c| c.faults = Faults::parse("duplicate=1,copies=3").unwrap()).await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-dup", 12600).await;
    let id = created["payment_id"].as_str().unwrap();
    sim.control(id, "pay").await;

    let got = merchant.wait_for(3).await;
    let log = sim.settled_log(id).await;
    assert_eq!(merchant.received().len(), 3);
    let notify_ids: HashSet<_> = field(&got, "notify_id").into_iter().collect();
    assert_eq!(notify_ids.len(), 1, "{got:?}");
    for note in &got {
        sign::verify(SECRET.as_bytes(), note.as_object().unwrap()).unwrap();
        assert_eq!(note["receipt_no"], got[0]["receipt_no"]);
    }
    let mut copies: Vec<_> = log.iter().map(|a| a["copy"].as_u64().unwrap()).collect();
    copies.sort_unstable();
    assert_eq!(copies, vec![1, 2, 3]);
    assert!(log.iter().all(|a| a["outcome"] == "acknowledged"));
}

#[tokio::test]
async fn the_reorder_fault_delivers_a_batch_out_of_order() {
    let sim =
        Sim::start_with(|c| c.faults = Faults::parse("reorder=1,reorder_window_ms=500").unwrap())
            .await;
    let merchant = Merchant::start().await;
    let mut paid_order = Vec::new();
    for n in 0..6 {
        let created = sim.create(&merchant, &format!("Q-reorder-{n}"), 100).await;
        paid_order.push(created["payment_id"].as_str().unwrap().to_owned());
    }
    for id in &paid_order {
        assert_eq!(sim.control(id, "pay").await.status(), StatusCode::OK);
    }
    // Held for the window: nothing has arrived yet.
    assert!(merchant.received().is_empty());

    let got = merchant.wait_for(6).await;
    let received: Vec<String> = field(&got, "payment_id")
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_ne!(received, paid_order, "delivered in the order of the events");
    let mut sorted_received = received.clone();
    sorted_received.sort();
    let mut sorted_paid = paid_order.clone();
    sorted_paid.sort();
    assert_eq!(sorted_received, sorted_paid, "each exactly once");
}

#[tokio::test]
async fn dropped_notifications_leave_the_query_and_can_be_sent_again() {
    let sim = Sim::start_with(|c| c.faults = Faults::parse("drop=1").unwrap()).await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-drop", 12600).await;
    let id = created["payment_id"].as_str().unwrap();
    let paid: Value = sim.control(id, "pay").await.json().await.unwrap();

    let log = sim.settled_log(id).await;
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|a| a["outcome"] == "dropped"));
    assert!(merchant.received().is_empty());
    let queried = sim.payment(id).await;
    assert_eq!(queried["status"], "paid");
    assert_eq!(queried["receipt_no"], paid["receipt_no"]);

    // Faults off, and the same event again on request.
    let res = sim.set_faults("none").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = sim.control(id, "notify").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let notify_id = res.json::<Value>().await.unwrap()["notify_id"].clone();
    let got = merchant.wait_for(1).await;
    assert_eq!(got[0]["notify_id"], notify_id);
    assert_eq!(got[0]["notify_id"], log[0]["notify_id"]);
    assert_eq!(got[0]["receipt_no"], paid["receipt_no"]);
}

#[tokio::test]
async fn the_delay_fault_waits_within_its_range() {
    let sim = Sim::start_with(|c| c.faults = Faults::parse("delay_ms=100-150").unwrap()).await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-delay", 100).await;
    let id = created["payment_id"].as_str().unwrap();
    let started = std::time::Instant::now();
    sim.control(id, "fail").await;
    merchant.wait_for(1).await;
    assert!(started.elapsed().as_millis() >= 100);
    let log = sim.settled_log(id).await;
    let delay = log[0]["delay_ms"].as_u64().unwrap();
    assert!((100..=150).contains(&delay), "{delay}");
}

#[tokio::test]
async fn the_fault_mode_can_be_read_and_changed_at_run_time() {
    let sim = Sim::start().await;
    let view: Value = sim
        .client
        .get(sim.url("/api/sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["spec"], "none");

    let res = sim.set_faults("duplicate=0.5, reorder=1").await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["spec"], "duplicate=0.5,reorder=1");
    assert_eq!(view["faults"]["reorder"], true);

    let res = sim.set_faults("drop=2").await;
    assert_eq!(
        error_code(res, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_field"
    );
    let res = sim
        .client
        .post(sim.url("/api/sim/faults"))
        .json(&json!({"drop": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::BAD_REQUEST).await,
        "invalid_body"
    );
    let view: Value = sim
        .client
        .get(sim.url("/api/sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["spec"], "duplicate=0.5,reorder=1",
        "a refused change changes nothing"
    );
}

#[tokio::test]
async fn a_pending_payment_has_no_notification_to_send() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-pending", 100).await;
    let id = created["payment_id"].as_str().unwrap();
    let res = sim.control(id, "notify").await;
    assert_eq!(
        error_code(res, StatusCode::CONFLICT).await,
        "payment_not_final"
    );
    let res = sim.control("EP404", "pay").await;
    assert_eq!(
        error_code(res, StatusCode::NOT_FOUND).await,
        "payment_not_found"
    );
}
