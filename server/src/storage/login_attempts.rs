//! Login attempts, kept in the database so that the limits hold across server instances.

use sqlx::AnyConnection;

/// The advisory lock that serialises counting and recording attempts, so that two
/// concurrent attempts cannot both count the same total (on every server instance).
const ATTEMPTS_LOCK: i64 = 0x5158_4c4f_4749_4e00; // "QXLOGIN\0"

/// Waits until this transaction alone counts and records attempts, until it ends.
pub async fn serialise(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    super::serialise(conn, ATTEMPTS_LOCK).await
}

/// Records a failed attempt (an attempt is a failure until its password is known to match);
/// returns its id.
pub async fn record_failure(
    conn: &mut AnyConnection,
    at: i64,
    ip: &str,
    login: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO login_attempts (at, ip, login, success) VALUES ($1, $2, $3, 0) RETURNING id",
    )
    .bind(at)
    .bind(ip)
    .bind(login)
    .fetch_one(conn)
    .await
}

/// The attempt's password matched.
pub async fn mark_success(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_attempts SET success = 1 WHERE id = $1")
        .bind(id)
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
