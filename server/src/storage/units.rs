//! Employers (单位), each in one region.

use super::regions;
use qinxue_core::api::Unit;
use sqlx::AnyConnection;
use sqlx::Row;

/// Units in a region's subtree (every unit when `region` is `None`), by region then name.
pub async fn list(
    conn: &mut AnyConnection,
    region: Option<&str>,
) -> Result<Vec<Unit>, sqlx::Error> {
    let all_regions = regions::list(&mut *conn).await?;
    let rows = sqlx::query(
        "SELECT un.id, un.name, un.region_code FROM units un \
         JOIN regions r ON r.code = un.region_code \
         WHERE $1 = '' OR r.path LIKE (SELECT path FROM regions WHERE code = $1) || '%' \
         ORDER BY un.region_code, un.name",
    )
    .bind(region.unwrap_or(""))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let region_code: String = r.try_get("region_code")?;
            Ok(Unit {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                region_name: regions::full_name(&all_regions, &region_code),
                region_code,
            })
        })
        .collect()
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name, region_code FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let all_regions = regions::list(conn).await?;
    let region_code: String = row.try_get("region_code")?;
    Ok(Some(Unit {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        region_name: regions::full_name(&all_regions, &region_code),
        region_code,
    }))
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
