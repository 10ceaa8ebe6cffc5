//! A trainee's participation in a policy year, with the grade that year's rules apply.

use super::stored_enum;
use qinxue_core::Grade;
use sqlx::AnyConnection;

/// Paid and active: the trainee may study for the year.
pub const ACTIVE: &str = "active";

pub async fn insert(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
    grade: Grade,
    status: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO enrolments (user_id, year, grade, status, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user_id)
        .bind(i64::from(year))
        .bind(grade.as_str())
        .bind(status)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    super::year_standings::mark(conn, &[user_id]).await?;
    Ok(())
}

/// The grade recorded for a trainee's year, if they are enrolled in it.
pub async fn grade_for(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
) -> Result<Option<Grade>, sqlx::Error> {
    let grade: Option<String> =
        sqlx::query_scalar("SELECT grade FROM enrolments WHERE user_id = $1 AND year = $2")
            .bind(user_id)
            .bind(i64::from(year))
            .fetch_optional(conn)
            .await?;
    grade.map(|g| stored_enum(&g, Grade::from_wire)).transpose()
}

/// Whether the trainee is registered and paid for the year.
pub async fn is_active(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE user_id = $1 AND year = $2 AND status = $3",
    )
    .bind(user_id)
    .bind(i64::from(year))
    .bind(ACTIVE)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Activates a trainee's year with the grade paid for, unless it is active already. One
/// statement, so that two payments for the same person racing each other cannot both
/// activate it: the second finds the row active and gets `false`.
pub async fn activate(
    conn: &mut AnyConnection,
    user_id: i64,
    year: i32,
    grade: Grade,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO enrolments (user_id, year, grade, status, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, year) DO UPDATE SET status = excluded.status, \
         grade = excluded.grade WHERE enrolments.status <> excluded.status",
    )
    .bind(user_id)
    .bind(i64::from(year))
    .bind(grade.as_str())
    .bind(ACTIVE)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    super::year_standings::mark(conn, &[user_id]).await?;
    Ok(done.rows_affected() == 1)
}
