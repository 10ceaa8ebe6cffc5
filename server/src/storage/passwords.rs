//! Password changes and resets (`services::passwords`).

use crate::access::Scope;
use crate::storage::users::{from_row, User, COLUMNS};
use qinxue_core::Role;
use sqlx::AnyConnection;

/// A trainee inside the scope, by id; `None` outside it (or not a trainee).
pub async fn trainee_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    user_id: i64,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users u WHERE u.id = $1 AND u.role = $2 AND {}",
        scope.people_sql("u", 3)
    );
    let q = sqlx::query(&sql).bind(user_id).bind(Role::Trainee.as_str());
    scope
        .bind(q)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Sets a password hash, and whether it is a one-time password its owner must replace.
pub async fn set(
    conn: &mut AnyConnection,
    user_id: i64,
    hash: &str,
    one_time: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(hash)
        .bind(i64::from(one_time))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a person (their password was reset), returning how many.
pub async fn end_sessions(conn: &mut AnyConnection, user_id: i64) -> Result<u64, sqlx::Error> {
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    super::sessions::announce_ended(conn, user_id).await?;
    Ok(ended)
}

/// Ends a person's sessions other than the one whose token hash is given (they set a new
/// password: a session somebody else opened with the old one should not outlive it).
pub async fn end_other_sessions(
    conn: &mut AnyConnection,
    user_id: i64,
    keep_token_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_token_hash)
        .execute(&mut *conn)
        .await?;
    super::sessions::announce_ended(conn, user_id).await
}
