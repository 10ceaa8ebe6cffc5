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
use sqlx::{AnyConnection, Connection, Row};
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
    /// `SQLite 3.46.0`, `PostgreSQL 15.10 …`.
    pub database: String,
    pub db_bytes: u64,
    pub took: std::time::Duration,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// SQLite refuses statements with more than 32,766 bound values (PostgreSQL 65,535); stay
/// well under.
const MAX_BINDS: usize = 30_000;

/// Sign-in sessions last 12 hours; the server renews one only when less than 6 are left,
/// which would turn the first request of every learner into an extra write.
const SIGN_IN_SECS: i64 = 12 * 3600;

/// One bound value of a bulk insert.
enum Val {
    Int(i64),
    Text(String),
    Null,
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_owned())
    }
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}

/// Builds the data folder in `data_dir` with `n` learners, in its SQLite file or, given its
/// URL, in a PostgreSQL database (made empty by the caller).
pub async fn prepare(
    data_dir: &Path,
    content_dir: &Path,
    n: usize,
    database_url: Option<&str>,
) -> Result<Prepared, BoxError> {
    let started = Instant::now();
    seed_schema_and_courses(data_dir, content_dir, database_url).await?;

    sqlx::any::install_default_drivers();
    let sqlite_url = format!("sqlite://{}", data_dir.join(SQLITE_FILE).display());
    let postgres = database_url.is_some();
    let mut conn = AnyConnection::connect(database_url.unwrap_or(&sqlite_url)).await?;
    if !postgres {
        // A throw-away file that is complete only when the transaction commits: a power cut
        // mid-way costs nothing, and FULL would fsync hundreds of megabytes for no reason.
        // The server opens it again with its own synchronous = FULL.
        for pragma in [
            "PRAGMA synchronous = OFF",
            "PRAGMA foreign_keys = ON",
            "PRAGMA cache_size = -262144",
        ] {
            sqlx::query(pragma).execute(&mut conn).await?;
        }
    }
    let database: String = if postgres {
        sqlx::query_scalar("SELECT 'PostgreSQL ' || current_setting('server_version')")
    } else {
        sqlx::query_scalar("SELECT 'SQLite ' || sqlite_version()")
    }
    .fetch_one(&mut conn)
    .await?;
    let now_utc = Utc::now();
    let now = now_utc.timestamp();
    let year = local_date(now_utc).year();
    let year_rows: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM policy_years WHERE year = $1")
            .bind(i64::from(year))
            .fetch_one(&mut conn)
            .await?;
    if year_rows != 1 {
        return Err(format!("the demo seed wrote no policy year {year}").into());
    }
    // Public text lessons: every trainee's plan holds the public courses, and a text lesson
    // credits plain wall time (a video one would also need a plausible playing position).
    let lessons: Vec<(i64, i64, i64)> = sqlx::query(
        "SELECT l.id, l.course_id, CAST(l.duration_secs AS BIGINT) FROM lessons l \
         JOIN courses c ON c.id = l.course_id \
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
    let first_user: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM users")
            .fetch_one(&mut conn)
            .await?;
    let first_session: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM study_sessions")
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
    insert_rows(&mut tx, n, "users (id, role, username, id_number, phone, name, password_hash, unit_id, region_code, employment_type, trade, grade, created_at)", |i| {
        vec![
            uid(i).into(),
            "trainee".into(),
            Val::Null,
            id_number(i).into(),
            format!("139{:08}", i).into(),
            format!("压测学员{i}").into(),
            password_hash.as_str().into(),
            units[i % units.len()].into(),
            Val::Null,
            "in_post".into(),
            "汽车驾驶员".into(),
            "intermediate".into(),
            now.into(),
        ]
    })
    .await?;
    insert_rows(
        &mut tx,
        n,
        "enrolments (user_id, year, grade, status, created_at)",
        |i| {
            vec![
                uid(i).into(),
                year_n.into(),
                "intermediate".into(),
                "active".into(),
                now.into(),
            ]
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        n,
        "selections (user_id, year, course_id, created_at)",
        |i| {
            vec![
                uid(i).into(),
                year_n.into(),
                lesson_of(i).1.into(),
                now.into(),
            ]
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        n,
        "sessions (token_hash, user_id, created_at, expires_at)",
        |i| {
            vec![
                hex::encode(Sha256::digest(tokens[i].as_bytes())).into(),
                uid(i).into(),
                now.into(),
                (now + SIGN_IN_SECS).into(),
            ]
        },
    )
    .await?;
    insert_rows(&mut tx, n, "lesson_progress (user_id, lesson_id, year, credited_secs, furthest_secs, position_secs, updated_at)", |i| {
        vec![
            uid(i).into(),
            lesson_of(i).0.into(),
            year_n.into(),
            halfway(i).into(),
            halfway(i).into(),
            halfway(i).into(),
            now.into(),
        ]
    })
    .await?;
    insert_rows(&mut tx, n, "study_sessions (id, user_id, lesson_id, year, started_at, seq, last_beat, next_check_at, held_secs, blocked, credited_secs, furthest_secs, position_secs)", |i| {
        // The next anti-idle check 5–15 min ahead, as `Session::open` draws it: far enough
        // that the runs (about a minute) rarely meet one, so heartbeats stay `credited`.
        let draw = u64::from(u16::from_le_bytes([draws[2 * i], draws[2 * i + 1]]));
        vec![
            (first_session + i as i64).into(),
            uid(i).into(),
            lesson_of(i).0.into(),
            year_n.into(),
            (now - 20).into(),
            0_i64.into(),
            (now - 20).into(),
            (now + 300 + (draw % 601) as i64).into(),
            0_i64.into(),
            0_i64.into(),
            halfway(i).into(),
            halfway(i).into(),
            halfway(i).into(),
        ]
    })
    .await?;
    tx.commit().await?;
    let db_bytes = if postgres {
        // The ids were given explicitly: the identity sequences must go past them, or the
        // server's next insert of a user or a study session would collide.
        for table in ["users", "study_sessions"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .execute(&mut conn)
            .await?;
        }
        // What a database that has been running has: the planner's statistics.
        sqlx::query("VACUUM ANALYZE").execute(&mut conn).await?;
        let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(&mut conn)
            .await?;
        conn.close().await?;
        bytes as u64
    } else {
        // Fold the WAL into the main file so the server starts as it would after a restart.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        // Written with synchronous = OFF, the file's pages are still waiting in the kernel;
        // its writeback would start some 30 s later (vm.dirty_expire_centisecs) and slow
        // every fsync of the measured runs. Flush it now, before anything is measured.
        let db_file = std::fs::File::open(data_dir.join(SQLITE_FILE))?;
        db_file.sync_all()?;
        db_file.metadata()?.len()
    };
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
        database,
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

/// Inserts the rows `row(0)..row(n)` into `table_and_columns`, as many per statement as the
/// databases' limits of bound values allow. PostgreSQL's placeholders are numbered (`$1`);
/// SQLite's are plain `?`, bound in order: for a numbered or named one, sqlx asks SQLite for
/// each parameter's name, which SQLite finds by walking the statement's list of names, and
/// with 30,000 of them preparing 100,000 learners took minutes instead of seconds (`perf`:
/// 97% in `sqlite3_bind_parameter_name`).
async fn insert_rows<F>(
    conn: &mut AnyConnection,
    n: usize,
    table_and_columns: &str,
    row: F,
) -> Result<(), sqlx::Error>
where
    F: Fn(usize) -> Vec<Val>,
{
    let numbered = conn.backend_name() == "PostgreSQL";
    let columns = table_and_columns.matches(',').count() + 1;
    let rows_per_statement = MAX_BINDS / columns;
    let mut start = 0;
    while start < n {
        let end = (start + rows_per_statement).min(n);
        let mut sql = format!("INSERT INTO {table_and_columns} VALUES ");
        let mut values = Vec::with_capacity((end - start) * columns);
        for i in start..end {
            let place = values.len();
            sql.push_str(if i == start { "(" } else { ", (" });
            let placeholders: Vec<String> = (1..=columns)
                .map(|c| match numbered {
                    true => format!("${}", place + c),
                    false => "?".to_owned(),
                })
                .collect();
            sql.push_str(&placeholders.join(", "));
            sql.push(')');
            let r = row(i);
            debug_assert_eq!(r.len(), columns, "{table_and_columns}");
            values.extend(r);
        }
        let mut q = sqlx::query(&sql);
        for v in values {
            q = match v {
                Val::Int(x) => q.bind(x),
                Val::Text(t) => q.bind(t),
                Val::Null => q.bind(None::<String>),
            };
        }
        q.execute(&mut *conn).await?;
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
