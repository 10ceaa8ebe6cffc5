//! Supplementary activities and their attendance (`qinxue_core::activity`): the filed
//! record, the province's decision, and one credit row per attendee.

use super::{params, stored_enum, Backend};
use chrono::{DateTime, NaiveDate, Utc};
use qinxue_core::activity::{ActivityInput, ActivityKind, ActivityStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// An activity as filed and decided, with its region's name and path (the path for the
/// reader's scope) and how many attendees it has.
#[derive(Debug, Clone)]
pub struct ActivityRow {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    pub region_path: String,
    pub title: String,
    pub kind: ActivityKind,
    pub date: NaiveDate,
    /// The policy year its 学时 count for.
    pub year: i32,
    pub place: String,
    pub hours: u32,
    pub expected: u32,
    pub status: ActivityStatus,
    /// The province's reason, when rejected.
    pub reason: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub attendees: u64,
}

const SELECT: &str = "SELECT a.id, a.region_code, r.name AS region_name, r.path, a.title, a.kind, \
     a.date, a.year, a.place, a.hours, a.expected, a.status, a.reason, a.filed_at, a.decided_at, \
     (SELECT COUNT(*) FROM activity_attendance t WHERE t.activity_id = a.id) AS attendees \
     FROM activities a JOIN regions r ON r.code = a.region_code";

fn instant(secs: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| sqlx::Error::Decode(format!("bad instant {secs}").into()))
}

fn from_row(r: &AnyRow) -> Result<ActivityRow, sqlx::Error> {
    let decode = |e: String| sqlx::Error::Decode(e.into());
    let small = |v: i64| u32::try_from(v).map_err(|e| decode(e.to_string()));
    Ok(ActivityRow {
        region_path: r.try_get("path")?,
        id: r.try_get("id")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        title: r.try_get("title")?,
        kind: stored_enum(&r.try_get::<String, _>("kind")?, ActivityKind::from_wire)?,
        date: NaiveDate::parse_from_str(&r.try_get::<String, _>("date")?, "%Y-%m-%d")
            .map_err(|e| decode(e.to_string()))?,
        year: i32::try_from(r.try_get::<i64, _>("year")?).map_err(|e| decode(e.to_string()))?,
        place: r.try_get("place")?,
        hours: small(r.try_get("hours")?)?,
        expected: small(r.try_get("expected")?)?,
        status: stored_enum(
            &r.try_get::<String, _>("status")?,
            ActivityStatus::from_wire,
        )?,
        reason: r.try_get("reason")?,
        filed_at: instant(r.try_get("filed_at")?)?,
        decided_at: r
            .try_get::<Option<i64>, _>("decided_at")?
            .map(instant)
            .transpose()?,
        attendees: u64::try_from(r.try_get::<i64, _>("attendees")?).unwrap_or(0),
    })
}

fn date_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub async fn insert(
    conn: &mut AnyConnection,
    region_code: &str,
    input: &ActivityInput,
    year: i32,
    filed_by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO activities (region_code, title, kind, date, year, place, hours, expected, \
         status, filed_by, filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'filed', $9, $10) \
         RETURNING id",
    )
    .bind(region_code)
    .bind(input.title.trim())
    .bind(input.kind.as_str())
    .bind(date_key(input.date))
    .bind(i64::from(year))
    .bind(input.place.trim())
    .bind(i64::from(input.hours))
    .bind(i64::from(input.expected))
    .bind(filed_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<ActivityRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The activities of the regions whose paths match `pattern`, the latest filed first;
/// with `status`, only those.
pub async fn list(
    conn: &mut AnyConnection,
    pattern: &str,
    status: Option<ActivityStatus>,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE r.path LIKE $1 AND ($2 = '' OR a.status = $2) ORDER BY a.filed_at DESC, a.id DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(pattern)
        .bind(status.map_or("", ActivityStatus::as_str))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Replaces a filed or rejected activity's fields and files it again; `false` when it is
/// no longer so (approved meanwhile).
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    input: &ActivityInput,
    year: i32,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE activities SET title = $2, kind = $3, date = $4, year = $5, place = $6, \
         hours = $7, expected = $8, status = 'filed', reason = NULL, decided_by = NULL, \
         decided_at = NULL WHERE id = $1 AND status <> 'approved'",
    )
    .bind(id)
    .bind(input.title.trim())
    .bind(input.kind.as_str())
    .bind(date_key(input.date))
    .bind(i64::from(year))
    .bind(input.place.trim())
    .bind(i64::from(input.hours))
    .bind(i64::from(input.expected))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The province's decision on a filed activity; `false` when it is not filed (any more).
pub async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    status: ActivityStatus,
    reason: Option<&str>,
    by: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE activities SET status = $2, reason = $3, decided_by = $4, decided_at = $5 \
         WHERE id = $1 AND status = 'filed'",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(reason)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A person an attendance list names: their account, the path of their unit's region and
/// whether they are enrolled (paid) for the year.
#[derive(Debug, Clone)]
pub struct Attendee {
    pub user_id: i64,
    pub region_path: Option<String>,
    pub enrolled: bool,
}

/// The trainees with these 身份证号, by 身份证号. On PostgreSQL their rows are locked until
/// the transaction ends, so that two uploads for one person cannot both pass the cap.
pub async fn attendees(
    conn: &mut AnyConnection,
    id_numbers: &[String],
    year: i32,
) -> Result<HashMap<String, Attendee>, sqlx::Error> {
    let mut out = HashMap::new();
    let lock = match Backend::of(conn) {
        Backend::Postgres => " FOR UPDATE OF u",
        Backend::Sqlite => "",
    };
    for chunk in id_numbers.chunks(500) {
        let sql = format!(
            "SELECT u.id, u.id_number, r.path, \
             CAST(CASE WHEN e.status = 'active' THEN 1 ELSE 0 END AS BIGINT) AS enrolled \
             FROM users u LEFT JOIN units un ON un.id = u.unit_id \
             LEFT JOIN regions r ON r.code = un.region_code \
             LEFT JOIN enrolments e ON e.user_id = u.id AND e.year = {} \
             WHERE u.role = 'trainee' AND u.id_number IN ({}){lock}",
            params(conn, 1, 1),
            params(conn, 2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(i64::from(year));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(
                r.try_get::<String, _>("id_number")?,
                Attendee {
                    user_id: r.try_get("id")?,
                    region_path: r.try_get("path")?,
                    enrolled: r.try_get::<i64, _>("enrolled")? == 1,
                },
            );
        }
    }
    Ok(out)
}

/// The people whose attendance of the activity is recorded.
pub async fn attended(
    conn: &mut AnyConnection,
    activity_id: i64,
) -> Result<HashSet<i64>, sqlx::Error> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM activity_attendance WHERE activity_id = $1")
            .bind(activity_id)
            .fetch_all(conn)
            .await?;
    Ok(ids.into_iter().collect())
}

/// Seconds each of these people already has from activities in the year.
pub async fn credited_in_year(
    conn: &mut AnyConnection,
    user_ids: &[i64],
    year: i32,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let mut out = HashMap::new();
    for chunk in user_ids.chunks(500) {
        let sql = format!(
            "SELECT user_id, CAST(SUM(credited_secs) AS BIGINT) AS secs FROM activity_attendance \
             WHERE year = {} AND user_id IN ({}) GROUP BY user_id",
            params(conn, 1, 1),
            params(conn, 2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(i64::from(year));
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get("user_id")?, r.try_get("secs")?);
        }
    }
    Ok(out)
}

/// One attendee's credit.
#[derive(Debug, Clone, Copy)]
pub struct Credit {
    pub user_id: i64,
    pub secs: i64,
}

/// Records the attendance; `false` for a person whose attendance was recorded meanwhile
/// (the primary key refuses a second row), whose credit then stays the first one.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut AnyConnection,
    activity_id: i64,
    year: i32,
    credit: Credit,
    at: i64,
    by: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO activity_attendance (activity_id, user_id, year, credited_secs, at, \
         uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (activity_id, user_id) DO NOTHING",
    )
    .bind(activity_id)
    .bind(credit.user_id)
    .bind(i64::from(year))
    .bind(credit.secs)
    .bind(at)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    super::year_standings::mark(conn, &[credit.user_id]).await?;
    Ok(done.rows_affected() == 1)
}

/// A trainee's activity credits: (year, seconds, when earned), one per attendance.
pub async fn credits_of(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<(i32, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT year, credited_secs, at FROM activity_attendance WHERE user_id = $1 \
         AND credited_secs > 0 ORDER BY at, activity_id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                i32::try_from(r.try_get::<i64, _>("year")?)
                    .map_err(|e| sqlx::Error::Decode(e.into()))?,
                r.try_get("credited_secs")?,
                r.try_get("at")?,
            ))
        })
        .collect()
}
