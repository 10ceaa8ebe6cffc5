//! The audit log of administrative actions: who did what to which record, and when; for
//! changes that matter, the record before and after it (JSON).

use crate::access::AuditReach;
use qinxue_core::Role;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

pub async fn record(
    conn: &mut AnyConnection,
    at: i64,
    actor_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    record_change(conn, at, actor_id, action, target, detail, None, None).await
}

/// An action that changed a record, with the record before and after it as JSON (`None`:
/// it did not exist before, or no longer exists after).
#[allow(clippy::too_many_arguments)]
pub async fn record_change(
    conn: &mut AnyConnection,
    at: i64,
    actor_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, target, detail, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(at)
    .bind(actor_id)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}

/// Which entries a reader asks for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The actor's sign-in name, 身份证号 or account id.
    pub actor: Option<String>,
    /// An action (`course.publish`), or a family of them (`course` for `course.*`).
    pub action: Option<String>,
    /// From this instant on (Unix seconds, inclusive) …
    pub from: Option<i64>,
    /// … until this one (inclusive).
    pub to: Option<i64>,
    /// Entries older than this id (the next page).
    pub before_id: Option<i64>,
}

/// One entry as stored, with its actor.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub actor: Option<(i64, String, Option<String>, Role)>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

enum Value {
    Int(i64),
    Text(String),
}

/// A `WHERE` clause being built: its conditions and their values, numbered in order.
#[derive(Default)]
struct Where {
    conditions: Vec<String>,
    values: Vec<Value>,
}

impl Where {
    /// Adds a condition whose values are the next ones; `sql` gets the first one's number.
    fn add(&mut self, sql: impl FnOnce(usize) -> String, values: Vec<Value>) {
        let n = self.values.len() + 1;
        self.values.extend(values);
        self.conditions.push(sql(n));
    }
}

/// The entries a reader may see that match the filter, newest first, at most `limit` (every
/// one when `None`: exports have no row limit).
pub async fn list(
    conn: &mut AnyConnection,
    reach: &AuditReach,
    filter: &Filter,
    limit: Option<i64>,
) -> Result<Vec<Entry>, sqlx::Error> {
    let mut w = Where::default();
    if let AuditReach::Within(scope) = reach {
        // An actor's region is their unit's, or their own for an office's people; the
        // server's own entries (no actor) are the province's alone.
        let pattern = scope.region_pattern().unwrap_or("").to_owned();
        w.add(
            |n| {
                format!(
                    "(SELECT r.path FROM regions r WHERE r.code = \
                     COALESCE((SELECT un.region_code FROM units un WHERE un.id = u.unit_id), \
                     u.region_code)) LIKE ${n}"
                )
            },
            vec![Value::Text(pattern)],
        );
    }
    if let Some(actor) = filter.actor.as_deref().map(str::trim) {
        match actor.parse::<i64>() {
            // Account ids are short; 18 digits are a 身份证号.
            Ok(id) if actor.len() < 12 => {
                w.add(|n| format!("a.actor_id = ${n}"), vec![Value::Int(id)])
            }
            _ => {
                // A 身份证号's check character `x` is stored upper-case.
                let login = if actor.len() == 18 && actor.is_ascii() {
                    actor.to_ascii_uppercase()
                } else {
                    actor.to_owned()
                };
                w.add(
                    |n| {
                        format!(
                            "(u.username = ${n} OR u.id_number = ${} OR u.name = ${})",
                            n + 1,
                            n + 2
                        )
                    },
                    vec![
                        Value::Text(login.clone()),
                        Value::Text(login.clone()),
                        Value::Text(login),
                    ],
                )
            }
        }
    }
    if let Some(action) = filter.action.as_deref().map(str::trim) {
        // A family: `course` also matches `course.publish`. Action names are letters, dots
        // and underscores, so a LIKE pattern made from one has only its `_` to escape.
        let family = format!("{}.%", action.replace('_', "\\_"));
        w.add(
            |n| format!("(a.action = ${n} OR a.action LIKE ${} ESCAPE '\\')", n + 1),
            vec![Value::Text(action.to_owned()), Value::Text(family)],
        );
    }
    if let Some(from) = filter.from {
        w.add(|n| format!("a.at >= ${n}"), vec![Value::Int(from)]);
    }
    if let Some(to) = filter.to {
        w.add(|n| format!("a.at <= ${n}"), vec![Value::Int(to)]);
    }
    if let Some(before) = filter.before_id {
        w.add(|n| format!("a.id < ${n}"), vec![Value::Int(before)]);
    }
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor_id, a.action, a.target, a.detail, a.before_json, \
         a.after_json, u.name AS actor_name, u.username AS actor_username, \
         u.role AS actor_role FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id",
    );
    if !w.conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&w.conditions.join(" AND "));
    }
    sql.push_str(" ORDER BY a.id DESC");
    if let Some(limit) = limit {
        sql.push_str(&format!(" LIMIT {}", limit.max(0)));
    }
    let mut q = sqlx::query(&sql);
    for v in &w.values {
        q = match v {
            Value::Int(i) => q.bind(*i),
            Value::Text(t) => q.bind(t.as_str()),
        };
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(entry).collect()
}

fn entry(r: &AnyRow) -> Result<Entry, sqlx::Error> {
    let actor_id: Option<i64> = r.try_get("actor_id")?;
    let role: Option<String> = r.try_get("actor_role")?;
    let actor = match (actor_id, role) {
        (Some(id), Some(role)) => Some((
            id,
            r.try_get("actor_name")?,
            r.try_get("actor_username")?,
            super::stored_enum(&role, Role::from_wire)?,
        )),
        _ => None,
    };
    Ok(Entry {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        detail: r.try_get("detail")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
    })
}
