//! Each trainee's standing in each policy year they have anything in (an order, an
//! enrolment, a credit): registered, paid, the grade the year's requirement is for, the
//! seconds that count for it and those it requires, and whether it is completed, as
//! `qinxue_core::completion::settle` decides (`services::standings` settles them). The
//! territorial reports group and list these rows instead of settling every trainee of the
//! province on each request.
//!
//! Every write that changes what a standing is settled from (a credit, an enrolment, an
//! order, a policy year, a trainee's grade) marks the trainees concerned in
//! `standing_marks`, in its own transaction; the marked are settled again before a report is
//! read. A mark carries a generation, bumped by each write, so that settling removes only
//! the marks it has seen: a write that lands while they are being settled leaves its mark.
//!
//! A trainee-year without a row has nothing in it: not registered, not paid, not completed,
//! nothing credited, the profile's grade.

use super::{Backend, Then, Tx};
use sqlx::{AnyConnection, Row};

/// Trainees per statement: far below either database's limit of bound values.
pub const PER_STATEMENT: usize = 500;

/// The statement that marks `n` trainees (bound as `$1..$n`).
fn mark_sql(backend: Backend, n: usize) -> String {
    let values: Vec<String> = (1..=n)
        .map(|i| format!("({}, 1)", super::markers(backend, i, 1)))
        .collect();
    format!(
        "INSERT INTO standing_marks (user_id, gen) VALUES {} \
         ON CONFLICT (user_id) DO UPDATE SET gen = standing_marks.gen + 1",
        values.join(", ")
    )
}

fn distinct(users: &[i64]) -> Vec<i64> {
    let mut users = users.to_vec();
    users.sort_unstable();
    users.dedup();
    users
}

/// Marks `users` on `conn`, in the transaction it is in.
pub async fn mark(conn: &mut AnyConnection, users: &[i64]) -> Result<(), sqlx::Error> {
    for chunk in distinct(users).chunks(PER_STATEMENT) {
        let sql = mark_sql(Backend::of(conn), chunk.len());
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q.bind(*u);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Marks `users` in the heartbeat writer's transaction.
pub async fn mark_tx(tx: &mut Tx, users: &[i64]) -> Result<(), sqlx::Error> {
    for chunk in distinct(users).chunks(PER_STATEMENT) {
        let sql = mark_sql(tx.backend(), chunk.len());
        tx.run(&sql, Then::More, |mut q| {
            for u in chunk {
                q = q.bind(*u);
            }
            q
        })
        .await?;
    }
    Ok(())
}

/// Marks the trainees of an order's items (its status decides whether they registered).
pub async fn mark_order(conn: &mut AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO standing_marks (user_id, gen) \
         SELECT DISTINCT user_id, 1 FROM order_items WHERE order_id = $1 \
         ON CONFLICT (user_id) DO UPDATE SET gen = standing_marks.gen + 1",
    )
    .bind(order_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks every trainee: a policy year's requirement is part of everyone's standing.
pub async fn mark_all(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO standing_marks (user_id, gen) \
         SELECT id, 1 FROM users WHERE role = 'trainee' \
         ON CONFLICT (user_id) DO UPDATE SET gen = standing_marks.gen + 1",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Up to `limit` marks (trainee, generation), by trainee.
pub async fn marked(
    conn: &mut AnyConnection,
    limit: usize,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT user_id, gen FROM standing_marks ORDER BY user_id LIMIT $1")
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("gen")?)))
        .collect()
}

/// One stored trainee-year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub user_id: i64,
    pub year: i32,
    /// The grade the year's requirement is for (the wire name), if any.
    pub grade: Option<String>,
    pub registered: bool,
    pub paid: bool,
    pub credited_secs: i64,
    pub required_secs: i64,
    pub completed: bool,
}

/// Replaces the standings of the trainees of `marks` by `rows` and removes the marks, each
/// only if its generation is still the one read.
pub async fn replace(
    conn: &mut AnyConnection,
    marks: &[(i64, i64)],
    rows: &[Standing],
) -> Result<(), sqlx::Error> {
    let backend = Backend::of(conn);
    for chunk in marks.chunks(PER_STATEMENT) {
        let sql = format!(
            "DELETE FROM year_standings WHERE user_id IN ({})",
            super::markers(backend, 1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (u, _) in chunk {
            q = q.bind(*u);
        }
        q.execute(&mut *conn).await?;
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", super::markers(backend, 1 + 2 * i, 2)))
            .collect();
        let sql = format!(
            "DELETE FROM standing_marks WHERE (user_id, gen) IN (VALUES {})",
            pairs.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (u, g) in chunk {
            q = q.bind(*u).bind(*g);
        }
        q.execute(&mut *conn).await?;
    }
    const COLS: usize = 8;
    for chunk in rows.chunks(PER_STATEMENT / 4) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", super::markers(backend, 1 + COLS * i, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO year_standings (user_id, year, grade, registered, paid, credited_secs, \
             required_secs, completed) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q
                .bind(s.user_id)
                .bind(i64::from(s.year))
                .bind(s.grade.clone())
                .bind(i64::from(s.registered))
                .bind(i64::from(s.paid))
                .bind(s.credited_secs)
                .bind(s.required_secs)
                .bind(i64::from(s.completed));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The trainees of the subtree: the `users` rows `u` whose unit lies in it (`$1`, a `LIKE`
/// pattern of region paths).
const IN_SCOPE: &str = "u.role = 'trainee' AND u.unit_id IN (SELECT sun.id FROM units sun \
     JOIN regions sr ON sr.code = sun.region_code WHERE sr.path LIKE $1)";

/// Trainees in a live study session: their session carries credit beyond the stored one, so
/// a report settles them as they are now instead of reading their rows.
const NOT_LIVE: &str = "NOT EXISTS (SELECT 1 FROM study_sessions ls \
     WHERE ls.user_id = u.id AND ls.ended_at IS NULL)";

/// The counts of the subtree's trainees not in a live session for year `$2`, by unit and
/// grade.
#[derive(Debug, Clone)]
pub struct Tally {
    pub unit_id: i64,
    pub grade: Option<String>,
    pub trainees: i64,
    pub registered: i64,
    pub paid: i64,
    pub completed: i64,
}

pub async fn tallies(
    conn: &mut AnyConnection,
    pattern: &str,
    year: i32,
) -> Result<Vec<Tally>, sqlx::Error> {
    let sql = format!(
        "SELECT u.unit_id, COALESCE(s.grade, u.grade) AS grade, COUNT(*) AS trainees, \
         CAST(COALESCE(SUM(CASE WHEN s.registered = 1 OR s.paid = 1 THEN 1 ELSE 0 END), 0) \
           AS BIGINT) AS registered, \
         CAST(COALESCE(SUM(s.paid), 0) AS BIGINT) AS paid, \
         CAST(COALESCE(SUM(s.completed), 0) AS BIGINT) AS completed \
         FROM users u LEFT JOIN year_standings s ON s.user_id = u.id AND s.year = $2 \
         WHERE {IN_SCOPE} AND {NOT_LIVE} GROUP BY u.unit_id, COALESCE(s.grade, u.grade)"
    );
    let rows = sqlx::query(&sql)
        .bind(pattern)
        .bind(i64::from(year))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Tally {
                unit_id: r.try_get("unit_id")?,
                grade: r.try_get("grade")?,
                trainees: r.try_get("trainees")?,
                registered: r.try_get("registered")?,
                paid: r.try_get("paid")?,
                completed: r.try_get("completed")?,
            })
        })
        .collect()
}

/// A trainee of the subtree not in a live session who has not completed year `$2`.
#[derive(Debug, Clone)]
pub struct Open {
    pub name: String,
    pub id_number: String,
    pub unit_id: i64,
    pub grade: Option<String>,
    pub paid: bool,
    pub credited_secs: i64,
    /// `None` without a row: the profile grade's requirement.
    pub required_secs: Option<i64>,
}

pub async fn open(
    conn: &mut AnyConnection,
    pattern: &str,
    year: i32,
) -> Result<Vec<Open>, sqlx::Error> {
    let sql = format!(
        "SELECT u.name, u.id_number, u.unit_id, COALESCE(s.grade, u.grade) AS grade, \
         COALESCE(s.paid, 0) AS paid, COALESCE(s.credited_secs, 0) AS credited_secs, \
         s.required_secs \
         FROM users u LEFT JOIN year_standings s ON s.user_id = u.id AND s.year = $2 \
         WHERE {IN_SCOPE} AND {NOT_LIVE} AND COALESCE(s.completed, 0) = 0"
    );
    let rows = sqlx::query(&sql)
        .bind(pattern)
        .bind(i64::from(year))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Open {
                name: r.try_get("name")?,
                id_number: r
                    .try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
                unit_id: r.try_get("unit_id")?,
                grade: r.try_get("grade")?,
                paid: r.try_get::<i64, _>("paid")? == 1,
                credited_secs: r.try_get("credited_secs")?,
                required_secs: r.try_get("required_secs")?,
            })
        })
        .collect()
}

/// A trainee of the subtree in a live study session: what the session carries beyond its
/// lesson's stored seconds, and their stored standing in the session's year.
#[derive(Debug, Clone)]
pub struct Live {
    pub user_id: i64,
    pub unit_id: i64,
    pub name: String,
    pub id_number: String,
    /// The session's year.
    pub year: i32,
    /// The session's credit over its lesson's stored one (`storage::reports::live_lesson_secs`
    /// reads the same figure for a settlement).
    pub live_secs: i64,
    /// The stored standing in the session's year, if any.
    pub standing: Option<Standing>,
    /// A stored standing of another year, or activity credit in another year: the session's
    /// credit may then go to another year, which only a settlement decides.
    pub elsewhere: bool,
}

/// The subtree's trainees in a live study session, in one read.
pub async fn live(conn: &mut AnyConnection, pattern: &str) -> Result<Vec<Live>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.unit_id, u.name, u.id_number, ls.year AS live_year, \
         CAST(COALESCE(ls.credited_secs - p.credited_secs, 0) AS BIGINT) AS live_secs, \
         s.year AS standing_year, s.grade, s.registered, s.paid, s.credited_secs, \
         s.required_secs, s.completed, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM year_standings o \
             WHERE o.user_id = u.id AND o.year <> ls.year) \
           OR EXISTS (SELECT 1 FROM activity_attendance a \
             WHERE a.user_id = u.id AND a.year <> ls.year) THEN 1 ELSE 0 END AS BIGINT) \
           AS elsewhere \
         FROM users u JOIN study_sessions ls ON ls.user_id = u.id AND ls.ended_at IS NULL \
         LEFT JOIN lesson_progress p ON p.user_id = ls.user_id AND p.lesson_id = ls.lesson_id \
           AND p.year = ls.year \
         LEFT JOIN year_standings s ON s.user_id = u.id AND s.year = ls.year \
         WHERE {IN_SCOPE}"
    );
    let rows = sqlx::query(&sql).bind(pattern).fetch_all(conn).await?;
    let year = |v: i64| i32::try_from(v).map_err(|e| sqlx::Error::Decode(e.into()));
    rows.iter()
        .map(|r| {
            let user_id: i64 = r.try_get("id")?;
            let standing = match r.try_get::<Option<i64>, _>("standing_year")? {
                None => None,
                Some(y) => Some(Standing {
                    user_id,
                    year: year(y)?,
                    grade: r.try_get("grade")?,
                    registered: r.try_get::<i64, _>("registered")? == 1,
                    paid: r.try_get::<i64, _>("paid")? == 1,
                    credited_secs: r.try_get("credited_secs")?,
                    required_secs: r.try_get("required_secs")?,
                    completed: r.try_get::<i64, _>("completed")? == 1,
                }),
            };
            Ok(Live {
                user_id,
                unit_id: r.try_get("unit_id")?,
                name: r.try_get("name")?,
                id_number: r
                    .try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
                year: year(r.try_get("live_year")?)?,
                live_secs: r.try_get("live_secs")?,
                standing,
                elsewhere: r.try_get::<i64, _>("elsewhere")? == 1,
            })
        })
        .collect()
}
