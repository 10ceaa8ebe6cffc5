//! The mixed load of the crash test, and the record of everything the server acknowledged.
//!
//! - Learners: each has paid (through the simulator), opened a study session on a long public
//!   text lesson, and sends a visible heartbeat every [`HEARTBEAT`], as the player does:
//!   a failed heartbeat is sent again with the same sequence number one period later, and a
//!   check is answered at once (retried until it expires).
//! - Payers: new trainees register, open an order and pay it at the simulator, one after the
//!   other on two connections.
//! - An office admin files supplementary activities.
//!
//! A reply is the server's promise that the write is durable. A request that got no reply
//! may or may not have been applied: it is counted as unknown, and the check allows it.

use qinxue_core::api::{CheckPassed, CheckPrompt, HeartbeatReply};
use qinxue_core::ledger::BeatVerdict;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

pub use qinxue_bench::load::HEARTBEAT;

const DEMO_PASSWORD: &str = "Demo@2017";
/// Requests that find the server down are not retried faster than this.
const PAUSE: Duration = Duration::from_millis(500);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What one study session was acknowledged.
#[derive(Debug, Default, Clone)]
pub struct SessionLog {
    /// Seconds credited by accepted heartbeats and passed checks, as their replies said.
    pub acked_secs: i64,
    /// Heartbeats and answers sent without a reply: each may have been applied.
    pub unknown: u32,
    pub ended_by_server: bool,
}

#[derive(Debug, Default)]
pub struct Log {
    pub sessions: BTreeMap<i64, SessionLog>,
    /// Heartbeat outcomes by verdict, HTTP status or transport failure.
    pub outcomes: BTreeMap<String, u64>,
    /// Orders whose payment the simulator answered `paid`.
    pub paid_orders: Vec<i64>,
    /// Orders opened and never paid (the reply to the pay call was not `paid`).
    pub unpaid_orders: u64,
    pub activities: Vec<i64>,
    pub crashes: usize,
}

/// Shared by the load tasks and the crash loop.
#[derive(Debug, Default)]
pub struct Record(Mutex<Log>);

impl Record {
    fn with<T>(&self, f: impl FnOnce(&mut Log) -> T) -> T {
        f(&mut self
            .0
            .lock()
            .expect("no load task panics holding the record"))
    }

    pub fn crashed(&self) {
        self.with(|l| l.crashes += 1);
    }

    fn outcome(&self, what: &str) {
        self.with(|l| *l.outcomes.entry(what.to_owned()).or_default() += 1);
    }

    fn session(&self, id: i64, f: impl FnOnce(&mut SessionLog)) {
        self.with(|l| f(l.sessions.entry(id).or_default()));
    }

    /// A copy of everything recorded.
    pub fn snapshot(&self) -> Log {
        self.with(|l| Log {
            sessions: l.sessions.clone(),
            outcomes: l.outcomes.clone(),
            paid_orders: l.paid_orders.clone(),
            unpaid_orders: l.unpaid_orders,
            activities: l.activities.clone(),
            crashes: l.crashes,
        })
    }
}

/// A learner in the middle of a lesson.
struct Learner {
    client: Client,
    session: i64,
    /// When the session was opened: its first heartbeat is due one period later.
    opened: Instant,
}

/// The prepared load, before and while it runs.
pub struct Load {
    base: String,
    sim: String,
    record: Arc<Record>,
    learners: Vec<Learner>,
    lesson: (i64, i64),
    unit: i64,
    year: i64,
    office: Client,
    /// Payers' clients by order, to ask for the order's status at the end.
    payers: Arc<Mutex<Vec<(i64, Client)>>>,
}

/// The running load; [`Running::stop`] ends it.
pub struct Running {
    stop: Arc<AtomicBool>,
    tasks: JoinSet<()>,
}

impl Running {
    pub async fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        while self.tasks.join_next().await.is_some() {}
    }
}

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client with the default TLS-less settings")
}

async fn login(base: &str, login: &str) -> Result<Client, BoxError> {
    let c = client();
    let res = c
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"login": login, "password": DEMO_PASSWORD}))
        .send()
        .await?;
    if res.status() != StatusCode::OK {
        return Err(format!("login {login}: {}", res.status()).into());
    }
    Ok(c)
}

/// A valid 身份证号 and a mobile number for the `n`th trainee of this run.
fn identity(n: u64) -> (String, String) {
    let first17 = format!(
        "3505021985{:02}{:02}{:03}",
        1 + (n / 28_000) % 12,
        1 + (n / 1000) % 28,
        n % 1000
    );
    let check = qinxue_core::id_number::check_char(first17.as_bytes());
    (format!("{first17}{check}"), format!("137{n:08}"))
}

static NEXT_TRAINEE: AtomicU64 = AtomicU64::new(0);

impl Load {
    /// Signs in the demo admins, and registers `learners` trainees who pay and open a session.
    pub async fn prepare(
        base: String,
        sim: String,
        learners: usize,
        record: Arc<Record>,
    ) -> Result<Load, BoxError> {
        let unit_admin = login(&base, "unit-demo").await?;
        let me: Value = unit_admin
            .get(format!("{base}/api/me"))
            .send()
            .await?
            .json()
            .await?;
        let unit = me["unit"]["id"].as_i64().ok_or("unit-demo has no unit")?;
        let year = me["year"]["year"].as_i64().ok_or("no policy year")?;
        let office = login(&base, "quanzhou-admin").await?;
        let mut load = Load {
            base,
            sim,
            record,
            learners: Vec::new(),
            lesson: (0, 0),
            unit,
            year,
            office,
            payers: Arc::default(),
        };
        let first = load.enrolled().await?;
        load.lesson = longest_public_text_lesson(&load.base, &first).await?;
        // Four at a time: registering hashes a password, which the server does two at a time.
        let mut clients = vec![first];
        let mut enrolling = JoinSet::new();
        while clients.len() < learners {
            while enrolling.len() < 4 && clients.len() + enrolling.len() < learners {
                let payer = load.payer();
                enrolling.spawn(async move { payer.enrolled().await });
            }
            if let Some(done) = enrolling.join_next().await {
                clients.push(done??);
            }
        }
        for client in clients {
            let res = client
                .post(format!("{}/api/study/sessions", load.base))
                .json(&json!({"lesson_id": load.lesson.0}))
                .send()
                .await?;
            if res.status() != StatusCode::CREATED {
                return Err(format!("opening a study session: {}", res.status()).into());
            }
            let body: Value = res.json().await?;
            let session = body["session_id"].as_i64().ok_or("no session_id")?;
            load.record.session(session, |_| {});
            load.learners.push(Learner {
                client,
                session,
                opened: Instant::now(),
            });
        }
        Ok(load)
    }

    pub fn learners(&self) -> usize {
        self.learners.len()
    }

    pub fn lesson_id(&self) -> i64 {
        self.lesson.0
    }

    pub fn lesson_secs(&self) -> i64 {
        self.lesson.1
    }

    /// A new trainee whose order is paid and whose year is active.
    async fn enrolled(&self) -> Result<Client, BoxError> {
        // A busy machine may turn a registration away (503 while the hashing queue is full).
        let mut paid = None;
        for _ in 0..5 {
            paid = self.pay_one().await?;
            if paid.is_some() {
                break;
            }
            tokio::time::sleep(PAUSE).await;
        }
        let (c, order) = paid.ok_or("a trainee could not pay five times before the first kill")?;
        for _ in 0..300 {
            if order_status(&self.base, &c, order).await.as_deref() == Some("paid") {
                return Ok(c);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("order {order} was not paid within 30 s of the simulator's notice").into())
    }

    /// Registers a trainee, opens their order and pays it at the simulator. `None` when a
    /// step failed (the server was down); the order, if any, stays unpaid.
    async fn pay_one(&self) -> Result<Option<(Client, i64)>, BoxError> {
        let c = client();
        let (id_number, phone) = identity(NEXT_TRAINEE.fetch_add(1, Ordering::Relaxed));
        let registered = c
            .post(format!("{}/api/auth/register", self.base))
            .json(&json!({
                "id_number": id_number, "name": "断电测试学员", "phone": phone,
                "password": "Crash@2026", "unit_id": self.unit, "employment_type": "contract",
                "trade": "电工", "grade": "senior",
            }))
            .send()
            .await;
        if !registered.is_ok_and(|r| r.status() == StatusCode::CREATED) {
            return Ok(None);
        }
        let Ok(res) = c
            .post(format!("{}/api/orders", self.base))
            .json(&json!({"year": self.year}))
            .send()
            .await
        else {
            return Ok(None);
        };
        if res.status() != StatusCode::CREATED {
            return Ok(None);
        }
        let Ok(created) = res.json::<Value>().await else {
            return Ok(None);
        };
        let order = created["id"].as_i64().ok_or("an order without id")?;
        let payment = created["pay_url"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .ok_or("an order without pay_url")?
            .to_owned();
        let paid: Value = c
            .post(format!("{}/api/sim/payments/{payment}/pay", self.sim))
            .send()
            .await?
            .json()
            .await?;
        if paid["status"] != "paid" {
            self.record.with(|l| l.unpaid_orders += 1);
            return Ok(None);
        }
        self.record.with(|l| l.paid_orders.push(order));
        self.payers
            .lock()
            .expect("no task panics holding it")
            .push((order, c.clone()));
        Ok(Some((c, order)))
    }

    /// Starts every learner, two payers and the office admin.
    pub fn run(&self) -> Running {
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = JoinSet::new();
        for l in &self.learners {
            tasks.spawn(beats(
                self.base.clone(),
                l.client.clone(),
                l.session,
                l.opened + HEARTBEAT,
                self.lesson.1,
                self.record.clone(),
                stop.clone(),
            ));
        }
        for _ in 0..2 {
            let payer = self.payer();
            let stop = stop.clone();
            tasks.spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    // A few payments a second: a busy morning, not a flood that would leave
                    // the learners' heartbeats no CPU.
                    let _ = payer.pay_one().await;
                    tokio::time::sleep(PAUSE).await;
                }
            });
        }
        tasks.spawn(file_activities(
            self.base.clone(),
            self.office.clone(),
            self.year,
            self.record.clone(),
            stop.clone(),
        ));
        Running { stop, tasks }
    }

    /// A handle for a payer task: the same server, simulator and record.
    fn payer(&self) -> Load {
        Load {
            base: self.base.clone(),
            sim: self.sim.clone(),
            record: self.record.clone(),
            learners: Vec::new(),
            lesson: self.lesson,
            unit: self.unit,
            year: self.year,
            office: self.office.clone(),
            payers: self.payers.clone(),
        }
    }

    /// Waits (up to a minute) until the server shows every order the simulator paid as paid:
    /// late notifications and reconciliation land after the last restart.
    pub async fn settle_orders(&self) {
        let payers = self
            .payers
            .lock()
            .expect("no task panics holding it")
            .clone();
        let deadline = Instant::now() + Duration::from_secs(60);
        for (order, c) in payers {
            while order_status(&self.base, &c, order).await.as_deref() != Some("paid")
                && Instant::now() < deadline
            {
                tokio::time::sleep(PAUSE).await;
            }
        }
    }
}

async fn order_status(base: &str, c: &Client, order: i64) -> Option<String> {
    let o: Value = c
        .get(format!("{base}/api/orders/{order}"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    o["status"].as_str().map(str::to_owned)
}

/// The public text lesson with the most seconds to credit (id, seconds): the run must not
/// reach its end, which would stop the credit and hide a loss.
async fn longest_public_text_lesson(base: &str, c: &Client) -> Result<(i64, i64), BoxError> {
    let courses: Value = c
        .get(format!("{base}/api/courses"))
        .send()
        .await?
        .json()
        .await?;
    let courses = courses
        .as_array()
        .or_else(|| courses["courses"].as_array())
        .ok_or("the catalogue is not a list")?;
    courses
        .iter()
        .filter(|c| c["category"] == "public")
        .flat_map(|c| c["lessons"].as_array().into_iter().flatten())
        .filter(|l| l["kind"] == "text")
        .filter_map(|l| Some((l["id"].as_i64()?, l["duration_secs"].as_i64()?)))
        .max_by_key(|&(_, secs)| secs)
        .ok_or_else(|| "the demo catalogue has no public text lesson".into())
}

/// One learner's heartbeats until `stop`.
async fn beats(
    base: String,
    c: Client,
    session: i64,
    mut due: Instant,
    lesson_secs: i64,
    record: Arc<Record>,
    stop: Arc<AtomicBool>,
) {
    let url = format!("{base}/api/study/sessions/{session}/heartbeat");
    let mut seq = 1i64;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now < due {
            tokio::time::sleep((due - now).min(PAUSE)).await;
            continue;
        }
        let sent = now;
        let body =
            json!({"seq": seq, "visible": true, "position_secs": (seq * 20).min(lesson_secs)});
        match c.post(&url).json(&body).send().await {
            Err(e) if e.is_connect() => record.outcome("connection refused (server down)"),
            Err(_) => {
                record.outcome("no reply");
                record.session(session, |s| s.unknown += 1);
            }
            Ok(res) if res.status() == StatusCode::OK => match res.json::<HeartbeatReply>().await {
                Ok(reply) => {
                    record.outcome(&format!("{:?}", reply.verdict));
                    if reply.verdict == BeatVerdict::Credited {
                        record.session(session, |s| s.acked_secs += reply.credited_secs);
                    }
                    if reply.verdict != BeatVerdict::OutOfSequence {
                        seq += 1;
                    }
                    if let Some(check) = reply.check {
                        answer(&base, &c, session, &check, &record).await;
                    }
                }
                Err(_) => {
                    record.outcome("reply cut off");
                    record.session(session, |s| s.unknown += 1);
                }
            },
            Ok(res) => {
                let status = res.status();
                let body: Value = res.json().await.unwrap_or_default();
                let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
                record.outcome(&format!("HTTP {} {code}", status.as_u16()));
                if status.is_server_error() {
                    record.session(session, |s| s.unknown += 1);
                }
                if status == StatusCode::CONFLICT && code == "session_ended" {
                    record.session(session, |s| s.ended_by_server = true);
                    return;
                }
            }
        }
        due = sent + HEARTBEAT;
    }
}

/// Answers a check rightly, again and again while the server is down, until it expires.
async fn answer(base: &str, c: &Client, session: i64, check: &CheckPrompt, record: &Record) {
    let url = format!("{base}/api/study/checks/{}", check.id);
    let sum: i64 = check
        .prompt
        .trim_start_matches("请计算：")
        .split(" = ")
        .next()
        .unwrap_or_default()
        .split(" + ")
        .filter_map(|n| n.trim().parse::<i64>().ok())
        .sum();
    let mut tried_unknown = false;
    while chrono::Utc::now() < check.expires_at {
        match c
            .post(&url)
            .json(&json!({"answer": sum.to_string()}))
            .send()
            .await
        {
            Err(e) if e.is_connect() => {}
            Err(_) => tried_unknown = true,
            Ok(res) if res.status() == StatusCode::OK => match res.json::<CheckPassed>().await {
                Ok(passed) => {
                    record.outcome("check passed");
                    record.session(session, |s| s.acked_secs += passed.credited_secs);
                    return;
                }
                Err(_) => tried_unknown = true,
            },
            Ok(res) if res.status().is_server_error() => tried_unknown = true,
            Ok(res) => {
                // 404: an earlier try went through after all (its reply was lost).
                record.outcome(&format!("check answer HTTP {}", res.status().as_u16()));
                break;
            }
        }
        tokio::time::sleep(PAUSE).await;
    }
    if tried_unknown {
        record.session(session, |s| s.unknown += 1);
    }
}

/// The office admin files an activity every second until `stop`.
async fn file_activities(
    base: String,
    c: Client,
    year: i64,
    record: Arc<Record>,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        let res = c
            .post(format!("{base}/api/activities"))
            .json(&json!({
                "title": "断电演练专题讲座", "kind": "lecture", "date": format!("{year}-06-15"),
                "place": "泉州市人社局报告厅", "hours": 2, "expected": 80,
            }))
            .send()
            .await;
        if let Ok(res) = res {
            if res.status() == StatusCode::CREATED {
                if let Ok(a) = res.json::<Value>().await {
                    if let Some(id) = a["id"].as_i64() {
                        record.with(|l| l.activities.push(id));
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
