//! The test harness: [`Sim`] runs the real simulator on a random port and signs requests like
//! a merchant; [`Merchant`] is a tiny axum endpoint that records the notifications it gets and
//! answers them as the test scripts.

use axum::extract::State;
use axum::http::StatusCode as AxumStatus;
use axum::routing::post;
use axum::Router;
use chrono::{SecondsFormat, Utc};
use qinxue_paysim::config::{Config, SecretString};
use qinxue_paysim::faults::Faults;
use qinxue_paysim::{sign, Application};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const SECRET: &str = "integration-test-secret";

/// A running simulator.
pub struct Sim {
    pub base: String,
    pub client: Client,
    stop: Option<oneshot::Sender<()>>,
}

impl Sim {
    /// A simulator with no fault and a fast retry schedule (three retries, 50 ms apart).
    pub async fn start() -> Sim {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Sim {
        let mut config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            public_url: None,
            secret: SecretString::new(SECRET),
            faults: Faults::default(),
            retry_schedule: vec![Duration::from_millis(50); 3],
        };
        adjust(&mut config);
        let app = Application::build(config).await.expect("simulator starts");
        let base = format!("http://{}", app.local_addr());
        let (tx, rx) = oneshot::channel();
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Sim {
            base,
            // The cashier answers with redirects that the tests inspect rather than follow.
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            stop: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Posts a create request made of `fields` plus a fresh timestamp, nonce and signature.
    pub async fn create_raw(&self, fields: Value) -> Response {
        self.client
            .post(self.url("/api/payments"))
            .json(&signed(fields))
            .send()
            .await
            .expect("request")
    }

    /// Creates a payment that notifies `merchant`; panics unless it is new (201).
    pub async fn create(&self, merchant: &Merchant, order: &str, amount_fen: i64) -> Value {
        let res = self.create_raw(merchant.order(order, amount_fen)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body = verified(res).await;
        assert_eq!(body["status"], "pending");
        body
    }

    /// A signed `GET`: the signature covers `path_params` (already in `path`) and `params`;
    /// only `params`, `timestamp`, `nonce` and `sign` go in the query string.
    pub async fn signed_get(
        &self,
        path: &str,
        path_params: &[(&str, &str)],
        params: &[(&str, &str)],
    ) -> Response {
        let fields: Map<String, Value> = path_params
            .iter()
            .chain(params)
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        let fields = signed(Value::Object(fields));
        let query: Vec<(&String, &str)> = fields
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| !path_params.iter().any(|(p, _)| p == k))
            .map(|(k, v)| (k, v.as_str().unwrap()))
            .collect();
        self.client
            .get(self.url(path))
            .query(&query)
            .send()
            .await
            .expect("request")
    }

    /// The signed answer of `GET /api/payments/{id}`; panics unless it is 200.
    pub async fn payment(&self, payment_id: &str) -> Value {
        let res = self
            .signed_get(
                &format!("/api/payments/{payment_id}"),
                &[("payment_id", payment_id)],
                &[],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        verified(res).await
    }

    /// A test control: `pay`, `cancel`, `fail` or `notify`.
    pub async fn control(&self, payment_id: &str, action: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/sim/payments/{payment_id}/{action}")))
            .send()
            .await
            .expect("request")
    }

    /// What a browser does when a cashier button is pressed: an empty form post.
    pub async fn press(&self, payment_id: &str, action: &str) -> Response {
        self.client
            .post(self.url(&format!("/cashier/{payment_id}/{action}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .expect("request")
    }

    pub async fn set_faults(&self, spec: &str) -> Response {
        self.client
            .post(self.url("/api/sim/faults"))
            .json(&json!({ "spec": spec }))
            .send()
            .await
            .expect("request")
    }

    /// The delivery log of one payment, once no delivery is in flight any more.
    pub async fn settled_log(&self, payment_id: &str) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let log: Value = self
                .client
                .get(self.url("/api/sim/notifications"))
                .query(&[("payment_id", payment_id)])
                .send()
                .await
                .expect("request")
                .json()
                .await
                .unwrap();
            if log["in_flight"] == 0 {
                return log["attempts"].as_array().unwrap().clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "deliveries never settled: {log}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Adds a fresh timestamp and nonce (unless `fields` has them) and the signature.
pub fn signed(fields: Value) -> Value {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let Value::Object(mut fields) = fields else {
        panic!("not an object")
    };
    fields
        .entry("timestamp")
        .or_insert_with(|| json!(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)));
    fields.entry("nonce").or_insert_with(|| {
        json!(format!(
            "test{}n{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))
    });
    let signature = sign::sign(SECRET.as_bytes(), &fields).unwrap();
    fields.insert("sign".into(), json!(signature));
    Value::Object(fields)
}

/// The JSON of an answer, after checking its signature.
pub async fn verified(res: Response) -> Value {
    let body: Value = res.json().await.expect("a JSON answer");
    sign::verify(SECRET.as_bytes(), body.as_object().expect("an object"))
        .unwrap_or_else(|e| panic!("answer signature: {e}: {body}"));
    body
}

/// The `error.code` of an error answer, checking its status.
pub async fn error_code(res: Response, status: StatusCode) -> String {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.expect("a JSON error");
    assert!(body["error"]["message"].is_string(), "{body}");
    body["error"]["code"].as_str().expect("a code").to_owned()
}

/// A merchant's notification endpoint on a random port.
pub struct Merchant {
    pub base: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Value>>,
    /// Answers to give before the default `200 success`, first one first.
    script: Mutex<VecDeque<(u16, &'static str)>>,
}

impl Merchant {
    /// A merchant that acknowledges every notification.
    pub async fn start() -> Merchant {
        Self::scripted(&[]).await
    }

    /// A merchant that first gives `answers` (status, body), then acknowledges.
    pub async fn scripted(answers: &[(u16, &'static str)]) -> Merchant {
        let shared = Arc::new(Shared::default());
        shared
            .script
            .lock()
            .unwrap()
            .extend(answers.iter().copied());
        let app = Router::new()
            .route("/notify", post(receive))
            .with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Merchant {
            base,
            shared,
            stop: Some(tx),
        }
    }

    /// The fields of a create request (before timestamp, nonce and sign).
    pub fn order(&self, order: &str, amount_fen: i64) -> Value {
        json!({
            "merchant_order_id": order,
            "amount_fen": amount_fen,
            "subject": "2025年度职业技能培训报名费（有等级）",
            "notify_url": format!("{}/notify", self.base),
            "return_url": format!("{}/orders/result?from=cashier", self.base),
        })
    }

    pub fn received(&self) -> Vec<Value> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` notifications arrived (panics after 20 s) and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} notifications, got {}: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Merchant {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn receive(State(shared): State<Arc<Shared>>, body: String) -> (AxumStatus, &'static str) {
    let value: Value = serde_json::from_str(&body).expect("notifications are JSON");
    shared.received.lock().unwrap().push(value);
    let scripted = shared.script.lock().unwrap().pop_front();
    match scripted {
        Some((status, body)) => (AxumStatus::from_u16(status).unwrap(), body),
        None => (AxumStatus::OK, "success"),
    }
}
