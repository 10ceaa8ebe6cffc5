//! The computer-room run (issue 10, "Speed"): a group session open with a PIN, and `seats`
//! terminals behind one address (this process, one loopback address) that each open the
//! kiosk, sign in by 身份证号 + PIN, open a lesson and send their first heartbeat, all at once,
//! while the proctor's console (`GET /api/group-sessions/{id}/events`) listens.
//!
//! Reported: the time from the first sign-in sent to the last seat's first heartbeat
//! accepted (answered by the ledger; a fresh session's first one is `early` by the ledger's
//! rule, credited from the next), whether the console showed every seat studying, and the
//! console's update latency: from a seat's change (its sign-in, its lesson opened) answered
//! to the console's first event that shows it.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper::header::{HeaderValue, CONTENT_TYPE, COOKIE, HOST, SET_COOKIE};
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, Row, SqliteConnection};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The issue's target: every seat signed in and heard from within this time.
pub const TARGET: Duration = Duration::from_secs(10);

/// The PIN of the prepared session.
const PIN: &str = "260626";

/// The open session the run uses, and who sits in it.
#[derive(Debug)]
pub struct RoomSeed {
    group_id: i64,
    code: String,
    lesson_id: i64,
    /// The `qinxue_session` cookie of `proctor-demo`.
    proctor_token: String,
    /// (身份证号, name) of each seat's person.
    people: Vec<(String, String)>,
}

/// Writes an open seats session for the whole province (so that every prepared learner is of
/// its region) run by `proctor-demo`, and a sign-in of the proctor, into the prepared data
/// folder; `seats` of the prepared learners will sit in it.
pub async fn prepare(data_dir: &Path, seats: usize) -> Result<RoomSeed, BoxError> {
    let options =
        SqliteConnectOptions::new().filename(data_dir.join(qinxue_server::storage::SQLITE_FILE));
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let now = chrono::Utc::now().timestamp();
    let year = chrono::Datelike::year(&qinxue_core::time::local_date(chrono::Utc::now()));
    let root: String = sqlx::query_scalar("SELECT code FROM regions ORDER BY length(path), code")
        .fetch_one(&mut conn)
        .await?;
    let proctor: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'proctor-demo'")
        .fetch_one(&mut conn)
        .await?;
    let (lesson_id, course_id): (i64, i64) = sqlx::query_as(
        "SELECT l.id, l.course_id FROM lessons l JOIN courses c ON c.id = l.course_id \
         WHERE l.kind = 'text' AND c.category = 'public' AND c.published = 1 ORDER BY l.id LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await?;
    let people = sqlx::query(
        "SELECT id_number, name FROM users WHERE name LIKE '压测学员%' ORDER BY id LIMIT $1",
    )
    .bind(seats as i64)
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<Result<Vec<(String, String)>, sqlx::Error>>()?;
    if people.len() < seats {
        return Err(format!("{seats} seats need as many learners; prepare more").into());
    }
    let code = "BENCH234".to_owned();
    // No random roll call during the run: its next one is not due (NULL).
    let group_id: i64 = sqlx::query_scalar(
        "INSERT INTO group_sessions (code, title, room, region_code, starts_at, ends_at, year, \
         capacity, course_id, proctor_id, format, open_to_region, status, pin, pin_set_at, \
         pin_failures, opened_at, version, created_by, created_at) \
         VALUES ($1, '压测机房', '压测机房', $2, $3, $4, $5, $6, $7, $8, 'seats', 1, 'open', $9, $3, \
         0, $3, 0, $8, $3) RETURNING id",
    )
    .bind(&code)
    .bind(&root)
    .bind(now - 60)
    .bind(now + 3 * 3600)
    .bind(i64::from(year))
    .bind(seats as i64)
    .bind(course_id)
    .bind(proctor)
    .bind(PIN)
    .fetch_one(&mut conn)
    .await?;
    let mut raw = [0u8; 24];
    getrandom::getrandom(&mut raw)?;
    let proctor_token = hex::encode(raw);
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hex::encode(Sha256::digest(proctor_token.as_bytes())))
        .bind(proctor)
        .bind(now)
        .bind(now + 12 * 3600)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(RoomSeed {
        group_id,
        code,
        lesson_id,
        proctor_token,
        people,
    })
}

/// What the run measured.
#[derive(Debug)]
pub struct RoomStats {
    pub seats: usize,
    /// First sign-in sent → last seat's first heartbeat answered; none if some seat failed.
    pub all_seated: Option<Duration>,
    /// First sign-in sent → the console's event showing the last seat studying.
    pub console_all: Option<Duration>,
    /// Seats the console showed studying by the end of the run.
    pub console_seen: usize,
    /// Seat change answered → console event, every change measured.
    pub latencies: Vec<Duration>,
    pub failures: Vec<String>,
}

impl RoomStats {
    pub fn percentile(&self, q: f64) -> Option<Duration> {
        let mut v = self.latencies.clone();
        v.sort();
        let i = ((v.len() as f64 * q).ceil() as usize).checked_sub(1)?;
        v.get(i).copied()
    }
}

/// One request on a connection of its own (each terminal is a browser of its own).
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    cookie: &str,
    body: Option<String>,
) -> Result<Response<Incoming>, BoxError> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, HeaderValue::try_from(addr.to_string())?);
    if !cookie.is_empty() {
        req = req.header(COOKIE, cookie);
    }
    if body.is_some() {
        req = req.header(CONTENT_TYPE, "application/json");
    }
    let req = req.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
    Ok(sender.send_request(req).await?)
}

/// The value of cookie `name` among a reply's `Set-Cookie` headers.
fn set_cookie(res: &Response<Incoming>, name: &str) -> Option<String> {
    res.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let rest = v.strip_prefix(name)?.strip_prefix('=')?;
        Some(rest.split(';').next().unwrap_or_default().to_owned())
    })
}

async fn json(res: Response<Incoming>) -> Result<(u16, serde_json::Value), BoxError> {
    let status = res.status().as_u16();
    let body = res.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&body).unwrap_or_default()))
}

/// A seat's changes as the terminal saw them answered: (name, what, when).
type Change = (String, &'static str, Instant);

/// One terminal: kiosk, sign-in, lesson, first heartbeat. Answers when its heartbeat was
/// answered.
async fn terminal(
    addr: SocketAddr,
    seed: &RoomSeed,
    person: &(String, String),
    changes: &mpsc::UnboundedSender<Change>,
) -> Result<Instant, BoxError> {
    let room = format!("/api/rooms/{}", seed.code);
    let res = send(addr, Method::GET, &room, "", None).await?;
    let terminal = set_cookie(&res, "qinxue_terminal").ok_or("no terminal cookie")?;
    json(res).await?;
    let body = serde_json::json!({"id_number": person.0, "pin": PIN}).to_string();
    let res = send(
        addr,
        Method::POST,
        &format!("{room}/sign-in"),
        &format!("qinxue_terminal={terminal}"),
        Some(body),
    )
    .await?;
    let seat = set_cookie(&res, "qinxue_seat");
    let (status, answer) = json(res).await?;
    let seat = seat.ok_or_else(|| format!("sign-in {status}: {answer}"))?;
    let _ = changes.send((person.1.clone(), "seated", Instant::now()));
    let cookie = format!("qinxue_terminal={terminal}; qinxue_seat={seat}");
    let body = serde_json::json!({"lesson_id": seed.lesson_id}).to_string();
    let res = send(
        addr,
        Method::POST,
        "/api/study/sessions",
        &cookie,
        Some(body),
    )
    .await?;
    let (status, answer) = json(res).await?;
    let session = answer["session_id"]
        .as_i64()
        .ok_or_else(|| format!("study start {status}: {answer}"))?;
    let _ = changes.send((person.1.clone(), "studying", Instant::now()));
    let body = r#"{"seq":1,"visible":true,"position_secs":0}"#.to_owned();
    let path = format!("/api/study/sessions/{session}/heartbeat");
    let (status, answer) =
        json(send(addr, Method::POST, &path, &cookie, Some(body)).await?).await?;
    if status != 200 || !answer["verdict"].is_string() {
        return Err(format!("heartbeat {status}: {answer}").into());
    }
    Ok(Instant::now())
}

/// The console's stream: every seat it shows, with when it first showed it seated and
/// studying, until it shows all `n` studying or `until`.
async fn console(
    addr: SocketAddr,
    seed: &RoomSeed,
    n: usize,
    until: Instant,
) -> Result<HashMap<String, (Option<Instant>, Option<Instant>)>, BoxError> {
    let path = format!("/api/group-sessions/{}/events", seed.group_id);
    let cookie = format!("qinxue_session={}", seed.proctor_token);
    let res = send(addr, Method::GET, &path, &cookie, None).await?;
    if res.status() != 200 {
        return Err(format!("console stream: {}", res.status()).into());
    }
    let mut body = res.into_body();
    let mut buf = String::new();
    let mut seen: HashMap<String, (Option<Instant>, Option<Instant>)> = HashMap::new();
    let studying = |s: &HashMap<String, (Option<Instant>, Option<Instant>)>| {
        s.values().filter(|v| v.1.is_some()).count()
    };
    while studying(&seen) < n {
        let frame = match tokio::time::timeout_at(until, body.frame()).await {
            Ok(Some(frame)) => frame?,
            Ok(None) | Err(_) => break,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let at = Instant::now();
        buf.push_str(&String::from_utf8_lossy(&data));
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            let data = event
                .lines()
                .find_map(|l| l.strip_prefix("data:"))
                .unwrap_or_default()
                .trim();
            let v: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
            let seats = match v.get("seats") {
                Some(seats) => seats.as_array().cloned().unwrap_or_default(),
                None if v.get("trainee_id").is_some() => vec![v],
                None => Vec::new(),
            };
            for s in seats {
                let name = s["name"].as_str().unwrap_or_default().to_owned();
                let e = seen.entry(name).or_default();
                e.0.get_or_insert(at);
                if s["lesson_id"].is_i64() {
                    e.1.get_or_insert(at);
                }
            }
        }
    }
    Ok(seen)
}

/// Runs the room: the console first, then every terminal at once.
pub async fn run(addr: SocketAddr, seed: &RoomSeed) -> RoomStats {
    let n = seed.people.len();
    let until = Instant::now() + Duration::from_secs(60);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let watching = console(addr, seed, n, until);
    let terminals = futures_join_all(seed.people.iter().map(|p| {
        let tx = tx.clone();
        async move { terminal(addr, seed, p, &tx).await }
    }));
    // The console stream opens before the first sign-in is sent; both then run together.
    let (shown, answered) = tokio::join!(watching, async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t0 = Instant::now();
        (t0, terminals.await)
    });
    drop(tx);
    let (t0, answered) = answered;
    let mut failures = Vec::new();
    let mut last = None::<Instant>;
    for r in answered {
        match r {
            Ok(at) => last = Some(last.map_or(at, |l| l.max(at))),
            Err(e) => failures.push(e.to_string()),
        }
    }
    let shown = shown.unwrap_or_else(|e| {
        failures.push(e.to_string());
        HashMap::new()
    });
    let mut latencies = Vec::new();
    while let Ok((name, what, at)) = rx.try_recv() {
        let seen = shown.get(&name).and_then(|s| match what {
            "seated" => s.0,
            _ => s.1,
        });
        // An event that came before the reply was read counts as 0: the console was first.
        if let Some(seen) = seen {
            latencies.push(seen.saturating_duration_since(at));
        }
    }
    let console_seen = shown.values().filter(|v| v.1.is_some()).count();
    let console_all = (console_seen >= n)
        .then(|| shown.values().filter_map(|v| v.1).max())
        .flatten()
        .map(|at| at.saturating_duration_since(t0));
    RoomStats {
        seats: n,
        all_seated: last
            .filter(|_| failures.is_empty())
            .map(|at| at.saturating_duration_since(t0)),
        console_all,
        console_seen,
        latencies,
        failures,
    }
}

/// Runs futures together on this task and collects their outputs in order.
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut set: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}
