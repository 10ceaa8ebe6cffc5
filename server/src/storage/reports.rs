//! The offices' territorial reports: one pass over the trainees of a region subtree for a year,
//! grouped by sub-region, unit or grade, and the list of those who have not completed it.
//!
//! "Completed" here is: paid for the year, and the study credited to that year (the lessons'
//! stored credit) reaching the requirement of the grade paid for. The dashboard, the export
//! and the API read these same statements, so their numbers agree.

use sqlx::{AnyConnection, Row};

/// The year's requirement in seconds, for graded and ungraded staff.
#[derive(Debug, Clone, Copy)]
pub struct Required {
    pub graded_secs: i64,
    pub ungraded_secs: i64,
}

/// What the counts are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The child of the region (by path length) that each trainee's unit lies in.
    Region {
        path_len: usize,
    },
    Unit,
    Grade,
}

/// One group's counts; `key` is a region path, a unit id or a grade.
#[derive(Debug, Clone)]
pub struct Counts {
    pub key: String,
    pub unit_name: Option<String>,
    pub trainees: i64,
    pub registered: i64,
    pub paid: i64,
    pub completed: i64,
}

/// The part of the statements every report shares: every trainee of the subtree whose
/// pattern is `$1`, with their enrolment of the year `$2` and the seconds credited to it.
const FROM: &str = "FROM users u JOIN units un ON un.id = u.unit_id \
     JOIN regions r ON r.code = un.region_code \
     LEFT JOIN enrolments e ON e.user_id = u.id AND e.year = $2 \
     LEFT JOIN (SELECT p.user_id, CAST(SUM(p.credited_secs) AS BIGINT) AS secs FROM lesson_progress p \
       WHERE p.year = $2 GROUP BY p.user_id) lp ON lp.user_id = u.id \
     WHERE u.role = 'trainee' AND r.path LIKE $1";

/// Seconds required of the trainee (`$3` graded, `$4` ungraded), by the grade paid for, else
/// their profile's.
const REQUIRED: &str = "(CASE WHEN COALESCE(e.grade, u.grade) = 'ungraded' THEN $4 ELSE $3 END)";

fn completed_sql() -> String {
    format!("(e.status = 'active' AND COALESCE(lp.secs, 0) >= {REQUIRED})")
}

fn registered_sql() -> &'static str {
    "(e.user_id IS NOT NULL OR EXISTS (SELECT 1 FROM order_items oi JOIN orders o ON \
     o.id = oi.order_id WHERE oi.user_id = u.id AND oi.year = $2 AND o.status <> 'cancelled'))"
}

pub async fn counts(
    conn: &mut AnyConnection,
    pattern: &str,
    year: i32,
    required: Required,
    by: By,
) -> Result<Vec<Counts>, sqlx::Error> {
    let (key, extra) = match by {
        By::Region { path_len } => (
            format!(
                "CASE WHEN LENGTH(r.path) > {path_len} THEN SUBSTR(r.path, 1, {}) ELSE r.path END",
                path_len + 7
            ),
            "",
        ),
        By::Unit => (
            "CAST(un.id AS TEXT)".to_owned(),
            ", MAX(un.name) AS unit_name",
        ),
        By::Grade => ("COALESCE(e.grade, u.grade)".to_owned(), ""),
    };
    let sql = format!(
        "SELECT {key} AS k, COUNT(*) AS trainees, \
         CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS registered, \
         CAST(SUM(CASE WHEN e.status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS paid, \
         CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS completed{extra} \
         {FROM} GROUP BY {key} ORDER BY {key}",
        registered_sql(),
        completed_sql()
    );
    let rows = sqlx::query(&sql)
        .bind(pattern)
        .bind(i64::from(year))
        .bind(required.graded_secs)
        .bind(required.ungraded_secs)
        .fetch_all(conn)
        .await?;
    let int = |r: &sqlx::any::AnyRow, c: &str| -> Result<i64, sqlx::Error> {
        Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0))
    };
    rows.iter()
        .map(|r| {
            Ok(Counts {
                key: r.try_get("k")?,
                unit_name: if by == By::Unit {
                    r.try_get("unit_name")?
                } else {
                    None
                },
                trainees: int(r, "trainees")?,
                registered: int(r, "registered")?,
                paid: int(r, "paid")?,
                completed: int(r, "completed")?,
            })
        })
        .collect()
}

/// A trainee who has not completed the year, with what is missing.
#[derive(Debug, Clone)]
pub struct NonCompleter {
    pub name: String,
    pub id_number: String,
    pub unit: String,
    pub region_code: String,
    pub grade: String,
    pub paid: bool,
    pub credited_secs: i64,
    pub required_secs: i64,
}

/// Every trainee of the subtree who has not completed the year, by region, unit and name.
pub async fn non_completers(
    conn: &mut AnyConnection,
    pattern: &str,
    year: i32,
    required: Required,
) -> Result<Vec<NonCompleter>, sqlx::Error> {
    let sql = format!(
        "SELECT u.name, u.id_number, un.name AS unit, un.region_code, \
         COALESCE(e.grade, u.grade) AS grade, \
         CAST(CASE WHEN e.status = 'active' THEN 1 ELSE 0 END AS BIGINT) AS paid, \
         CAST(COALESCE(lp.secs, 0) AS BIGINT) AS credited, CAST({REQUIRED} AS BIGINT) AS required \
         {FROM} AND NOT {} ORDER BY un.region_code, un.name, u.name, u.id",
        completed_sql()
    );
    let rows = sqlx::query(&sql)
        .bind(pattern)
        .bind(i64::from(year))
        .bind(required.graded_secs)
        .bind(required.ungraded_secs)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(NonCompleter {
                name: r.try_get("name")?,
                id_number: r
                    .try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
                unit: r.try_get("unit")?,
                region_code: r.try_get("region_code")?,
                grade: r.try_get::<Option<String>, _>("grade")?.unwrap_or_default(),
                paid: r.try_get::<i64, _>("paid")? == 1,
                credited_secs: r.try_get("credited")?,
                required_secs: r.try_get("required")?,
            })
        })
        .collect()
}
