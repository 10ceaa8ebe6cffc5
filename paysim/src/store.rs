//! The simulator's payments, in memory: creation (idempotent per merchant order), the one-way
//! move from `pending` to a final state, receipt numbers, and the nonces already seen.
//!
//! Everything sits behind one mutex that is never held across an `.await`, so that each
//! decision (is this order new? is this payment still pending?) is atomic without
//! check-then-act races between concurrent requests.

use crate::error::ApiError;
use crate::random;
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Timelike, Utc};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Where a payment is. `pending` until the cashier acts; the three others are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Paid,
    Cancelled,
    Failed,
}

impl Status {
    pub fn is_final(self) -> bool {
        self != Status::Pending
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Paid => "paid",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
        }
    }
}

/// What the cashier (or a test) does to a pending payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pay,
    Cancel,
    Fail,
}

impl Action {
    /// The last path segment of the cashier's and the test controls' URLs.
    pub fn from_segment(segment: &str) -> Option<Self> {
        match segment {
            "pay" => Some(Action::Pay),
            "cancel" => Some(Action::Cancel),
            "fail" => Some(Action::Fail),
            _ => None,
        }
    }

    pub fn outcome(self) -> Status {
        match self {
            Action::Pay => Status::Paid,
            Action::Cancel => Status::Cancelled,
            Action::Fail => Status::Failed,
        }
    }
}

/// A validated create request.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub merchant_order_id: String,
    pub amount_fen: i64,
    pub subject: String,
    pub notify_url: Url,
    pub return_url: Url,
}

/// One payment as the platform knows it.
#[derive(Debug, Clone)]
pub struct Payment {
    pub id: String,
    pub merchant_order_id: String,
    pub amount_fen: i64,
    pub subject: String,
    pub notify_url: Url,
    pub return_url: Url,
    pub status: Status,
    /// 电子票据号, set when paid.
    pub receipt_no: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The id of the notification event of the final state, set with it.
    pub notify_id: Option<String>,
}

/// The result of a create request.
#[derive(Debug)]
pub enum Created {
    New(Payment),
    /// The merchant order already had a live payment with this amount: the same one again.
    Existing(Payment),
}

/// The result of a cashier action.
#[derive(Debug)]
pub struct Finished {
    pub payment: Payment,
    /// `true` when this call made the change (and a notification is due); `false` when the
    /// payment was already in the asked state.
    pub changed: bool,
}

/// Times in the protocol: RFC 3339, UTC, whole seconds (`2025-09-01T08:00:00Z`).
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Receipts and ids carry the date of the province, not of UTC.
fn china(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"))
}

pub struct Store {
    inner: Mutex<Inner>,
}

struct Inner {
    payments: HashMap<String, Payment>,
    /// The latest payment of each merchant order.
    current: HashMap<String, String>,
    /// Nonces seen, with when they may be forgotten.
    nonces: HashMap<String, DateTime<Utc>>,
    nonces_pruned_at: DateTime<Utc>,
    receipt_seq: u64,
}

impl Store {
    /// An empty store. Receipt numbers start from the milliseconds since midnight (UTC+8), so a
    /// restarted simulator does not hand out a number it gave earlier the same day.
    pub fn new(now: DateTime<Utc>) -> Self {
        let local = china(now);
        let receipt_seq = u64::from(local.num_seconds_from_midnight()) * 1000
            + u64::from(local.nanosecond() / 1_000_000 % 1000);
        Store {
            inner: Mutex::new(Inner {
                payments: HashMap::new(),
                current: HashMap::new(),
                nonces: HashMap::new(),
                nonces_pruned_at: now,
                receipt_seq,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind, never a half-made change
        // (each change is a few assignments); carrying on beats refusing every request.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates the payment of a merchant order, or returns its live one.
    ///
    /// A merchant order has at most one payment that is `pending` or `paid`: asking again
    /// returns it. Once its latest payment is `cancelled` or `failed`, asking again opens a new
    /// payment, so the order stays payable. The amount of a merchant order never changes.
    pub fn create(&self, new: NewPayment, now: DateTime<Utc>) -> Result<Created, ApiError> {
        let mut inner = self.lock();
        if let Some(existing) = inner
            .current
            .get(&new.merchant_order_id)
            .and_then(|id| inner.payments.get(id))
        {
            if existing.amount_fen != new.amount_fen {
                return Err(ApiError::AmountMismatch {
                    existing: existing.amount_fen,
                });
            }
            if matches!(existing.status, Status::Pending | Status::Paid) {
                return Ok(Created::Existing(existing.clone()));
            }
        }
        let id = format!(
            "EP{}{}",
            china(now).format("%Y%m%d"),
            random::hex(16).to_uppercase()
        );
        let payment = Payment {
            id: id.clone(),
            merchant_order_id: new.merchant_order_id,
            amount_fen: new.amount_fen,
            subject: new.subject,
            notify_url: new.notify_url,
            return_url: new.return_url,
            status: Status::Pending,
            receipt_no: None,
            paid_at: None,
            created_at: now,
            notify_id: None,
        };
        inner
            .current
            .insert(payment.merchant_order_id.clone(), id.clone());
        inner.payments.insert(id, payment.clone());
        Ok(Created::New(payment))
    }

    pub fn get(&self, payment_id: &str) -> Option<Payment> {
        self.lock().payments.get(payment_id).cloned()
    }

    /// The latest payment of a merchant order (the one that is or was paid, if any is).
    pub fn by_merchant_order(&self, merchant_order_id: &str) -> Option<Payment> {
        let inner = self.lock();
        let id = inner.current.get(merchant_order_id)?;
        inner.payments.get(id).cloned()
    }

    /// Moves a pending payment to the action's final state. Repeating the same action is
    /// harmless and changes nothing; any other action on a final payment is refused.
    pub fn finish(
        &self,
        payment_id: &str,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<Finished, ApiError> {
        let mut inner = self.lock();
        let target = action.outcome();
        let current = inner
            .payments
            .get(payment_id)
            .ok_or(ApiError::PaymentNotFound)?;
        if current.status == target {
            return Ok(Finished {
                payment: current.clone(),
                changed: false,
            });
        }
        if current.status.is_final() {
            return Err(ApiError::PaymentFinal(current.status));
        }
        let receipt_no = (target == Status::Paid).then(|| inner.next_receipt(now));
        let payment = inner
            .payments
            .get_mut(payment_id)
            .expect("found above under the same lock");
        payment.status = target;
        if target == Status::Paid {
            payment.receipt_no = receipt_no;
            payment.paid_at = Some(now);
        }
        payment.notify_id = Some(format!(
            "NT{}{}",
            china(now).format("%Y%m%d"),
            random::hex(16).to_uppercase()
        ));
        Ok(Finished {
            payment: payment.clone(),
            changed: true,
        })
    }

    /// Records a nonce until `expires`; `false` if it was already seen.
    pub fn use_nonce(&self, nonce: &str, expires: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let mut inner = self.lock();
        // Pruning once a minute keeps the map to a few minutes of traffic at a small cost.
        if now - inner.nonces_pruned_at > Duration::minutes(1) {
            inner.nonces.retain(|_, until| *until > now);
            inner.nonces_pruned_at = now;
        }
        match inner.nonces.get(nonce) {
            Some(until) if *until > now => false,
            _ => {
                inner.nonces.insert(nonce.to_owned(), expires);
                true
            }
        }
    }
}

impl Inner {
    /// `FJ`, the date (UTC+8) and 8 digits: the 电子票据号 of a payment.
    fn next_receipt(&mut self, now: DateTime<Utc>) -> String {
        let seq = self.receipt_seq % 100_000_000;
        self.receipt_seq += 1;
        format!("FJ{}{seq:08}", china(now).format("%Y%m%d"))
    }
}

/// An amount in fen as 元 with two decimals and thousands separators: `12,600.00`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, 1, 20, 0, 0).unwrap()
    }

    fn new_payment(order: &str, amount_fen: i64) -> NewPayment {
        NewPayment {
            merchant_order_id: order.into(),
            amount_fen,
            subject: "报名费".into(),
            notify_url: Url::parse("http://127.0.0.1:1/notify").unwrap(),
            return_url: Url::parse("http://127.0.0.1:1/return").unwrap(),
        }
    }

    fn created(c: Created) -> (bool, Payment) {
        match c {
            Created::New(p) => (true, p),
            Created::Existing(p) => (false, p),
        }
    }

    #[test]
    fn a_merchant_order_keeps_one_live_payment_and_its_amount() {
        let store = Store::new(now());
        let (new, first) = created(store.create(new_payment("A", 12600), now()).unwrap());
        assert!(new && first.id.starts_with("EP20250902"), "{}", first.id);
        let (new, again) = created(store.create(new_payment("A", 12600), now()).unwrap());
        assert!(!new);
        assert_eq!(again.id, first.id);
        assert!(matches!(
            store.create(new_payment("A", 7200), now()),
            Err(ApiError::AmountMismatch { existing: 12600 })
        ));
    }

    #[test]
    fn a_cancelled_payment_makes_room_for_a_new_one_but_a_paid_one_does_not() {
        let store = Store::new(now());
        let (_, first) = created(store.create(new_payment("A", 100), now()).unwrap());
        store.finish(&first.id, Action::Cancel, now()).unwrap();
        let (new, second) = created(store.create(new_payment("A", 100), now()).unwrap());
        assert!(new && second.id != first.id);
        assert_eq!(store.by_merchant_order("A").unwrap().id, second.id);
        store.finish(&second.id, Action::Pay, now()).unwrap();
        let (new, third) = created(store.create(new_payment("A", 100), now()).unwrap());
        assert!(!new && third.id == second.id && third.status == Status::Paid);
    }

    #[test]
    fn a_final_state_never_changes_and_repeating_it_changes_nothing() {
        let store = Store::new(now());
        let (_, p) = created(store.create(new_payment("A", 100), now()).unwrap());
        let paid = store.finish(&p.id, Action::Pay, now()).unwrap();
        assert!(paid.changed);
        let receipt = paid.payment.receipt_no.clone().unwrap();
        assert!(
            receipt.starts_with("FJ20250902") && receipt.len() == 18,
            "{receipt}"
        );
        let again = store.finish(&p.id, Action::Pay, now()).unwrap();
        assert!(!again.changed);
        assert_eq!(again.payment.receipt_no, Some(receipt));
        assert_eq!(again.payment.notify_id, paid.payment.notify_id);
        assert!(matches!(
            store.finish(&p.id, Action::Cancel, now()),
            Err(ApiError::PaymentFinal(Status::Paid))
        ));
    }

    #[test]
    fn receipt_numbers_differ() {
        let store = Store::new(now());
        let mut seen = std::collections::HashSet::new();
        for i in 0..100 {
            let (_, p) = created(store.create(new_payment(&i.to_string(), 1), now()).unwrap());
            let done = store.finish(&p.id, Action::Pay, now()).unwrap();
            assert!(seen.insert(done.payment.receipt_no.unwrap()));
        }
    }

    #[test]
    fn a_nonce_is_refused_until_it_expires() {
        let store = Store::new(now());
        let later = now() + Duration::minutes(10);
        assert!(store.use_nonce("n1", now() + Duration::minutes(5), now()));
        assert!(!store.use_nonce("n1", now() + Duration::minutes(5), now()));
        assert!(store.use_nonce("n1", later + Duration::minutes(5), later));
    }

    #[test]
    fn yuan_has_two_decimals_and_separators() {
        assert_eq!(yuan(12600), "126.00");
        assert_eq!(yuan(7205), "72.05");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(126_000_000), "1,260,000.00");
        assert_eq!(yuan(100_000), "1,000.00");
    }
}
