//! Employers (单位), each in one region.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub region_code: String,
}

/// Units in a region's subtree (every unit when `region` is `None`), by region then name.
pub async fn list(
    conn: &mut AnyConnection,
    region: Option<&str>,
) -> Result<Vec<UnitRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT un.id, un.name, un.region_code FROM units un \
         JOIN regions r ON r.code = un.region_code \
         WHERE $1 = '' OR r.path LIKE (SELECT path FROM regions WHERE code = $1) || '%' \
         ORDER BY un.region_code, un.name",
    )
    .bind(region.unwrap_or(""))
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<UnitRow>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name, region_code FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &AnyRow) -> Result<UnitRow, sqlx::Error> {
    Ok(UnitRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    region_code: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO units (name, region_code, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(region_code)
    .bind(now)
    .fetch_one(conn)
    .await
}
