//! Seconds of lesson credit (online study and practice) per trainee and year: the sum of
//! their `lesson_progress` rows, rewritten from those rows by every write that changes a
//! credit, in the same transaction. The territorial reports read one row a trainee-year
//! from here instead of summing every study record of the province on each request; whether
//! a year is completed is still settled by `qinxue_core::completion` when read.

use super::{Backend, Then, Tx};
use sqlx::AnyConnection;

/// Keys per statement: two bound values each, far below either database's limit.
const KEYS_PER_STATEMENT: usize = 1000;

/// The statement that rewrites the totals of `n` (user, year) keys from `lesson_progress`.
fn refresh_sql(backend: Backend, n: usize) -> String {
    let keys: Vec<String> = (0..n)
        .map(|i| format!("({})", super::markers(backend, 1 + 2 * i, 2)))
        .collect();
    // `WHERE true`: SQLite reads `ON CONFLICT` after a join as the join's `ON` otherwise.
    format!(
        "INSERT INTO lesson_year_totals (user_id, year, secs) \
         SELECT p.user_id, p.year, CAST(SUM(p.credited_secs) AS BIGINT) \
         FROM (VALUES {}) k JOIN lesson_progress p ON p.user_id = k.column1 AND p.year = k.column2 \
         WHERE true GROUP BY p.user_id, p.year \
         ON CONFLICT (user_id, year) DO UPDATE SET secs = excluded.secs",
        keys.join(", ")
    )
}

fn distinct(keys: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Rewrites the totals of `keys` (user, year) in the writer's transaction.
pub async fn refresh_tx(tx: &mut Tx, keys: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    for chunk in distinct(keys).chunks(KEYS_PER_STATEMENT) {
        let sql = refresh_sql(tx.backend(), chunk.len());
        tx.run(&sql, Then::More, |mut q| {
            for (user, year) in chunk {
                q = q.bind(*user).bind(*year);
            }
            q
        })
        .await?;
    }
    Ok(())
}

/// Rewrites the totals of `keys` (user, year) on `conn`, in the transaction it is in.
pub async fn refresh(conn: &mut AnyConnection, keys: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    for chunk in distinct(keys).chunks(KEYS_PER_STATEMENT) {
        let sql = refresh_sql(Backend::of(conn), chunk.len());
        let mut q = sqlx::query(&sql);
        for (user, year) in chunk {
            q = q.bind(*user).bind(*year);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
