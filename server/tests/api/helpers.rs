//! The test harness: [`TestApp`] runs the real server; typed helpers drive it like a client.

use qinxue_server::config::{Config, SecretString};
use qinxue_server::Application;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const DEMO_PASSWORD: &str = "Demo@2017";
pub const DEMO_GRADED: &str = "350502198001011235";
pub const DEMO_UNGRADED: &str = "350582199203025017";

/// A running server and the folder or database it owns.
pub struct TestApp {
    pub base: String,
    config: Config,
    _data: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Options for [`TestApp::start`].
#[derive(Clone, Copy)]
pub struct Options {
    pub demo: bool,
    pub test_clock: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            demo: true,
            test_clock: true,
        }
    }
}

impl TestApp {
    /// A server with the demo data and the test clock.
    pub async fn spawn() -> TestApp {
        Self::start(Options::default()).await
    }

    pub async fn start(options: Options) -> TestApp {
        Self::start_with(options, |_| {}).await
    }

    /// A server whose configuration `adjust` changes first (e.g. to point it at a simulator).
    pub async fn start_with(options: Options, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let data = tempfile::tempdir().expect("temp dir");
        let database_url = match std::env::var("QINXUE_TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                Some(SecretString::new(fresh_postgres_db(&admin).await))
            }
            _ => None,
        };
        let mut config = test_config(options, &data, database_url);
        adjust(&mut config);
        let mut app = TestApp::unstarted(config, data);
        app.boot().await;
        app
    }

    /// Two server instances started at the same moment on one fresh PostgreSQL database, as a
    /// deployment behind a load balancer runs them; `None` on SQLite, whose database belongs
    /// to one server. Returns whether each start seeded the demo data too.
    pub async fn start_twins(options: Options) -> Option<[(TestApp, bool); 2]> {
        let admin = std::env::var("QINXUE_TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())?;
        let url = fresh_postgres_db(&admin).await;
        let [a, b] = [(); 2].map(|()| {
            let data = tempfile::tempdir().expect("temp dir");
            let config = test_config(options, &data, Some(SecretString::new(url.clone())));
            TestApp::unstarted(config, data)
        });
        let (built_a, built_b) = tokio::join!(
            Application::build(a.config.clone()),
            Application::build(b.config.clone())
        );
        let mut twins = [(a, built_a), (b, built_b)].map(|(mut app, built)| {
            let application = built.expect("server starts beside another");
            let seeded = application.seeded_demo();
            app.run(application);
            (app, seeded)
        });
        twins.sort_by_key(|(_, seeded)| !seeded);
        Some(twins)
    }

    fn unstarted(config: Config, data: tempfile::TempDir) -> TestApp {
        TestApp {
            base: String::new(),
            config,
            _data: data,
            stop: None,
            task: None,
        }
    }

    async fn boot(&mut self) {
        let application = Application::build(self.config.clone())
            .await
            .expect("server starts");
        self.run(application);
    }

    fn run(&mut self, application: Application) {
        self.base = format!("http://{}", application.local_addr());
        // A restart listens on the same port, as a real server would: the payment platform
        // keeps notifying the address it was given.
        self.config.addr = application.local_addr();
        let (tx, rx) = oneshot::channel();
        self.stop = Some(tx);
        self.task = Some(tokio::spawn(application.run_until(async {
            let _ = rx.await;
        })));
    }

    /// Stops the server (closing its database) and starts it again on the same data.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.boot().await;
    }

    /// Stops the server and waits until it has closed its database; [`TestApp::resume`]
    /// starts it again.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stops cleanly");
        }
    }

    /// Starts a stopped server again on the same data and port.
    pub async fn resume(&mut self) {
        self.boot().await;
    }

    /// A connection to the server's database, for tests that check what was stored.
    pub async fn db(&self) -> qinxue_server::storage::Db {
        qinxue_server::storage::Db::connect(&self.config)
            .await
            .expect("database opens")
    }

    /// The folder the server keeps uploaded files in.
    pub fn media_dir(&self) -> PathBuf {
        self.config.media_dir()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with its own cookie jar: one browser.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .build()
            .expect("client")
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn post(&self, client: &Client, path: &str, body: &Value) -> Response {
        client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Signs in a new browser; panics unless the server answers 200.
    pub async fn login_as(&self, login: &str, password: &str) -> Client {
        let client = self.client();
        let res = self
            .post(
                &client,
                "/api/auth/login",
                &json!({"login": login, "password": password}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "login {login}: {}",
            res.text().await.unwrap()
        );
        client
    }

    /// A unit id from the directory (the demo's first unit).
    pub async fn some_unit_id(&self) -> i64 {
        let units: Value = self
            .get(&self.client(), "/api/units")
            .await
            .json()
            .await
            .unwrap();
        units[0]["id"].as_i64().expect("the demo has units")
    }

    /// Moves the server's clock forward.
    pub async fn advance_clock(&self, secs: i64) -> Value {
        let res = self
            .post(
                &self.client(),
                "/api/test/clock",
                &json!({"advance_secs": secs}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The configuration of a test server on `data` (and on `database_url`, else on SQLite there).
fn test_config(
    options: Options,
    data: &tempfile::TempDir,
    database_url: Option<SecretString>,
) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.path().to_path_buf(),
        database_url,
        demo: options.demo,
        test_clock: options.test_clock,
        static_dir: PathBuf::from("/nonexistent-static"),
        content_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content"),
        secure_cookies: false,
        // Nothing listens there: a test that pays starts a simulator and says so.
        pay_url: "http://127.0.0.1:9".into(),
        pay_secret: SecretString::new(crate::sim::SECRET.into()),
        public_url: None,
        // Tests run reconciliation when they mean to (`TestApp::reconcile`).
        reconcile_every: std::time::Duration::from_secs(3600),
        request_timeout: std::time::Duration::from_secs(30),
        connections: Default::default(),
        media: Default::default(),
        certificate_font: qinxue_server::config::DEFAULT_CERTIFICATE_FONT.into(),
    }
}

/// Creates an empty database on the PostgreSQL server of `admin_url` and returns its URL.
pub async fn fresh_postgres_db(admin_url: &str) -> String {
    use sqlx::{Connection, Executor};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "qinxue_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .expect("PostgreSQL admin connection");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("admin URL ends with a database name");
    format!("{server}/{name}")
}

/// A valid 身份证号 that no other test uses: a Quanzhou prefix, a birth date and a sequence
/// number from a process-wide counter, and the GB 11643 check character.
pub fn unique_id_number() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) + u64::from(std::process::id() % 500) * 1000;
    let day = 1 + (n / 1000) % 28;
    let first17 = format!(
        "3505021985{:02}{:02}{:03}",
        1 + (n / 28_000) % 12,
        day,
        n % 1000
    );
    let check = qinxue_core::id_number::check_char(first17.as_bytes());
    format!("{first17}{check}")
}

/// An 11-digit mobile number that no other test uses.
pub fn unique_phone() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("139{:04}{:04}", std::process::id() % 10_000, n % 10_000)
}

/// A complete, valid registration body.
pub fn registration(unit_id: i64, grade: &str) -> Value {
    json!({
        "id_number": unique_id_number(),
        "name": "测试学员",
        "phone": unique_phone(),
        "password": "Passw0rd!",
        "unit_id": unit_id,
        "employment_type": "contract",
        "trade": "电工",
        "grade": grade,
    })
}

/// The `error` object of an error answer, checking that it has the contract's shape.
pub async fn error_of(res: Response) -> Value {
    let status = res.status();
    assert!(status.is_client_error(), "expected a 4xx, got {status}");
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body: Value = res.json().await.expect("JSON error body");
    let error = body["error"].clone();
    assert!(error["code"].is_string(), "error.code in {body}");
    let message = error["message"].as_str().expect("error.message");
    assert!(
        !message.is_empty() && !message.is_ascii(),
        "a Chinese message: {message}"
    );
    error
}

/// The field names an error answer lists.
pub fn fields_of(error: &Value) -> Vec<String> {
    error["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Stops the server's clock so that a test can count exact seconds.
pub async fn freeze_clock(app: &TestApp) {
    let res = app
        .post(
            &app.client(),
            "/api/test/clock",
            &json!({"advance_secs": 0, "freeze": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// The server's clock, in seconds since the epoch.
pub async fn now(app: &TestApp) -> i64 {
    let v = app.advance_clock(0).await;
    chrono::DateTime::parse_from_rfc3339(v["now"].as_str().unwrap())
        .unwrap()
        .timestamp()
}

/// Freezes the clock at the next 08:00 in Shanghai (00:00 UTC). A test spans a few hours of
/// the clock, or runs across the real midnight: frozen at the real time late in the evening,
/// it passed Shanghai midnight halfway and today's credit and the daily cap started over;
/// from 08:00 it stays in one day.
pub async fn freeze_clock_in_the_morning(app: &TestApp) {
    freeze_clock(app).await;
    let to_morning = (-now(app).await).rem_euclid(86_400);
    app.advance_clock(to_morning).await;
}

/// The first lesson of the given kind in the catalogue: (lesson id, duration).
pub async fn lesson_of_kind(app: &TestApp, kind: &str) -> (i64, i64) {
    let courses: Vec<Value> = app
        .get(&app.client(), "/api/courses")
        .await
        .json()
        .await
        .unwrap();
    courses
        .iter()
        .flat_map(|c| c["lessons"].as_array().unwrap().iter())
        .find(|l| l["kind"] == kind)
        .map(|l| {
            (
                l["id"].as_i64().unwrap(),
                l["duration_secs"].as_i64().unwrap(),
            )
        })
        .unwrap_or_else(|| panic!("the demo catalogue has a {kind} lesson"))
}

/// A signed-in trainee in one browser, studying.
pub struct Learner<'a> {
    pub app: &'a TestApp,
    pub client: Client,
}

impl<'a> Learner<'a> {
    /// The demo's enrolled trainee, in a new browser.
    pub async fn demo(app: &'a TestApp) -> Learner<'a> {
        Learner {
            app,
            client: app.login_as(DEMO_GRADED, DEMO_PASSWORD).await,
        }
    }

    /// Opens a study session; returns its id.
    pub async fn start(&self, lesson_id: i64) -> i64 {
        let res = self
            .app
            .post(
                &self.client,
                "/api/study/sessions",
                &json!({"lesson_id": lesson_id}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["heartbeat_secs"], 20);
        body["session_id"].as_i64().unwrap()
    }

    /// Sends a heartbeat and returns the raw answer.
    pub async fn beat_raw(&self, session: i64, body: Value) -> Response {
        self.app
            .post(
                &self.client,
                &format!("/api/study/sessions/{session}/heartbeat"),
                &body,
            )
            .await
    }

    /// Sends a visible heartbeat; panics unless it is accepted (200).
    pub async fn beat(&self, session: i64, seq: i64, position_secs: i64) -> Value {
        self.beat_with(
            session,
            json!({"seq": seq, "visible": true, "position_secs": position_secs}),
        )
        .await
    }

    pub async fn beat_with(&self, session: i64, body: Value) -> Value {
        let res = self.beat_raw(session, body).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        res.json().await.unwrap()
    }

    /// Answers a check with the option the prompt asks for (or deliberately a wrong one).
    pub async fn answer(&self, check: &Value, right: bool) -> Response {
        let id = check["id"].as_str().unwrap();
        self.app
            .post(
                &self.client,
                &format!("/api/study/checks/{id}"),
                &json!({"answer": check_answer(check, right)}),
            )
            .await
    }

    /// Studies honestly for `beats` heartbeats of 20 s, answering every check at once.
    /// Returns the credited seconds the replies added up to and the next sequence number.
    pub async fn study(&self, session: i64, first_seq: i64, beats: i64) -> (i64, i64) {
        let mut credited = 0;
        for seq in first_seq..first_seq + beats {
            self.app.advance_clock(20).await;
            let reply = self.beat(session, seq, 0).await;
            credited += reply["credited_secs"].as_i64().unwrap();
            if !reply["check"].is_null() {
                let res = self.answer(&reply["check"], true).await;
                assert_eq!(res.status(), StatusCode::OK);
                credited += res.json::<Value>().await.unwrap()["credited_secs"]
                    .as_i64()
                    .unwrap();
            }
        }
        (credited, first_seq + beats)
    }

    /// The trainee's credited seconds this year, as the progress page reports them.
    pub async fn year_secs(&self) -> i64 {
        let p: Value = self
            .app
            .get(&self.client, "/api/study/progress")
            .await
            .json()
            .await
            .unwrap();
        p["credited_secs"].as_i64().unwrap()
    }
}

/// The answer to an anti-idle check's prompt (`请计算：a + b = ?`), or deliberately a wrong one.
pub fn check_answer(check: &Value, right: bool) -> String {
    let prompt = check["prompt"].as_str().unwrap();
    let sum: i64 = prompt
        .trim_start_matches("请计算：")
        .split(" = ")
        .next()
        .unwrap()
        .split(" + ")
        .map(|n| n.trim().parse::<i64>().unwrap())
        .sum();
    if right { sum } else { sum + 1 }.to_string()
}

/// Moves the clock to one second past a deadline of the year in force (`registration_deadline`
/// or `study_deadline` as `/api/me` reports it for this signed-in client).
pub async fn advance_past(app: &TestApp, client: &Client, deadline: &str) {
    let me: Value = app.get(client, "/api/me").await.json().await.unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(me["year"][deadline].as_str().unwrap()).unwrap();
    let now: Value = app.advance_clock(0).await;
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap();
    app.advance_clock((at - now).num_seconds() + 1).await;
}

/// The `name=value` of the session cookie an answer sets, if it sets one.
pub fn session_cookie_of(res: &Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with("qinxue_session=") && pair.len() > "qinxue_session=".len())
        .map(str::to_owned)
}

/// A browser that sends this session cookie with every request and keeps no cookie jar, so
/// that no answer (a sign-in or a registration as someone else, a sign-out) changes whom it
/// is signed in as.
pub fn client_with_cookie(cookie: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        reqwest::header::HeaderValue::from_str(cookie).expect("a cookie is a header value"),
    );
    Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Signs in and answers the session cookie; panics unless the server answers 200.
pub async fn session_cookie(app: &TestApp, login: &str, password: &str) -> String {
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": login, "password": password}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "login {login}");
    session_cookie_of(&res).expect("a sign-in sets the session cookie")
}

/// Registers a new trainee of `unit_id` and answers the session cookie the registration set.
pub async fn register_trainee(app: &TestApp, unit_id: i64, grade: &str) -> String {
    let res = app
        .post(
            &app.client(),
            "/api/auth/register",
            &registration(unit_id, grade),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "registration");
    session_cookie_of(&res).expect("a registration signs the trainee in")
}

/// The id of the first unit of a region's subtree, from the directory.
pub async fn unit_in_region(app: &TestApp, region: &str) -> i64 {
    let units: Value = app
        .get(&app.client(), &format!("/api/units?region={region}"))
        .await
        .json()
        .await
        .unwrap();
    units[0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the demo has a unit in {region}"))
}

/// An administrator account the demo data lacks (another unit's admin, another city's office),
/// written through the server's own storage with the demo password. Answers its id.
pub async fn insert_admin(
    app: &TestApp,
    role: qinxue_core::Role,
    username: &str,
    unit_id: Option<i64>,
    region_code: &str,
) -> i64 {
    let mut account = qinxue_server::storage::users::NewUser {
        role,
        username: Some(username.into()),
        id_number: None,
        phone: None,
        name: format!("测试管理员 {username}"),
        password_hash: String::new(),
        unit_id,
        region_code: Some(region_code.into()),
        employment_type: None,
        trade: None,
        grade: None,
    };
    let db = app.db().await;
    // The demo accounts' hash of DEMO_PASSWORD: Argon2 again would only cost time.
    let mut conn = db.read().await.expect("connection");
    account.password_hash =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'unit-demo'")
            .fetch_one(&mut *conn)
            .await
            .expect("the demo has unit-demo");
    drop(conn);
    let now = chrono::Utc::now().timestamp();
    let id = db
        .write(move |c| {
            Box::pin(
                async move { Ok(qinxue_server::storage::users::insert(c, &account, now).await?) },
            )
        })
        .await
        .expect("account inserted");
    db.close().await;
    id
}

/// The demo's group session of today (code `DEMO_ROOM_CODE`), as its proctor lists it.
pub async fn demo_group_session(app: &TestApp, proctor: &Client) -> Value {
    let list: Vec<Value> = app
        .get(proctor, "/api/group-sessions")
        .await
        .json()
        .await
        .unwrap();
    list.into_iter()
        .find(|s| s["code"] == qinxue_server::seed::DEMO_ROOM_CODE)
        .expect("the demo session is the proctor's")
}

/// Opens the group session `id` as its `proctor` and returns the room's PIN.
pub async fn open_group_session(app: &TestApp, proctor: &Client, id: &Value) -> String {
    let res = app
        .post(
            proctor,
            &format!("/api/group-sessions/{id}/open"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["pin"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A live event stream (a console's or a seat's), read event by event.
pub struct Events {
    res: Response,
    buf: String,
}

impl Events {
    pub fn new(res: Response) -> Events {
        Events {
            res,
            buf: String::new(),
        }
    }

    /// The next event (its lines up to the blank line), skipping keep-alive comments.
    pub async fn next(&mut self) -> String {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event = self.buf[..end].to_owned();
                self.buf.drain(..end + 2);
                if event.starts_with(':') {
                    continue;
                }
                return event;
            }
            let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), self.res.chunk())
                .await
                .expect("an event within 10 s")
                .expect("stream readable")
                .expect("stream open");
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event whose first line is `event: {kind}`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> String {
        let head = format!("event: {kind}");
        loop {
            let event = self.next().await;
            if event.lines().next() == Some(head.as_str()) {
                return event;
            }
        }
    }
}
