//! Slow and idle connections (issue 13, SECURITY.md 15.2.2, OPERATIONS.md): a client that
//! sends its request's head slowly, or nothing, or keeps an idle connection open, is closed
//! after `QINXUE_HEADER_TIMEOUT_SECS`; and no more than `QINXUE_MAX_CONNECTIONS` are served at
//! once. All of it happens before any route sees a request, so only raw sockets show it.

use crate::helpers::{Options, TestApp};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short enough to wait out, long enough that a loaded machine does not close early by itself.
const HEADER_TIMEOUT: Duration = Duration::from_secs(1);

async fn with_limits(header_timeout: Duration, max_connections: usize) -> TestApp {
    TestApp::start_with(Options::default(), |c| {
        c.connections.header_timeout = header_timeout;
        c.connections.max_connections = max_connections;
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    let addr = app.base.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap()
}

/// Reads until the server closes the connection, and says how long that took; panics if it
/// is still open after `within`.
async fn closed_after(socket: &mut TcpStream, within: Duration) -> Duration {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(within, async {
        while socket.read(&mut buf).await.is_ok_and(|n| n > 0) {}
    })
    .await
    .expect("the server closes the connection");
    start.elapsed()
}

/// Reads one answer's head (the health check's body is small and comes with it).
async fn answer_head(socket: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before answering: {answer:?}");
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

const HEALTH: &[u8] = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n";

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_are_cut_off_after_the_limit() {
    let app = with_limits(HEADER_TIMEOUT, 16).await;
    let mut socket = connect(&app).await;
    socket
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    let start = Instant::now();
    // One byte every 100 ms, never ending the headers: each byte alone would reset a
    // per-read idle timeout, so only a bound on the whole head stops this client.
    let trickle = async {
        while socket.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if start.elapsed() > HEADER_TIMEOUT * 10 {
                break;
            }
        }
    };
    trickle.await;
    let took = start.elapsed();
    assert!(
        took >= HEADER_TIMEOUT && took < HEADER_TIMEOUT * 5,
        "the server closed the trickling connection after {took:?}"
    );
    // It serves others all along.
    let res = app.get(&app.client(), "/api/health").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_connection_that_sends_nothing_or_idles_after_an_answer_is_closed() {
    let app = with_limits(HEADER_TIMEOUT, 16).await;
    let mut silent = connect(&app).await;
    let took = closed_after(&mut silent, HEADER_TIMEOUT * 5).await;
    assert!(took >= HEADER_TIMEOUT * 9 / 10, "closed after {took:?}");

    let mut idle = connect(&app).await;
    idle.write_all(HEALTH).await.unwrap();
    assert!(answer_head(&mut idle).await.starts_with("HTTP/1.1 200"));
    // Keep-alive: the connection stays usable within the limit...
    tokio::time::sleep(HEADER_TIMEOUT / 4).await;
    idle.write_all(HEALTH).await.unwrap();
    assert!(answer_head(&mut idle).await.starts_with("HTTP/1.1 200"));
    // ...and is closed once idle for longer.
    let took = closed_after(&mut idle, HEADER_TIMEOUT * 5).await;
    assert!(took >= HEADER_TIMEOUT * 9 / 10, "closed after {took:?}");
}

#[tokio::test]
async fn connections_past_the_limit_wait_until_one_closes() {
    // Idle connections are closed only after a time far longer than this test waits.
    let app = with_limits(Duration::from_secs(60), 2).await;
    // Two connections hold both slots.
    let first = connect(&app).await;
    let mut second = connect(&app).await;
    second.write_all(HEALTH).await.unwrap();
    assert!(answer_head(&mut second).await.starts_with("HTTP/1.1 200"));

    let mut third = connect(&app).await;
    third.write_all(HEALTH).await.unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(500), answer_head(&mut third)).await;
    assert!(waited.is_err(), "a third connection was served at once");
    drop(first);
    let head = tokio::time::timeout(Duration::from_secs(10), answer_head(&mut third))
        .await
        .expect("served once a slot is free");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

#[tokio::test]
async fn a_body_sent_too_slowly_gets_503_with_retry_after_in_the_error_shape() {
    let app = TestApp::start_with(Options::default(), |c| {
        c.request_timeout = Duration::from_millis(500);
    })
    .await;
    let mut socket = connect(&app).await;
    // The head is complete, so the request's own time limit applies; the body never is.
    socket
        .write_all(
            b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"lo",
        )
        .await
        .unwrap();
    let head = tokio::time::timeout(Duration::from_secs(10), answer_head(&mut socket))
        .await
        .expect("an answer within 10 s");
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("\r\nretry-after: 5\r\n"),
        "{head}"
    );
    let mut answer = head.into_bytes();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("request_timeout") {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "no error body: {}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buf[..n]);
    }
}
