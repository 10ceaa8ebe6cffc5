//! API tokens of external systems (exam offices), stored by their SHA-256 only.

use crate::access::Scope;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

fn from_row(r: &AnyRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    token_hash: &str,
    created_by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(token_hash)
    .bind(created_by)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Every token, the newest first.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<ApiToken>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY id DESC",
    )
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Revokes a token; `None` when there is no such token, else whether this call revoked it
/// (false: it was revoked already).
pub async fn revoke(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 1 {
        return Ok(Some(true));
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM api_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(exists.map(|_| false))
}

/// The live (not revoked) token with this hash: (id, name).
pub async fn find_live(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, name FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .fetch_optional(conn)
            .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .transpose()
}

/// Notes that a token was used.
pub async fn touch(conn: &mut AnyConnection, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A person in `scope` by 身份证号: (user id, profile grade as stored).
pub async fn person_by_id_number(
    conn: &mut AnyConnection,
    scope: &Scope,
    id_number: &str,
) -> Result<Option<(i64, Option<String>)>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.grade FROM users u WHERE u.id_number = $1 AND {}",
        scope.people_sql("u", 2)
    );
    let row = scope
        .bind(sqlx::query(&sql).bind(id_number))
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("grade")?)))
        .transpose()
}
