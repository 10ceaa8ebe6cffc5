//! What the payment platform tells us, applied to orders exactly once: notifications posted to
//! `/api/payments/notify`, and the answers of reconciliation, which asks the platform about
//! open orders so that a lost notification loses nothing (DESIGN.md §4).
//!
//! The platform may send one notification several times, concurrently, late and in any
//! order. Exactly-once rests on guarded updates: an order is marked paid only by the
//! statement that finds it still open, and an enrolment is activated only by the statement
//! that finds it not yet active; every repeat changes nothing and is answered `success`.
//! Money is never dropped: a payment after the deadline, or for someone another order already
//! paid for, is recorded and flagged `refund_due`.

use crate::clock::Clock;
use crate::error::AppError;
use crate::payments::{
    Notification, NotificationError, PaymentState, PaymentStatus, PlatformError,
};
use crate::state::AppState;
use crate::storage::orders::{self, NotificationRecord, OrderRow};
use crate::storage::{enrolments, policy_years};
use chrono::{DateTime, SecondsFormat, Utc};
use qinxue_core::api::ReconcileReport;
use qinxue_core::order::{ItemOutcome, OrderStatus, RefundReason};
use serde_json::json;
use sqlx::AnyConnection;

/// Pending orders read from the database at a time by reconciliation.
const RECONCILE_BATCH: i64 = 500;
/// Failed queries in a row after which a reconciliation run gives up: the platform is down.
const MAX_FAILURES_IN_A_ROW: u32 = 3;

/// What was made of one word from the platform about a payment. Kept with every notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The order is now paid and every enrolment in it active.
    Paid,
    /// The money is recorded and (some of it) flagged for refund.
    RefundDue,
    /// The order's payment was cancelled or failed at the cashier; the order stays payable.
    Closed,
    /// Already applied: a retry or duplicate.
    Duplicate,
    /// About an older payment of the order, or one whose order is settled: changes nothing.
    Stale,
    /// A second paid payment for an order already paid by another. The platform promises
    /// this never happens; if it does, the record is what lets the office pay it back.
    SecondPayment,
    /// The payment is still open at the platform.
    Pending,
    UnknownOrder,
    AmountMismatch,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Paid => "paid",
            Verdict::RefundDue => "refund_due",
            Verdict::Closed => "closed",
            Verdict::Duplicate => "duplicate",
            Verdict::Stale => "stale",
            Verdict::SecondPayment => "second_payment",
            Verdict::Pending => "pending",
            Verdict::UnknownOrder => "unknown_order",
            Verdict::AmountMismatch => "amount_mismatch",
        }
    }

    /// Whether this word changed an order.
    pub fn changed(self) -> bool {
        matches!(self, Verdict::Paid | Verdict::RefundDue | Verdict::Closed)
    }
}

/// A notification as received, on its way to the database.
#[derive(Debug, Clone)]
pub struct Received {
    /// The verified notification, or why it was refused.
    pub parsed: Result<Notification, NotificationError>,
    /// The body as received, for the record.
    pub raw: String,
    /// When its payment was made, on this server's clock.
    pub paid_here: Option<DateTime<Utc>>,
    pub now: i64,
}

/// What was made of a received notification: the verdict on a verified one, or why it was
/// refused.
pub type Handled = Result<(Verdict, Notification), NotificationError>;

/// Why a notification is not answered `success`.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// Not readable, not signed by the platform, or not what the protocol says.
    #[error(transparent)]
    Refused(#[from] NotificationError),
    /// Signed, for a merchant order id we never made.
    #[error("unknown order")]
    UnknownOrder,
    /// Signed, for an amount other than the order's.
    #[error("amount differs from the order's")]
    AmountMismatch,
    /// A fault of the layers below (the writer, the database).
    #[error(transparent)]
    Fault(#[from] AppError),
}

/// Handles one notification body: verifies it, then the notification writer applies it and
/// keeps it with its verdict in one transaction. `Ok` means answer `success`; an error is the
/// 4xx to answer.
pub async fn receive_notification(state: &AppState, body: &[u8]) -> Result<(), PaymentError> {
    let parsed = state.payments.verify_notification(body);
    let paid_here = paid_on_our_clock(&state.clock, parsed.as_ref().ok().map(|n| &n.payment));
    let received = Received {
        parsed,
        raw: stored_text(body),
        paid_here,
        now: state.clock.now_secs(),
    };
    let outcome = state.notifications.submit(received).await?;
    match outcome {
        Err(e) => {
            tracing::warn!(error = %e, "payment notification refused");
            Err(e.into())
        }
        Ok((verdict, n)) => {
            let p = &n.payment;
            tracing::info!(verdict = verdict.as_str(), notify_id = %n.notify_id,
                payment_id = %p.payment_id, merchant_order_id = %p.merchant_order_id,
                "payment notification");
            match verdict {
                Verdict::UnknownOrder => Err(PaymentError::UnknownOrder),
                Verdict::AmountMismatch => Err(PaymentError::AmountMismatch),
                _ => Ok(()),
            }
        }
    }
}

/// Applies one received notification and records it, inside the caller's transaction.
pub(crate) async fn handle(c: &mut AnyConnection, r: Received) -> Result<Handled, AppError> {
    let notification = match r.parsed {
        Ok(n) => n,
        Err(e) => {
            let record = NotificationRecord {
                source: "notify",
                raw: r.raw,
                verdict: e.verdict(),
                ..NotificationRecord::default()
            };
            orders::record_notification(c, &record, r.now).await?;
            return Ok(Err(e));
        }
    };
    let p = &notification.payment;
    let (verdict, order_id) = apply(&mut *c, p, r.paid_here, r.now).await?;
    let record = NotificationRecord {
        source: "notify",
        raw: r.raw,
        notify_id: Some(notification.notify_id.clone()),
        payment_id: Some(p.payment_id.clone()),
        merchant_order_id: Some(p.merchant_order_id.clone()),
        order_id,
        verdict: verdict.as_str(),
    };
    orders::record_notification(c, &record, r.now).await?;
    Ok(Ok((verdict, notification)))
}

/// Applies a payment's state to its order. Runs inside the caller's write transaction; the
/// verdict and the order it concerns are for the record.
async fn apply(
    c: &mut AnyConnection,
    p: &PaymentState,
    paid_here: Option<DateTime<Utc>>,
    now: i64,
) -> Result<(Verdict, Option<i64>), AppError> {
    let Some(order) = orders::by_merchant_order_id(&mut *c, &p.merchant_order_id).await? else {
        return Ok((Verdict::UnknownOrder, None));
    };
    if p.amount_fen != order.amount_fen {
        tracing::error!(order_id = order.id, payment_id = %p.payment_id, amount_fen = p.amount_fen,
            expected_fen = order.amount_fen, "payment amount differs from its order's");
        return Ok((Verdict::AmountMismatch, Some(order.id)));
    }
    let verdict = match p.status {
        PaymentStatus::Pending => Verdict::Pending,
        PaymentStatus::Paid => apply_paid(c, &order, p, paid_here, now).await?,
        PaymentStatus::Cancelled | PaymentStatus::Failed => {
            let status = if p.status == PaymentStatus::Cancelled {
                OrderStatus::Cancelled
            } else {
                OrderStatus::Failed
            };
            if orders::close_payment(c, order.id, &p.payment_id, status, now).await? {
                Verdict::Closed
            } else if order.payment_id.as_deref() == Some(p.payment_id.as_str())
                && order.status == status
            {
                Verdict::Duplicate
            } else {
                Verdict::Stale
            }
        }
    };
    Ok((verdict, Some(order.id)))
}

async fn apply_paid(
    c: &mut AnyConnection,
    order: &OrderRow,
    p: &PaymentState,
    paid_here: Option<DateTime<Utc>>,
    now: i64,
) -> Result<Verdict, AppError> {
    let (Some(receipt), Some(paid_here)) = (&p.paid, paid_here) else {
        return Err(AppError::Internal(
            "a paid payment without its receipt".into(),
        ));
    };
    let claimed = orders::claim_paid(
        &mut *c,
        order.id,
        &p.payment_id,
        &receipt.receipt_no,
        receipt.paid_at,
        now,
    )
    .await?;
    if !claimed {
        // Settled already, perhaps by a concurrent delivery of this same notification: read
        // what settled it.
        let settled_by = orders::get(&mut *c, order.id)
            .await?
            .and_then(|o| o.payment_id);
        return Ok(if settled_by.as_deref() == Some(p.payment_id.as_str()) {
            Verdict::Duplicate
        } else {
            tracing::error!(order_id = order.id, payment_id = %p.payment_id,
                "a second paid payment for a settled order; kept for refund");
            Verdict::SecondPayment
        });
    }
    let year = policy_years::in_force(&mut *c, order.year)
        .await?
        .ok_or(AppError::NoPolicyYear)?;
    let late = !year.payable(paid_here);
    let mut items = orders::items_of(&mut *c, &[order.id]).await?;
    // One order of locks for every transaction, so that two payments sharing people cannot
    // deadlock on PostgreSQL.
    items.sort_by_key(|i| i.user_id);
    let mut refund_fen = 0;
    for item in &items {
        let activated = !late
            && enrolments::activate(&mut *c, item.user_id, order.year, item.grade, now).await?;
        let outcome = if activated {
            ItemOutcome::Activated
        } else {
            refund_fen += item.fee_fen;
            ItemOutcome::RefundDue
        };
        orders::set_item_outcome(&mut *c, order.id, item.user_id, outcome).await?;
    }
    if refund_fen == 0 {
        return Ok(Verdict::Paid);
    }
    let reason = if late {
        RefundReason::AfterDeadline
    } else {
        RefundReason::AlreadyPaid
    };
    orders::flag_refund(c, order.id, refund_fen, reason, now).await?;
    tracing::warn!(
        order_id = order.id,
        refund_fen,
        reason = reason.as_str(),
        "payment received and flagged for refund"
    );
    Ok(Verdict::RefundDue)
}

/// When the platform took the money, on this server's clock. The same instant in production;
/// under a test clock moved forward (`QINXUE_TEST_CLOCK`), shifted with it, so that tests can
/// pay "after the deadline" with a platform whose clock is the real one. Never later than now.
fn paid_on_our_clock(clock: &Clock, payment: Option<&PaymentState>) -> Option<DateTime<Utc>> {
    let paid_at = payment?.paid.as_ref()?.paid_at;
    let age = (Utc::now() - paid_at).max(chrono::Duration::zero());
    Some(clock.now() - age)
}

/// A body as text for the record: invalid UTF-8 replaced, and NUL (which PostgreSQL's text
/// refuses) too, so that any body can be kept.
fn stored_text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).replace('\0', "\u{FFFD}")
}

/// Asks the platform about one order and applies the answer as a notification would be.
/// `None` when the platform has no payment for it.
pub async fn reconcile_order(
    state: &AppState,
    merchant_order_id: &str,
) -> Result<Option<Verdict>, ReconcileError> {
    let Some(p) = state
        .payments
        .query(merchant_order_id)
        .await
        .map_err(ReconcileError::Platform)?
    else {
        return Ok(None);
    };
    if p.status == PaymentStatus::Pending {
        return Ok(Some(Verdict::Pending));
    }
    let now = state.clock.now_secs();
    let paid_here = paid_on_our_clock(&state.clock, Some(&p));
    let verdict = state
        .db
        .write(move |c| {
            Box::pin(async move {
                let (verdict, order_id) = apply(&mut *c, &p, paid_here, now).await?;
                // Only answers that changed something are kept: an unchanged open order is
                // asked about every run.
                if verdict.changed() || verdict == Verdict::SecondPayment {
                    let record = NotificationRecord {
                        source: "query",
                        raw: json!({
                            "payment_id": p.payment_id,
                            "merchant_order_id": p.merchant_order_id,
                            "amount_fen": p.amount_fen,
                            "status": p.status.as_str(),
                            "receipt_no": p.paid.as_ref().map(|r| &r.receipt_no),
                            "paid_at": p.paid.as_ref()
                                .map(|r| r.paid_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
                        })
                        .to_string(),
                        payment_id: Some(p.payment_id.clone()),
                        merchant_order_id: Some(p.merchant_order_id.clone()),
                        order_id,
                        verdict: verdict.as_str(),
                        notify_id: None,
                    };
                    orders::record_notification(c, &record, now).await?;
                }
                Ok(verdict)
            })
        })
        .await
        .map_err(ReconcileError::App)?;
    if verdict.changed() {
        tracing::info!(
            merchant_order_id,
            verdict = verdict.as_str(),
            "order resolved by reconciliation"
        );
    }
    Ok(Some(verdict))
}

/// Why one order could not be reconciled.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Platform(PlatformError),
    #[error(transparent)]
    App(AppError),
}

/// One reconciliation run over every pending order, in batches by id. A run stops early when
/// the platform keeps failing: it is down, and the next run tries again.
pub async fn reconcile(state: &AppState) -> Result<ReconcileReport, AppError> {
    let mut report = ReconcileReport {
        checked: 0,
        resolved: 0,
        failed: 0,
    };
    let mut after_id = 0;
    let mut failures_in_a_row = 0;
    loop {
        let batch = {
            let mut conn = state.db.read().await?;
            orders::pending(&mut conn, after_id, RECONCILE_BATCH).await?
        };
        for (order_id, merchant_order_id) in &batch {
            report.checked += 1;
            match reconcile_order(state, merchant_order_id).await {
                Ok(verdict) => {
                    failures_in_a_row = 0;
                    if verdict.is_some_and(Verdict::changed) {
                        report.resolved += 1;
                    }
                }
                Err(e) => {
                    report.failed += 1;
                    failures_in_a_row += 1;
                    tracing::warn!(order_id, error = %e, "reconciliation of an order failed");
                    if failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
                        return Ok(report);
                    }
                }
            }
        }
        match batch.last() {
            Some((last, _)) if batch.len() as i64 == RECONCILE_BATCH => after_id = *last,
            _ => return Ok(report),
        }
    }
}
