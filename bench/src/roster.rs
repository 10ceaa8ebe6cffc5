//! The roster run (issue 11, "Speed"): the unit admin checks a roster of 10,000 new people
//! (a CSV as Excel writes it) with `POST /api/unit/roster/import?dry_run=true` against the
//! release server and the prepared database. Reported: the time from sending the file to the
//! whole answer read, and that every row was checked.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::header::{HeaderValue, CONTENT_TYPE, COOKIE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The target for a 10,000-row dry run.
pub const TARGET: Duration = Duration::from_secs(2);
/// Rows of the file.
pub const ROWS: usize = 10_000;

/// A sign-in of `unit-demo`, written into the prepared data folder: the `qinxue_session`
/// cookie's value.
pub async fn prepare(data_dir: &Path) -> Result<String, BoxError> {
    let options =
        SqliteConnectOptions::new().filename(data_dir.join(qinxue_server::storage::SQLITE_FILE));
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let now = chrono::Utc::now().timestamp();
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'unit-demo'")
        .fetch_one(&mut conn)
        .await?;
    let mut raw = [0u8; 24];
    getrandom::getrandom(&mut raw)?;
    let token = hex::encode(raw);
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(hex::encode(Sha256::digest(token.as_bytes())))
    .bind(admin)
    .bind(now)
    .bind(now + 12 * 3600)
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(token)
}

/// The file: the header and `ROWS` new people with valid 身份证号 (born 1970–1997 in 丰泽区,
/// which the prepared learners are not) and distinct phones.
pub fn file() -> String {
    let mut out = String::from("身份证号,姓名,手机,用工类型,工种,等级\r\n");
    for n in 0..ROWS {
        let first17 = format!(
            "350503{}{:02}{:02}{:03}",
            1970 + n / 12_000 % 28,
            1 + (n / 1000) % 12,
            1 + (n / 12) % 28,
            n % 1000
        );
        let check = qinxue_core::id_number::check_char(first17.as_bytes());
        out.push_str(&format!(
            "{first17}{check},压测员工,136{:08},在编在岗,电工,初级工\r\n",
            n
        ));
    }
    out
}

/// What the run measured.
#[derive(Debug)]
pub struct RosterStats {
    pub bytes: usize,
    pub took: Option<Duration>,
    pub status: u16,
    pub rows: u64,
    pub valid: u64,
    pub failure: Option<String>,
}

impl RosterStats {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
            && self.status == 200
            && self.rows == ROWS as u64
            && self.took.is_some_and(|t| t < TARGET)
    }
}

pub async fn run(addr: SocketAddr, token: &str) -> RosterStats {
    let body = file();
    let bytes = body.len();
    let mut stats = RosterStats {
        bytes,
        took: None,
        status: 0,
        rows: 0,
        valid: 0,
        failure: None,
    };
    match dry_run(addr, token, body).await {
        Ok((took, status, answer)) => {
            stats.took = Some(took);
            stats.status = status;
            stats.rows = answer["rows"].as_u64().unwrap_or(0);
            stats.valid = answer["valid"].as_u64().unwrap_or(0);
        }
        Err(e) => stats.failure = Some(e.to_string()),
    }
    stats
}

async fn dry_run(
    addr: SocketAddr,
    token: &str,
    body: String,
) -> Result<(Duration, u16, serde_json::Value), BoxError> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/unit/roster/import?dry_run=true")
        .header(HOST, HeaderValue::try_from(addr.to_string())?)
        .header(COOKIE, format!("qinxue_session={token}"))
        .header(CONTENT_TYPE, "text/csv")
        .body(Full::new(Bytes::from(body)))?;
    let started = Instant::now();
    let res = sender.send_request(req).await?;
    let status = res.status().as_u16();
    let answer = res.into_body().collect().await?.to_bytes();
    let took = started.elapsed();
    Ok((
        took,
        status,
        serde_json::from_slice(&answer).unwrap_or_default(),
    ))
}

/// The roster section of the report; false when its target is missed.
pub fn print(r: &RosterStats) -> bool {
    println!(
        "roster (issue 11): {} rows ({:.0} KB CSV) checked by the unit admin's dry run",
        ROWS,
        r.bytes as f64 / 1024.0
    );
    match (&r.failure, r.took) {
        (Some(f), _) => println!("  failed: {f}"),
        (None, Some(t)) => println!(
            "  answered {} in {:.2} s: {} rows, {} valid (target < {} s)",
            r.status,
            t.as_secs_f64(),
            r.rows,
            r.valid,
            TARGET.as_secs()
        ),
        (None, None) => println!("  no answer"),
    }
    let ok = r.ok();
    if !ok {
        println!("  MISSED: the roster dry run's target");
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_has_distinct_valid_id_numbers_and_phones() {
        let text = file();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut ids = std::collections::HashSet::new();
        let mut phones = std::collections::HashSet::new();
        for line in text.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            assert!(
                qinxue_core::IdNumber::parse(cells[0], today).is_ok(),
                "{}",
                cells[0]
            );
            assert!(ids.insert(cells[0].to_owned()));
            assert!(phones.insert(cells[2].to_owned()));
        }
        assert_eq!(ids.len(), ROWS);
    }
}
