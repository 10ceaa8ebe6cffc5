//! Sign-in sessions. Only a hash of each token is stored, so a leaked database
//! cannot be used to sign in.

use super::users::{from_row, User, COLUMNS};
use super::{params, stored_enum};
use qinxue_core::Role;
use sqlx::{AnyConnection, Row};

pub async fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The signed-in user of a live session, with what the access rules need to know of them.
#[derive(Debug)]
pub struct SessionOwner {
    pub user: User,
    /// The path of the region the user belongs to: an admin's own region, else their unit's.
    pub region_path: Option<String>,
    pub expires_at: i64,
}

/// The user of a live session, their region's path, and when the session expires.
pub async fn find_user(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<SessionOwner>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS}, s.expires_at, COALESCE(own.path, unit_region.path) AS region_path \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN regions own ON own.code = u.region_code \
         LEFT JOIN units un ON un.id = u.unit_id \
         LEFT JOIN regions unit_region ON unit_region.code = un.region_code \
         WHERE s.token_hash = $1 AND s.expires_at > $2"
    );
    sqlx::query(&sql)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(conn)
        .await?
        .map(|r| {
            Ok(SessionOwner {
                user: from_row(&r)?,
                region_path: r.try_get("region_path")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
}

/// Live sessions among these token hashes: (hash, user id, role, expiry).
pub async fn find_many(
    conn: &mut AnyConnection,
    token_hashes: &[String],
    now: i64,
) -> Result<Vec<(String, i64, Role, i64)>, sqlx::Error> {
    if token_hashes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT s.token_hash, s.user_id, u.role, s.expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id WHERE s.token_hash IN ({}) AND s.expires_at > {}",
        params(conn, 1, token_hashes.len()),
        params(conn, token_hashes.len() + 1, 1)
    );
    let mut q = sqlx::query(&sql);
    for h in token_hashes {
        q = q.bind(h.as_str());
    }
    q.bind(now)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("token_hash")?,
                r.try_get("user_id")?,
                stored_enum(&r.try_get::<String, _>("role")?, Role::from_wire)?,
                r.try_get("expires_at")?,
            ))
        })
        .collect()
}

/// Moves a session's expiry.
pub async fn extend(
    conn: &mut AnyConnection,
    token_hash: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The PostgreSQL channel on which a transaction that ends sign-in sessions tells every
/// server instance whose (the payload is the user id), so that none keeps accepting them.
pub const ENDED_CHANNEL: &str = "qinxue_sessions_ended";

/// Tells every server instance, once this transaction commits, that sessions of `user_id`
/// ended (`auth::sign_ins` forgets them). On SQLite there is one instance, which forgets
/// them itself.
pub async fn announce_ended(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    if super::Backend::of(conn) == super::Backend::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(ENDED_CHANNEL)
            .bind(user_id.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}
