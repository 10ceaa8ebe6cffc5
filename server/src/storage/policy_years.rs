//! Policy years (see `qinxue_core::policy`).

use chrono::NaiveDate;
use qinxue_core::PolicyYear;
use sqlx::AnyConnection;
use sqlx::Row;

const DATE: &str = "%Y-%m-%d";

/// The year in force for a Shanghai calendar year: that year's settings, or failing that the
/// latest earlier one.
pub async fn in_force(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<Option<PolicyYear>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM policy_years WHERE year <= $1 ORDER BY year DESC LIMIT 1");
    let row = sqlx::query(&sql)
        .bind(i64::from(year))
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Exactly that year's settings, if it is configured.
pub async fn get(conn: &mut AnyConnection, year: i32) -> Result<Option<PolicyYear>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM policy_years WHERE year = $1");
    let row = sqlx::query(&sql)
        .bind(i64::from(year))
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every configured year, the latest first.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<PolicyYear>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM policy_years ORDER BY year DESC");
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Replaces a configured year's settings; `false` when the year is not configured. Credited
/// time is stored in seconds and orders with their amounts, so nothing else is rewritten.
pub async fn update(conn: &mut AnyConnection, y: &PolicyYear) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE policy_years SET graded_hours = $2, ungraded_hours = $3, graded_fee_fen = $4, \
         ungraded_fee_fen = $5, registration_deadline = $6, study_deadline = $7, \
         minutes_per_hour = $8, daily_cap_minutes = $9, check_min_minutes = $10, \
         check_max_minutes = $11, supplementary_cap_hours = $12, reminder_days = $13, \
         late_payment = $14 WHERE year = $1",
    );
    let done = bind_all(done, y).execute(&mut *conn).await?;
    super::year_standings::mark_all(conn).await?;
    Ok(done.rows_affected() == 1)
}

const COLUMNS: &str = "year, graded_hours, ungraded_hours, graded_fee_fen, ungraded_fee_fen, \
     registration_deadline, study_deadline, minutes_per_hour, daily_cap_minutes, \
     check_min_minutes, check_max_minutes, supplementary_cap_hours, reminder_days, late_payment";

fn bind_all<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    y: &PolicyYear,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(i64::from(y.year))
        .bind(i64::from(y.graded_hours))
        .bind(i64::from(y.ungraded_hours))
        .bind(y.graded_fee_fen)
        .bind(y.ungraded_fee_fen)
        .bind(y.registration_deadline.format(DATE).to_string())
        .bind(y.study_deadline.format(DATE).to_string())
        .bind(i64::from(y.minutes_per_hour))
        .bind(i64::from(y.daily_cap_minutes))
        .bind(i64::from(y.check_min_minutes))
        .bind(i64::from(y.check_max_minutes))
        .bind(i64::from(y.supplementary_cap_hours))
        .bind(days_text(&y.reminder_days))
        .bind(i64::from(y.late_payment))
}

/// Reminder days as stored: `7,1`.
fn days_text(days: &[u32]) -> String {
    days.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn days_of(text: &str) -> Result<Vec<u32>, sqlx::Error> {
    text.split(',')
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            d.trim()
                .parse()
                .map_err(|e: std::num::ParseIntError| sqlx::Error::Decode(e.into()))
        })
        .collect()
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<PolicyYear, sqlx::Error> {
    let int = |col: &str| -> Result<i64, sqlx::Error> { r.try_get(col) };
    let small = |col: &str| -> Result<u32, sqlx::Error> {
        u32::try_from(int(col)?).map_err(|e| sqlx::Error::Decode(e.into()))
    };
    let date = |col: &str| -> Result<NaiveDate, sqlx::Error> {
        NaiveDate::parse_from_str(&r.try_get::<String, _>(col)?, DATE)
            .map_err(|e| sqlx::Error::Decode(e.into()))
    };
    Ok(PolicyYear {
        year: i32::try_from(int("year")?).map_err(|e| sqlx::Error::Decode(e.into()))?,
        graded_hours: small("graded_hours")?,
        ungraded_hours: small("ungraded_hours")?,
        graded_fee_fen: int("graded_fee_fen")?,
        ungraded_fee_fen: int("ungraded_fee_fen")?,
        registration_deadline: date("registration_deadline")?,
        study_deadline: date("study_deadline")?,
        minutes_per_hour: small("minutes_per_hour")?,
        daily_cap_minutes: small("daily_cap_minutes")?,
        check_min_minutes: small("check_min_minutes")?,
        check_max_minutes: small("check_max_minutes")?,
        supplementary_cap_hours: small("supplementary_cap_hours")?,
        reminder_days: days_of(&r.try_get::<String, _>("reminder_days")?)?,
        late_payment: int("late_payment")? != 0,
    })
}

/// Stores a year unless that year is already configured; tells whether it stored it.
pub async fn insert_if_missing(
    conn: &mut AnyConnection,
    y: &PolicyYear,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "INSERT INTO policy_years ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (year) DO NOTHING"
    );
    let done = bind_all(sqlx::query(&sql), y).execute(&mut *conn).await?;
    if done.rows_affected() == 1 {
        super::year_standings::mark_all(conn).await?;
    }
    Ok(done.rows_affected() == 1)
}
