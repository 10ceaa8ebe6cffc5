//! The province's region tree.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// A stored region: its code, name, parent and level (1 province, 2 city, 3 district).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub level: i32,
}

/// Every region, parents before children.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<RegionRow>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT code, name, parent_code, level FROM regions ORDER BY level, code")
            .fetch_all(conn)
            .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut AnyConnection, code: &str) -> Result<Option<RegionRow>, sqlx::Error> {
    let row = sqlx::query("SELECT code, name, parent_code, level FROM regions WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &AnyRow) -> Result<RegionRow, sqlx::Error> {
    Ok(RegionRow {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        parent_code: r.try_get("parent_code")?,
        level: i32::try_from(r.try_get::<i64, _>("level")?)
            .map_err(|e| sqlx::Error::Decode(e.into()))?,
    })
}

/// `福建省 泉州市 鲤城区` for a region code, from a list that holds its ancestors.
pub fn full_name(regions: &[RegionRow], code: &str) -> String {
    let mut names = Vec::new();
    let mut next = Some(code);
    while let Some(c) = next {
        match regions.iter().find(|r| r.code == c) {
            Some(r) => {
                names.push(r.name.as_str());
                next = r.parent_code.as_deref();
            }
            None => break,
        }
    }
    names.reverse();
    names.join(" ")
}
