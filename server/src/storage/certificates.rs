//! Issued certificates and the facts each stated (`qinxue_core::certificate`).

use super::stored_enum;
use crate::access::Scope;
use chrono::NaiveDate;
use qinxue_core::certificate::{CertificateFacts, TenthsBySource};
use qinxue_core::Grade;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A certificate as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub user_id: i64,
    pub facts: CertificateFacts,
    pub unit_name: String,
    pub issued_at: i64,
    /// The signed text its QR code carries.
    pub payload: String,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

const COLUMNS: &str = "code, user_id, year, name, id_number, unit_name, grade, required_hours, \
     online_tenths, practice_tenths, group_tenths, activity_tenths, completed_on, issued_at, \
     payload, revoked_at, revoked_reason";

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

fn from_row(r: &AnyRow) -> Result<Stored, sqlx::Error> {
    let tenths = |col: &str| -> Result<u16, sqlx::Error> {
        u16::try_from(r.try_get::<i64, _>(col)?).map_err(decode)
    };
    Ok(Stored {
        user_id: r.try_get("user_id")?,
        facts: CertificateFacts {
            code: r.try_get("code")?,
            year: i32::try_from(r.try_get::<i64, _>("year")?).map_err(decode)?,
            name: r.try_get("name")?,
            id_number: r.try_get("id_number")?,
            grade: stored_enum(&r.try_get::<String, _>("grade")?, Grade::from_wire)?,
            required_hours: u32::try_from(r.try_get::<i64, _>("required_hours")?)
                .map_err(decode)?,
            tenths: TenthsBySource {
                online: tenths("online_tenths")?,
                practice: tenths("practice_tenths")?,
                group: tenths("group_tenths")?,
                activity: tenths("activity_tenths")?,
            },
            completed_on: NaiveDate::parse_from_str(
                &r.try_get::<String, _>("completed_on")?,
                "%Y-%m-%d",
            )
            .map_err(decode)?,
        },
        unit_name: r.try_get("unit_name")?,
        issued_at: r.try_get("issued_at")?,
        payload: r.try_get("payload")?,
        revoked_at: r.try_get("revoked_at")?,
        revoked_reason: r.try_get("revoked_reason")?,
    })
}

/// The valid certificate of a person's year, if one was issued.
pub async fn valid_for(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
) -> Result<Option<Stored>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE user_id = $1 AND year = $2 AND revoked_at IS NULL"
    ))
    .bind(user_id)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The certificate with this code, valid or revoked.
pub async fn by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<Stored>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Revokes a valid certificate; `false` when it was revoked already (its first reason stays).
pub async fn revoke(
    conn: &mut AnyConnection,
    code: &str,
    at: i64,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE certificates SET revoked_at = $2, revoked_reason = $3 \
         WHERE code = $1 AND revoked_at IS NULL",
    )
    .bind(code)
    .bind(at)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The codes of every revoked certificate, in ascending order.
pub async fn revoked_codes(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    let mut codes: Vec<String> =
        sqlx::query_scalar("SELECT code FROM certificates WHERE revoked_at IS NOT NULL")
            .fetch_all(conn)
            .await?;
    // Sorted here, not by the database: the list's order must not depend on its collation.
    codes.sort();
    Ok(codes)
}

/// Stores a new certificate unless the person's year has a valid one already (two requests
/// racing each other); answers the one that is valid afterwards.
pub async fn insert(conn: &mut AnyConnection, c: &Stored) -> Result<Stored, sqlx::Error> {
    let f = &c.facts;
    sqlx::query(&format!(
        "INSERT INTO certificates ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, NULL) \
         ON CONFLICT (user_id, year) WHERE revoked_at IS NULL DO NOTHING"
    ))
    .bind(f.code.as_str())
    .bind(c.user_id)
    .bind(i64::from(f.year))
    .bind(f.name.as_str())
    .bind(f.id_number.as_str())
    .bind(c.unit_name.as_str())
    .bind(f.grade.as_str())
    .bind(i64::from(f.required_hours))
    .bind(i64::from(f.tenths.online))
    .bind(i64::from(f.tenths.practice))
    .bind(i64::from(f.tenths.group))
    .bind(i64::from(f.tenths.activity))
    .bind(f.completed_on.format("%Y-%m-%d").to_string())
    .bind(c.issued_at)
    .bind(c.payload.as_str())
    .execute(&mut *conn)
    .await?;
    valid_for(conn, c.user_id, f.year)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Someone whose certificate another person (their unit's admin) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub id_number: Option<String>,
    /// The grade of their enrolment in the year.
    pub grade: Option<Grade>,
}

/// The people in `scope` enrolled in the year (only they can have completed it), by id.
pub async fn enrolled_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    year: i32,
) -> Result<Vec<Person>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.name, u.id_number, e.grade FROM users u \
         JOIN enrolments e ON e.user_id = u.id \
         WHERE {} AND e.year = $2 AND e.status = $3 ORDER BY u.id",
        scope.people_sql("u", 1)
    );
    let rows = scope
        .bind(sqlx::query(&sql))
        .bind(i64::from(year))
        .bind(super::enrolments::ACTIVE)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Person {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                id_number: r.try_get("id_number")?,
                grade: Some(stored_enum(
                    &r.try_get::<String, _>("grade")?,
                    Grade::from_wire,
                )?),
            })
        })
        .collect()
}
