//! What the offices' territorial reports are computed from: the trainees of a region subtree
//! and, for each, their enrolments and the seconds credited to each year by every source, as
//! a few grouped reads (never one query per person). Whether a year is completed is not
//! decided here: `services::reports` settles these figures with `qinxue_core::completion`,
//! the rule `/api/me/years` applies, so the dashboard, the export and a trainee's own page
//! agree.
//!
//! Every statement takes the subtree's `LIKE` pattern as `$1`.

use sqlx::{AnyConnection, Row};

/// The trainees of the subtree: the `users` rows `u` whose unit lies in it.
const IN_SCOPE: &str = "u.role = 'trainee' AND u.unit_id IN (SELECT sun.id FROM units sun \
     JOIN regions sr ON sr.code = sun.region_code WHERE sr.path LIKE $1)";

/// A trainee of the subtree, with whether they registered for the report's year (an order
/// made for it that is not cancelled, or an enrolment), their enrolments and their stored
/// lesson seconds of every year up to the last one the report settles.
#[derive(Debug, Clone)]
pub struct Trainee {
    pub id: i64,
    pub unit_id: i64,
    /// The profile's grade (the wire name); a year's enrolment may name another.
    pub grade: Option<String>,
    pub registered: bool,
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

/// Every trainee of the subtree with their registration for `year` (`$2`), and their
/// enrolments and stored lesson seconds up to `upto` (`$3`): one row a trainee, the years
/// folded into a list each (`year grade status,…` and `year secs,…`), as the rows of several
/// reads cost more to carry than the statement costs to run.
pub async fn trainees(
    conn: &mut AnyConnection,
    pattern: &str,
    year: i32,
    upto: i32,
) -> Result<Vec<Trainee>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.unit_id, u.grade, CAST(CASE WHEN EXISTS (SELECT 1 FROM enrolments e \
           WHERE e.user_id = u.id AND e.year = $2) OR EXISTS (SELECT 1 FROM order_items oi \
           JOIN orders o ON o.id = oi.order_id WHERE oi.user_id = u.id AND oi.year = $2 \
           AND o.status <> 'cancelled') THEN 1 ELSE 0 END AS BIGINT) AS registered, \
         (SELECT string_agg(CAST(e.year AS TEXT) || ' ' || e.grade || ' ' || e.status, ',') \
           FROM enrolments e WHERE e.user_id = u.id AND e.year <= $3) AS enrolments, \
         (SELECT string_agg(CAST(t.year AS TEXT) || ' ' || CAST(t.secs AS TEXT), ',') \
           FROM lesson_year_totals t WHERE t.user_id = u.id AND t.year <= $3) AS lessons \
         FROM users u WHERE {IN_SCOPE}"
    );
    let rows = sqlx::query(&sql)
        .bind(pattern)
        .bind(i64::from(year))
        .bind(i64::from(upto))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let enrolments = r.try_get::<Option<String>, _>("enrolments")?;
            let lessons = r.try_get::<Option<String>, _>("lessons")?;
            Ok(Trainee {
                id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                grade: r.try_get("grade")?,
                registered: r.try_get::<i64, _>("registered")? == 1,
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

/// What live sessions of the subtree's trainees carry beyond their lessons' stored seconds,
/// per trainee and year up to `upto` (`$2`): a live session's figure is over its lesson's
/// stored one (as `storage::completion::lesson_totals` reads them) until it hands it over.
pub async fn live_lesson_secs(
    conn: &mut AnyConnection,
    pattern: &str,
    upto: i32,
) -> Result<Vec<YearSecs>, sqlx::Error> {
    let live = format!(
        "SELECT s.user_id, s.year, CAST(SUM(s.credited_secs - p.credited_secs) AS BIGINT) AS secs, \
         CAST(0 AS BIGINT) AS at FROM study_sessions s JOIN lesson_progress p \
         ON p.user_id = s.user_id AND p.lesson_id = s.lesson_id AND p.year = s.year \
         JOIN users u ON u.id = s.user_id \
         WHERE s.ended_at IS NULL AND s.year <= $2 AND {IN_SCOPE} GROUP BY s.user_id, s.year"
    );
    year_secs(
        &sqlx::query(&live)
            .bind(pattern)
            .bind(i64::from(upto))
            .fetch_all(conn)
            .await?,
    )
}

/// Seconds credited by supplementary activities per trainee and year up to `upto` (`$2`).
pub async fn activity_secs(
    conn: &mut AnyConnection,
    pattern: &str,
    upto: i32,
) -> Result<Vec<YearSecs>, sqlx::Error> {
    let sql = format!(
        "SELECT a.user_id, a.year, CAST(SUM(a.credited_secs) AS BIGINT) AS secs, \
         CAST(MAX(a.at) AS BIGINT) AS at FROM activity_attendance a JOIN users u ON u.id = a.user_id \
         WHERE a.year <= $2 AND {IN_SCOPE} GROUP BY a.user_id, a.year"
    );
    year_secs(
        &sqlx::query(&sql)
            .bind(pattern)
            .bind(i64::from(upto))
            .fetch_all(conn)
            .await?,
    )
}

/// Name and 身份证号 of trainees (those an export lists), by id.
pub async fn people(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, (String, String)>, sqlx::Error> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let sql = format!(
            "SELECT id, name, id_number FROM users WHERE id IN ({})",
            super::params(conn, 1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(
                r.try_get("id")?,
                (
                    r.try_get("name")?,
                    r.try_get::<Option<String>, _>("id_number")?
                        .unwrap_or_default(),
                ),
            );
        }
    }
    Ok(out)
}
