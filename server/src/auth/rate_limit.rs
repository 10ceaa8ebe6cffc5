//! Login limits. Per account: 5 failures in 15 minutes lock that login for the rest of the
//! window. Per address: 50 failures in 10 minutes, or 300 attempts in one minute. A computer
//! room of 60 people behind one NAT address, typos included, stays far below both.

use crate::error::AppError;
use crate::storage::{login_attempts, Db};
use sqlx::AnyConnection;

pub const ACCOUNT_FAILURES: i64 = 5;
pub const ACCOUNT_WINDOW_SECS: i64 = 15 * 60;
pub const IP_FAILURES: i64 = 50;
pub const IP_FAILURE_WINDOW_SECS: i64 = 10 * 60;
pub const IP_ATTEMPTS_PER_MINUTE: i64 = 300;

/// Counts the attempt against the limits and records it as a failure before its password is
/// checked, in one transaction that no other attempt's counting can interleave with: counting,
/// hashing and only then recording let 60 concurrent guesses all pass a limit of 5. Refuses
/// with 429 (recording nothing) when a limit is reached; returns the attempt's id, for
/// [`login_attempts::mark_success`].
///
/// Called with a hashing turn in hand, so that the attempts counted as failures while their
/// password is still being checked are at most one per turn: a computer room of 60 signing in
/// at once behind one address then never looks like 60 failures.
pub async fn reserve(db: &Db, ip: &str, login: &str, now: i64) -> Result<i64, AppError> {
    let (ip, login) = (ip.to_owned(), login.to_owned());
    db.write(move |c| {
        Box::pin(async move {
            login_attempts::serialise(&mut *c).await?;
            check(&mut *c, &ip, &login, now).await?;
            Ok(login_attempts::record_failure(c, now, &ip, &login).await?)
        })
    })
    .await
}

/// Refuses with 429 when a limit is reached. Alone (outside [`reserve`]) it is only a quick
/// first look, which spares the hashing queue the attempts that are over a limit already.
pub async fn check(
    conn: &mut AnyConnection,
    ip: &str,
    login: &str,
    now: i64,
) -> Result<(), AppError> {
    if login_attempts::failures_for_login(&mut *conn, login, now - ACCOUNT_WINDOW_SECS).await?
        >= ACCOUNT_FAILURES
    {
        return Err(AppError::RateLimited(
            "该账号密码错误次数过多，已暂时锁定，请15分钟后再试",
        ));
    }
    if login_attempts::attempts_from_ip(&mut *conn, ip, now - IP_FAILURE_WINDOW_SECS, true).await?
        >= IP_FAILURES
        || login_attempts::attempts_from_ip(&mut *conn, ip, now - 60, false).await?
            >= IP_ATTEMPTS_PER_MINUTE
    {
        return Err(AppError::RateLimited("登录尝试过于频繁，请稍后再试"));
    }
    Ok(())
}
