//! A storm of notifications: many trainees pay at once while the simulator duplicates, delays,
//! drops and reorders its notifications. Every order must end paid exactly once. A small storm
//! runs with every `cargo test`; `scripts/notify-storm.sh` runs the full one (1,000 orders).

use crate::helpers::{registration, TestApp, DEMO_PASSWORD};
use crate::sim::{app_with, count, payment_id, PaySim};
use futures::stream::{self, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Instant;

/// Duplicates (up to 3 copies), reordering in batches, random delays and some dropped
/// attempts; the retries outlast the drops.
const FAULTS: &str =
    "duplicate=0.5,copies=3,reorder=1,reorder_window_ms=300,drop=0.1,delay_ms=0-100";
const RETRIES: &str = "0.2,0.4,0.8,1.6,3.2";

#[tokio::test]
async fn a_small_storm_of_notifications_ends_with_every_order_paid_once() {
    storm(40).await;
}

/// `scripts/notify-storm.sh`; `STORM_ORDERS` sets the number of orders (default 1,000).
#[tokio::test]
#[ignore = "takes minutes; run by scripts/notify-storm.sh"]
async fn notify_storm() {
    let orders = std::env::var("STORM_ORDERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    storm(orders).await;
}

async fn storm(orders: usize) {
    let sim = PaySim::start_with(RETRIES).await;
    let app = app_with(&sim).await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let me: Value = app.get(&admin, "/api/me").await.json().await.unwrap();
    let unit = me["unit"]["id"].as_i64().unwrap();
    let year = me["year"]["year"].as_i64().unwrap();

    let started = Instant::now();
    let created: Vec<(i64, String)> = stream::iter(0..orders)
        .map(|i| {
            open_order(
                &app,
                unit,
                year,
                if i % 3 == 0 { "ungraded" } else { "senior" },
            )
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let made = started.elapsed();

    sim.faults(FAULTS).await;
    let started = Instant::now();
    stream::iter(&created)
        .map(|(_, payment)| sim.act(payment, "pay"))
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    let log = sim.settled_log().await;
    let settled = started.elapsed();

    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for a in &log {
        *outcomes.entry(a["outcome"].as_str().unwrap()).or_default() += 1;
    }
    let given_up = log.iter().filter(|a| a["gave_up"] == true).count();
    // Anything lost for good is what reconciliation is for; it should rarely have work.
    let report: Value = app
        .post(&app.client(), "/api/test/reconcile", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    println!(
        "storm: {orders} orders made in {made:.1?}; {} delivery attempts {outcomes:?}, \
         {given_up} deliveries given up, all settled in {settled:.1?}; reconciliation {report}",
        log.len()
    );

    let ids: Vec<String> = created.iter().map(|(id, _)| id.to_string()).collect();
    let ids = ids.join(", ");
    let paid = count(
        &app,
        &format!("SELECT COUNT(*) FROM orders WHERE status = 'paid' AND id IN ({ids})"),
    )
    .await;
    assert_eq!(paid, orders as i64, "every order is paid");
    let applied_twice = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM (SELECT order_id FROM payment_notifications \
             WHERE verdict IN ('paid', 'refund_due') AND order_id IN ({ids}) \
             GROUP BY order_id HAVING COUNT(*) <> 1) AS twice"
        ),
    )
    .await;
    assert_eq!(applied_twice, 0, "no order is applied twice");
    let activated = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM order_items WHERE outcome = 'activated' AND order_id IN ({ids})"
        ),
    )
    .await;
    assert_eq!(activated, orders as i64, "every trainee is activated once");
    let refunds = count(&app, "SELECT COUNT(*) FROM orders WHERE refund_fen > 0").await;
    assert_eq!(refunds, 0);
    let received = count(
        &app,
        "SELECT COUNT(*) FROM payment_notifications WHERE source = 'notify'",
    )
    .await;
    assert!(received >= orders as i64, "{received} notifications kept");
    println!("storm: {received} notifications received and kept, {orders} applied");
}

/// A new trainee of the unit opens their own order: (order id, payment id).
async fn open_order(app: &TestApp, unit: i64, year: i64, grade: &str) -> (i64, String) {
    let client = app.client();
    let res = app
        .post(&client, "/api/auth/register", &registration(unit, grade))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(&client, "/api/orders", &json!({ "year": year }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    (
        created["id"].as_i64().unwrap(),
        payment_id(created["pay_url"].as_str().unwrap()),
    )
}
