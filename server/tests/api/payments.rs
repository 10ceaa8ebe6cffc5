//! Registration and payment against the real simulator process over HTTP (DESIGN.md §4):
//! individual and unit orders, and every way notifications can go wrong. Each test checks
//! the final orders, enrolments and refund flags, and what the server kept of every
//! notification.

use crate::helpers::{error_of, registration, TestApp, DEMO_GRADED, DEMO_PASSWORD};
use crate::sim::{activations, app_with, count, notification, payment_id, stored, PaySim, SECRET};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A new trainee of the demo admin's unit, signed in: (browser, user id).
async fn trainee(app: &TestApp, grade: &str) -> (Client, i64) {
    let (client, id, _) = trainee_and_login(app, grade).await;
    (client, id)
}

/// [`trainee`], and their 身份证号 to sign in again (the password is `Passw0rd!`).
async fn trainee_and_login(app: &TestApp, grade: &str) -> (Client, i64, String) {
    let client = app.client();
    let unit = demo_unit(app).await;
    let body = registration(unit, grade);
    let res = app.post(&client, "/api/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    (client, id, body["id_number"].as_str().unwrap().to_owned())
}

/// The unit of the demo unit admin (`unit-demo`).
async fn demo_unit(app: &TestApp) -> i64 {
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let me: Value = app.get(&admin, "/api/me").await.json().await.unwrap();
    me["unit"]["id"].as_i64().unwrap()
}

async fn year(app: &TestApp, client: &Client) -> i64 {
    let me: Value = app.get(client, "/api/me").await.json().await.unwrap();
    me["year"]["year"].as_i64().unwrap()
}

async fn enrolled(app: &TestApp, client: &Client) -> bool {
    let me: Value = app.get(client, "/api/me").await.json().await.unwrap();
    me["year"]["enrolled"].as_bool().unwrap()
}

/// Creates an order; panics unless it is 201. Returns `{id, amount_fen, status, pay_url}`.
async fn create(app: &TestApp, client: &Client, body: Value) -> Value {
    let res = app.post(client, "/api/orders", &body).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

/// A trainee's own order for the year.
async fn own_order(app: &TestApp, client: &Client) -> Value {
    let y = year(app, client).await;
    create(app, client, json!({ "year": y })).await
}

async fn order(app: &TestApp, client: &Client, id: i64) -> Value {
    let res = app.get(client, &format!("/api/orders/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn instant(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn id_of(created: &Value) -> i64 {
    created["id"].as_i64().unwrap()
}

fn pid(created: &Value) -> String {
    payment_id(created["pay_url"].as_str().unwrap())
}

#[tokio::test]
async fn a_trainee_pays_at_the_cashier_and_the_return_page_learns_the_result_from_the_server() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (client, me) = trainee(&app, "ungraded").await;
    assert!(!enrolled(&app, &client).await);

    let created = own_order(&app, &client).await;
    assert_eq!(created["amount_fen"], 7200);
    assert_eq!(created["status"], "pending");
    let pay_url = created["pay_url"].as_str().unwrap();
    assert!(
        pay_url.starts_with(&format!("{}/cashier/EP", sim.url())),
        "{pay_url}"
    );

    // The browser presses 确认支付 and is sent back to the front end's return page, whose
    // query string says nothing the server relies on.
    let back = sim.press(&pid(&created), "pay").await;
    assert!(
        back.starts_with(&format!(
            "{}/pay/return?order_id={}",
            app.base,
            id_of(&created)
        )),
        "{back}"
    );
    sim.settled_log().await;

    let paid = order(&app, &client, id_of(&created)).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["amount_fen"], 7200);
    assert!(paid["receipt_no"].as_str().unwrap().starts_with("FJ"));
    assert!(paid["paid_at"].is_string());
    assert_eq!(paid["items"][0]["outcome"], "activated");
    assert!(paid["pay_url"].is_null());
    assert!(enrolled(&app, &client).await);
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(
        (s.status.as_str(), s.activated, s.refund_fen),
        ("paid", 1, 0)
    );
    assert_eq!(s.verdicts, ["paid"]);
    assert_eq!(activations(&app, me).await, 1);

    // Paid once; asking again is refused, naming the year.
    let y = year(&app, &client).await;
    let res = app
        .post(&client, "/api/orders", &json!({ "year": y }))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "already_paid");
    let list: Vec<Value> = app.get(&client, "/api/orders").await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "paid");
}

#[tokio::test]
async fn graded_trainees_pay_126_yuan_and_an_open_order_is_reused_not_doubled() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (client, _) = trainee(&app, "technician").await;
    let first = own_order(&app, &client).await;
    assert_eq!(first["amount_fen"], 12600);
    let again = own_order(&app, &client).await;
    assert_eq!(id_of(&again), id_of(&first));
    assert_eq!(
        again["pay_url"], first["pay_url"],
        "the platform's open payment"
    );

    // Cancelled at the cashier: the order stays payable, with a new payment.
    sim.act(&pid(&first), "cancel").await;
    sim.settled_log().await;
    assert_eq!(
        order(&app, &client, id_of(&first)).await["status"],
        "cancelled"
    );
    let res = app
        .post(
            &client,
            &format!("/api/orders/{}/pay", id_of(&first)),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let repay: Value = res.json().await.unwrap();
    assert_ne!(pid(&repay), pid(&first));
    assert_eq!(
        order(&app, &client, id_of(&first)).await["status"],
        "pending"
    );
    sim.act(&pid(&repay), "pay").await;
    sim.settled_log().await;
    assert_eq!(order(&app, &client, id_of(&first)).await["status"], "paid");
    assert!(enrolled(&app, &client).await);
    let s = stored(&app, id_of(&first)).await;
    assert_eq!(s.verdicts, ["closed", "paid"]);

    let res = app
        .post(
            &client,
            &format!("/api/orders/{}/pay", id_of(&first)),
            &json!({}),
        )
        .await;
    assert_eq!(error_of(res).await["code"], "order_settled");
}

#[tokio::test]
async fn a_unit_admin_pays_for_several_staff_in_one_order_and_all_are_activated_together() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (a_client, a) = trainee(&app, "senior").await;
    let (b_client, b) = trainee(&app, "ungraded").await;
    let (outsider, _) = trainee(&app, "junior").await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;

    let staff: Value = app
        .get(&admin, "/api/unit/staff")
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<&Value> = staff["staff"].as_array().unwrap().iter().collect();
    let row_a = listed.iter().find(|s| s["id"] == a).unwrap();
    assert_eq!(row_a["fee_fen"], 12600);
    assert_eq!(row_a["paid"], false);
    assert!(row_a["id_number"].as_str().unwrap().contains('*'));
    assert!(row_a["phone"].as_str().unwrap().contains('*'));
    let demo = listed.iter().find(|s| s["name"] == "王建国").unwrap();
    assert_eq!(demo["paid"], true, "the demo's paid trainee");

    let y = staff["year"].as_i64().unwrap();
    let created = create(&app, &admin, json!({ "year": y, "trainee_ids": [a, b] })).await;
    assert_eq!(created["amount_fen"], 12600 + 7200);
    let staff: Value = app
        .get(&admin, "/api/unit/staff")
        .await
        .json()
        .await
        .unwrap();
    let row_a = staff["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == a)
        .unwrap();
    assert_eq!(row_a["open_order_id"], created["id"]);

    sim.act(&pid(&created), "pay").await;
    sim.settled_log().await;
    let paid = order(&app, &admin, id_of(&created)).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["kind"], "unit");
    assert_eq!(paid["items"].as_array().unwrap().len(), 2);
    assert!(enrolled(&app, &a_client).await && enrolled(&app, &b_client).await);
    assert_eq!(stored(&app, id_of(&created)).await.activated, 2);

    // A trainee it paid for sees the order with only their own line; anyone else sees nothing.
    let seen = order(&app, &a_client, id_of(&created)).await;
    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    assert_eq!(seen["items"][0]["trainee_id"], a);
    let res = app
        .get(&outsider, &format!("/api/orders/{}", id_of(&created)))
        .await;
    assert_eq!(error_of(res).await["code"], "not_found");
    for who in [&outsider, &a_client] {
        let res = app
            .post(
                who,
                &format!("/api/orders/{}/pay", id_of(&created)),
                &json!({}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "only the unit pays its order"
        );
    }
    let unit_orders: Vec<Value> = app.get(&admin, "/api/orders").await.json().await.unwrap();
    assert!(unit_orders.iter().any(|o| o["id"] == created["id"]));

    // Paid people cannot be put in another order; the answer names them.
    let res = app
        .post(
            &admin,
            "/api/orders",
            &json!({ "year": y, "trainee_ids": [a] }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let e = error_of(res).await;
    assert_eq!(e["code"], "already_paid");
    assert!(e["message"].as_str().unwrap().contains("测试学员"), "{e}");
    let audited = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'create_unit_order'",
    )
    .await;
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_unit_admin_cannot_order_for_other_units_staff_and_bad_orders_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let y = year(&app, &admin).await;
    // A trainee of another unit (the directory's first unit is not the demo admin's).
    let stranger = app.client();
    let body = registration(app.some_unit_id().await, "junior");
    let res = app.post(&stranger, "/api/auth/register", &body).await;
    let stranger_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    for (body, code) in [
        (
            json!({ "year": y, "trainee_ids": [stranger_id] }),
            "validation_failed",
        ),
        (
            json!({ "year": y, "trainee_ids": [999_999] }),
            "validation_failed",
        ),
        (json!({ "year": y, "trainee_ids": [] }), "validation_failed"),
        (json!({ "year": y }), "validation_failed"),
        (
            json!({ "year": y + 1, "trainee_ids": [stranger_id] }),
            "validation_failed",
        ),
        (json!({ "year": "this" }), "invalid_body"),
    ] {
        let res = app.post(&admin, "/api/orders", &body).await;
        assert!(res.status().is_client_error(), "{body}");
        assert_eq!(error_of(res).await["code"], code, "{body}");
    }
    let res = app
        .post(
            &admin,
            "/api/orders",
            &json!({ "year": y, "trainee_ids": [stranger_id] }),
        )
        .await;
    let e = error_of(res).await;
    assert_eq!(e["fields"][0]["code"], "not_unit_staff");

    // A trainee orders only for themself; other roles not at all.
    let res = app
        .post(
            &stranger,
            "/api/orders",
            &json!({ "year": y, "trainee_ids": [stranger_id] }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let res = app
        .post(&office, "/api/orders", &json!({ "year": y }))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.get(&stranger, "/api/unit/staff").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM orders WHERE kind = 'unit'").await,
        0
    );
}

#[tokio::test]
async fn the_demo_trainee_has_a_paid_order_and_cannot_pay_again() {
    let app = TestApp::spawn().await;
    let client = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let list: Vec<Value> = app.get(&client, "/api/orders").await.json().await.unwrap();
    let y = year(&app, &client).await;
    // This year's order, and last year's (the demo's completed previous year), newest first.
    let years: Vec<i64> = list.iter().map(|o| o["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [y, y - 1]);
    for order in &list {
        assert_eq!(order["status"], "paid");
        assert_eq!(order["amount_fen"], 12600);
        assert!(order["receipt_no"].is_string());
    }
    assert!(enrolled(&app, &client).await);
    let res = app
        .post(&client, "/api/orders", &json!({ "year": y }))
        .await;
    assert_eq!(error_of(res).await["code"], "already_paid");
}

#[tokio::test]
async fn a_notification_delivered_five_times_at_once_is_applied_once() {
    let sim = PaySim::start().await;
    sim.faults("duplicate=1,copies=5").await;
    let app = app_with(&sim).await;
    let (client, me) = trainee(&app, "junior").await;
    let created = own_order(&app, &client).await;
    sim.act(&pid(&created), "pay").await;
    let log = sim.settled_log().await;

    let acks = log
        .iter()
        .filter(|a| a["outcome"] == "acknowledged")
        .count();
    assert_eq!(acks, 5, "every copy is answered success: {log:?}");
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(s.status, "paid");
    assert_eq!(s.applied(), 1, "{:?}", s.verdicts);
    assert_eq!(s.verdicts.len(), 5);
    assert_eq!(s.verdicts.iter().filter(|v| *v == "duplicate").count(), 4);
    assert_eq!(activations(&app, me).await, 1);
    assert!(enrolled(&app, &client).await);
}

#[tokio::test]
async fn notifications_out_of_order_leave_a_paid_order_paid() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (client, me) = trainee(&app, "intermediate").await;
    let mut others = Vec::new();
    for grade in ["ungraded", "senior", "junior"] {
        let (c, id) = trainee(&app, grade).await;
        let o = own_order(&app, &c).await;
        others.push((c, id, o));
    }
    // Notifications are held for a moment and each batch is delivered shuffled, never in the
    // order of events. A batch of two comes reversed: the new payment's `paid` before the old
    // payment's `cancelled`.
    sim.faults("reorder=1,reorder_window_ms=2000").await;
    let created = own_order(&app, &client).await;
    sim.act(&pid(&created), "cancel").await;
    let res = app
        .post(
            &client,
            &format!("/api/orders/{}/pay", id_of(&created)),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let repay: Value = res.json().await.unwrap();
    sim.act(&pid(&repay), "pay").await;
    let log = sim.settled_log().await;
    let mut delivered: Vec<&str> = log.iter().map(|a| a["status"].as_str().unwrap()).collect();
    delivered.sort_unstable();
    assert_eq!(delivered, ["cancelled", "paid"]);
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(s.status, "paid");
    // Handled concurrently (PostgreSQL) the two may be recorded in either order; whichever
    // way, the old payment's cancellation changed nothing.
    let mut verdicts = s.verdicts.clone();
    verdicts.sort_unstable();
    assert_eq!(verdicts, ["paid", "stale"]);

    // Then several payments and a repeat of that old cancellation, all shuffled together.
    for (_, _, o) in &others {
        sim.act(&pid(o), "pay").await;
    }
    let res = reqwest::Client::new()
        .post(format!(
            "{}/api/sim/payments/{}/notify",
            sim.url(),
            pid(&created)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    sim.settled_log().await;
    let s = stored(&app, id_of(&created)).await;
    assert_eq!((s.status.as_str(), s.applied()), ("paid", 1));
    assert_eq!(activations(&app, me).await, 1);
    assert!(enrolled(&app, &client).await);
    for (c, id, o) in others {
        assert_eq!(stored(&app, id_of(&o)).await.status, "paid");
        assert_eq!(activations(&app, id).await, 1);
        assert!(enrolled(&app, &c).await);
    }
}

#[tokio::test]
async fn a_lost_notification_is_recovered_by_reconciliation() {
    let sim = PaySim::start().await;
    sim.faults("drop=1").await;
    let app = app_with(&sim).await;
    let (client, me) = trainee(&app, "ungraded").await;
    let created = own_order(&app, &client).await;
    sim.act(&pid(&created), "pay").await;
    let log = sim.settled_log().await;
    assert!(log.iter().all(|a| a["outcome"] == "dropped"));
    assert!(log.last().unwrap()["gave_up"].as_bool().unwrap());
    assert_eq!(
        order(&app, &client, id_of(&created)).await["status"],
        "pending"
    );
    assert!(!enrolled(&app, &client).await);

    let report: Value = app
        .post(&app.client(), "/api/test/reconcile", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report, json!({"checked": 1, "resolved": 1, "failed": 0}));
    let paid = order(&app, &client, id_of(&created)).await;
    assert_eq!(paid["status"], "paid");
    assert!(paid["receipt_no"].is_string());
    assert!(enrolled(&app, &client).await);
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(s.verdicts, ["paid"]);
    let from_query = count(
        &app,
        "SELECT COUNT(*) FROM payment_notifications WHERE source = 'query'",
    )
    .await;
    assert_eq!(from_query, 1);

    // A second run finds nothing open; the notification re-sent later changes nothing.
    let report: Value = app
        .post(&app.client(), "/api/test/reconcile", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["checked"], 0);
    sim.faults("none").await;
    let res = reqwest::Client::new()
        .post(format!(
            "{}/api/sim/payments/{}/notify",
            sim.url(),
            pid(&created)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    sim.settled_log().await;
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(s.verdicts, ["paid", "duplicate"]);
    assert_eq!(activations(&app, me).await, 1);
}

/// A pending order and its payment, for tests that post notifications by hand.
async fn pending_order(app: &TestApp) -> (Client, Value, Value) {
    let (client, _) = trainee(app, "junior").await;
    let created = own_order(app, &client).await;
    let full = order(app, &client, id_of(&created)).await;
    (client, created, full)
}

async fn notify(app: &TestApp, body: &[u8]) -> reqwest::Response {
    app.client()
        .post(app.url("/api/payments/notify"))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

fn paid_notification(secret: &str, full: &Value, created: &Value, amount_fen: i64) -> Value {
    notification(
        secret,
        json!({
            "payment_id": pid(created),
            "merchant_order_id": full["order_no"],
            "amount_fen": amount_fen,
            "status": "paid",
            "receipt_no": "FJ2026090100000001",
            "paid_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "notify_id": "NT20260901AAAAAAAAAAAAAAAA",
        }),
    )
}

#[tokio::test]
async fn forged_unsigned_and_malformed_notifications_get_a_4xx_and_change_nothing() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (client, created, full) = pending_order(&app).await;
    let forged = paid_notification("not-the-secret", &full, &created, 12600);
    let mut unsigned = forged.clone();
    unsigned.as_object_mut().unwrap().remove("sign");
    let mut incomplete = paid_notification(SECRET, &full, &created, 12600);
    incomplete.as_object_mut().unwrap().remove("sign");
    incomplete.as_object_mut().unwrap().remove("receipt_no");
    let incomplete = notification(SECRET, incomplete);

    for (body, status, code) in [
        (forged.to_string().into_bytes(), 401, "bad_signature"),
        (unsigned.to_string().into_bytes(), 401, "bad_signature"),
        (b"{\"payment_id\": ".to_vec(), 400, "invalid_json"),
        (b"[1, 2]".to_vec(), 400, "invalid_json"),
        (
            incomplete.to_string().into_bytes(),
            422,
            "validation_failed",
        ),
    ] {
        let res = notify(&app, &body).await;
        assert_eq!(
            res.status().as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(error_of(res).await["code"], code);
    }
    let res = notify(&app, &vec![b' '; 100 * 1024]).await;
    assert_eq!(error_of(res).await["code"], "payload_too_large");
    assert_eq!(
        order(&app, &client, id_of(&created)).await["status"],
        "pending"
    );
    assert!(!enrolled(&app, &client).await);
    // Every one that could be read is kept, with its verdict.
    let kept = count(
        &app,
        "SELECT COUNT(*) FROM payment_notifications WHERE verdict IN \
         ('bad_signature', 'malformed', 'bad_field')",
    )
    .await;
    assert_eq!(kept, 5);
}

#[tokio::test]
async fn a_signed_notification_with_the_wrong_amount_or_an_unknown_order_changes_nothing() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (client, created, full) = pending_order(&app).await;

    let wrong_amount = paid_notification(SECRET, &full, &created, 1);
    let res = notify(&app, wrong_amount.to_string().as_bytes()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "amount_mismatch");

    let mut unknown = full.clone();
    unknown["order_no"] = json!("Q2026-00000000DEADBEEF");
    let unknown = paid_notification(SECRET, &unknown, &created, 12600);
    let res = notify(&app, unknown.to_string().as_bytes()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    assert_eq!(
        order(&app, &client, id_of(&created)).await["status"],
        "pending"
    );
    assert!(!enrolled(&app, &client).await);
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(s.verdicts, ["amount_mismatch"]);
    let unknowns = count(
        &app,
        "SELECT COUNT(*) FROM payment_notifications WHERE verdict = 'unknown_order'",
    )
    .await;
    assert_eq!(unknowns, 1);

    // The real payment still goes through.
    sim.act(&pid(&created), "pay").await;
    sim.settled_log().await;
    assert_eq!(
        order(&app, &client, id_of(&created)).await["status"],
        "paid"
    );
}

#[tokio::test]
async fn a_payment_after_the_deadline_is_kept_and_flagged_for_refund() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (client, me, login) = trainee_and_login(&app, "ungraded").await;
    let created = own_order(&app, &client).await;
    // An hour after the registration deadline (and the session has expired).
    let profile: Value = app.get(&client, "/api/me").await.json().await.unwrap();
    let deadline = instant(&profile["year"]["registration_deadline"]);
    let now = instant(&app.advance_clock(0).await["now"]);
    app.advance_clock((deadline - now).num_seconds() + 3600)
        .await;
    let client = app.login_as(&login, "Passw0rd!").await;
    let y = year(&app, &client).await;
    let res = app
        .post(&client, "/api/orders", &json!({ "year": y }))
        .await;
    assert_eq!(error_of(res).await["code"], "registration_closed");
    let res = app
        .post(
            &client,
            &format!("/api/orders/{}/pay", id_of(&created)),
            &json!({}),
        )
        .await;
    assert_eq!(error_of(res).await["code"], "registration_closed");

    // The cashier page was still open in a tab, and the trainee pays there.
    sim.act(&pid(&created), "pay").await;
    sim.settled_log().await;
    let o = order(&app, &client, id_of(&created)).await;
    assert_eq!(o["status"], "refund_due");
    assert_eq!(o["refund_fen"], 7200);
    assert_eq!(o["refund_reason"], "after_deadline");
    assert!(o["receipt_no"].is_string(), "the money is recorded");
    assert_eq!(o["items"][0]["outcome"], "refund_due");
    assert!(!enrolled(&app, &client).await);
    assert_eq!(activations(&app, me).await, 0);
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(s.verdicts, ["refund_due"]);
}

#[tokio::test]
async fn a_person_paid_for_by_two_orders_is_activated_once_and_the_second_fee_is_due_back() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let (t_client, t) = trainee(&app, "senior").await;
    let (u_client, u) = trainee(&app, "ungraded").await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    // Both orders are made while nobody is paid yet: the trainee's own, and the unit's.
    let own = own_order(&app, &t_client).await;
    let y = year(&app, &admin).await;
    let unit = create(&app, &admin, json!({ "year": y, "trainee_ids": [t, u] })).await;

    // Both are paid, at the same moment.
    let (a, b) = (pid(&own), pid(&unit));
    tokio::join!(sim.act(&a, "pay"), sim.act(&b, "pay"));
    sim.settled_log().await;

    let own_now = order(&app, &t_client, id_of(&own)).await;
    let unit_now = order(&app, &admin, id_of(&unit)).await;
    let statuses = [own_now["status"].clone(), unit_now["status"].clone()];
    assert!(enrolled(&app, &t_client).await && enrolled(&app, &u_client).await);
    assert_eq!(activations(&app, t).await, 1, "never counted twice");
    assert_eq!(activations(&app, u).await, 1);
    if statuses[0] == "paid" {
        // The trainee's own payment came first: the unit's fee for them is due back.
        assert_eq!(unit_now["status"], "refund_due");
        assert_eq!(unit_now["refund_fen"], 12600);
        assert_eq!(unit_now["refund_reason"], "already_paid");
        let item = |id: i64| {
            unit_now["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["trainee_id"] == id)
                .unwrap()["outcome"]
                .clone()
        };
        assert_eq!(item(t), "refund_due");
        assert_eq!(item(u), "activated");
    } else {
        // The unit's came first: the trainee's own payment is due back whole.
        assert_eq!(statuses, [json!("refund_due"), json!("paid")]);
        assert_eq!(own_now["refund_fen"], 12600);
        assert_eq!(own_now["refund_reason"], "already_paid");
    }
    let total_refund =
        own_now["refund_fen"].as_i64().unwrap() + unit_now["refund_fen"].as_i64().unwrap();
    assert_eq!(
        total_refund, 12600,
        "exactly one fee of the senior trainee is due back"
    );
}

#[tokio::test]
async fn with_the_platform_down_the_order_is_kept_and_can_be_paid_later() {
    let mut sim = PaySim::start().await;
    let app = app_with(&sim).await;
    sim.stop();
    let (client, me) = trainee(&app, "ungraded").await;
    let y = year(&app, &client).await;
    let res = app
        .post(&client, "/api/orders", &json!({ "year": y }))
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payment_unavailable");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("缴费平台"));

    let list: Vec<Value> = app.get(&client, "/api/orders").await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "pending");
    assert!(list[0]["pay_url"].is_null());
    let id = list[0]["id"].as_i64().unwrap();
    let report: Value = app
        .post(&app.client(), "/api/test/reconcile", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    // Never opened at the platform, so nobody can have paid it: nothing to ask about.
    assert_eq!(report, json!({"checked": 0, "resolved": 0, "failed": 0}));

    sim.resume().await;
    let res = app
        .post(&client, &format!("/api/orders/{id}/pay"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let repay: Value = res.json().await.unwrap();
    assert_eq!(id_of(&repay), id);
    // Asking again for the year gives the same order and the same cashier page.
    let again = create(&app, &client, json!({ "year": y })).await;
    assert_eq!(
        (id_of(&again), again["pay_url"].clone()),
        (id, repay["pay_url"].clone())
    );

    // Down again: reconciliation cannot ask, says so, and changes nothing.
    sim.stop();
    let report: Value = app
        .post(&app.client(), "/api/test/reconcile", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report, json!({"checked": 1, "resolved": 0, "failed": 1}));
    assert_eq!(order(&app, &client, id).await["status"], "pending");

    // Back, having forgotten every payment: paying again opens a new one.
    sim.resume().await;
    let res = app
        .post(&client, &format!("/api/orders/{id}/pay"), &json!({}))
        .await;
    let repay: Value = res.json().await.unwrap();
    assert_ne!(repay["pay_url"], again["pay_url"]);
    sim.act(&pid(&repay), "pay").await;
    sim.settled_log().await;
    assert_eq!(order(&app, &client, id).await["status"], "paid");
    assert_eq!(activations(&app, me).await, 1);
}

#[tokio::test]
async fn a_payment_made_while_the_server_was_down_is_applied_once_after_it_restarts() {
    // Retries for about 3 seconds, longer than the server stays down.
    let sim = PaySim::start_with("0.2,0.4,0.8,1.6").await;
    let mut app = app_with(&sim).await;
    let (client, me) = trainee(&app, "junior").await;
    let created = own_order(&app, &client).await;

    app.stop().await;
    sim.act(&pid(&created), "pay").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.resume().await;
    let log = sim.settled_log().await;
    assert_eq!(log.first().unwrap()["outcome"], "transport_error");

    // Whichever came first, start-up reconciliation or the platform's retry, applied it; the
    // other changed nothing.
    let s = stored(&app, id_of(&created)).await;
    assert_eq!(s.status, "paid");
    assert_eq!(s.applied(), 1, "{:?}", s.verdicts);
    assert_eq!(activations(&app, me).await, 1);
    assert!(enrolled(&app, &client).await);
}

#[tokio::test]
async fn the_openapi_document_describes_orders_and_notifications() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get(&app.client(), "/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    for path in [
        "/api/orders",
        "/api/orders/{id}",
        "/api/orders/{id}/pay",
        "/api/unit/staff",
        "/api/payments/notify",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        doc["components"]["schemas"]["OrderStatus"]["enum"],
        json!(["pending", "paid", "cancelled", "failed", "refund_due"])
    );
}

#[tokio::test]
async fn paying_again_after_a_lost_notification_finds_the_order_paid() {
    let sim = PaySim::start().await;
    sim.faults("drop=1").await;
    let app = app_with(&sim).await;
    let (client, me) = trainee(&app, "ungraded").await;
    let created = own_order(&app, &client).await;
    sim.act(&pid(&created), "pay").await;
    sim.settled_log().await;
    // The trainee never saw the result and presses pay again: the platform says it is paid,
    // and the server records it rather than opening a second payment.
    let res = app
        .post(
            &client,
            &format!("/api/orders/{}/pay", id_of(&created)),
            &json!({}),
        )
        .await;
    assert_eq!(error_of(res).await["code"], "order_settled");
    assert_eq!(
        order(&app, &client, id_of(&created)).await["status"],
        "paid"
    );
    assert_eq!(activations(&app, me).await, 1);
    assert_eq!(stored(&app, id_of(&created)).await.verdicts, ["paid"]);
}
