//! What probing the running server from outside found (issue 13): bursts of password hashing,
//! races on the login limits, cross-origin writes, study outside the plan, headers and edges.

use crate::helpers::{error_of, fields_of, registration, TestApp, DEMO_GRADED, DEMO_PASSWORD};
use crate::sim::{app_with, PaySim};
use futures::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
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

/// The demo trainee's plan: the ids of its courses.
async fn plan_ids(app: &TestApp, client: &Client) -> Vec<i64> {
    let plan: Value = app
        .get(client, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    plan["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// A published course the demo trainee could add to their plan (public, not in it yet).
async fn course_outside_the_plan(app: &TestApp, client: &Client, category: &str) -> Value {
    let planned = plan_ids(app, client).await;
    let courses: Vec<Value> = app.get(client, "/api/courses").await.json().await.unwrap();
    courses
        .into_iter()
        .find(|c| {
            c["category"] == category
                && !planned.contains(&c["id"].as_i64().unwrap())
                && !c["trades"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == DEMO_TRADE)
        })
        .unwrap_or_else(|| panic!("the demo catalogue has a {category} course outside the plan"))
}

/// The demo trainee's trade (汽车驾驶员).
const DEMO_TRADE: &str = "汽车驾驶员";

#[tokio::test]
async fn writes_from_another_sites_page_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let client = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let course = plan_ids(&app, &client).await[0];
    let attempts = || async {
        let list: Value = app
            .get(&client, &format!("/api/courses/{course}/practice/attempts"))
            .await
            .json()
            .await
            .unwrap();
        list.to_string()
    };
    let start = |headers: &[(&str, &str)]| {
        let mut req = client
            .post(app.url(&format!("/api/courses/{course}/practice")))
            .json(&json!({}));
        for (k, v) in headers {
            req = req.header(k.to_string(), v.to_string());
        }
        req.send()
    };
    let before = attempts().await;
    let refused: [&[(&str, &str)]; 6] = [
        &[("origin", "http://evil.example")],
        // Same site, another port: SameSite=Lax sends the cookie there too.
        &[("origin", "http://127.0.0.1:1")],
        &[("origin", "null")],
        &[("sec-fetch-site", "cross-site")],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://127.0.0.1:1"),
        ],
        &[("referer", "http://evil.example/page.html")],
    ];
    for headers in refused {
        let res = start(headers).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(error_of(res).await["code"], "cross_origin", "{headers:?}");
    }
    assert_eq!(attempts().await, before, "nothing changed");
    // Signing out from another site does not sign the person out either.
    let res = client
        .post(app.url("/api/auth/logout"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&client, "/api/me").await.status(), StatusCode::OK);
    // Nor may another site sign a browser in (login CSRF).
    let res = app
        .client()
        .post(app.url("/api/auth/login"))
        .header("origin", "http://evil.example")
        .json(&json!({"login": DEMO_GRADED, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The site's own page passes, as a browser says it in each of its ways; and so does a
    // request from no browser at all (a script, the payment platform's notifications).
    let own = app.base.as_str();
    let referer = format!("{own}/catalogue");
    let passing: [&[(&str, &str)]; 4] = [
        &[("origin", own), ("sec-fetch-site", "same-origin")],
        &[("origin", own)],
        &[("referer", referer.as_str())],
        &[],
    ];
    for headers in passing {
        let res = start(headers).await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{headers:?}");
    }
}

#[tokio::test]
async fn empty_and_raw_bodied_admin_writes_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("province-admin", DEMO_PASSWORD).await;
    let courses: Vec<Value> = app
        .get(&admin, "/api/admin/courses")
        .await
        .json()
        .await
        .unwrap();
    let published = courses.iter().find(|c| c["published"] == true).unwrap();
    let id = published["id"].as_i64().unwrap();
    // No body, so no preflight: only the Origin tells.
    let res = admin
        .post(app.url(&format!("/api/admin/courses/{id}/unpublish")))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A text/plain body, as a cross-site form could send.
    let res = admin
        .post(app.url(&format!("/api/admin/courses/{id}/questions/import")))
        .header("origin", "http://evil.example")
        .header("content-type", "text/plain")
        .body("题型,题目,选项A,选项B,选项C,选项D,答案,解析\n判断,伪造的题目,,,,,对,\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let after: Value = app
        .get(&admin, &format!("/api/admin/courses/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["published"], true);
    assert!(!after.to_string().contains("伪造的题目"));
    // JSON routes take JSON only: a text/plain body never reaches them.
    let res = app
        .client()
        .post(app.url("/api/auth/login"))
        .header("content-type", "text/plain")
        .body(r#"{"login":"province-admin","password":"Demo@2017"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn study_outside_the_plan_follows_the_practice_rule() {
    let app = TestApp::spawn().await;
    let client = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let other_trade = course_outside_the_plan(&app, &client, "trade").await;
    let lesson = other_trade["lessons"][0]["id"].as_i64().unwrap();
    let study = app
        .post(
            &client,
            "/api/study/sessions",
            &json!({"lesson_id": lesson}),
        )
        .await;
    assert_eq!(study.status(), StatusCode::CONFLICT);
    let study = error_of(study).await;
    let practice = app
        .post(
            &client,
            &format!("/api/courses/{}/practice", other_trade["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(practice.status(), StatusCode::CONFLICT);
    assert_eq!(study["code"], "wrong_trade");
    assert_eq!(error_of(practice).await["code"], study["code"]);
    // Nothing was opened: no credit can come of it.
    let progress: Value = app
        .get(&client, "/api/study/progress")
        .await
        .json()
        .await
        .unwrap();
    assert!(!progress
        .to_string()
        .contains(&format!("\"course_id\":{}", other_trade["id"])));
    // The plan's courses stay open.
    let lesson = first_lesson_in_plan(&app, &client).await;
    let res = app
        .post(
            &client,
            "/api/study/sessions",
            &json!({"lesson_id": lesson}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn first_lesson_in_plan(app: &TestApp, client: &Client) -> i64 {
    let plan: Value = app
        .get(client, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    plan["courses"][0]["lessons"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn every_answer_has_a_content_security_policy_and_personal_ones_are_not_stored() {
    let app = TestApp::spawn().await;
    let trainee = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let unit_admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    for (client, path) in [
        (&trainee, "/api/me"),
        (&trainee, "/api/orders"),
        (&trainee, "/api/study/progress"),
        (&trainee, "/api/selections"),
        (&trainee, "/api/courses"),
        (&unit_admin, "/api/unit/staff"),
        (&unit_admin, "/api/nothing-here"),
    ] {
        let res = app.get(client, path).await;
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    for path in [
        "/api/health",
        "/api/regions",
        "/api/units",
        "/api/openapi.json",
    ] {
        let res = app.get(&app.client(), path).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get("cache-control").is_none(), "{path}");
        assert!(
            res.headers().contains_key("content-security-policy"),
            "{path}"
        );
    }
    // A refusal before any route (a cross-origin write) has the headers too.
    let res = trainee
        .post(app.url("/api/auth/logout"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers().contains_key("content-security-policy"));
}

/// The policy of a built front end's page: what Trunk writes is an inline module script.
#[tokio::test]
async fn the_pages_policy_allows_their_own_inline_loader_only() {
    let dist = tempfile::tempdir().unwrap();
    let page = |script: &str| {
        format!(
            "<!DOCTYPE html><html><head><script type=\"module\">{script}</script></head></html>"
        )
    };
    std::fs::write(
        dist.path().join("index.html"),
        page("import init from '/a.js'; init();"),
    )
    .unwrap();
    let dir = dist.path().to_path_buf();
    let app = TestApp::start_with(Default::default(), move |c| c.static_dir = dir).await;
    let csp = |res: &reqwest::Response| {
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let res = app.get(&app.client(), "/catalogue").await;
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let first = csp(&res);
    // sha256 of `import init from '/a.js'; init();`, as a browser computes it.
    let hash = "'sha256-OmsKZ7FdjngXv78J3xPM9wIheFofQWOF5uRnAv7cVTc='";
    assert!(first.contains(hash), "{first}");
    let script_src = first
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(script_src.contains("'wasm-unsafe-eval'") && !script_src.contains("'unsafe-inline'"));
    assert!(first.contains("frame-ancestors 'none'") && first.contains("object-src 'none'"));
    // A new build (new file names in the loader) is read again without a restart.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(
        dist.path().join("index.html"),
        page("import init from '/b.js'; init();"),
    )
    .unwrap();
    let second = csp(&app.get(&app.client(), "/").await);
    assert!(
        !second.contains(hash) && second.contains("'sha256-"),
        "{second}"
    );
    // A revalidation (304) carries no policy, so the browser keeps the page's own.
    let res = app.get(&app.client(), "/").await;
    let modified = res.headers()["last-modified"].clone();
    let res = app
        .client()
        .get(app.url("/"))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert!(res.headers().get("content-security-policy").is_none());
    // Other answers need no inline script.
    let api = csp(&app.get(&app.client(), "/api/health").await);
    assert!(!api.contains("'sha256-"), "{api}");
}

#[tokio::test]
async fn nul_characters_are_refused_with_the_field_named_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("province-admin", DEMO_PASSWORD).await;
    let count = |client: &Client| {
        let client = client.clone();
        let app = &app;
        async move {
            let courses: Vec<Value> = app
                .get(&client, "/api/admin/courses")
                .await
                .json()
                .await
                .unwrap();
            courses.len()
        }
    };
    let before = count(&admin).await;
    let res = app
        .post(
            &admin,
            "/api/admin/courses",
            &json!({"title": "安全\u{0}生产", "category": "public", "trades": [], "hours": 2, "description": ""}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e = error_of(res).await;
    assert_eq!(fields_of(&e), ["title"]);
    assert_eq!(count(&admin).await, before);
    // A sign-in with one is refused before it reaches the database (PostgreSQL: a 500 before).
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": "province\u{0}admin", "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_of(&error_of(res).await), ["login"]);
    // A question file with one is refused whole.
    let courses: Vec<Value> = app
        .get(&admin, "/api/admin/courses")
        .await
        .json()
        .await
        .unwrap();
    let id = courses[0]["id"].as_i64().unwrap();
    let res = admin
        .post(app.url(&format!("/api/admin/courses/{id}/questions/import")))
        .header("content-type", "text/csv")
        .body("题型,题目,选项A,选项B,选项C,选项D,答案,解析\n判断,水\0是液体,,,,,对,\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(res).await["code"], "invalid_import");
    // Invalid UTF-8 in a field nobody reads is still not JSON.
    let res = app
        .client()
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(&b"{\"login\":\"a\",\"password\":\"b\",\"x\":\"\xff\"}"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await["code"], "invalid_json");
}

#[tokio::test]
async fn an_over_long_address_and_over_large_headers_get_the_error_shape() {
    let app = TestApp::spawn().await;
    let res = app
        .get(
            &app.client(),
            &format!("/api/courses?q={}", "长".repeat(3000)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::URI_TOO_LONG);
    assert_eq!(error_of(res).await["code"], "uri_too_long");
    let res = app
        .client()
        .get(app.url("/api/health"))
        .header("x-padding", "x".repeat(40 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(error_of(res).await["code"], "headers_too_large");
}

#[tokio::test]
async fn a_repeated_bulk_order_for_the_same_staff_is_the_same_open_order() {
    let sim = PaySim::start().await;
    let app = app_with(&sim).await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let staff: Value = app
        .get(&admin, "/api/unit/staff")
        .await
        .json()
        .await
        .unwrap();
    let unpaid: Vec<i64> = staff["staff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["paid"] == false)
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert!(unpaid.len() >= 2, "the demo unit has unpaid staff: {staff}");
    let year = staff["year"].clone();
    let order = |ids: Vec<i64>| {
        let (app, admin, year) = (&app, &admin, year.clone());
        async move {
            let res = app
                .post(
                    admin,
                    "/api/orders",
                    &json!({"year": year, "trainee_ids": ids}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::CREATED);
            res.json::<Value>().await.unwrap()
        }
    };
    let (a, b) = (unpaid[0], unpaid[1]);
    let first = order(vec![a, b]).await;
    let again = order(vec![b, a, b]).await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["amount_fen"], first["amount_fen"]);
    assert_eq!(again["status"], "pending");
    // Other people make another order.
    let fewer = order(vec![a]).await;
    assert_ne!(fewer["id"], first["id"]);
    let orders: Vec<Value> = app.get(&admin, "/api/orders").await.json().await.unwrap();
    assert_eq!(orders.len(), 2, "{orders:?}");
}
