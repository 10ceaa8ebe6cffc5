//! The signature of every message of the protocol (PROTOCOL.md, "Signature"): HMAC-SHA256,
//! keyed with the shared secret, over a canonical string of the message's fields.
//!
//! This module is the reference implementation: the simulator signs and verifies with it, and
//! the server's adapter tests against it. It works on a JSON object (a [`Map`]) rather than on
//! typed structs so that a receiver verifies exactly the fields it was sent, including any it
//! does not know.
//!
//! Canonical string: every top-level field except `sign` whose value is not `null`, sorted by
//! key (byte order), written `key=value` and joined with `&`. A string is written as its
//! content (no quotes, no escaping, no URL-encoding), a number as its JSON text (`12600`), a
//! boolean as `true`/`false`. Arrays and objects are not allowed. The HMAC input is the UTF-8
//! bytes of that string; `sign` is the 64-character lowercase hex of the HMAC (verification
//! accepts either case).

use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The name of the field that carries the signature; it is never part of the canonical string.
pub const SIGN_FIELD: &str = "sign";

/// Why a message could not be signed or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A field holds an array or an object, which the canonical string cannot express.
    #[error("field `{0}` is not a scalar")]
    NotScalar(String),
    /// A value to be signed is not a JSON object.
    #[error("only a JSON object can be signed")]
    NotAnObject,
    /// The message has no `sign` field, or it is not a string.
    #[error("the `sign` field is missing")]
    Missing,
    /// `sign` is not 64 hex digits.
    #[error("the `sign` field is not 64 hex digits")]
    Malformed,
    /// `sign` is well formed but is not the HMAC of this message with this secret.
    #[error("the signature does not match")]
    Mismatch,
}

/// The string that is signed: the fields of `fields` except `sign` and nulls, sorted by key,
/// as `k=v` joined by `&`.
pub fn canonical_string(fields: &Map<String, Value>) -> Result<String, SignError> {
    let mut pairs: Vec<(&str, String)> = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        if key == SIGN_FIELD {
            continue;
        }
        let text = match value {
            // Absent and null mean the same, so serialisers that skip `None` still verify.
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(_) | Value::Object(_) => return Err(SignError::NotScalar(key.clone())),
        };
        pairs.push((key, text));
    }
    // serde_json's map happens to be sorted, but with its `preserve_order` feature (which any
    // crate in a build can switch on) it is not; the order is part of the protocol.
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (i, (key, text)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(text);
    }
    Ok(out)
}

/// The lowercase hex HMAC-SHA256 of the canonical string of `fields` under `secret`.
pub fn sign(secret: &[u8], fields: &Map<String, Value>) -> Result<String, SignError> {
    let canonical = canonical_string(fields)?;
    Ok(hex::encode(mac(secret, &canonical).finalize().into_bytes()))
}

/// Checks the `sign` field of `fields` against the other fields, in constant time.
pub fn verify(secret: &[u8], fields: &Map<String, Value>) -> Result<(), SignError> {
    let given = match fields.get(SIGN_FIELD) {
        Some(Value::String(s)) => s,
        _ => return Err(SignError::Missing),
    };
    if given.len() != 64 {
        return Err(SignError::Malformed);
    }
    let given = hex::decode(given).map_err(|_| SignError::Malformed)?;
    let canonical = canonical_string(fields)?;
    mac(secret, &canonical)
        .verify_slice(&given)
        .map_err(|_| SignError::Mismatch)
}

/// Serialises `message` to a JSON object and adds its `sign` field: what goes on the wire.
pub fn signed<T: Serialize>(secret: &[u8], message: &T) -> Result<Map<String, Value>, SignError> {
    let Ok(Value::Object(mut fields)) = serde_json::to_value(message) else {
        return Err(SignError::NotAnObject);
    };
    let signature = sign(secret, &fields)?;
    fields.insert(SIGN_FIELD.to_owned(), Value::String(signature));
    Ok(fields)
}

fn mac(secret: &[u8], canonical: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts a key of any length");
    mac.update(canonical.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &[u8] = b"paysim-dev-secret";

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    /// The example of PROTOCOL.md; the expected values were computed independently with
    /// Python's `hmac` module, so a change here is a change of the protocol.
    fn create_request() -> Map<String, Value> {
        object(json!({
            "merchant_order_id": "Q2025-000123",
            "amount_fen": 12600,
            "subject": "2025年度职业技能培训报名费（有等级）",
            "notify_url": "http://127.0.0.1:8080/api/payments/notify",
            "return_url": "http://127.0.0.1:8080/orders/123/result",
            "timestamp": "2025-09-01T08:00:00Z",
            "nonce": "8f14e45fceea167a",
        }))
    }

    const CANONICAL: &str = "amount_fen=12600&merchant_order_id=Q2025-000123&\
        nonce=8f14e45fceea167a&notify_url=http://127.0.0.1:8080/api/payments/notify&\
        return_url=http://127.0.0.1:8080/orders/123/result&\
        subject=2025年度职业技能培训报名费（有等级）&timestamp=2025-09-01T08:00:00Z";
    const SIGNATURE: &str = "cdca17b7391945fad7e4cc4ef40261c1b424e04f83b89533ca7ecb07608ffd75";

    #[test]
    fn the_documented_test_vector_holds() {
        let fields = create_request();
        assert_eq!(canonical_string(&fields).unwrap(), CANONICAL);
        assert_eq!(sign(SECRET, &fields).unwrap(), SIGNATURE);
    }

    /// The other examples of PROTOCOL.md, also computed with Python: a notification with
    /// nulls (left out of the canonical string) and the fields of a query by id.
    #[test]
    fn the_documented_notification_and_query_examples_hold() {
        let cancelled = object(json!({
            "payment_id": "EP202509013FA9C0D21B7E4A55",
            "merchant_order_id": "Q2025-000123",
            "amount_fen": 12600,
            "status": "cancelled",
            "receipt_no": null,
            "paid_at": null,
            "notify_id": "NT20250901A7E3D19F00C4B256",
            "timestamp": "2025-09-01T08:01:30Z",
            "nonce": "7c4a8d09ca3762af",
            "sign": "1f95aa1a606252ab410f503311dde7bbe5abe10211d28f7c5aef64b634d2b23f",
        }));
        assert_eq!(
            canonical_string(&cancelled).unwrap(),
            "amount_fen=12600&merchant_order_id=Q2025-000123&nonce=7c4a8d09ca3762af&\
             notify_id=NT20250901A7E3D19F00C4B256&payment_id=EP202509013FA9C0D21B7E4A55&\
             status=cancelled&timestamp=2025-09-01T08:01:30Z"
        );
        assert_eq!(verify(SECRET, &cancelled), Ok(()));

        let query = object(json!({
            "payment_id": "EP202509013FA9C0D21B7E4A55",
            "timestamp": "2025-09-01T08:05:00Z",
            "nonce": "e4da3b7fbbce2345",
            "sign": "6a8e9be960c2920d095627d6cffeda3e92feabebc826c6f16a63187493d3044d",
        }));
        assert_eq!(verify(SECRET, &query), Ok(()));
    }

    #[test]
    fn a_signed_message_verifies_and_any_change_breaks_it() {
        let mut fields = create_request();
        fields.insert("sign".into(), json!(sign(SECRET, &fields).unwrap()));
        assert_eq!(verify(SECRET, &fields), Ok(()));
        assert_eq!(verify(b"another-secret", &fields), Err(SignError::Mismatch));

        let mut changed = fields.clone();
        changed.insert("amount_fen".into(), json!(12601));
        assert_eq!(verify(SECRET, &changed), Err(SignError::Mismatch));

        // A field the receiver does not know is still covered by the signature.
        let mut added = fields.clone();
        added.insert("extra".into(), json!("x"));
        assert_eq!(verify(SECRET, &added), Err(SignError::Mismatch));
    }

    #[test]
    fn upper_case_hex_verifies_and_a_bad_sign_field_is_reported_as_such() {
        let mut fields = create_request();
        let upper = sign(SECRET, &fields).unwrap().to_uppercase();
        fields.insert("sign".into(), json!(upper));
        assert_eq!(verify(SECRET, &fields), Ok(()));

        fields.insert("sign".into(), json!("zz"));
        assert_eq!(verify(SECRET, &fields), Err(SignError::Malformed));
        fields.insert("sign".into(), json!("g".repeat(64)));
        assert_eq!(verify(SECRET, &fields), Err(SignError::Malformed));
        fields.insert("sign".into(), json!(1));
        assert_eq!(verify(SECRET, &fields), Err(SignError::Missing));
        fields.remove("sign");
        assert_eq!(verify(SECRET, &fields), Err(SignError::Missing));
    }

    #[test]
    fn nulls_are_left_out_and_other_scalars_are_written_as_json_text() {
        let fields = object(json!({
            "receipt_no": null, "b": true, "n": -5, "s": "", "sign": "ignored"
        }));
        assert_eq!(canonical_string(&fields).unwrap(), "b=true&n=-5&s=");
        let without_null = object(json!({"b": true, "n": -5, "s": ""}));
        assert_eq!(
            sign(SECRET, &fields).unwrap(),
            sign(SECRET, &without_null).unwrap()
        );
    }

    #[test]
    fn nested_values_cannot_be_signed() {
        let fields = object(json!({"a": 1, "items": [1, 2]}));
        assert_eq!(
            canonical_string(&fields),
            Err(SignError::NotScalar("items".into()))
        );
        assert_eq!(signed(SECRET, &[1, 2]), Err(SignError::NotAnObject));
    }

    #[test]
    fn signed_adds_a_sign_field_that_verifies() {
        #[derive(Serialize)]
        struct Answer {
            payment_id: &'static str,
            receipt_no: Option<&'static str>,
        }
        let fields = signed(
            SECRET,
            &Answer {
                payment_id: "EP1",
                receipt_no: None,
            },
        )
        .unwrap();
        assert_eq!(fields["receipt_no"], Value::Null);
        assert_eq!(verify(SECRET, &fields), Ok(()));
    }
}
