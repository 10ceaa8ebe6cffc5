//! Reminders sent (`services::reminders`): the outbox rows, the rounds already worked
//! through, and who a round goes to. Every insert is `ON CONFLICT DO NOTHING` on the
//! reminder's key (person, year, kind, days before), so instances running the job at the same
//! time send each reminder once.

use super::stored_enum;
use chrono::NaiveDate;
use qinxue_core::reminder::ReminderKind;
use qinxue_core::Grade;
use sqlx::{AnyConnection, Row};

/// A trainee a round may go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub grade: Option<Grade>,
}

/// A reminder to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub user_id: i64,
    pub year: i32,
    pub kind: ReminderKind,
    pub days_before: u32,
    pub deadline: NaiveDate,
    pub phone: String,
    pub message: String,
}

/// A stored reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRow {
    pub id: i64,
    pub year: i32,
    pub kind: ReminderKind,
    pub days_before: u32,
    pub deadline: NaiveDate,
    pub message: String,
    pub created_at: i64,
}

const DATE: &str = "%Y-%m-%d";

fn decode(e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// Whether the round (year, kind, days before) has been worked through.
pub async fn round_done(
    conn: &mut AnyConnection,
    year: i32,
    kind: ReminderKind,
    days_before: u32,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT done_at FROM reminder_rounds WHERE year = $1 AND kind = $2 AND days_before = $3",
    )
    .bind(i64::from(year))
    .bind(kind.as_str())
    .bind(i64::from(days_before))
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Records a round as worked through (a second instance's record changes nothing).
pub async fn mark_round(
    conn: &mut AnyConnection,
    year: i32,
    kind: ReminderKind,
    days_before: u32,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reminder_rounds (year, kind, days_before, done_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (year, kind, days_before) DO NOTHING",
    )
    .bind(i64::from(year))
    .bind(kind.as_str())
    .bind(i64::from(days_before))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Trainees who are (`paid`) or are not (`!paid`) enrolled and paid for `year`.
pub async fn trainees(
    conn: &mut AnyConnection,
    year: i32,
    paid: bool,
) -> Result<Vec<Recipient>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.name, COALESCE(u.phone, '') AS phone, \
         COALESCE(e.grade, u.grade) AS grade FROM users u \
         LEFT JOIN enrolments e ON e.user_id = u.id AND e.year = $1 AND e.status = $2 \
         WHERE u.role = 'trainee' AND e.user_id IS {} NULL ORDER BY u.id",
        if paid { "NOT" } else { "" }
    );
    let rows = sqlx::query(&sql)
        .bind(i64::from(year))
        .bind(super::enrolments::ACTIVE)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                user_id: r.try_get("id")?,
                name: r.try_get("name")?,
                phone: r.try_get("phone")?,
                grade: r
                    .try_get::<Option<String>, _>("grade")?
                    .map(|g| stored_enum(&g, Grade::from_wire))
                    .transpose()?,
            })
        })
        .collect()
}

/// Stores reminders not yet sent; answers how many were new.
pub async fn insert(
    conn: &mut AnyConnection,
    rows: &[NewReminder],
    at: i64,
) -> Result<u64, sqlx::Error> {
    let mut added = 0;
    for r in rows {
        let done = sqlx::query(
            "INSERT INTO reminders (user_id, year, kind, days_before, deadline, phone, message, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id, year, kind, days_before) DO NOTHING",
        )
        .bind(r.user_id)
        .bind(i64::from(r.year))
        .bind(r.kind.as_str())
        .bind(i64::from(r.days_before))
        .bind(r.deadline.format(DATE).to_string())
        .bind(&r.phone)
        .bind(&r.message)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        added += done.rows_affected();
    }
    Ok(added)
}

/// A trainee's reminders of `year` and later, the newest first.
pub async fn of_user(
    conn: &mut AnyConnection,
    user_id: i64,
    since_year: i32,
) -> Result<Vec<ReminderRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, year, kind, days_before, deadline, message, created_at FROM reminders \
         WHERE user_id = $1 AND year >= $2 ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .bind(i64::from(since_year))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReminderRow {
                id: r.try_get("id")?,
                year: i32::try_from(r.try_get::<i64, _>("year")?).map_err(decode)?,
                kind: stored_enum(&r.try_get::<String, _>("kind")?, ReminderKind::from_wire)?,
                days_before: u32::try_from(r.try_get::<i64, _>("days_before")?).map_err(decode)?,
                deadline: NaiveDate::parse_from_str(&r.try_get::<String, _>("deadline")?, DATE)
                    .map_err(decode)?,
                message: r.try_get("message")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}
