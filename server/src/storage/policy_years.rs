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
    let row = sqlx::query(
        "SELECT year, graded_hours, ungraded_hours, graded_fee_fen, ungraded_fee_fen, \
         registration_deadline, study_deadline, minutes_per_hour \
         FROM policy_years WHERE year <= $1 ORDER BY year DESC LIMIT 1",
    )
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let int = |col: &str| -> Result<i64, sqlx::Error> { r.try_get(col) };
    let small = |col: &str| -> Result<u32, sqlx::Error> {
        u32::try_from(int(col)?).map_err(|e| sqlx::Error::Decode(e.into()))
    };
    let date = |col: &str| -> Result<NaiveDate, sqlx::Error> {
        NaiveDate::parse_from_str(&r.try_get::<String, _>(col)?, DATE)
            .map_err(|e| sqlx::Error::Decode(e.into()))
    };
    Ok(Some(PolicyYear {
        year: i32::try_from(int("year")?).map_err(|e| sqlx::Error::Decode(e.into()))?,
        graded_hours: small("graded_hours")?,
        ungraded_hours: small("ungraded_hours")?,
        graded_fee_fen: int("graded_fee_fen")?,
        ungraded_fee_fen: int("ungraded_fee_fen")?,
        registration_deadline: date("registration_deadline")?,
        study_deadline: date("study_deadline")?,
        minutes_per_hour: small("minutes_per_hour")?,
    }))
}

/// Stores a year unless that year is already configured; tells whether it stored it.
pub async fn insert_if_missing(
    conn: &mut AnyConnection,
    y: &PolicyYear,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO policy_years (year, graded_hours, ungraded_hours, graded_fee_fen, \
         ungraded_fee_fen, registration_deadline, study_deadline, minutes_per_hour) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (year) DO NOTHING",
    )
    .bind(i64::from(y.year))
    .bind(i64::from(y.graded_hours))
    .bind(i64::from(y.ungraded_hours))
    .bind(y.graded_fee_fen)
    .bind(y.ungraded_fee_fen)
    .bind(y.registration_deadline.format(DATE).to_string())
    .bind(y.study_deadline.format(DATE).to_string())
    .bind(i64::from(y.minutes_per_hour))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
