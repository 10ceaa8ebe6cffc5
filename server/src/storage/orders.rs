//! Registration orders, the people they pay for, and the payment notifications received.
//!
//! State changes are guarded updates (`… WHERE status IN (open states)`), so that of two
//! deliveries of one notification racing each other exactly one changes the order; the
//! other sees no row change and knows it is a repeat.

use super::{stored_enum, Backend};
use crate::access::{Scope, Within};
use chrono::{DateTime, Utc};
use qinxue_core::order::{ItemOutcome, OrderKind, OrderStatus, RefundReason};
use qinxue_core::Grade;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

/// The states in which an order can still be paid, as SQL.
const OPEN: &str = "('pending', 'cancelled', 'failed')";

/// One order as stored, with the names the pages show.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub id: i64,
    pub merchant_order_id: String,
    pub kind: OrderKind,
    pub payer_id: i64,
    pub payer_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub year: i32,
    pub amount_fen: i64,
    pub status: OrderStatus,
    pub payment_id: Option<String>,
    pub pay_url: Option<String>,
    pub receipt_no: Option<String>,
    pub paid_at: Option<i64>,
    pub refund_fen: i64,
    pub refund_reason: Option<RefundReason>,
    pub created_at: i64,
}

/// One person of an order, with their name and 身份证号 (unmasked: callers mask).
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub order_id: i64,
    pub user_id: i64,
    pub name: String,
    pub id_number: String,
    pub grade: Grade,
    pub fee_fen: i64,
    pub outcome: Option<ItemOutcome>,
}

/// What a new order is made of.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub merchant_order_id: String,
    pub kind: OrderKind,
    pub payer_id: i64,
    pub unit_id: Option<i64>,
    pub year: i32,
    pub amount_fen: i64,
}

const SELECT: &str = "SELECT o.id, o.merchant_order_id, o.kind, o.payer_id, p.name AS payer_name, \
     o.unit_id, un.name AS unit_name, o.year, o.amount_fen, o.status, o.payment_id, o.pay_url, \
     o.receipt_no, o.paid_at, o.refund_fen, o.refund_reason, o.created_at \
     FROM orders o JOIN users p ON p.id = o.payer_id LEFT JOIN units un ON un.id = o.unit_id";

fn order_from_row(r: &AnyRow) -> Result<OrderRow, sqlx::Error> {
    Ok(OrderRow {
        id: r.try_get("id")?,
        merchant_order_id: r.try_get("merchant_order_id")?,
        kind: stored_enum(&r.try_get::<String, _>("kind")?, OrderKind::from_wire)?,
        payer_id: r.try_get("payer_id")?,
        payer_name: r.try_get("payer_name")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        year: year_of(r.try_get("year")?)?,
        amount_fen: r.try_get("amount_fen")?,
        status: stored_enum(&r.try_get::<String, _>("status")?, OrderStatus::from_wire)?,
        payment_id: r.try_get("payment_id")?,
        pay_url: r.try_get("pay_url")?,
        receipt_no: r.try_get("receipt_no")?,
        paid_at: r.try_get("paid_at")?,
        refund_fen: r.try_get("refund_fen")?,
        refund_reason: r
            .try_get::<Option<String>, _>("refund_reason")?
            .map(|v| stored_enum(&v, RefundReason::from_wire))
            .transpose()?,
        created_at: r.try_get("created_at")?,
    })
}

fn year_of(v: i64) -> Result<i32, sqlx::Error> {
    i32::try_from(v).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// Inserts an order. An individual order that would be the payer's second open order of the
/// year is not inserted (`None`): the caller reuses the open one.
pub async fn insert(
    conn: &mut AnyConnection,
    o: &NewOrder,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO orders (merchant_order_id, kind, payer_id, unit_id, year, amount_fen, \
         status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&o.merchant_order_id)
    .bind(o.kind.as_str())
    .bind(o.payer_id)
    .bind(o.unit_id)
    .bind(i64::from(o.year))
    .bind(o.amount_fen)
    .bind(now)
    .fetch_optional(conn)
    .await
}

pub async fn insert_item(
    conn: &mut AnyConnection,
    order_id: i64,
    user_id: i64,
    year: i32,
    grade: Grade,
    fee_fen: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_items (order_id, user_id, year, grade, fee_fen) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(user_id)
    .bind(i64::from(year))
    .bind(grade.as_str())
    .bind(fee_fen)
    .execute(&mut *conn)
    .await?;
    super::year_standings::mark(conn, &[user_id]).await?;
    Ok(())
}

/// An open unit order of a unit for a year that pays exactly this amount for exactly these
/// trainees: a repeated bulk order (缴费 pressed again, or the admin back later) is that order,
/// not one more pending one. On PostgreSQL the unit's row is locked first, so that two such
/// requests at once cannot both find none (SQLite has a single writer).
pub async fn open_unit_order_for(
    conn: &mut AnyConnection,
    unit_id: i64,
    year: i32,
    trainees: &BTreeSet<i64>,
    amount_fen: i64,
) -> Result<Option<i64>, sqlx::Error> {
    if Backend::of(conn) == Backend::Postgres {
        sqlx::query("SELECT id FROM units WHERE id = $1 FOR UPDATE")
            .bind(unit_id)
            .execute(&mut *conn)
            .await?;
    }
    let candidates: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT o.id FROM orders o WHERE o.kind = 'unit' AND o.unit_id = $1 AND o.year = $2 \
         AND o.amount_fen = $3 AND o.status IN {OPEN} ORDER BY o.id DESC"
    ))
    .bind(unit_id)
    .bind(i64::from(year))
    .bind(amount_fen)
    .fetch_all(&mut *conn)
    .await?;
    for id in candidates {
        let items: BTreeSet<i64> =
            sqlx::query_scalar("SELECT user_id FROM order_items WHERE order_id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        if &items == trainees {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// An order by id, for the system's own steps (after creating it, applying a payment); what
/// a person may see goes through [`get_in`].
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<OrderRow>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(order_from_row)
        .transpose()
}

pub async fn by_merchant_order_id(
    conn: &mut AnyConnection,
    merchant_order_id: &str,
) -> Result<Option<OrderRow>, sqlx::Error> {
    sqlx::query(&format!("{SELECT} WHERE o.merchant_order_id = $1"))
        .bind(merchant_order_id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(order_from_row)
        .transpose()
}

/// The payer's open individual order of the year, if any.
pub async fn open_individual(
    conn: &mut AnyConnection,
    payer_id: i64,
    year: i32,
) -> Result<Option<OrderRow>, sqlx::Error> {
    sqlx::query(&format!(
        "{SELECT} WHERE o.payer_id = $1 AND o.year = $2 AND o.kind = 'individual' \
         AND o.status IN {OPEN}"
    ))
    .bind(payer_id)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(order_from_row)
    .transpose()
}

/// Which orders a scope covers: a person's are the ones they made and the unit orders that
/// pay for them; a unit's are its unit orders; a region's, those of its units. `$n` is the
/// scope's value.
fn scope_sql(scope: &Scope, n: usize) -> String {
    match scope.within() {
        Within::Person(_) => format!(
            "(o.payer_id = ${n} OR o.id IN (SELECT order_id FROM order_items WHERE user_id = ${n}))"
        ),
        Within::Unit(_) => format!("(o.unit_id = ${n} AND o.kind = 'unit')"),
        Within::Region(_) => format!("o.unit_id IN ({})", Scope::units_in_region(n)),
    }
}

/// An order, if the scope covers it.
pub async fn get_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    id: i64,
) -> Result<Option<OrderRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE o.id = $1 AND {}", scope_sql(scope, 2));
    scope
        .bind(sqlx::query(&sql).bind(id))
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(order_from_row)
        .transpose()
}

/// The orders a scope covers, newest first.
pub async fn list_in(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> Result<Vec<OrderRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE {} ORDER BY o.id DESC", scope_sql(scope, 1));
    let rows = scope.bind(sqlx::query(&sql)).fetch_all(conn).await?;
    rows.iter().map(order_from_row).collect()
}

/// The people of some orders, by order then name.
pub async fn items_of(
    conn: &mut AnyConnection,
    order_ids: &[i64],
) -> Result<Vec<ItemRow>, sqlx::Error> {
    if order_ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are integers from our own rows, so writing them into the SQL is safe, and it
    // keeps one query for a whole page of orders on both backends.
    let ids: Vec<String> = order_ids.iter().map(i64::to_string).collect();
    let rows = sqlx::query(&format!(
        "SELECT i.order_id, i.user_id, u.name, u.id_number, i.grade, i.fee_fen, i.outcome \
         FROM order_items i JOIN users u ON u.id = i.user_id \
         WHERE i.order_id IN ({}) ORDER BY i.order_id, u.name, i.user_id",
        ids.join(", ")
    ))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ItemRow {
                order_id: r.try_get("order_id")?,
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                id_number: r
                    .try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
                grade: stored_enum(&r.try_get::<String, _>("grade")?, Grade::from_wire)?,
                fee_fen: r.try_get("fee_fen")?,
                outcome: r
                    .try_get::<Option<String>, _>("outcome")?
                    .map(|v| stored_enum(&v, ItemOutcome::from_wire))
                    .transpose()?,
            })
        })
        .collect()
}

/// Records the payment just opened at the platform for an open order, which is pending again
/// (it may have been cancelled or failed). Tells whether the order was still open.
pub async fn set_payment(
    conn: &mut AnyConnection,
    id: i64,
    payment_id: &str,
    pay_url: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "UPDATE orders SET payment_id = $2, pay_url = $3, status = 'pending', updated_at = $4 \
         WHERE id = $1 AND status IN {OPEN}"
    ))
    .bind(id)
    .bind(payment_id)
    .bind(pay_url)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Whether its trainees registered follows the order's status.
    super::year_standings::mark_order(conn, id).await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an open order paid by `payment_id`. Exactly one caller gets `true` for an order;
/// every other (a duplicate notification, a concurrent reconciliation) gets `false`.
pub async fn claim_paid(
    conn: &mut AnyConnection,
    id: i64,
    payment_id: &str,
    receipt_no: &str,
    paid_at: DateTime<Utc>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "UPDATE orders SET status = 'paid', payment_id = $2, receipt_no = $3, paid_at = $4, \
         pay_url = NULL, updated_at = $5 WHERE id = $1 AND status IN {OPEN}"
    ))
    .bind(id)
    .bind(payment_id)
    .bind(receipt_no)
    .bind(paid_at.timestamp())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Whether its trainees registered follows the order's status.
    super::year_standings::mark_order(conn, id).await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a settled order's money (or part of it) as due back.
pub async fn flag_refund(
    conn: &mut AnyConnection,
    id: i64,
    refund_fen: i64,
    reason: RefundReason,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET status = 'refund_due', refund_fen = $2, refund_reason = $3, \
         updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(refund_fen)
    .bind(reason.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Whether its trainees registered follows the order's status.
    super::year_standings::mark_order(conn, id).await?;
    Ok(())
}

pub async fn set_item_outcome(
    conn: &mut AnyConnection,
    order_id: i64,
    user_id: i64,
    outcome: ItemOutcome,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE order_items SET outcome = $3 WHERE order_id = $1 AND user_id = $2")
        .bind(order_id)
        .bind(user_id)
        .bind(outcome.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the order's current payment was cancelled or failed at the cashier. Only the
/// current payment counts: a late word about an older payment changes nothing.
pub async fn close_payment(
    conn: &mut AnyConnection,
    id: i64,
    payment_id: &str,
    status: OrderStatus,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET status = $3, pay_url = NULL, updated_at = $4 \
         WHERE id = $1 AND payment_id = $2 AND status = 'pending'",
    )
    .bind(id)
    .bind(payment_id)
    .bind(status.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Whether its trainees registered follows the order's status.
    super::year_standings::mark_order(conn, id).await?;
    Ok(done.rows_affected() == 1)
}

/// Pending orders with a payment at the platform, after `after_id`, by id: (id, merchant
/// order id). An order whose payment was never opened cannot have been paid (nobody got a
/// cashier page for it), so it is not asked about.
pub async fn pending(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, merchant_order_id FROM orders \
         WHERE status = 'pending' AND payment_id IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("merchant_order_id")?)))
        .collect()
}

/// One notification (or reconciliation answer) and what was made of it.
#[derive(Debug, Clone, Default)]
pub struct NotificationRecord {
    pub source: &'static str,
    pub raw: String,
    pub notify_id: Option<String>,
    pub payment_id: Option<String>,
    pub merchant_order_id: Option<String>,
    pub order_id: Option<i64>,
    pub verdict: &'static str,
}

pub async fn record_notification(
    conn: &mut AnyConnection,
    n: &NotificationRecord,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_notifications (received_at, source, raw, notify_id, payment_id, \
         merchant_order_id, order_id, verdict) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now)
    .bind(n.source)
    .bind(&n.raw)
    .bind(n.notify_id.as_deref())
    .bind(n.payment_id.as_deref())
    .bind(n.merchant_order_id.as_deref())
    .bind(n.order_id)
    .bind(n.verdict)
    .execute(conn)
    .await?;
    Ok(())
}

/// A unit's trainees with their enrolment for the year and any open order they are in.
#[derive(Debug, Clone)]
pub struct StaffRow {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub grade: Grade,
    pub enrolled_grade: Option<Grade>,
    pub active: bool,
    pub open_order_id: Option<i64>,
}

/// The trainees a scope covers, with their registration for the year.
pub async fn unit_staff(
    conn: &mut AnyConnection,
    scope: &Scope,
    year: i32,
) -> Result<Vec<StaffRow>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.name, u.id_number, u.phone, u.grade, e.grade AS enrolled_grade, \
         e.status AS enrolment, \
         (SELECT MAX(o.id) FROM order_items i JOIN orders o ON o.id = i.order_id \
          WHERE i.user_id = u.id AND i.year = $2 AND o.status IN {OPEN}) AS open_order_id \
         FROM users u LEFT JOIN enrolments e ON e.user_id = u.id AND e.year = $2 \
         WHERE {} AND u.role = 'trainee' ORDER BY u.name, u.id",
        scope.people_sql("u", 1)
    );
    let rows = scope
        .bind(sqlx::query(&sql))
        .bind(i64::from(year))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let grade = |col: &str| -> Result<Option<Grade>, sqlx::Error> {
                r.try_get::<Option<String>, _>(col)?
                    .map(|v| stored_enum(&v, Grade::from_wire))
                    .transpose()
            };
            Ok(StaffRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                id_number: r
                    .try_get::<Option<String>, _>("id_number")?
                    .unwrap_or_default(),
                phone: r.try_get::<Option<String>, _>("phone")?.unwrap_or_default(),
                grade: grade("grade")?
                    .ok_or_else(|| sqlx::Error::Decode("a trainee without a grade".into()))?,
                enrolled_grade: grade("enrolled_grade")?,
                active: r.try_get::<Option<String>, _>("enrolment")?.as_deref()
                    == Some(super::enrolments::ACTIVE),
                open_order_id: r.try_get("open_order_id")?,
            })
        })
        .collect()
}
