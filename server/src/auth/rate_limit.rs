//! Login limits. Per account: 5 failures in 15 minutes lock that login for the rest of the
//! window. Per address: 50 failures in 10 minutes, or 300 attempts in one minute. A computer
//! room of 60 people behind one NAT address, typos included, stays far below both.

use crate::error::AppError;
use crate::storage::login_attempts;
use sqlx::AnyConnection;

pub const ACCOUNT_FAILURES: i64 = 5;
pub const ACCOUNT_WINDOW_SECS: i64 = 15 * 60;
pub const IP_FAILURES: i64 = 50;
pub const IP_FAILURE_WINDOW_SECS: i64 = 10 * 60;
pub const IP_ATTEMPTS_PER_MINUTE: i64 = 300;

/// Refuses with 429 when a limit is reached.
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
