//! Reading the audit log (DESIGN.md §8): the province reads every entry, an office the
//! actions of the people in its subtree; filtered by actor, action and time, newest first,
//! and exported whole as CSV.

use crate::access::{AccessError, Actor};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::audit::{self, Entry, Filter};
use chrono::DateTime;
use qinxue_core::office::{AuditActor, AuditChange, AuditEntry, AuditPage};
use qinxue_core::time::format_local_datetime;
use serde_json::{Map, Value};

/// Most entries on one page of the log.
pub const PAGE: i64 = 100;

/// Why the audit log is not read.
#[derive(Debug, thiserror::Error)]
pub enum AuditLogError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A fault of the layers below (database, the CSV writer).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for AuditLogError {
    fn from(e: sqlx::Error) -> Self {
        AuditLogError::Fault(e.into())
    }
}

impl From<crate::services::spreadsheet::SpreadsheetError> for AuditLogError {
    fn from(e: crate::services::spreadsheet::SpreadsheetError) -> Self {
        AuditLogError::Fault(e.into())
    }
}

/// One page of the entries the reader may see.
pub async fn page(
    state: &AppState,
    actor: &Actor,
    filter: Filter,
    limit: Option<i64>,
) -> Result<AuditPage, AuditLogError> {
    let reach = actor.audit_reader()?;
    let limit = limit.unwrap_or(PAGE).clamp(1, PAGE);
    let mut conn = state.db.read().await?;
    // One more than asked tells whether there is a next page.
    let mut rows = audit::list(&mut conn, &reach, &filter, Some(limit + 1)).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_before = more.then(|| rows.last().map(|r| r.id)).flatten();
    Ok(AuditPage {
        entries: rows.into_iter().map(to_wire).collect(),
        next_before,
    })
}

/// Every entry the reader may see that matches, as CSV with a BOM (so that Chinese Excel
/// reads it as UTF-8), no row limit.
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    filter: Filter,
) -> Result<Vec<u8>, AuditLogError> {
    let reach = actor.audit_reader()?;
    let rows = {
        let mut conn = state.db.read().await?;
        audit::list(&mut conn, &reach, &filter, None).await?
    };
    let mut out = crate::services::spreadsheet::CsvOut::new(&[
        "编号",
        "时间",
        "操作人",
        "账号",
        "角色",
        "操作",
        "对象",
        "说明",
        "变更",
    ]);
    for row in rows {
        let e = to_wire(row);
        let (name, username, role) = match &e.actor {
            Some(a) => (
                a.name.clone(),
                a.username.clone().unwrap_or_default(),
                a.role.label().to_owned(),
            ),
            None => ("系统".to_owned(), String::new(), String::new()),
        };
        let changes = e
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c.field,
                    c.before.as_deref().unwrap_or("（无）"),
                    c.after.as_deref().unwrap_or("（无）")
                )
            })
            .collect::<Vec<_>>()
            .join("；");
        out.row(&[
            &e.id.to_string(),
            &format_local_datetime(e.at),
            &name,
            &username,
            &role,
            &e.action,
            &e.target,
            &e.detail,
            &changes,
        ])?;
    }
    Ok(out.finish()?)
}

fn to_wire(e: Entry) -> AuditEntry {
    let changes = changes(e.before.as_deref(), e.after.as_deref());
    AuditEntry {
        id: e.id,
        at: DateTime::from_timestamp(e.at, 0).unwrap_or_default(),
        actor: e.actor.map(|(id, name, username, role)| AuditActor {
            id,
            name,
            username,
            role,
        }),
        action: e.action,
        target: e.target,
        detail: e.detail,
        changes,
    }
}

/// The top-level fields whose values differ between the record before and after (all of
/// them when one side is missing), each as compact JSON.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<AuditChange> {
    let object = |s: Option<&str>| -> Option<Map<String, Value>> {
        match serde_json::from_str(s?) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        }
    };
    let (b, a) = (object(before), object(after));
    if b.is_none() && a.is_none() {
        return Vec::new();
    }
    let empty = Map::new();
    let (b, a) = (b.as_ref().unwrap_or(&empty), a.as_ref().unwrap_or(&empty));
    let mut fields: Vec<&String> = b.keys().chain(a.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| b.get(*f) != a.get(*f))
        .map(|f| AuditChange {
            field: f.clone(),
            before: b.get(f).map(Value::to_string),
            after: a.get(f).map(Value::to_string),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::changes;

    #[test]
    fn only_the_fields_that_differ_are_listed() {
        let c = changes(
            Some(r#"{"year":2027,"graded_fee_fen":12600,"graded_hours":42}"#),
            Some(r#"{"year":2027,"graded_fee_fen":13000,"graded_hours":42}"#),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "graded_fee_fen");
        assert_eq!(c[0].before.as_deref(), Some("12600"));
        assert_eq!(c[0].after.as_deref(), Some("13000"));
        let created = changes(None, Some(r#"{"year":2028}"#));
        assert_eq!(created[0].before, None);
        assert!(changes(None, None).is_empty());
    }
}
