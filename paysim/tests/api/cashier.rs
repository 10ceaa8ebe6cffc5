//! The cashier page and its buttons, as a browser uses them, and what the merchant then sees.

use crate::helpers::{error_code, Merchant, Sim, SECRET};
use qinxue_paysim::sign;
use reqwest::{StatusCode, Url};
use serde_json::Value;
use std::collections::HashMap;

/// The query of the `Location` of a cashier redirect, checked to be the merchant's return URL.
fn redirect_query(res: &reqwest::Response, merchant: &Merchant) -> HashMap<String, String> {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap();
    let url = Url::parse(location).unwrap();
    assert!(
        location.starts_with(&format!("{}/orders/result?from=cashier&", merchant.base)),
        "{location}"
    );
    url.query_pairs().into_owned().collect()
}

fn is_receipt_no(s: &str) -> bool {
    s.len() == 18 && s.starts_with("FJ") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn paying_at_the_cashier_redirects_back_and_notifies_the_merchant_with_a_receipt() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-pay", 12600).await;
    let id = created["payment_id"].as_str().unwrap();

    let page = sim
        .client
        .get(created["cashier_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    for text in [
        "E缴通 公共缴费平台（模拟）",
        "2025年度职业技能培训报名费（有等级）",
        "126.00",
        "确认支付",
        "取消",
        "模拟支付失败",
        &format!("action=\"/cashier/{id}/pay\""),
    ] {
        assert!(html.contains(text), "page lacks {text}");
    }

    let res = sim.press(id, "pay").await;
    let query = redirect_query(&res, &merchant);
    assert_eq!(query["merchant_order_id"], "Q-pay");
    assert_eq!(query["payment_id"], id);
    assert_eq!(query["status"], "paid");

    let got = merchant.wait_for(1).await;
    let note = got[0].as_object().unwrap();
    sign::verify(SECRET.as_bytes(), note).expect("the notification is signed");
    assert_eq!(note["payment_id"], id);
    assert_eq!(note["merchant_order_id"], "Q-pay");
    assert_eq!(note["amount_fen"], 12600);
    assert_eq!(note["status"], "paid");
    let receipt = note["receipt_no"].as_str().unwrap();
    assert!(is_receipt_no(receipt), "{receipt}");
    for field in ["paid_at", "timestamp"] {
        let t = note[field].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(t).is_ok() && t.ends_with('Z'),
            "{field}: {t}"
        );
    }
    assert!(note["notify_id"].as_str().unwrap().starts_with("NT"));
    assert!(note["nonce"].as_str().unwrap().len() >= 8);

    let queried = sim.payment(id).await;
    assert_eq!(queried["status"], "paid");
    assert_eq!(queried["receipt_no"], note["receipt_no"]);
    assert_eq!(queried["paid_at"], note["paid_at"]);

    let html = sim
        .client
        .get(sim.url(&format!("/cashier/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已支付") && html.contains(receipt) && !html.contains("<form"));

    let log = sim.settled_log(id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["outcome"], "acknowledged");
}

#[tokio::test]
async fn cancelling_and_failing_notify_without_a_receipt() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    for (n, action, status) in [(1, "cancel", "cancelled"), (2, "fail", "failed")] {
        let created = sim.create(&merchant, &format!("Q-{action}"), 7200).await;
        let id = created["payment_id"].as_str().unwrap();
        let res = sim.press(id, action).await;
        assert_eq!(redirect_query(&res, &merchant)["status"], status);

        let got = merchant.wait_for(n).await;
        let note = got[n - 1].as_object().unwrap();
        sign::verify(SECRET.as_bytes(), note).unwrap();
        assert_eq!(note["payment_id"], id);
        assert_eq!(note["status"], status);
        assert_eq!(note["receipt_no"], Value::Null);
        assert_eq!(note["paid_at"], Value::Null);

        let queried = sim.payment(id).await;
        assert_eq!(queried["status"], status);
        assert_eq!(queried["receipt_no"], Value::Null);
    }
}

#[tokio::test]
async fn a_final_state_cannot_change_and_repeating_it_sends_nothing_new() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-final", 12600).await;
    let id = created["payment_id"].as_str().unwrap();

    let res = sim.control(id, "pay").await;
    assert_eq!(res.status(), StatusCode::OK);
    let paid: Value = res.json().await.unwrap();
    assert_eq!(paid["status"], "paid");

    // Pressing pay again (a second tab) goes back with the same outcome and changes nothing.
    let res = sim.press(id, "pay").await;
    assert_eq!(redirect_query(&res, &merchant)["status"], "paid");
    let res = sim.control(id, "pay").await;
    assert_eq!(res.status(), StatusCode::OK);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["receipt_no"], paid["receipt_no"]);
    assert_eq!(again["paid_at"], paid["paid_at"]);

    // Cancelling or failing a paid payment is refused; the cashier just goes back.
    for action in ["cancel", "fail"] {
        let res = sim.control(id, action).await;
        assert_eq!(error_code(res, StatusCode::CONFLICT).await, "payment_final");
        let res = sim.press(id, action).await;
        assert_eq!(redirect_query(&res, &merchant)["status"], "paid");
    }
    assert_eq!(sim.payment(id).await["status"], "paid");

    // A cancelled payment cannot be paid either.
    let other = sim.create(&merchant, "Q-final-2", 100).await;
    let other_id = other["payment_id"].as_str().unwrap();
    sim.press(other_id, "cancel").await;
    let res = sim.control(other_id, "pay").await;
    assert_eq!(error_code(res, StatusCode::CONFLICT).await, "payment_final");
    assert_eq!(sim.payment(other_id).await["status"], "cancelled");

    // One event each: the repeats sent no new notification.
    assert_eq!(sim.settled_log(id).await.len(), 1);
    assert_eq!(sim.settled_log(other_id).await.len(), 1);
    assert_eq!(merchant.received().len(), 2);
}

#[tokio::test]
async fn an_unknown_payment_or_action_gets_a_not_found_page() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let res = sim
        .client
        .get(sim.url("/cashier/EP404"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("未找到这笔缴费"));
    assert_eq!(
        sim.press("EP404", "pay").await.status(),
        StatusCode::NOT_FOUND
    );

    let created = sim.create(&merchant, "Q-404", 100).await;
    let id = created["payment_id"].as_str().unwrap();
    assert_eq!(
        sim.press(id, "refund").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(sim.payment(id).await["status"], "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_actions_settle_a_payment_exactly_once() {
    let sim = Sim::start().await;
    let merchant = Merchant::start().await;
    let created = sim.create(&merchant, "Q-race", 12600).await;
    let id = created["payment_id"].as_str().unwrap().to_owned();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let action = ["pay", "cancel", "fail"][i % 3];
        let request = sim
            .client
            .post(sim.url(&format!("/api/sim/payments/{id}/{action}")));
        tasks.spawn(async move { (action, request.send().await.unwrap().status()) });
    }
    let answers = tasks.join_all().await;

    let status = sim.payment(&id).await["status"].clone();
    let winner = match status.as_str().unwrap() {
        "paid" => "pay",
        "cancelled" => "cancel",
        _ => "fail",
    };
    for (action, code) in answers {
        let expected = if action == winner {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        };
        assert_eq!(code, expected, "{action} after {winner}");
    }
    assert_eq!(
        sim.settled_log(&id).await.len(),
        1,
        "one notification event"
    );
    assert_eq!(merchant.received().len(), 1);
}
