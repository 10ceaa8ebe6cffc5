//! Login attempts, kept in the database so that the limits hold across server instances.

use sqlx::AnyConnection;

pub async fn record(
    conn: &mut AnyConnection,
    at: i64,
    ip: &str,
    login: &str,
    success: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_attempts (at, ip, login, success) VALUES ($1, $2, $3, $4)")
        .bind(at)
        .bind(ip)
        .bind(login)
        .bind(i64::from(success))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failed attempts on one login since an instant.
pub async fn failures_for_login(
    conn: &mut AnyConnection,
    login: &str,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE login = $1 AND at > $2 AND success = 0",
    )
    .bind(login)
    .bind(since)
    .fetch_one(conn)
    .await
}

/// Attempts (`failed_only`: failed ones) from one address since an instant.
pub async fn attempts_from_ip(
    conn: &mut AnyConnection,
    ip: &str,
    since: i64,
    failed_only: bool,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND at > $2 AND success <= $3",
    )
    .bind(ip)
    .bind(since)
    .bind(if failed_only { 0_i64 } else { 1 })
    .fetch_one(conn)
    .await
}

/// Forgets attempts older than any window looks at.
pub async fn prune(conn: &mut AnyConnection, before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(())
}
