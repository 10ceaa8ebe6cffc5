//! What probing the running server from outside found (issue 13): bursts of password hashing
//! and races on the login limits.

use crate::helpers::{registration, TestApp, DEMO_GRADED, DEMO_PASSWORD};
use futures::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A browser on its own loopback address (Linux routes all of 127/8 to lo), so that the
/// per-address login limit sees many addresses.
fn client_from(ip: Ipv4Addr) -> Client {
    Client::builder()
        .cookie_store(true)
        .local_address(IpAddr::V4(ip))
        .build()
        .expect("client")
}

/// The `n`th of many loopback addresses, none of them 127.0.0.1 (the other tests' address).
fn address(block: u8, n: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, block, (n / 250) as u8, (n % 250 + 1) as u8)
}

/// This process's resident memory in KiB (the tests run the server in-process).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

async fn login_status(app: &TestApp, client: &Client, login: &str, password: &str) -> StatusCode {
    client
        .post(app.url("/api/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .expect("request")
        .status()
}

/// Each hash holds 19 MiB: without a bound, 200 at once took gigabytes. With one hash per core
/// the burst adds little more than the queue's requests; the ceiling leaves room for another
/// test running beside this one in the same process.
const BURST_RSS_CEILING_MIB: u64 = 200;

#[tokio::test]
async fn a_burst_of_logins_and_registrations_keeps_memory_bounded_and_never_fails() {
    let app = TestApp::spawn().await;
    let unit = app.some_unit_id().await;
    // Warm up: the first hashes of a process map the allocator's arenas.
    for _ in 0..3 {
        login_status(&app, &app.client(), DEMO_GRADED, "warm-up-1").await;
    }
    let before = rss_kib();
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let logins = (0..200).map(|i| {
        let app = &app;
        async move {
            let client = client_from(address(10, i));
            let login = match i % 4 {
                0 => DEMO_GRADED.to_owned(),
                _ => format!("guess-{i}"),
            };
            login_status(app, &client, &login, "wrong-password").await
        }
    });
    let registrations = (0..20).map(|i| {
        let app = &app;
        async move {
            client_from(address(11, i))
                .post(app.url("/api/auth/register"))
                .json(&registration(unit, "junior"))
                .send()
                .await
                .expect("request")
                .status()
        }
    });
    let (logins, registrations) = futures::join!(join_all(logins), join_all(registrations));
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let grown_mib = peak.load(Ordering::Relaxed).saturating_sub(before) / 1024;
    assert!(
        grown_mib < BURST_RSS_CEILING_MIB,
        "the burst grew the server by {grown_mib} MiB (ceiling {BURST_RSS_CEILING_MIB} MiB)"
    );
    let ok = [
        StatusCode::UNAUTHORIZED,
        StatusCode::TOO_MANY_REQUESTS,
        StatusCode::SERVICE_UNAVAILABLE,
    ];
    assert!(logins.iter().all(|s| ok.contains(s)), "{logins:?}");
    assert!(
        registrations
            .iter()
            .all(|s| [StatusCode::CREATED, StatusCode::SERVICE_UNAVAILABLE].contains(s)),
        "{registrations:?}"
    );
}

#[tokio::test]
async fn a_busy_server_says_so_in_the_error_shape_with_retry_after() {
    let app = TestApp::spawn().await;
    // More wrong logins at once than two cores hash in the queue's 3 s (tens of ms each).
    let answers = join_all((0..400).map(|i| {
        let app = &app;
        async move {
            client_from(address(12, i))
                .post(app.url("/api/auth/login"))
                .json(&json!({"login": format!("guess-{i}"), "password": "wrong-password"}))
                .send()
                .await
                .expect("request")
        }
    }))
    .await;
    let busy: Vec<_> = answers
        .into_iter()
        .filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    let Some(one) = busy.into_iter().next() else {
        panic!("400 simultaneous logins never found the hashing queue full");
    };
    assert_eq!(one.headers()["retry-after"], "2");
    let body: serde_json::Value = one.json().await.unwrap();
    assert_eq!(body["error"]["code"], "server_busy");
    assert!(!body["error"]["message"].as_str().unwrap().is_ascii());
    // The queue drains: the demo trainee signs in right after.
    app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
}

/// Statuses of `n` simultaneous logins, each from `from(i)`, with `login(i)`.
async fn simultaneous(
    app: &TestApp,
    n: usize,
    from: impl Fn(usize) -> Ipv4Addr,
    login: impl Fn(usize) -> String,
) -> Vec<StatusCode> {
    join_all((0..n).map(|i| {
        let (client, login) = (client_from(from(i)), login(i));
        async move { login_status(app, &client, &login, "wrong-guess").await }
    }))
    .await
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn sixty_simultaneous_wrong_passwords_for_one_account_get_five_tries() {
    let app = TestApp::spawn().await;
    let statuses = simultaneous(&app, 60, |i| address(13, i), |_| DEMO_GRADED.into()).await;
    let (wrong, limited) = (
        count(&statuses, StatusCode::UNAUTHORIZED),
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
    );
    assert!(wrong <= 5, "{wrong} passwords checked: {statuses:?}");
    assert!(limited >= 1, "{statuses:?}");
    assert_eq!(
        wrong + limited + count(&statuses, StatusCode::SERVICE_UNAVAILABLE),
        60
    );
    if wrong == 5 {
        // Locked, even with the right password.
        let status = login_status(&app, &app.client(), DEMO_GRADED, DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn simultaneous_guesses_from_one_address_stop_at_fifty_failures() {
    let app = TestApp::spawn().await;
    let one = Ipv4Addr::new(127, 14, 0, 1);
    // 45 failures one after the other, then 30 at once: only 5 more may be checked.
    let client = client_from(one);
    for i in 0..45 {
        let status = login_status(&app, &client, &format!("earlier-{i}"), "wrong-guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let statuses = simultaneous(&app, 30, |_| one, |i| format!("guess-{i}")).await;
    let (wrong, limited) = (
        count(&statuses, StatusCode::UNAUTHORIZED),
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
    );
    assert!(wrong <= 5, "{wrong} passwords checked: {statuses:?}");
    assert!(limited >= 1, "{statuses:?}");
    assert_eq!(
        wrong + limited + count(&statuses, StatusCode::SERVICE_UNAVAILABLE),
        30
    );
}
