//! The payment platform for tests: the real simulator binary (`qinxue-paysim`) as its own
//! process on a free port, talked to over HTTP as the server does, plus its test controls
//! (pay, cancel, faults, delivery log) and helpers that look at what the server stored.

use crate::helpers::TestApp;
use qinxue_server::payments::sign;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The secret the tests' servers and simulators share.
pub const SECRET: &str = "qinxue-test-secret";

/// Notification retries in tests: quick, and over within about 2 seconds.
pub const FAST_RETRIES: &str = "0.1,0.2,0.4,0.8";

/// A running simulator process; killed when dropped.
pub struct PaySim {
    pub base: String,
    port: u16,
    retries: String,
    client: Client,
    child: Option<Child>,
}

impl PaySim {
    /// A simulator without faults and with [`FAST_RETRIES`].
    pub async fn start() -> PaySim {
        Self::start_with(FAST_RETRIES).await
    }

    /// A simulator with this retry schedule (`PAYSIM_RETRY_SCHEDULE`).
    pub async fn start_with(retries: &str) -> PaySim {
        let mut sim = PaySim {
            base: String::new(),
            port: 0,
            retries: retries.to_owned(),
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            child: None,
        };
        // A free port can be taken by someone else between choosing and binding it; then the
        // simulator exits at once and another port is tried.
        for _ in 0..5 {
            sim.port = free_port();
            if sim.launch().await {
                return sim;
            }
        }
        panic!("the simulator did not start");
    }

    /// Where a server sends its requests: `config.pay_url`.
    pub fn url(&self) -> String {
        self.base.clone()
    }

    async fn launch(&mut self) -> bool {
        self.base = format!("http://127.0.0.1:{}", self.port);
        let mut child = Command::new(binary())
            .env("PAYSIM_ADDR", format!("127.0.0.1:{}", self.port))
            .env("PAYSIM_SECRET", SECRET)
            .env("PAYSIM_RETRY_SCHEDULE", &self.retries)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the simulator binary runs");
        for _ in 0..200 {
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            let health = self
                .client
                .get(format!("{}/health", self.base))
                .send()
                .await;
            if health.is_ok_and(|r| r.status() == StatusCode::OK) {
                self.child = Some(child);
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let _ = child.kill();
        false
    }

    /// Kills the simulator: the platform is down.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (with its memory empty, as after any restart).
    pub async fn resume(&mut self) {
        assert!(self.launch().await, "the simulator restarts on its port");
    }

    /// Sets the notification fault mode, e.g. `duplicate=1,copies=5`.
    pub async fn faults(&self, spec: &str) {
        let res = self
            .client
            .post(format!("{}/api/sim/faults", self.base))
            .json(&json!({ "spec": spec }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }

    /// Presses a cashier button through the test controls: `pay`, `cancel` or `fail`.
    pub async fn act(&self, payment_id: &str, action: &str) {
        let res = self
            .client
            .post(format!(
                "{}/api/sim/payments/{payment_id}/{action}",
                self.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }

    /// What a browser does on the cashier page: the form post, answered by a redirect back to
    /// the server's return page.
    pub async fn press(&self, payment_id: &str, action: &str) -> String {
        let res = self
            .client
            .post(format!("{}/cashier/{payment_id}/{action}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        res.headers()["location"].to_str().unwrap().to_owned()
    }

    /// The delivery log, once nothing is in flight any more (every notification has been
    /// acknowledged or given up on).
    pub async fn settled_log(&self) -> Vec<Value> {
        // Long enough for a storm of a thousand notifications on a busy machine.
        for _ in 0..4800 {
            let log: Value = self
                .client
                .get(format!("{}/api/sim/notifications", self.base))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if log["in_flight"] == 0 {
                return log["attempts"].as_array().unwrap().clone();
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("notifications still in flight after 2 minutes");
    }
}

impl Drop for PaySim {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The simulator binary of this build, built once per test run so that it is never stale.
fn binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            // …/target/<profile>/deps/api-<hash> → …/target/<profile>
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
            let target_dir = profile_dir.parent().unwrap();
            let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            cargo
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "qinxue-paysim",
                    "--bin",
                    "qinxue-paysim",
                ])
                .arg("--target-dir")
                .arg(target_dir);
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                cargo.arg("--release");
            }
            let status = cargo.status().expect("cargo runs");
            assert!(status.success(), "cargo build -p qinxue-paysim failed");
            profile_dir.join("qinxue-paysim")
        })
        .clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A test server that pays through `sim`.
pub async fn app_with(sim: &PaySim) -> TestApp {
    let url = sim.url();
    TestApp::start_with(Default::default(), move |c| c.pay_url = url).await
}

/// The platform's payment id in a cashier URL (`…/cashier/{payment_id}`).
pub fn payment_id(pay_url: &str) -> String {
    pay_url.rsplit('/').next().unwrap().to_owned()
}

/// A notification as the platform would send it, signed with `secret`.
pub fn notification(secret: &str, fields: Value) -> Value {
    let Value::Object(mut fields) = fields else {
        panic!("not an object")
    };
    fields
        .entry("timestamp")
        .or_insert(json!("2026-09-01T08:01:12Z"));
    fields.entry("nonce").or_insert(json!("0123456789abcdef"));
    sign::add_sign(secret.as_bytes(), &mut fields).unwrap();
    Value::Object(fields)
}

/// What the server stored about one order: its status, the verdicts of every notification
/// about it (oldest first), and how many of its people it activated.
#[derive(Debug)]
pub struct Stored {
    pub status: String,
    pub verdicts: Vec<String>,
    pub activated: i64,
    pub refund_fen: i64,
}

impl Stored {
    /// How many notifications (or reconciliation answers) changed the order.
    pub fn applied(&self) -> usize {
        self.verdicts
            .iter()
            .filter(|v| matches!(v.as_str(), "paid" | "refund_due"))
            .count()
    }
}

pub async fn stored(app: &TestApp, order_id: i64) -> Stored {
    let db = app.db().await;
    let mut conn = db.read().await.unwrap();
    let row = sqlx::query("SELECT status, refund_fen FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let verdicts: Vec<String> = sqlx::query_scalar(
        "SELECT verdict FROM payment_notifications WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let activated: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM order_items WHERE order_id = $1 AND outcome = 'activated'",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let stored = Stored {
        status: row.try_get("status").unwrap(),
        refund_fen: row.try_get("refund_fen").unwrap(),
        verdicts,
        activated,
    };
    drop(conn);
    db.close().await;
    stored
}

/// Rows of a table, for checks that nothing at all was written or changed.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.db().await;
    let mut conn = db.read().await.unwrap();
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap();
    drop(conn);
    db.close().await;
    n
}

/// How many orders have activated a person's year (never more than one).
pub async fn activations(app: &TestApp, user_id: i64) -> i64 {
    count(
        app,
        &format!(
            "SELECT COUNT(*) FROM order_items WHERE user_id = {user_id} AND outcome = 'activated'"
        ),
    )
    .await
}
