//! [`PaymentPlatform`] over the E缴通 HTTP protocol (paysim/PROTOCOL.md): signed JSON
//! requests with a fresh timestamp and nonce each, signed answers that are verified before
//! anything in them is believed, and a timeout on every call.

use super::sign::{self, SignError};
use super::{
    CreatedPayment, Notification, NotificationError, PaymentPlatform, PaymentRequest, PaymentState,
    PaymentStatus, PlatformError, PlatformFuture, Receipt,
};
use crate::config::SecretString;
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The longest any call may take; the payer is waiting on order creation.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// A platform that does not even accept the connection this fast is treated as down.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The protocol's limit on the ids the platform makes.
const MAX_ID_CHARS: usize = 64;

/// The E缴通 adapter: the platform's base URL, the shared secret and an HTTP client.
#[derive(Debug, Clone)]
pub struct EJiaoTong {
    base: String,
    secret: SecretString,
    client: reqwest::Client,
}

impl EJiaoTong {
    pub fn new(base: &str, secret: SecretString) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            // An answer is acted on only as it comes; a redirect is not part of the protocol.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            secret,
            client,
        })
    }

    fn secret(&self) -> &[u8] {
        self.secret.expose().as_bytes()
    }

    /// `fields` plus a fresh timestamp, nonce and the signature: a request the platform takes
    /// once (a retry must be signed again, with a new nonce).
    fn signed(&self, mut fields: Map<String, Value>) -> Result<Map<String, Value>, PlatformError> {
        // The platform checks the timestamp against its own clock, so this is the real time,
        // never the server's test clock.
        fields.insert(
            "timestamp".into(),
            json!(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
        fields.insert("nonce".into(), json!(nonce()?));
        sign::add_sign(self.secret(), &mut fields).map_err(|e| bad(e.to_string()))?;
        Ok(fields)
    }

    /// Reads a signed answer: 2xx with a verified JSON object, or the refusal it is.
    async fn answer(
        &self,
        response: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<(StatusCode, Map<String, Value>), PlatformError> {
        let response = response.map_err(|e| PlatformError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| PlatformError::Unavailable(e.to_string()))?;
        if status.is_server_error() {
            return Err(PlatformError::Unavailable(format!("HTTP {status}")));
        }
        let fields = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(fields)) => fields,
            _ => return Err(bad(format!("HTTP {status}, body not a JSON object"))),
        };
        if !status.is_success() {
            // Error answers are not signed; only their code is used, and only to decide.
            let code = fields
                .get("error")
                .and_then(|e| e.get("code"))
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned();
            return Err(PlatformError::Refused {
                status: status.as_u16(),
                code,
            });
        }
        sign::verify(self.secret(), &fields).map_err(|e| bad(format!("answer: {e}")))?;
        Ok((status, fields))
    }
}

impl PaymentPlatform for EJiaoTong {
    fn create<'a>(&'a self, request: &'a PaymentRequest) -> PlatformFuture<'a, CreatedPayment> {
        Box::pin(async move {
            let body = self.signed(object(json!({
                "merchant_order_id": request.merchant_order_id,
                "amount_fen": request.amount_fen,
                "subject": request.subject,
                "notify_url": request.notify_url,
                "return_url": request.return_url,
            })))?;
            let sent = self
                .client
                .post(format!("{}/api/payments", self.base))
                .json(&body)
                .send()
                .await;
            let (_, fields) = self.answer(sent).await?;
            let ours = text(&fields, "merchant_order_id").map_err(bad_field)?
                == request.merchant_order_id
                && fields.get("amount_fen").and_then(Value::as_i64) == Some(request.amount_fen);
            if !ours {
                return Err(bad("the answer is about another order or amount".into()));
            }
            Ok(CreatedPayment {
                payment_id: id(&fields, "payment_id").map_err(bad_field)?,
                status: status(&fields).map_err(bad_field)?,
                cashier_url: text(&fields, "cashier_url").map_err(bad_field)?,
            })
        })
    }

    fn query<'a>(&'a self, merchant_order_id: &'a str) -> PlatformFuture<'a, Option<PaymentState>> {
        Box::pin(async move {
            let fields = self.signed(object(json!({ "merchant_order_id": merchant_order_id })))?;
            let params: Vec<(String, String)> = fields
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                .collect();
            let sent = self
                .client
                .get(format!("{}/api/payments", self.base))
                .query(&params)
                .send()
                .await;
            let fields = match self.answer(sent).await {
                Ok((_, fields)) => fields,
                Err(PlatformError::Refused { status: 404, code })
                    if code == "payment_not_found" =>
                {
                    return Ok(None)
                }
                Err(e) => return Err(e),
            };
            let state = payment_state(&fields).map_err(bad_field)?;
            if state.merchant_order_id != merchant_order_id {
                return Err(bad("the answer is about another order".into()));
            }
            Ok(Some(state))
        })
    }

    fn verify_notification(&self, body: &[u8]) -> Result<Notification, NotificationError> {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return Err(NotificationError::NotJson);
        };
        match sign::verify(self.secret(), &fields) {
            Ok(()) => {}
            Err(SignError::NotScalar(_)) => return Err(NotificationError::NotJson),
            Err(SignError::Missing | SignError::Mismatch) => {
                return Err(NotificationError::BadSignature)
            }
        }
        let payment = payment_state(&fields).map_err(NotificationError::BadField)?;
        if payment.status == PaymentStatus::Pending {
            // Only final states are notified.
            return Err(NotificationError::BadField("status"));
        }
        Ok(Notification {
            notify_id: id(&fields, "notify_id").map_err(NotificationError::BadField)?,
            payment,
        })
    }
}

/// The payment fields shared by query answers and notifications.
fn payment_state(fields: &Map<String, Value>) -> Result<PaymentState, &'static str> {
    let status = status(fields)?;
    let receipt_no = fields.get("receipt_no").and_then(Value::as_str);
    let paid_at = fields.get("paid_at").and_then(Value::as_str);
    let paid = match (status, receipt_no, paid_at) {
        (PaymentStatus::Paid, Some(receipt_no), Some(paid_at)) => {
            if receipt_no.is_empty() || receipt_no.chars().count() > MAX_ID_CHARS {
                return Err("receipt_no");
            }
            let paid_at = DateTime::parse_from_rfc3339(paid_at).map_err(|_| "paid_at")?;
            Some(Receipt {
                receipt_no: receipt_no.to_owned(),
                paid_at: paid_at.with_timezone(&Utc),
            })
        }
        (PaymentStatus::Paid, None, _) => return Err("receipt_no"),
        (PaymentStatus::Paid, _, None) => return Err("paid_at"),
        _ => None,
    };
    let amount_fen = fields
        .get("amount_fen")
        .and_then(Value::as_i64)
        .ok_or("amount_fen")?;
    Ok(PaymentState {
        payment_id: id(fields, "payment_id")?,
        merchant_order_id: id(fields, "merchant_order_id")?,
        amount_fen,
        status,
        paid,
    })
}

fn status(fields: &Map<String, Value>) -> Result<PaymentStatus, &'static str> {
    fields
        .get("status")
        .and_then(Value::as_str)
        .and_then(PaymentStatus::from_wire)
        .ok_or("status")
}

fn text(fields: &Map<String, Value>, key: &'static str) -> Result<String, &'static str> {
    match fields.get(key).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(key),
    }
}

/// An id the platform makes: an opaque string of 1 to 64 characters.
fn id(fields: &Map<String, Value>, key: &'static str) -> Result<String, &'static str> {
    text(fields, key).and_then(|s| {
        if s.chars().count() <= MAX_ID_CHARS {
            Ok(s)
        } else {
            Err(key)
        }
    })
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn bad(what: String) -> PlatformError {
    PlatformError::BadAnswer(what)
}

fn bad_field(field: &'static str) -> PlatformError {
    bad(format!("field `{field}` missing or invalid"))
}

/// A new nonce: 16 random hex digits.
fn nonce() -> Result<String, PlatformError> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| PlatformError::Unavailable(format!("getrandom: {e}")))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter() -> EJiaoTong {
        EJiaoTong::new("http://127.0.0.1:9", SecretString::new("s".into())).unwrap()
    }

    fn signed_notification(fields: Value) -> Vec<u8> {
        let mut m = object(fields);
        sign::add_sign(b"s", &mut m).unwrap();
        serde_json::to_vec(&m).unwrap()
    }

    #[test]
    fn a_signed_paid_notification_is_read() {
        let body = signed_notification(json!({
            "payment_id": "EP1", "merchant_order_id": "Q1", "amount_fen": 12600,
            "status": "paid", "receipt_no": "FJ1", "paid_at": "2026-09-01T08:01:12Z",
            "notify_id": "NT1", "timestamp": "2026-09-01T08:01:12Z", "nonce": "abcdefgh",
        }));
        let n = adapter().verify_notification(&body).unwrap();
        assert_eq!(n.notify_id, "NT1");
        assert_eq!(n.payment.status, PaymentStatus::Paid);
        assert_eq!(n.payment.paid.unwrap().receipt_no, "FJ1");
    }

    #[test]
    fn unsigned_forged_malformed_and_incomplete_notifications_are_refused() {
        let a = adapter();
        assert_eq!(
            a.verify_notification(b"[1]"),
            Err(NotificationError::NotJson)
        );
        assert_eq!(
            a.verify_notification(b"{\"payment_id\": \"EP1\"}"),
            Err(NotificationError::BadSignature)
        );
        let mut forged = object(json!({"payment_id": "EP1", "status": "paid"}));
        sign::add_sign(b"another secret", &mut forged).unwrap();
        assert_eq!(
            a.verify_notification(&serde_json::to_vec(&forged).unwrap()),
            Err(NotificationError::BadSignature)
        );
        let no_receipt = signed_notification(json!({
            "payment_id": "EP1", "merchant_order_id": "Q1", "amount_fen": 1,
            "status": "paid", "notify_id": "NT1",
        }));
        assert_eq!(
            a.verify_notification(&no_receipt),
            Err(NotificationError::BadField("receipt_no"))
        );
        let pending = signed_notification(json!({
            "payment_id": "EP1", "merchant_order_id": "Q1", "amount_fen": 1,
            "status": "pending", "notify_id": "NT1",
        }));
        assert_eq!(
            a.verify_notification(&pending),
            Err(NotificationError::BadField("status"))
        );
    }
}
