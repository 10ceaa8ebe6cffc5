//! Notifications to the merchant (PROTOCOL.md, "Notification"): one event per final state,
//! delivered by `POST` to its `notify_url` and retried on the configured schedule until the
//! merchant answers HTTP 200 with the body `success`, under the current fault mode.
//!
//! Every delivery attempt is recorded in a log that the test controls expose, so tests and
//! scripts can see what the merchant was sent and how it answered.

use crate::config::{Config, SecretString};
use crate::faults::Faults;
use crate::random;
use crate::sign;
use crate::store::{rfc3339, Payment, Status};
use chrono::Utc;
use serde::Serialize;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::task::JoinSet;

/// The longest a merchant may take to answer one attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// The exact body that acknowledges a notification.
pub const ACK_BODY: &[u8] = b"success";
/// Attempts kept in the log; older ones are forgotten first.
const LOG_CAPACITY: usize = 100_000;
/// Gap between the starts of the deliveries of a reordered batch, so that a local merchant
/// receives them in the shuffled order rather than in whatever order the connections race.
const REORDER_STAGGER: Duration = Duration::from_millis(10);
/// How much of a refusing merchant's answer the log keeps.
const DETAIL_CHARS: usize = 200;

/// One notification event: the final state of a payment. Duplicates and retries of it share
/// its `notify_id`.
#[derive(Debug, Clone)]
pub struct Event {
    pub notify_id: String,
    pub payment_id: String,
    pub merchant_order_id: String,
    pub amount_fen: i64,
    pub status: Status,
    pub receipt_no: Option<String>,
    pub paid_at: Option<String>,
    pub notify_url: reqwest::Url,
}

impl Event {
    /// The event of a payment's final state; `None` while it is pending.
    pub fn of(payment: &Payment) -> Option<Event> {
        Some(Event {
            notify_id: payment.notify_id.clone()?,
            payment_id: payment.id.clone(),
            merchant_order_id: payment.merchant_order_id.clone(),
            amount_fen: payment.amount_fen,
            status: payment.status,
            receipt_no: payment.receipt_no.clone(),
            paid_at: payment.paid_at.map(rfc3339),
            notify_url: payment.notify_url.clone(),
        })
    }
}

/// The body of a notification before it is signed; each attempt has its own timestamp and
/// nonce, so a merchant may apply the same freshness rules as the platform does.
#[derive(Serialize)]
struct Body<'a> {
    payment_id: &'a str,
    merchant_order_id: &'a str,
    amount_fen: i64,
    status: Status,
    receipt_no: Option<&'a str>,
    paid_at: Option<&'a str>,
    notify_id: &'a str,
    timestamp: String,
    nonce: String,
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// HTTP 200 with the body `success`.
    Acknowledged,
    /// The merchant answered, but not with 200 `success`.
    Rejected,
    /// No answer: connection refused, timeout, broken connection.
    TransportError,
    /// The fault mode dropped the attempt; nothing was sent.
    Dropped,
}

/// One entry of the delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// Order of entry in the log.
    pub seq: u64,
    pub notify_id: String,
    pub payment_id: String,
    pub merchant_order_id: String,
    pub status: Status,
    /// Which delivery of the event this is: 1, or more when the event was duplicated.
    pub copy: u32,
    /// 1 for the first attempt of this delivery, then one more per retry.
    pub attempt: u32,
    /// When the attempt was sent (or dropped), after any fault delay.
    pub at: String,
    pub delay_ms: u64,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    /// The error, or the start of a refusing answer's body.
    pub detail: Option<String>,
    /// The last failed attempt of its delivery: no retry follows.
    pub gave_up: bool,
}

/// One delivery of an event: the event, and which copy of it.
#[derive(Debug, Clone)]
struct Delivery {
    event: Arc<Event>,
    copy: u32,
}

/// Sends notifications in the background. Cloning shares the same queue, log and tasks.
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    secret: SecretString,
    schedule: Vec<Duration>,
    faults: Mutex<Faults>,
    log: Mutex<VecDeque<Attempt>>,
    next_seq: AtomicU64,
    held: Mutex<Held>,
    /// Deliveries not finished yet (held, waiting for a retry, or being sent).
    in_flight: AtomicUsize,
    tasks: Mutex<JoinSet<()>>,
}

#[derive(Default)]
struct Held {
    deliveries: Vec<Delivery>,
    flush_scheduled: bool,
}

/// Locks a mutex whose data stays consistent even if a holder panicked (each change under
/// these locks is a single push, swap or assignment).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Notifier {
    pub fn new(config: &Config) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            // A redirect is not an acknowledgement; following it could post elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("qinxue-paysim/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Notifier {
            inner: Arc::new(Inner {
                client,
                secret: config.secret.clone(),
                schedule: config.retry_schedule.clone(),
                faults: Mutex::new(config.faults.clone()),
                log: Mutex::new(VecDeque::new()),
                next_seq: AtomicU64::new(1),
                held: Mutex::new(Held::default()),
                in_flight: AtomicUsize::new(0),
                tasks: Mutex::new(JoinSet::new()),
            }),
        })
    }

    pub fn faults(&self) -> Faults {
        lock(&self.inner.faults).clone()
    }

    /// Applies from the next decision on: attempts already waiting use the new mode too.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.inner.faults) = faults;
    }

    /// Deliveries that have not finished: the merchant may still receive something.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// The log, oldest first, optionally only one payment's or one event's attempts.
    pub fn attempts(&self, payment_id: Option<&str>, notify_id: Option<&str>) -> Vec<Attempt> {
        lock(&self.inner.log)
            .iter()
            .filter(|a| payment_id.is_none_or(|id| a.payment_id == id))
            .filter(|a| notify_id.is_none_or(|id| a.notify_id == id))
            .cloned()
            .collect()
    }

    /// Starts delivering an event: once, or several times when the duplicate fault strikes;
    /// at once, or after the reorder window when the reorder fault is on.
    pub fn send(&self, event: Event) {
        let faults = self.faults();
        let copies = if random::chance(faults.duplicate) {
            faults.copies
        } else {
            1
        };
        let event = Arc::new(event);
        let deliveries = (1..=copies).map(|copy| Delivery {
            event: event.clone(),
            copy,
        });
        self.inner
            .in_flight
            .fetch_add(copies as usize, Ordering::SeqCst);
        if !faults.reorder {
            for delivery in deliveries {
                let this = self.clone();
                self.spawn(async move { this.deliver(delivery).await });
            }
            return;
        }
        let mut held = lock(&self.inner.held);
        held.deliveries.extend(deliveries);
        if !held.flush_scheduled {
            held.flush_scheduled = true;
            let this = self.clone();
            let window = Duration::from_millis(faults.reorder_window_ms);
            self.spawn(async move {
                tokio::time::sleep(window).await;
                this.flush().await;
            });
        }
    }

    /// Stops every delivery; called when the simulator shuts down.
    pub fn shutdown(&self) {
        lock(&self.inner.tasks).abort_all();
    }

    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = lock(&self.inner.tasks);
        // Finished tasks stay in the set until reaped; reaping here keeps it small.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task);
    }

    /// Sends the held batch in an order that differs from the order of the events.
    async fn flush(&self) {
        let mut batch = {
            let mut held = lock(&self.inner.held);
            held.flush_scheduled = false;
            std::mem::take(&mut held.deliveries)
        };
        let mut order: Vec<usize> = (0..batch.len()).collect();
        random::shuffle(&mut order);
        // A shuffle may leave everything in place, which would not exercise the merchant.
        if order.windows(2).all(|w| w[0] < w[1]) {
            order.rotate_left(1);
        }
        let mut slots: Vec<Option<Delivery>> = batch.drain(..).map(Some).collect();
        for (i, index) in order.into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(REORDER_STAGGER).await;
            }
            if let Some(delivery) = slots[index].take() {
                let this = self.clone();
                self.spawn(async move { this.deliver(delivery).await });
            }
        }
    }

    /// Attempts one delivery until it is acknowledged or the schedule runs out.
    async fn deliver(self, delivery: Delivery) {
        let mut attempt: u32 = 1;
        loop {
            let last = attempt as usize > self.inner.schedule.len();
            if self.attempt(&delivery, attempt, last).await || last {
                break;
            }
            tokio::time::sleep(self.inner.schedule[attempt as usize - 1]).await;
            attempt += 1;
        }
        self.inner.in_flight.fetch_sub(1, Ordering::SeqCst);
    }

    /// One attempt, logged; `true` if the merchant acknowledged it.
    async fn attempt(&self, delivery: &Delivery, attempt: u32, last: bool) -> bool {
        let faults = self.faults();
        let delay_ms =
            faults.delay_ms.min + random::below(faults.delay_ms.max - faults.delay_ms.min + 1);
        if delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        }
        let at = rfc3339(Utc::now());
        let (outcome, http_status, detail) = if random::chance(faults.drop) {
            (Outcome::Dropped, None, None)
        } else {
            self.post(&delivery.event).await
        };
        let event = &delivery.event;
        let acknowledged = outcome == Outcome::Acknowledged;
        tracing::info!(
            notify_id = %event.notify_id,
            payment_id = %event.payment_id,
            copy = delivery.copy,
            attempt,
            ?outcome,
            "notification attempt"
        );
        let entry = Attempt {
            seq: self.inner.next_seq.fetch_add(1, Ordering::SeqCst),
            notify_id: event.notify_id.clone(),
            payment_id: event.payment_id.clone(),
            merchant_order_id: event.merchant_order_id.clone(),
            status: event.status,
            copy: delivery.copy,
            attempt,
            at,
            delay_ms,
            outcome,
            http_status,
            detail,
            gave_up: last && !acknowledged,
        };
        let mut log = lock(&self.inner.log);
        if log.len() == LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
        acknowledged
    }

    /// Sends the signed notification and reads the answer.
    async fn post(&self, event: &Event) -> (Outcome, Option<u16>, Option<String>) {
        let body = Body {
            payment_id: &event.payment_id,
            merchant_order_id: &event.merchant_order_id,
            amount_fen: event.amount_fen,
            status: event.status,
            receipt_no: event.receipt_no.as_deref(),
            paid_at: event.paid_at.as_deref(),
            notify_id: &event.notify_id,
            timestamp: rfc3339(Utc::now()),
            nonce: random::hex(16),
        };
        let signed = match sign::signed(self.inner.secret.expose().as_bytes(), &body) {
            Ok(signed) => signed,
            // Only flat fields are signed here; this would be a bug in the simulator.
            Err(e) => return (Outcome::TransportError, None, Some(format!("sign: {e}"))),
        };
        let answer = self
            .inner
            .client
            .post(event.notify_url.clone())
            .json(&signed)
            .send()
            .await;
        let response = match answer {
            Ok(response) => response,
            Err(e) => return (Outcome::TransportError, None, Some(error_chain(&e))),
        };
        let status = response.status();
        match response.bytes().await {
            Ok(bytes) if status == reqwest::StatusCode::OK && bytes.as_ref() == ACK_BODY => {
                (Outcome::Acknowledged, Some(status.as_u16()), None)
            }
            Ok(bytes) => {
                let text: String = String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(DETAIL_CHARS)
                    .collect();
                (Outcome::Rejected, Some(status.as_u16()), Some(text))
            }
            Err(e) => (
                Outcome::TransportError,
                Some(status.as_u16()),
                Some(error_chain(&e)),
            ),
        }
    }
}

/// reqwest's top-level message ("error sending request") hides the useful cause.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
