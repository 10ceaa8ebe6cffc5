//! What trainees' standings are settled from (`services::standings`): for a list of
//! trainees, their enrolments, the years they ordered, and the seconds credited to each year
//! by every source, as a few grouped reads (never one query per person). Whether a year is
//! completed is not decided here: `services::standings` settles these figures with
//! `qinxue_core::completion`, the rule `/api/me/years` applies, so the dashboard, the export
//! and a trainee's own page agree.

use sqlx::{AnyConnection, Row};

/// `u.id IN (…)` for `n` trainees bound from `$from`.
fn among(conn: &AnyConnection, column: &str, from: usize, n: usize) -> String {
    format!("{column} IN ({})", super::params(conn, from, n))
}

/// A trainee with their enrolments, the years of their orders that are not cancelled, and
/// their stored lesson seconds of every year.
#[derive(Debug, Clone)]
pub struct Trainee {
    pub id: i64,
    pub unit_id: i64,
    /// The profile's grade (the wire name); a year's enrolment may name another.
    pub grade: Option<String>,
    /// Years of an order made for them that is not cancelled.
    pub ordered: Vec<i32>,
    pub enrolments: Vec<Enrolment>,
    /// (year, seconds) from the ledger's year totals (`storage::lesson_year_totals`).
    pub lesson_secs: Vec<(i32, i64)>,
}

/// Seconds credited to one year of one trainee.
#[derive(Debug, Clone, Copy)]
pub struct YearSecs {
    pub user_id: i64,
    pub year: i32,
    pub secs: i64,
    /// When the last of them was earned (activities: the end of the latest one's day).
    pub at: i64,
}

/// One enrolment of a trainee of the subtree.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub year: i32,
    pub grade: String,
    pub active: bool,
}

/// A unit of the subtree, with its region.
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub region_path: String,
}

fn year_of(v: i64) -> Result<i32, sqlx::Error> {
    i32::try_from(v).map_err(|e| sqlx::Error::Decode(e.into()))
}

pub async fn units(conn: &mut AnyConnection, pattern: &str) -> Result<Vec<Unit>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT un.id, un.name, un.region_code, r.path FROM units un \
         JOIN regions r ON r.code = un.region_code WHERE r.path LIKE $1 ORDER BY un.id",
    )
    .bind(pattern)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Unit {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                region_code: r.try_get("region_code")?,
                region_path: r.try_get("path")?,
            })
        })
        .collect()
}

/// The trainees `ids` (of role trainee): one row a trainee, the years folded into a list
/// each (`year grade status,…`, `year,…` and `year secs,…`), as the rows of several reads
/// cost more to carry than the statement costs to run.
pub async fn trainees(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Trainee>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.unit_id, u.grade, \
         (SELECT string_agg(CAST(oi.year AS TEXT), ',') FROM order_items oi \
           JOIN orders o ON o.id = oi.order_id WHERE oi.user_id = u.id \
           AND o.status <> 'cancelled') AS ordered, \
         (SELECT string_agg(CAST(e.year AS TEXT) || ' ' || e.grade || ' ' || e.status, ',') \
           FROM enrolments e WHERE e.user_id = u.id) AS enrolments, \
         (SELECT string_agg(CAST(t.year AS TEXT) || ' ' || CAST(t.secs AS TEXT), ',') \
           FROM lesson_year_totals t WHERE t.user_id = u.id) AS lessons \
         FROM users u WHERE u.role = 'trainee' AND {}",
        among(conn, "u.id", 1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let ordered = r.try_get::<Option<String>, _>("ordered")?;
            let enrolments = r.try_get::<Option<String>, _>("enrolments")?;
            let lessons = r.try_get::<Option<String>, _>("lessons")?;
            Ok(Trainee {
                id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                grade: r.try_get("grade")?,
                ordered: folded(ordered.as_deref(), |f| f.first()?.parse().ok())?,
                enrolments: folded(enrolments.as_deref(), |f| {
                    Some(Enrolment {
                        year: f.first()?.parse().ok()?,
                        grade: (*f.get(1)?).to_owned(),
                        active: *f.get(2)? == super::enrolments::ACTIVE,
                    })
                })?,
                lesson_secs: folded(lessons.as_deref(), |f| {
                    Some((f.first()?.parse().ok()?, f.get(1)?.parse().ok()?))
                })?,
            })
        })
        .collect()
}

/// The items of a folded list (`a b,c d`), each read by `item` from its fields.
fn folded<T>(
    list: Option<&str>,
    item: impl Fn(&[&str]) -> Option<T>,
) -> Result<Vec<T>, sqlx::Error> {
    list.unwrap_or_default()
        .split(',')
        .filter(|i| !i.is_empty())
        .map(|i| {
            let fields: Vec<&str> = i.split(' ').collect();
            item(&fields)
                .ok_or_else(|| sqlx::Error::Decode(format!("unreadable report item {i:?}").into()))
        })
        .collect()
}

fn year_secs(rows: &[sqlx::any::AnyRow]) -> Result<Vec<YearSecs>, sqlx::Error> {
    rows.iter()
        .map(|r| {
            Ok(YearSecs {
                user_id: r.try_get("user_id")?,
                year: year_of(r.try_get("year")?)?,
                secs: r.try_get::<Option<i64>, _>("secs")?.unwrap_or(0),
                at: r.try_get::<Option<i64>, _>("at")?.unwrap_or(0),
            })
        })
        .collect()
}

/// What the live sessions of trainees `ids` carry beyond their lessons' stored seconds, per
/// trainee and year: a live session's figure is over its lesson's stored one (as
/// `storage::completion::lesson_totals` reads them) until it hands it over.
pub async fn live_lesson_secs(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<YearSecs>, sqlx::Error> {
    let sql = format!(
        "SELECT s.user_id, s.year, CAST(SUM(s.credited_secs - p.credited_secs) AS BIGINT) AS secs, \
         CAST(0 AS BIGINT) AS at FROM study_sessions s JOIN lesson_progress p \
         ON p.user_id = s.user_id AND p.lesson_id = s.lesson_id AND p.year = s.year \
         WHERE s.ended_at IS NULL AND {} GROUP BY s.user_id, s.year",
        among(conn, "s.user_id", 1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    year_secs(&q.fetch_all(conn).await?)
}

/// Seconds credited by supplementary activities per trainee `ids` and year.
pub async fn activity_secs(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<YearSecs>, sqlx::Error> {
    let sql = format!(
        "SELECT a.user_id, a.year, CAST(SUM(a.credited_secs) AS BIGINT) AS secs, \
         CAST(MAX(a.at) AS BIGINT) AS at FROM activity_attendance a \
         WHERE {} GROUP BY a.user_id, a.year",
        among(conn, "a.user_id", 1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    year_secs(&q.fetch_all(conn).await?)
}
