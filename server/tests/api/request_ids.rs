//! Request ids and time limits (issue 13, SECURITY.md 16.2.1 and 15.2.2): every answer names
//! its request, every log line of the request carries the same id, and a request that takes
//! too long is answered in the API's error shape, while live-event streams run on.

use crate::helpers::{
    demo_group_session, open_group_session, Events, Options, TestApp, DEMO_GRADED, DEMO_PASSWORD,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::util::SubscriberInitExt;

/// A time limit short enough for a test to wait it out.
const SHORT: Duration = Duration::from_millis(400);

async fn with_short_timeout() -> TestApp {
    TestApp::start_with(Options::default(), |c| c.request_timeout = SHORT).await
}

#[tokio::test]
async fn every_answer_names_its_request_and_keeps_a_sane_incoming_id() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let made = |res: &reqwest::Response| {
        res.headers()
            .get("x-request-id")
            .expect("x-request-id on every answer")
            .to_str()
            .unwrap()
            .to_owned()
    };
    let first = made(&app.get(&client, "/api/health").await);
    let second = made(&app.get(&client, "/api/me").await);
    assert_eq!(first.len(), 32, "{first}");
    assert_ne!(first, second);
    // Error answers and pages too.
    made(&app.get(&client, "/api/no-such-thing").await);
    made(&app.get(&client, "/").await);

    let sent = |id: &str| {
        client
            .get(app.url("/api/health"))
            .header("x-request-id", id)
            .send()
    };
    let res = sent("proxy-7f3a.42").await.unwrap();
    assert_eq!(made(&res), "proxy-7f3a.42");
    for odd in ["two words", &"x".repeat(65)] {
        let res = sent(odd).await.unwrap();
        let id = made(&res);
        assert!(id != odd && id.len() == 32, "{odd:?} gave {id:?}");
    }
}

/// The log lines of requests named `trace-me-…`, from whichever test's server wrote them.
static TRACED: Mutex<String> = Mutex::new(String::new());

/// Writes the lines that name a traced request into [`TRACED`] and drops the rest.
struct Traced;

impl Write for Traced {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = String::from_utf8_lossy(buf);
        if line.contains("trace-me-") {
            TRACED.lock().unwrap().push_str(&line);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A process-wide subscriber, as the server's `main` installs: one set for a test's thread
/// only loses spans whose interest another thread decided first (tracing caches it per call
/// site).
fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        tracing_subscriber::fmt()
            .with_max_level(LevelFilter::INFO)
            .with_ansi(false)
            .with_writer(|| Traced)
            .finish()
            .try_init()
            .expect("no other test installs a subscriber");
    });
}

#[tokio::test]
async fn a_log_line_of_a_request_carries_its_id() {
    capture_logs();
    let app = TestApp::spawn().await;
    // A refused cross-origin write is logged as a warning.
    let res = app
        .client()
        .post(app.url("/api/auth/logout"))
        .header("origin", "http://evil.example")
        .header("x-request-id", "trace-me-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.headers()["x-request-id"], "trace-me-0001");
    let logs = TRACED.lock().unwrap().clone();
    let line = logs
        .lines()
        .find(|l| l.contains("cross-origin write refused"))
        .unwrap_or_else(|| panic!("the refusal is logged:\n{logs}"));
    assert!(
        line.contains("request{id=trace-me-0001 method=POST path=/api/auth/logout}"),
        "{line}"
    );
}

/// Sends a request whose body never finishes, and reads the answer.
async fn answer_to_unfinished_body(app: &TestApp, path: &str) -> (u16, Value, Duration) {
    let addr = app.url("").trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\nConnection: close\r\n\r\n{{\"login\":"
    );
    let sent = Instant::now();
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        // The answer's head and body; the server closes (`Connection: close`) after it.
        loop {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&answer);
            if text.contains("\r\n\r\n") && text.trim_end().ends_with('}') {
                break;
            }
        }
    })
    .await
    .expect("an answer within 10 s");
    let took = sent.elapsed();
    let text = String::from_utf8(answer).unwrap();
    let status: u16 = text[9..12].parse().unwrap();
    let (_, body) = text.split_once("\r\n\r\n").unwrap();
    (
        status,
        serde_json::from_str(body).unwrap_or(Value::Null),
        took,
    )
}

#[tokio::test]
async fn a_request_not_answered_in_time_gets_503_in_the_error_shape() {
    let app = with_short_timeout().await;
    let (status, body, took) = answer_to_unfinished_body(&app, "/api/auth/login").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "request_timeout");
    assert_eq!(body["error"]["message"], "服务器处理超时，请稍后再试");
    assert!(took >= SHORT && took < SHORT * 10, "{took:?}");
    // The server serves on.
    let res = app.get(&app.client(), "/api/health").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_live_event_stream_outlives_the_time_limit() {
    // Longer than SHORT: the proctor's sign-in (Argon2, in a debug build, on a loaded CI
    // machine) must finish within it; 400 ms did not always.
    const LIMIT: Duration = Duration::from_secs(3);
    let app = TestApp::start_with(Options::default(), |c| c.request_timeout = LIMIT).await;
    let proctor = app.login_as("proctor-demo", DEMO_PASSWORD).await;
    let demo = demo_group_session(&app, &proctor).await;
    let pin = open_group_session(&app, &proctor, &demo["id"]).await;
    let mut events = Events::new(
        app.get(
            &proctor,
            &format!("/api/group-sessions/{}/events", demo["id"]),
        )
        .await,
    );
    events.next_of("snapshot").await;
    tokio::time::sleep(LIMIT * 2).await;
    // Wang sits down well after the limit: the stream still tells the proctor.
    let res = app
        .post(
            &app.client(),
            &format!("/api/rooms/{}/sign-in", qinxue_server::seed::DEMO_ROOM_CODE),
            &json!({"id_number": DEMO_GRADED, "pin": pin}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    events.next_of("seat").await;
}
