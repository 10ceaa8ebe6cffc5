//! A unit's staff with their registration for a year (`services::staff`).

use crate::access::Scope;
use crate::storage::users::{from_row, User, COLUMNS};
use sqlx::{AnyConnection, Row};

/// A trainee of the scope, and whether they registered for the year: an enrolment, or an
/// order for the year that was not cancelled (as the offices' reports count it).
#[derive(Debug, Clone)]
pub struct Member {
    pub user: User,
    pub registered: bool,
}

/// Every trainee the scope covers, by name.
pub async fn members(
    conn: &mut AnyConnection,
    scope: &Scope,
    year: i32,
) -> Result<Vec<Member>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS}, CAST(CASE WHEN EXISTS (SELECT 1 FROM enrolments e \
           WHERE e.user_id = u.id AND e.year = $2) OR EXISTS (SELECT 1 FROM order_items oi \
           JOIN orders o ON o.id = oi.order_id WHERE oi.user_id = u.id AND oi.year = $2 \
           AND o.status <> 'cancelled') THEN 1 ELSE 0 END AS BIGINT) AS registered \
         FROM users u WHERE {} AND u.role = 'trainee' ORDER BY u.name, u.id",
        scope.people_sql("u", 1)
    );
    let rows = scope
        .bind(sqlx::query(&sql))
        .bind(i64::from(year))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Member {
                user: from_row(r)?,
                registered: r.try_get::<i64, _>("registered")? == 1,
            })
        })
        .collect()
}
