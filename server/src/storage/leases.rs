//! Leases on background jobs: one row per job naming the instance that runs it, and until when.

use sqlx::AnyConnection;

/// Takes the lease on `job` for `holder` until `until`, or renews it: when nobody holds it,
/// when it expired by `now`, or when `holder` holds it already. Returns whether `holder`
/// holds it now. One statement, so that two instances asking at once cannot both win.
pub async fn take(
    conn: &mut AnyConnection,
    job: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO job_leases (job, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= $4",
    )
    .bind(job)
    .bind(holder)
    .bind(until)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives up every lease of `holder` (at a clean shutdown), so that another instance need not
/// wait until they expire.
pub async fn release(conn: &mut AnyConnection, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM job_leases WHERE holder = $1")
        .bind(holder)
        .execute(conn)
        .await?;
    Ok(())
}
