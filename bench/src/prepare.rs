//! The data folder the benchmarked server starts on: the real schema, policy year and courses
//! (built by the server library itself, with the demo seed), then N learners written straight
//! into the SQLite file, each signed in and in the middle of a text lesson.
//!
//! Registering 400,000 people through the API would take hours of Argon2 and prove nothing
//! about heartbeats, so the rows are bulk-inserted in one transaction instead. They are the
//! rows the API itself would have written: a trainee with an active enrolment for the year in
//! force, a course selection, a sign-in session whose cookie token only the bench knows (the
//! table keeps its SHA-256, as `auth::session` does), a lesson-progress row and one live study
//! session whose last heartbeat was 20 s ago, so that the first heartbeat is credited.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use qinxue_core::time::local_date;
use qinxue_server::config::Config;
use qinxue_server::storage::SQLITE_FILE;
use qinxue_server::Application;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, QueryBuilder, Row, Sqlite, SqliteConnection};
use std::path::Path;
use std::time::Instant;

/// What the load generator needs to act as one learner.
#[derive(Debug, Clone)]
pub struct LearnerSeed {
    pub session_id: i64,
    /// The `qinxue_session` cookie value.
    pub token: String,
}

/// What was prepared, for the report.
#[derive(Debug)]
pub struct Prepared {
    pub learners: Vec<LearnerSeed>,
    pub year: i32,
    pub lessons: usize,
    pub sqlite_version: String,
    pub db_bytes: u64,
    pub took: std::time::Duration,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// SQLite refuses statements with more than 32,766 bound values; stay well under.
const MAX_BINDS: usize = 30_000;

/// Sign-in sessions last 12 hours; the server renews one only when less than 6 are left,
/// which would turn the first request of every learner into an extra write.
const SIGN_IN_SECS: i64 = 12 * 3600;

/// Builds the data folder in `data_dir` with `n` learners.
pub async fn prepare(data_dir: &Path, content_dir: &Path, n: usize) -> Result<Prepared, BoxError> {
    let started = Instant::now();
    seed_schema_and_courses(data_dir, content_dir, None).await?;

    let options = SqliteConnectOptions::new()
        .filename(data_dir.join(SQLITE_FILE))
        .journal_mode(SqliteJournalMode::Wal)
        // A throw-away file that is complete only when the transaction commits: a power cut
        // mid-way costs nothing, and FULL would fsync hundreds of megabytes for no reason. The
        // server opens it again with its own synchronous = FULL.
        .synchronous(SqliteSynchronous::Off)
        .foreign_keys(true)
        .pragma("cache_size", "-262144");
    let mut conn = SqliteConnection::connect_with(&options).await?;

    let sqlite_version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&mut conn)
        .await?;
    let now_utc = Utc::now();
    let now = now_utc.timestamp();
    let year = local_date(now_utc).year();
    let year_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM policy_years WHERE year = $1")
        .bind(i64::from(year))
        .fetch_one(&mut conn)
        .await?;
    if year_rows != 1 {
        return Err(format!("the demo seed wrote no policy year {year}").into());
    }
    // Public text lessons: every trainee's plan holds the public courses, and a text lesson
    // credits plain wall time (a video one would also need a plausible playing position).
    let lessons: Vec<(i64, i64, i64)> = sqlx::query(
        "SELECT l.id, l.course_id, l.duration_secs FROM lessons l JOIN courses c ON c.id = l.course_id \
         WHERE l.kind = 'text' AND c.category = 'public' AND c.published = 1 ORDER BY l.id",
    )
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    if lessons.is_empty() {
        return Err("the demo content has no public text lesson".into());
    }
    let units: Vec<i64> = sqlx::query_scalar("SELECT id FROM units ORDER BY id")
        .fetch_all(&mut conn)
        .await?;
    let first_user: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users")
        .fetch_one(&mut conn)
        .await?;
    let first_session: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM study_sessions")
            .fetch_one(&mut conn)
            .await?;
    // One real Argon2id hash shared by every learner: the column holds what a login checks,
    // and nobody logs in during the benchmark.
    let password_hash =
        qinxue_server::auth::password::Hashing::new(1, std::time::Duration::from_secs(5))
            .map_err(|e| format!("hashing thread: {e}"))?
            .hash("Bench@2026".into())
            .await
            .map_err(|e| format!("hash: {e}"))?;

    let tokens = random_tokens(n)?;
    let year_n = i64::from(year);
    let uid = |i: usize| first_user + i as i64;
    let lesson_of = |i: usize| lessons[i % lessons.len()];
    // Half-way through the lesson, credited for it on earlier days: a run of about a minute
    // credits some 80 s more, far from the lesson's end and from the daily cap.
    let halfway = |i: usize| lesson_of(i).2 / 40 * 20;
    let mut draws = vec![0u8; n * 2];
    getrandom::getrandom(&mut draws)?;

    let mut tx = conn.begin().await?;
    insert_chunked(&mut tx, n, 13, "INSERT INTO users (id, role, username, id_number, phone, name, password_hash, unit_id, region_code, employment_type, trade, grade, created_at) ", |qb, range| {
        qb.push_values(range, |mut b, i| {
            b.push_bind(uid(i))
                .push_bind("trainee")
                .push_bind(None::<String>)
                .push_bind(id_number(i))
                .push_bind(format!("139{:08}", i))
                .push_bind(format!("压测学员{i}"))
                .push_bind(password_hash.clone())
                .push_bind(units[i % units.len()])
                .push_bind(None::<String>)
                .push_bind("in_post")
                .push_bind("汽车驾驶员")
                .push_bind("intermediate")
                .push_bind(now);
        });
    })
    .await?;
    insert_chunked(
        &mut tx,
        n,
        5,
        "INSERT INTO enrolments (user_id, year, grade, status, created_at) ",
        |qb, range| {
            qb.push_values(range, |mut b, i| {
                b.push_bind(uid(i))
                    .push_bind(year_n)
                    .push_bind("intermediate")
                    .push_bind("active")
                    .push_bind(now);
            });
        },
    )
    .await?;
    insert_chunked(
        &mut tx,
        n,
        4,
        "INSERT INTO selections (user_id, year, course_id, created_at) ",
        |qb, range| {
            qb.push_values(range, |mut b, i| {
                b.push_bind(uid(i))
                    .push_bind(year_n)
                    .push_bind(lesson_of(i).1)
                    .push_bind(now);
            });
        },
    )
    .await?;
    insert_chunked(
        &mut tx,
        n,
        4,
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) ",
        |qb, range| {
            qb.push_values(range, |mut b, i| {
                b.push_bind(hex::encode(Sha256::digest(tokens[i].as_bytes())))
                    .push_bind(uid(i))
                    .push_bind(now)
                    .push_bind(now + SIGN_IN_SECS);
            });
        },
    )
    .await?;
    insert_chunked(&mut tx, n, 7, "INSERT INTO lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, position_secs, updated_at) ", |qb, range| {
        qb.push_values(range, |mut b, i| {
            b.push_bind(uid(i))
                .push_bind(lesson_of(i).0)
                .push_bind(year_n)
                .push_bind(halfway(i))
                .push_bind(halfway(i))
                .push_bind(halfway(i))
                .push_bind(now);
        });
    })
    .await?;
    insert_chunked(&mut tx, n, 13, "INSERT INTO study_sessions (id, user_id, lesson_id, year, started_at, seq, last_beat, next_check_at, held_secs, blocked, credited_secs, furthest_secs, position_secs) ", |qb, range| {
        qb.push_values(range, |mut b, i| {
            // The next anti-idle check 5–15 min ahead, as `Session::open` draws it: far enough
            // that the runs (about a minute) rarely meet one, so heartbeats stay `credited`.
            let draw = u64::from(u16::from_le_bytes([draws[2 * i], draws[2 * i + 1]]));
            b.push_bind(first_session + i as i64)
                .push_bind(uid(i))
                .push_bind(lesson_of(i).0)
                .push_bind(year_n)
                .push_bind(now - 20)
                .push_bind(0_i64)
                .push_bind(now - 20)
                .push_bind(now + 300 + (draw % 601) as i64)
                .push_bind(0_i64)
                .push_bind(0_i64)
                .push_bind(halfway(i))
                .push_bind(halfway(i))
                .push_bind(halfway(i));
        });
    })
    .await?;
    tx.commit().await?;
    // Fold the WAL into the main file so the server starts as it would after a restart.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    // Written with synchronous = OFF, the file's pages are still waiting in the kernel; its
    // writeback would start some 30 s later (vm.dirty_expire_centisecs) and slow every
    // fsync of the measured runs. Flush it now, before anything is measured.
    let db_file = std::fs::File::open(data_dir.join(SQLITE_FILE))?;
    db_file.sync_all()?;
    let db_bytes = db_file.metadata()?.len();
    let learners = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| LearnerSeed {
            session_id: first_session + i as i64,
            token,
        })
        .collect();
    Ok(Prepared {
        learners,
        year,
        lessons: lessons.len(),
        sqlite_version,
        db_bytes,
        took: started.elapsed(),
    })
}

/// Lets the server library create the schema, the policy year in force and the courses, in
/// the SQLite file of `data_dir` or, given its URL, in a PostgreSQL database.
pub async fn seed_schema_and_courses(
    data_dir: &Path,
    content_dir: &Path,
    database_url: Option<&str>,
) -> Result<(), BoxError> {
    // Through the server's own reader of the environment, so that settings it gains later
    // keep their defaults here too.
    let mut vars = vec![
        ("QINXUE_ADDR", "127.0.0.1:0".to_owned()),
        ("QINXUE_DATA", data_dir.display().to_string()),
        ("QINXUE_DEMO", "1".to_owned()),
        ("QINXUE_CONTENT_DIR", content_dir.display().to_string()),
        (
            "QINXUE_STATIC_DIR",
            data_dir.join("no-front-end").display().to_string(),
        ),
    ];
    if let Some(url) = database_url {
        vars.push(("QINXUE_DATABASE_URL", url.to_owned()));
    }
    let config = Config::from_lookup(|k| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.clone())
    })?;
    let app = Application::build(config).await?;
    if !app.seeded_demo() {
        return Err("the demo seed did not run on the fresh data folder".into());
    }
    // Dropping the application would leave its pools to close in the background; running it
    // with a shutdown that has already happened accepts nothing and closes the database
    // cleanly before the bulk insert opens the file.
    app.run_until(std::future::ready(())).await?;
    Ok(())
}

/// Runs `fill` over ranges of `0..n` small enough for SQLite's limit of bound values.
async fn insert_chunked<F>(
    conn: &mut SqliteConnection,
    n: usize,
    columns: usize,
    head: &str,
    fill: F,
) -> Result<(), sqlx::Error>
where
    F: for<'a> Fn(&mut QueryBuilder<'a, Sqlite>, std::ops::Range<usize>),
{
    let rows_per_statement = MAX_BINDS / columns;
    let mut start = 0;
    while start < n {
        let end = (start + rows_per_statement).min(n);
        let mut qb = QueryBuilder::<Sqlite>::new(head);
        fill(&mut qb, start..end);
        qb.build().execute(&mut *conn).await?;
        start = end;
    }
    Ok(())
}

/// `n` session tokens in the server's format: 256 random bits as hex.
fn random_tokens(n: usize) -> Result<Vec<String>, getrandom::Error> {
    let mut bytes = vec![0u8; n * 32];
    getrandom::getrandom(&mut bytes)?;
    Ok(bytes.chunks(32).map(hex::encode).collect())
}

/// A distinct, well-formed 身份证号 for learner `i`: 鲤城区 (350502), a birth date from
/// 1970 on (999 people per day), and the GB 11643 check character.
pub fn id_number(i: usize) -> String {
    let birth =
        NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date") + Duration::days((i / 999) as i64);
    let body = format!("350502{}{:03}", birth.format("%Y%m%d"), i % 999 + 1);
    let check = check_char(body.as_bytes());
    format!("{body}{check}")
}

/// ISO 7064 MOD 11-2 over the first 17 digits.
fn check_char(digits: &[u8]) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use qinxue_core::IdNumber;
    use std::collections::HashSet;

    #[test]
    fn generated_id_numbers_are_valid_and_distinct() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut seen = HashSet::new();
        for i in (0..1_000_000).step_by(997).chain([0, 998, 999, 1000]) {
            let id = id_number(i);
            assert!(IdNumber::parse(&id, today).is_ok(), "{i}: {id}");
            seen.insert((i, id));
        }
        let ids: HashSet<_> = seen.iter().map(|(_, id)| id).collect();
        assert_eq!(ids.len(), seen.len());
    }

    #[test]
    fn tokens_look_like_the_servers() {
        let t = random_tokens(3).unwrap();
        assert!(t.iter().all(|t| t.len() == 64));
        assert_ne!(t[0], t[1]);
    }
}
