//! The public payment platform (E缴通) behind one trait, [`PaymentPlatform`], so that a
//! deployment points the adapter at the real platform and tests at the simulator (paysim),
//! and the rest of the server never sees HTTP or signatures.

pub mod ejiaotong;
pub mod sign;

use chrono::{DateTime, Utc};
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// The future a platform call returns.
pub type PlatformFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, PlatformError>> + Send + 'a>>;

/// What the server asks of the payment platform.
pub trait PaymentPlatform: Send + Sync + fmt::Debug {
    /// Opens a payment for a merchant order (or returns its open or paid one: the platform
    /// keeps at most one of those per merchant order, so a retry never charges twice).
    fn create<'a>(&'a self, request: &'a PaymentRequest) -> PlatformFuture<'a, CreatedPayment>;

    /// The latest payment of a merchant order (the paid one if any is); `None` if the
    /// platform has none.
    fn query<'a>(&'a self, merchant_order_id: &'a str) -> PlatformFuture<'a, Option<PaymentState>>;

    /// Checks a notification's signature and reads it.
    fn verify_notification(&self, body: &[u8]) -> Result<Notification, NotificationError>;
}

/// A payment to open.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub merchant_order_id: String,
    pub amount_fen: i64,
    /// Shown on the cashier page.
    pub subject: String,
    /// Where the platform posts its notifications.
    pub notify_url: String,
    /// Where the payer's browser goes back to.
    pub return_url: String,
}

/// A payment the platform opened (or already had) for a merchant order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPayment {
    pub payment_id: String,
    pub status: PaymentStatus,
    /// The cashier page to send the payer's browser to.
    pub cashier_url: String,
}

/// A payment's state at the platform. A final state never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    Pending,
    Paid,
    Cancelled,
    Failed,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        [Self::Pending, Self::Paid, Self::Cancelled, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What the platform says about one payment, in a query answer or a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentState {
    pub payment_id: String,
    pub merchant_order_id: String,
    pub amount_fen: i64,
    pub status: PaymentStatus,
    /// The paid payment's receipt (电子票据号) and instant; both present when `Paid`.
    pub paid: Option<Receipt>,
}

/// Proof of a paid payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub receipt_no: String,
    pub paid_at: DateTime<Utc>,
}

/// A verified notification: the payment's final state and the event's id (the same for
/// every retry and duplicate of one event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub notify_id: String,
    pub payment: PaymentState,
}

/// Why a notification is refused; the platform is answered with a 4xx.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// Not a flat JSON object.
    #[error("not a JSON object of scalars")]
    NotJson,
    /// No signature, or one that does not match (forged, or another secret).
    #[error("bad or missing signature")]
    BadSignature,
    /// Signed, but a field is missing or not what the protocol says.
    #[error("field `{0}` is missing or invalid")]
    BadField(&'static str),
}

impl NotificationError {
    /// The verdict kept with the refused notification.
    pub fn verdict(&self) -> &'static str {
        match self {
            NotificationError::NotJson => "malformed",
            NotificationError::BadSignature => "bad_signature",
            NotificationError::BadField(_) => "bad_field",
        }
    }
}

/// Why a call to the platform did not give an answer to act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlatformError {
    /// No answer in time, a refused connection, or a 5xx: try again later.
    #[error("payment platform unavailable: {0}")]
    Unavailable(String),
    /// The platform refused the request (4xx), with its error code.
    #[error("payment platform refused the request: {status} {code}")]
    Refused { status: u16, code: String },
    /// An answer that is not signed right or not about what was asked.
    #[error("bad answer from the payment platform: {0}")]
    BadAnswer(String),
}
