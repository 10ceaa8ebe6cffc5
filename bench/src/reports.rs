//! The reports run (issue 11, "Speed"): the province dashboard and the non-completers export
//! over 300,000 trainees and 10 million study records, on SQLite and on PostgreSQL, each
//! answering in under 1 s.
//!
//! A fresh database of each kind gets the real schema, policy year and courses from the
//! server library (the demo seed), then bulk rows written by a few `INSERT … SELECT`
//! statements, the same on both databases: 10 bench units in every county, the trainees
//! spread over them, an active enrolment for nine in ten, and for every trainee a
//! `lesson_progress` row of this year on 33 lessons (a third of them on a 34th too), each
//! crediting enough for three in four to complete; one in fifteen is in the middle of a
//! lesson (a live session beyond its stored credit). The study records are the ledger's
//! rows as the API writes them, with the year totals its writes keep beside them
//! (`lesson_year_totals`), written here from those rows as the ledger would have, and every
//! trainee's settled standing (`year_standings`) as the server settles it.
//!
//! The release server is then started on the database, and `province-admin` (signed in by a
//! session row the bench writes) asks for the summary, the non-completers CSV and XLSX over
//! HTTP, each several times. Reported: the rows, the preparation time, each answer's time;
//! checked: every answer is 200, the CSV lists exactly the summary's trainees who have not
//! completed, and the slowest answer is under 1 s.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper::header::{HeaderValue, COOKIE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

use crate::server::Server;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The bound on each answer.
pub const TARGET: Duration = Duration::from_secs(1);
/// How many times each route is asked; every answer is held to the target.
const ROUNDS: usize = 3;

/// The database a run is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// One route's answers.
#[derive(Debug)]
pub struct Timed {
    pub path: &'static str,
    pub times: Vec<Duration>,
    /// The server's CPU time for each answer: what the answer costs whatever else the
    /// machine is running.
    pub cpu: Vec<Option<Duration>>,
    pub bytes: usize,
}

impl Timed {
    fn slowest(&self) -> Duration {
        self.times.iter().copied().max().unwrap_or(Duration::MAX)
    }
}

/// What one database's run measured.
#[derive(Debug)]
pub struct ReportStats {
    pub backend: Backend,
    pub trainees: i64,
    pub study_records: i64,
    pub prepared_in: Duration,
    pub routes: Vec<Timed>,
    /// The summary's figures: trainees, paid, completed.
    pub summary: (u64, u64, u64),
    /// Data rows of the non-completers CSV.
    pub csv_rows: u64,
    pub failure: Option<String>,
}

impl ReportStats {
    pub fn ok(&self) -> bool {
        let (trainees, _, completed) = self.summary;
        self.failure.is_none()
            && self.csv_rows == trainees - completed
            && self.routes.iter().all(|r| r.slowest() < TARGET)
    }
}

const SUMMARY: &str = "/api/reports/summary";
const CSV: &str = "/api/reports/non-completers.csv";
const XLSX: &str = "/api/reports/non-completers.xlsx";

/// Prepares a fresh database of `backend` with `trainees` trainees (for PostgreSQL, a new
/// database made with `admin_url`), starts the server on it and times the reports.
pub async fn run(
    backend: Backend,
    trainees: usize,
    server_bin: &Path,
    repo: &Path,
    admin_url: Option<&str>,
) -> Result<ReportStats, BoxError> {
    // Dropped last: the server goes before its folder and its database.
    let data = tempfile::Builder::new()
        .prefix("qinxue-bench-reports-")
        .tempdir()?;
    let pg = match (backend, admin_url) {
        (Backend::Sqlite, _) => None,
        (Backend::Postgres, Some(url)) => Some(FreshPg::create(url).await?),
        (Backend::Postgres, None) => {
            return Err(
                "PostgreSQL: no QINXUE_TEST_DATABASE_URL (run the bench under \
                        scripts/with-postgres.sh, as `make bench` does)"
                    .into(),
            )
        }
    };
    let url = match &pg {
        Some(p) => p.url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            data.path()
                .join(qinxue_server::storage::SQLITE_FILE)
                .display()
        ),
    };
    let outcome = measure(backend, trainees, server_bin, repo, data.path(), &url, &pg).await;
    if let Some(p) = pg {
        p.drop_database().await?;
    }
    outcome
}

async fn measure(
    backend: Backend,
    trainees: usize,
    server_bin: &Path,
    repo: &Path,
    data_dir: &Path,
    url: &str,
    pg: &Option<FreshPg>,
) -> Result<ReportStats, BoxError> {
    let started = Instant::now();
    let db_url = pg.as_ref().map(|p| p.url.as_str());
    crate::prepare::seed_schema_and_courses(data_dir, &repo.join("content"), db_url).await?;
    let (token, rows) = fill(url, backend, trainees).await?;
    let prepared_in = started.elapsed();

    let env: Vec<(&str, String)> = db_url
        .map(|u| ("QINXUE_DATABASE_URL", u.to_owned()))
        .into_iter()
        .collect();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut server = Server::start_on(server_bin, data_dir, &repo.join("dist"), addr, &env)?;
    wait_until_healthy(&mut server).await?;
    let mut stats = ReportStats {
        backend,
        trainees: rows.0,
        study_records: rows.1,
        prepared_in,
        routes: Vec::new(),
        summary: (0, 0, 0),
        csv_rows: 0,
        failure: None,
    };
    for path in [SUMMARY, CSV, XLSX] {
        let mut timed = Timed {
            path,
            times: Vec::new(),
            cpu: Vec::new(),
            bytes: 0,
        };
        for _ in 0..ROUNDS {
            let cpu_before = server.cpu_time();
            let (took, status, body) = get(server.addr, &token, path).await?;
            timed.cpu.push(
                cpu_before
                    .zip(server.cpu_time())
                    .map(|(a, b)| b.saturating_sub(a)),
            );
            if status != 200 {
                stats.failure = Some(format!(
                    "GET {path}: {status} {}",
                    String::from_utf8_lossy(&body)
                ));
                return Ok(stats);
            }
            timed.times.push(took);
            timed.bytes = body.len();
            if path == SUMMARY {
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                let n = |k: &str| v[k].as_u64().unwrap_or(0);
                stats.summary = (n("trainees"), n("paid"), n("completed"));
            } else if path == CSV {
                let lines = body.iter().filter(|&&b| b == b'\n').count() as u64;
                stats.csv_rows = lines.saturating_sub(1);
            }
        }
        stats.routes.push(timed);
    }
    if let Some(status) = server.exited() {
        stats.failure = Some(format!(
            "the server died ({status}):\n{}",
            server.log_tail()
        ));
    }
    Ok(stats)
}

/// Writes the bench's units, trainees, enrolments, study records and live sessions, and a
/// sign-in of `province-admin`; returns its cookie token and the counts of trainees and
/// study records.
async fn fill(
    url: &str,
    backend: Backend,
    trainees: usize,
) -> Result<(String, (i64, i64)), BoxError> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await?;
    if backend == Backend::Sqlite {
        // A throw-away file: a crash mid-way costs nothing; the server opens it again with
        // its own settings.
        for pragma in ["PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144"] {
            sqlx::query(pragma).execute(&mut conn).await?;
        }
    }
    let now = chrono::Utc::now().timestamp();
    let year = i64::from(chrono::Datelike::year(&qinxue_core::time::local_date(
        chrono::Utc::now(),
    )));
    let hash = qinxue_server::auth::password::Hashing::new(1, Duration::from_secs(5))
        .map_err(|e| format!("hashing thread: {e}"))?
        .hash("Bench@2026".into())
        .await
        .map_err(|e| format!("hash: {e}"))?;
    let first_user: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM users")
            .fetch_one(&mut conn)
            .await?;
    let series = |n: usize| {
        format!(
            "(WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {}) \
             SELECT n FROM s)",
            n.saturating_sub(1)
        )
    };
    let mut tx = conn.begin().await?;
    let statements = [
        format!(
            "INSERT INTO units (name, region_code, created_at) \
             SELECT '压测单位' || r.code || '-' || CAST(s.n AS TEXT), r.code, {now} \
             FROM regions r CROSS JOIN {} s WHERE r.level = 3",
            series(10)
        ),
        format!(
            "INSERT INTO users (role, id_number, phone, name, password_hash, unit_id, \
             employment_type, trade, grade, created_at) \
             SELECT 'trainee', CAST(100000000000000000 + s.n AS TEXT), \
             CAST(10000000000 + s.n AS TEXT), '压测学员' || CAST(s.n AS TEXT), '{hash}', bu.id, \
             'in_post', '汽车驾驶员', CASE WHEN s.n % 7 = 0 THEN 'ungraded' ELSE 'intermediate' END, {now} \
             FROM {} s JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM units \
             WHERE name LIKE '压测单位%') bu \
             ON bu.k = s.n % (SELECT COUNT(*) FROM units WHERE name LIKE '压测单位%')",
            series(trainees)
        ),
        format!(
            "INSERT INTO enrolments (user_id, year, grade, status, created_at) \
             SELECT id, {year}, grade, 'active', {now} FROM users \
             WHERE id >= {first_user} AND id % 10 <> 9"
        ),
        // 33 lessons of 3,600 s (one in four: 2,000 s) complete the 42 学时 of 45 minutes
        // (113,400 s) for the ones who are enrolled.
        format!(
            "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, \
             furthest_secs, position_secs, updated_at) \
             SELECT u.id, l.id, {year}, c.secs, c.secs, c.secs, {now} FROM users u \
             CROSS JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS k FROM lessons) l \
             JOIN (SELECT 0 AS m, 2000 AS secs UNION ALL SELECT 1, 3600 UNION ALL SELECT 2, 3600 \
                   UNION ALL SELECT 3, 3600) c ON c.m = u.id % 4 \
             WHERE u.id >= {first_user} AND (l.k <= 33 OR (l.k = 34 AND u.id % 3 = 0))"
        ),
        format!(
            "INSERT INTO lesson_year_totals (user_id, year, secs) \
             SELECT user_id, year, CAST(SUM(credited_secs) AS BIGINT) FROM lesson_progress \
             WHERE user_id >= {first_user} GROUP BY user_id, year"
        ),
        format!(
            "INSERT INTO study_sessions (user_id, lesson_id, year, started_at, seq, last_beat, \
             next_check_at, held_secs, blocked, credited_secs, furthest_secs, position_secs) \
             SELECT p.user_id, p.lesson_id, p.year, {now} - 600, 0, {now} - 20, {now} + 600, 0, 0, \
             p.credited_secs + 600, p.credited_secs + 600, p.credited_secs + 600 \
             FROM lesson_progress p WHERE p.user_id >= {first_user} AND p.user_id % 15 = 0 \
             AND p.year = {year} AND p.lesson_id = (SELECT MIN(id) FROM lessons)"
        ),
    ];
    for sql in &statements {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    // The standings the writes of these rows would have left (`storage::year_standings`),
    // settled as the server settles marked trainees.
    qinxue_server::storage::year_standings::mark_all(&mut tx).await?;
    while qinxue_server::services::standings::more_left(
        qinxue_server::services::standings::settle_marked(&mut tx, chrono::Utc::now()).await?,
    ) {}
    let token = sign_in(&mut tx, "province-admin", now).await?;
    tx.commit().await?;
    let trainees: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE id >= {first_user}"
    ))
    .fetch_one(&mut conn)
    .await?;
    let records: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM lesson_progress WHERE user_id >= {first_user}"
    ))
    .fetch_one(&mut conn)
    .await?;
    // What a database that has been running has: the planner's statistics, and (SQLite) the
    // write-ahead log folded into the file.
    match backend {
        Backend::Sqlite => {
            for sql in ["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"] {
                sqlx::query(sql).execute(&mut conn).await?;
            }
        }
        Backend::Postgres => {
            sqlx::query("VACUUM ANALYZE").execute(&mut conn).await?;
        }
    }
    conn.close().await?;
    Ok((token, (trainees, records)))
}

/// A sign-in session of `username`: the cookie token (the table keeps its SHA-256).
async fn sign_in(conn: &mut AnyConnection, username: &str, now: i64) -> Result<String, BoxError> {
    let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&mut *conn)
        .await?;
    let mut raw = [0u8; 24];
    getrandom::getrandom(&mut raw)?;
    let token = hex::encode(raw);
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(hex::encode(Sha256::digest(token.as_bytes())))
    .bind(user)
    .bind(now)
    .bind(now + 12 * 3600)
    .execute(conn)
    .await?;
    Ok(token)
}

/// A PostgreSQL database made for one run, dropped after it.
#[derive(Debug)]
pub struct FreshPg {
    admin_url: String,
    name: String,
    pub url: String,
}

impl FreshPg {
    pub async fn create(admin_url: &str) -> Result<Self, BoxError> {
        sqlx::any::install_default_drivers();
        let mut raw = [0u8; 6];
        getrandom::getrandom(&mut raw)?;
        let name = format!("qinxue_bench_{}", hex::encode(raw));
        let mut admin = AnyConnection::connect(admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Ok(Self {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        })
    }

    pub async fn drop_database(self) -> Result<(), BoxError> {
        let mut admin = AnyConnection::connect(&self.admin_url).await?;
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        Ok(())
    }
}

async fn wait_until_healthy(server: &mut Server) -> Result<(), BoxError> {
    let give_up = Instant::now() + Duration::from_secs(60);
    while !crate::load::healthy(server.addr).await {
        if let Some(status) = server.exited() {
            return Err(format!("the server exited ({status}):\n{}", server.log_tail()).into());
        }
        if Instant::now() > give_up {
            return Err(format!("the server did not start:\n{}", server.log_tail()).into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// One GET as the signed-in admin: the time to the whole body read, the status, the body.
async fn get(
    addr: SocketAddr,
    token: &str,
    path: &str,
) -> Result<(Duration, u16, Bytes), BoxError> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let req = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header(HOST, HeaderValue::try_from(addr.to_string())?)
        .header(COOKIE, format!("qinxue_session={token}"))
        .body(Empty::<Bytes>::new())?;
    let started = Instant::now();
    let res = sender.send_request(req).await?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await?.to_bytes();
    Ok((started.elapsed(), status, body))
}

/// The reports section of the report; false when a target is missed.
pub fn print(r: &ReportStats) -> bool {
    println!(
        "reports (issue 11) on {}: {} trainees, {} study records (lesson_progress), prepared in {:.1} s",
        r.backend.label(),
        r.trainees,
        r.study_records,
        r.prepared_in.as_secs_f64()
    );
    let (trainees, paid, completed) = r.summary;
    println!(
        "  province summary: {trainees} trainees, {paid} paid, {completed} completed; \
         non-completers CSV: {} rows",
        r.csv_rows
    );
    for t in &r.routes {
        let times: Vec<String> = t
            .times
            .iter()
            .map(|d| format!("{:.0} ms", d.as_secs_f64() * 1000.0))
            .collect();
        let cpu: Vec<String> = t
            .cpu
            .iter()
            .map(|c| {
                c.map_or("?".into(), |d| {
                    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
                })
            })
            .collect();
        println!(
            "  GET {}: {} (server CPU {}; {:.1} MB; target < {} s each)",
            t.path,
            times.join(", "),
            cpu.join(", "),
            t.bytes as f64 / 1e6,
            TARGET.as_secs()
        );
    }
    if let Some(f) = &r.failure {
        println!("  failed: {f}");
    }
    let ok = r.ok();
    if !ok {
        println!("  MISSED: the reports' target on {}", r.backend.label());
    }
    ok
}
