//! Graceful shutdown of the real binary (issue 13): SIGTERM under load stops accepting,
//! finishes the requests in flight, drains the heartbeat writer, checkpoints the WAL and exits
//! 0 within 10 s; after a restart every heartbeat that was answered is in the stored credit.
//!
//! The binary is this package's own (`CARGO_BIN_EXE_qinxue-server`, the debug build under
//! `cargo test`), started as a production server is (demo data, the test clock to let
//! heartbeats earn credit without waiting), on SQLite in a temp folder, or on a fresh
//! PostgreSQL database when the tests run on PostgreSQL (`scripts/with-postgres.sh`).

use crate::helpers::{check_answer, fresh_postgres_db, DEMO_GRADED, DEMO_PASSWORD};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The real server process, on its own data folder.
pub struct Server {
    child: Child,
    pub url: String,
}

/// A fresh PostgreSQL database for a server binary when the tests run on PostgreSQL
/// (`QINXUE_TEST_DATABASE_URL`); `None` on SQLite.
pub async fn postgres_database() -> Option<String> {
    match std::env::var("QINXUE_TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => Some(fresh_postgres_db(&admin).await),
        _ => None,
    }
}

impl Server {
    /// The server on SQLite in `data`.
    pub fn start(data: &Path) -> Server {
        Self::start_on(data, None)
    }

    /// The server with `data` as its folder and, if given, a PostgreSQL database.
    pub fn start_on(data: &Path, database_url: Option<&str>) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qinxue-server"));
        match database_url {
            Some(url) => command.env("QINXUE_DATABASE_URL", url),
            None => command.env_remove("QINXUE_DATABASE_URL"),
        };
        let mut child = command
            .env("QINXUE_ADDR", "127.0.0.1:0")
            .env("QINXUE_DATA", data)
            .env("QINXUE_DEMO", "1")
            .env("QINXUE_TEST_CLOCK", "1")
            .env("QINXUE_STATIC_DIR", data.join("no-web-build"))
            .env(
                "QINXUE_CONTENT_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../content"),
            )
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server prints its address before anything else")
                .expect("stdout is text");
            if let Some(rest) = line.split("is running at ").nth(1) {
                break rest.trim_end_matches('/').to_owned();
            }
        };
        // The rest of stdout is read away, so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }

    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to end, at most `limit`; its exit status and how long it took.
    pub fn wait(&mut self, limit: Duration) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                return (status, started.elapsed());
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                panic!("the server did not exit within {limit:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn sign_in(url: &str) -> Client {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"login": DEMO_GRADED, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    client
}

pub async fn year_secs(client: &Client, url: &str) -> i64 {
    let progress: Value = client
        .get(format!("{url}/api/study/progress"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    progress["credited_secs"].as_i64().unwrap()
}

/// One heartbeat after 20 s on the test clock, answering its check if one comes; the credit
/// the answers gave, or `None` once the server no longer answers.
/// Opens a study session on the demo catalogue's first text lesson; answers its id.
pub async fn open_text_lesson(client: &Client, url: &str) -> i64 {
    let courses: Vec<Value> = client
        .get(format!("{url}/api/courses"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lesson = courses
        .iter()
        .flat_map(|c| c["lessons"].as_array().unwrap().iter())
        .find(|l| l["kind"] == "text")
        .expect("the demo catalogue has a text lesson")["id"]
        .as_i64()
        .unwrap();
    let opened: Value = client
        .post(format!("{url}/api/study/sessions"))
        .json(&json!({"lesson_id": lesson}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    opened["session_id"].as_i64().unwrap()
}

pub async fn beat(client: &Client, url: &str, session: i64, seq: i64) -> Option<i64> {
    let advanced = client
        .post(format!("{url}/api/test/clock"))
        .json(&json!({"advance_secs": 20}))
        .send()
        .await
        .ok()?;
    if advanced.status() != StatusCode::OK {
        return None;
    }
    let res = client
        .post(format!("{url}/api/study/sessions/{session}/heartbeat"))
        .json(&json!({"seq": seq, "visible": true, "position_secs": 0}))
        .send()
        .await
        .ok()?;
    if res.status() != StatusCode::OK {
        return None;
    }
    let reply: Value = res.json().await.ok()?;
    let mut credited = reply["credited_secs"].as_i64()?;
    if !reply["check"].is_null() {
        let id = reply["check"]["id"].as_str()?;
        let res = client
            .post(format!("{url}/api/study/checks/{id}"))
            .json(&json!({"answer": check_answer(&reply["check"], true)}))
            .send()
            .await
            .ok()?;
        if res.status() != StatusCode::OK {
            return Some(credited);
        }
        credited += res.json::<Value>().await.ok()?["credited_secs"].as_i64()?;
    }
    Some(credited)
}

#[tokio::test]
async fn sigterm_under_load_finishes_what_was_accepted_and_exits_0_within_10_s() {
    let data = tempfile::tempdir().unwrap();
    let database = postgres_database().await;
    let mut server = Server::start_on(data.path(), database.as_deref());
    let url = server.url.clone();
    let learner = sign_in(&url).await;
    let before = year_secs(&learner, &url).await;
    let session = open_text_lesson(&learner, &url).await;

    // Load: the learner's heartbeats, and readers of the catalogue and of /api/me on many
    // connections, until the server stops answering.
    let stopped = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicI64::new(0));
    let mut readers = Vec::new();
    for _ in 0..16 {
        let (client, url, stopped, reads) = (
            sign_in(&url).await,
            url.clone(),
            stopped.clone(),
            reads.clone(),
        );
        readers.push(tokio::spawn(async move {
            while !stopped.load(Ordering::Relaxed) {
                let path = if reads.load(Ordering::Relaxed) % 2 == 0 {
                    "/api/courses"
                } else {
                    "/api/me"
                };
                match client.get(format!("{url}{path}")).send().await {
                    Ok(res) if res.status().is_success() => {
                        reads.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(res) => panic!("a read during shutdown answered {}", res.status()),
                    Err(_) => break,
                }
            }
        }));
    }
    let answered = Arc::new(AtomicI64::new(0));
    let beats = {
        let (url, learner, answered) = (url.clone(), learner.clone(), answered.clone());
        tokio::spawn(async move {
            let (mut accepted, mut credited) = (0_i64, 0_i64);
            // A lesson's credit is capped at its duration; 60 beats of 20 s stay below it.
            for seq in 1..=60 {
                match beat(&learner, &url, session, seq).await {
                    Some(c) => {
                        accepted += 1;
                        credited += c;
                        answered.store(accepted, Ordering::Relaxed);
                    }
                    None => break,
                }
            }
            (accepted, credited)
        })
    };
    // The signal comes once the load is under way: a few heartbeats answered (on PostgreSQL,
    // under the readers, that takes longer than on SQLite), then a moment more.
    let waited = Instant::now();
    while answered.load(Ordering::Relaxed) < 4 && waited.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.terminate();
    let (status, took) = tokio::task::spawn_blocking(move || server.wait(Duration::from_secs(10)))
        .await
        .unwrap();
    stopped.store(true, Ordering::Relaxed);
    let (accepted, credited) = beats.await.unwrap();
    for reader in readers {
        reader.await.unwrap();
    }
    println!(
        "shutdown took {took:?}; {accepted} heartbeats answered ({credited} s credited), {} reads",
        reads.load(Ordering::Relaxed)
    );
    assert!(status.success(), "exit status {status}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        accepted > 3,
        "the load ran before the signal: {accepted} beats"
    );
    if database.is_none() {
        // The WAL was checkpointed into the database file and emptied.
        let wal = data.path().join("qinxue.db-wal");
        let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(wal_len, 0, "the WAL still holds {wal_len} bytes");
    }

    let server = Server::start_on(data.path(), database.as_deref());
    let learner = sign_in(&server.url).await;
    let after = year_secs(&learner, &server.url).await;
    // Every answered heartbeat is stored; at most the one that was cut off before its answer
    // (committed, but its client never heard) adds an interval more.
    assert!(
        after - before >= credited,
        "answered {credited} s, stored {}",
        after - before
    );
    assert!(
        after - before <= credited + 30,
        "answered {credited} s, stored {}",
        after - before
    );
}
