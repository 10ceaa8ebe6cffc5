//! The load: closed-loop HTTP/1.1 keep-alive connections from this process to the server.
//!
//! Each connection sends its next request as soon as the previous reply is complete, so the
//! rate measured is what the server sustains at that concurrency. For heartbeats, each
//! connection owns a disjoint ring of learners and always sends for the one whose heartbeat
//! has been due longest; a learner is due again `HEARTBEAT` after its previous one was sent,
//! as the player would send it. When nobody in its ring is due the connection waits (and
//! that wait is reported: it means the learners, not the server, limited the rate).
//!
//! Given several server instances, every connection sends its requests to each in turn (one
//! keep-alive connection to each), as a round-robin balancer without stickiness would: a
//! learner's consecutive heartbeats land on different instances.

use crate::prepare::LearnerSeed;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderValue, CONTENT_TYPE, COOKIE, HOST};
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The player's heartbeat period (`LedgerConfig::heartbeat_secs`).
pub const HEARTBEAT: Duration = Duration::from_secs(20);

/// The verdict that counts as an accepted heartbeat.
const ACCEPTED: &str = "credited";

/// One simulated learner: their session, cookie and where their player is.
#[derive(Debug)]
pub struct Learner {
    uri: Uri,
    cookie: HeaderValue,
    /// The sequence number of the next heartbeat.
    seq: i64,
    /// When the next heartbeat is due.
    due: Instant,
}

/// Turns the prepared learners into simulated players, all due now (their last heartbeat
/// was written 20 s before the server started), in random order.
///
/// The order matters: learners were inserted in id order, so neighbours share database
/// pages, and heartbeats sent in id order would find most of a batch's rows on a few pages
/// already in cache. Real learners' heartbeats arrive in no relation to their ids; in id
/// order the first run measured twice the rate the later ones did.
pub fn learners(mut seeds: Vec<LearnerSeed>) -> Result<Vec<Learner>, String> {
    shuffle(&mut seeds).map_err(|e| format!("random: {e}"))?;
    let now = Instant::now();
    seeds
        .into_iter()
        .map(|s| {
            Ok(Learner {
                uri: format!("/api/study/sessions/{}/heartbeat", s.session_id)
                    .parse()
                    .map_err(|e| format!("uri: {e}"))?,
                cookie: HeaderValue::try_from(format!("qinxue_session={}", s.token))
                    .map_err(|e| format!("cookie: {e}"))?,
                seq: 1,
                due: now,
            })
        })
        .collect()
}

/// Fisher–Yates with SplitMix64 seeded from the OS: a fresh order each run, and no more
/// dependencies than the benchmark needs.
fn shuffle<T>(items: &mut [T]) -> Result<(), getrandom::Error> {
    let mut seed = [0u8; 8];
    getrandom::getrandom(&mut seed)?;
    let mut state = u64::from_le_bytes(seed);
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        // The modulo bias is below 2⁻⁴⁰ for any slice that fits in memory.
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
    Ok(())
}

/// What one run measured.
#[derive(Debug, Default)]
pub struct RunStats {
    pub connections: usize,
    pub elapsed: Duration,
    /// Replies of any kind, and transport failures.
    pub requests: u64,
    /// Health: 200. Heartbeats: 200 with verdict `credited`.
    pub accepted: u64,
    /// Every outcome by name, accepted ones included.
    pub outcomes: BTreeMap<String, u64>,
    /// Send-to-complete-reply times in µs, sorted.
    pub latencies_us: Vec<u32>,
    /// Time connections spent waiting for a learner to become due, summed over connections.
    pub starved: Duration,
}

impl RunStats {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn accepted_rate(&self) -> f64 {
        self.accepted as f64 / self.elapsed.as_secs_f64()
    }

    pub fn accepted_share(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.accepted as f64 / self.requests as f64
        }
    }

    /// The `q` quantile of latency (0 < q ≤ 1), exact over all samples.
    pub fn percentile(&self, q: f64) -> Duration {
        let n = self.latencies_us.len();
        if n == 0 {
            return Duration::ZERO;
        }
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        Duration::from_micros(u64::from(self.latencies_us[rank - 1]))
    }

    /// The share of connection time spent waiting for a due learner.
    pub fn starved_share(&self) -> f64 {
        let total = self.elapsed.as_secs_f64() * self.connections as f64;
        if total == 0.0 {
            0.0
        } else {
            self.starved.as_secs_f64() / total
        }
    }

    fn merge(&mut self, c: ConnStats) {
        self.requests += c.requests;
        self.accepted += c.accepted;
        for (k, v) in c.outcomes {
            *self.outcomes.entry(k).or_default() += v;
        }
        self.latencies_us.extend(c.latencies_us);
        self.starved += c.starved;
    }
}

/// One connection's share of a run.
#[derive(Debug, Default)]
struct ConnStats {
    requests: u64,
    accepted: u64,
    outcomes: BTreeMap<String, u64>,
    latencies_us: Vec<u32>,
    starved: Duration,
}

impl ConnStats {
    fn record(&mut self, outcome: &str, accepted: bool, sent: Instant) {
        let micros = sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        self.latencies_us.push(micros);
        self.requests += 1;
        if accepted {
            self.accepted += 1;
        }
        // Outcomes are few and repeat; allocate a key only the first time one is seen.
        match self.outcomes.get_mut(outcome) {
            Some(n) => *n += 1,
            None => {
                self.outcomes.insert(outcome.to_owned(), 1);
            }
        }
    }
}

/// Keep-alive HTTP/1.1 connections, one to each instance, used in turn; each reconnects
/// after a failure.
struct Conn {
    addrs: Vec<SocketAddr>,
    host: HeaderValue,
    senders: Vec<Option<SendRequest<Full<Bytes>>>>,
    /// The instance of the next request.
    turn: usize,
}

impl Conn {
    fn new(addrs: &[SocketAddr]) -> Self {
        let first = addrs.first().expect("at least one server address");
        Self {
            addrs: addrs.to_vec(),
            host: HeaderValue::try_from(first.to_string()).expect("an address is a valid header"),
            senders: addrs.iter().map(|_| None).collect(),
            turn: 0,
        }
    }

    /// Sends one request to the next instance and reads the whole reply.
    async fn exchange(&mut self, req: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes), String> {
        let i = self.turn;
        self.turn = (i + 1) % self.addrs.len();
        if self.senders[i].is_none() {
            self.senders[i] = Some(
                connect(self.addrs[i])
                    .await
                    .map_err(|e| format!("connect: {e}"))?,
            );
        }
        let sender = self.senders[i].as_mut().expect("connected above");
        let result = async {
            sender.ready().await?;
            let reply = sender.send_request(req).await?;
            let status = reply.status();
            let body = reply.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>((status, body))
        }
        .await;
        if result.is_err() {
            self.senders[i] = None;
        }
        result.map_err(|e| format!("transport: {e}"))
    }
}

async fn connect(addr: SocketAddr) -> std::io::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    // Small request, small reply, wait for the reply: Nagle would only add delay.
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Whether the server answers `GET /api/health` with 200.
pub async fn healthy(addr: SocketAddr) -> bool {
    let mut conn = Conn::new(&[addr]);
    matches!(
        conn.exchange(health_request(&conn.host)).await,
        Ok((StatusCode::OK, _))
    )
}

fn health_request(host: &HeaderValue) -> Request<Full<Bytes>> {
    Request::get(Uri::from_static("/api/health"))
        .header(HOST, host.clone())
        .body(Full::new(Bytes::new()))
        .expect("a valid request")
}

/// `GET /api/health` closed-loop on `connections` connections for `duration`.
pub async fn health(addrs: &[SocketAddr], connections: usize, duration: Duration) -> RunStats {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = JoinSet::new();
    for _ in 0..connections {
        let addrs = addrs.to_vec();
        tasks.spawn(async move {
            let mut conn = Conn::new(&addrs);
            let mut stats = ConnStats::default();
            while Instant::now() < deadline {
                let sent = Instant::now();
                match conn.exchange(health_request(&conn.host)).await {
                    Ok((StatusCode::OK, _)) => stats.record("200", true, sent),
                    Ok((status, _)) => {
                        stats.record(&format!("HTTP {}", status.as_u16()), false, sent)
                    }
                    Err(e) => {
                        stats.record(&e, false, sent);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            stats
        });
    }
    let mut run = RunStats {
        connections,
        ..RunStats::default()
    };
    while let Some(stats) = tasks.join_next().await {
        run.merge(stats.expect("a load task does not panic"));
    }
    run.elapsed = start.elapsed();
    run.latencies_us.sort_unstable();
    run
}

/// Heartbeats closed-loop on `connections` connections for `duration`, for `learners`
/// (given back afterwards with their new sequence numbers and due times, minus any whose
/// session the server ended).
pub async fn heartbeats(
    addrs: &[SocketAddr],
    connections: usize,
    duration: Duration,
    learners: &mut Vec<Learner>,
) -> RunStats {
    beats(addrs, connections, Some(duration), learners).await
}

/// One heartbeat from every learner, closed-loop on `connections` connections: the first
/// each sends after the server started, which reads their session from the database.
pub async fn first_heartbeats(
    addrs: &[SocketAddr],
    connections: usize,
    learners: &mut Vec<Learner>,
) -> RunStats {
    beats(addrs, connections, None, learners).await
}

/// Heartbeats for `duration`, or (`None`) until every learner has sent one.
async fn beats(
    addrs: &[SocketAddr],
    connections: usize,
    duration: Option<Duration>,
    learners: &mut Vec<Learner>,
) -> RunStats {
    // Deal the learners out longest-due first, so that every ring starts in due order and,
    // as each sent learner goes to its back due 20 s later, stays so.
    learners.sort_by_key(|l| l.due);
    let mut rings: Vec<VecDeque<Learner>> = (0..connections).map(|_| VecDeque::new()).collect();
    for (i, l) in learners.drain(..).enumerate() {
        rings[i % connections].push_back(l);
    }
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for ring in rings {
        let (deadline, sends) = match duration {
            Some(d) => (start + d, usize::MAX),
            // Long enough for anything; the ring stops after one round.
            None => (start + Duration::from_secs(86_400), ring.len()),
        };
        tasks.spawn(beat_loop(addrs.to_vec(), ring, deadline, sends));
    }
    let mut run = RunStats {
        connections,
        ..RunStats::default()
    };
    while let Some(done) = tasks.join_next().await {
        let (stats, ring) = done.expect("a load task does not panic");
        run.merge(stats);
        learners.extend(ring);
    }
    run.elapsed = start.elapsed();
    run.latencies_us.sort_unstable();
    run
}

/// Heartbeats with sequence number 0 on `connections` connections for `duration`: the server
/// checks the sign-in cookie (a database read) and then refuses the body with 422 before the
/// heartbeat writer sees it. Compared with the health route and with real heartbeats, this
/// splits a heartbeat's cost into HTTP, the sign-in check and the writer.
pub async fn sign_in_only(
    addrs: &[SocketAddr],
    connections: usize,
    duration: Duration,
    learners: &[Learner],
) -> RunStats {
    let start = Instant::now();
    let deadline = start + duration;
    let per_conn = (learners.len() / connections.max(1)).clamp(1, 1_000);
    let mut tasks = JoinSet::new();
    for c in 0..connections {
        let mine: Vec<(Uri, HeaderValue)> = learners
            .iter()
            .skip(c * per_conn)
            .take(per_conn)
            .map(|l| (l.uri.clone(), l.cookie.clone()))
            .collect();
        let addrs = addrs.to_vec();
        tasks.spawn(async move {
            let mut conn = Conn::new(&addrs);
            let mut stats = ConnStats::default();
            let json = HeaderValue::from_static("application/json");
            for (uri, cookie) in mine.iter().cycle() {
                if Instant::now() >= deadline {
                    break;
                }
                let req = Request::post(uri.clone())
                    .header(HOST, conn.host.clone())
                    .header(COOKIE, cookie.clone())
                    .header(CONTENT_TYPE, json.clone())
                    .body(Full::new(Bytes::from_static(
                        br#"{"seq":0,"visible":true,"position_secs":0}"#,
                    )))
                    .expect("a valid request");
                let sent = Instant::now();
                match conn.exchange(req).await {
                    Ok((status, body)) => {
                        let code = serde_json::from_slice::<ErrorReply>(&body)
                            .map(|e| e.error.code.to_owned())
                            .unwrap_or_default();
                        let expected = status == StatusCode::UNPROCESSABLE_ENTITY;
                        stats.record(&format!("HTTP {} {code}", status.as_u16()), expected, sent);
                    }
                    Err(e) => {
                        stats.record(&e, false, sent);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            stats
        });
    }
    let mut run = RunStats {
        connections,
        ..RunStats::default()
    };
    while let Some(stats) = tasks.join_next().await {
        run.merge(stats.expect("a load task does not panic"));
    }
    run.elapsed = start.elapsed();
    run.latencies_us.sort_unstable();
    run
}

#[derive(Deserialize)]
struct Reply<'a> {
    verdict: &'a str,
}

#[derive(Deserialize)]
struct ErrorReply<'a> {
    #[serde(borrow)]
    error: ErrorDetail<'a>,
}

#[derive(Deserialize)]
struct ErrorDetail<'a> {
    code: &'a str,
}

async fn beat_loop(
    addrs: Vec<SocketAddr>,
    mut ring: VecDeque<Learner>,
    deadline: Instant,
    mut sends: usize,
) -> (ConnStats, VecDeque<Learner>) {
    let mut conn = Conn::new(&addrs);
    let mut stats = ConnStats::default();
    let json = HeaderValue::from_static("application/json");
    loop {
        let now = Instant::now();
        let Some(next_due) = ring.front().map(|l| l.due) else {
            break;
        };
        if now >= deadline || sends == 0 {
            break;
        }
        if next_due > now {
            let wake = next_due.min(deadline);
            tokio::time::sleep_until(wake).await;
            stats.starved += wake - now;
            continue;
        }
        let mut l = ring.pop_front().expect("front exists");
        sends -= 1;
        // A text lesson's position only serves resuming; advance it as a reader would.
        let body = format!(
            r#"{{"seq":{},"visible":true,"position_secs":{}}}"#,
            l.seq,
            (l.seq * 20).min(86_400)
        );
        let req = Request::post(l.uri.clone())
            .header(HOST, conn.host.clone())
            .header(COOKIE, l.cookie.clone())
            .header(CONTENT_TYPE, json.clone())
            .body(Full::new(Bytes::from(body)))
            .expect("a valid request");
        let sent = Instant::now();
        let mut keep = true;
        match conn.exchange(req).await {
            Ok((StatusCode::OK, body)) => match serde_json::from_slice::<Reply>(&body) {
                Ok(reply) => {
                    stats.record(reply.verdict, reply.verdict == ACCEPTED, sent);
                    // The server took this sequence number unless it was out of order; a
                    // replay means an earlier try of it was committed after all.
                    if reply.verdict != "out_of_sequence" {
                        l.seq += 1;
                    }
                }
                Err(_) => stats.record("200 with an unreadable body", false, sent),
            },
            Ok((status, body)) => {
                let code = serde_json::from_slice::<ErrorReply>(&body)
                    .map(|e| e.error.code.to_owned())
                    .unwrap_or_else(|_| "(no error code)".into());
                stats.record(&format!("HTTP {} {code}", status.as_u16()), false, sent);
                // An ended session never takes a heartbeat again.
                keep = !(status == StatusCode::CONFLICT && code == "session_ended");
            }
            Err(e) => {
                stats.record(&e, false, sent);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        // Due again one period after this one was sent, whatever the answer: a retry of a
        // failed heartbeat repeats its sequence number then, as the player does.
        l.due = sent + HEARTBEAT;
        if keep {
            ring.push_back(l);
        }
    }
    (stats, ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shuffle_keeps_every_item_and_moves_most() {
        let mut v: Vec<u32> = (0..10_000).collect();
        shuffle(&mut v).unwrap();
        let moved = v
            .iter()
            .enumerate()
            .filter(|(i, x)| *i as u32 != **x)
            .count();
        assert!(moved > 9_000, "{moved}");
        v.sort_unstable();
        assert!(v.iter().enumerate().all(|(i, x)| i as u32 == *x));
    }

    #[test]
    fn percentiles_are_exact_ranks() {
        let run = RunStats {
            latencies_us: (1..=100).collect(),
            ..RunStats::default()
        };
        assert_eq!(run.percentile(0.5), Duration::from_micros(50));
        assert_eq!(run.percentile(0.99), Duration::from_micros(99));
        assert_eq!(run.percentile(1.0), Duration::from_micros(100));
        assert_eq!(RunStats::default().percentile(0.99), Duration::ZERO);
    }
}
