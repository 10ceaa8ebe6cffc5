//! The E缴通 signature (paysim/PROTOCOL.md §2): HMAC-SHA256 keyed with the shared secret over
//! the message's canonical string, as 64 lowercase hex digits.
//!
//! The canonical string is every top-level field except `sign` and nulls, sorted by key
//! bytes, written `key=value` (strings as they are, numbers as JSON text, booleans as
//! `true`/`false`) and joined with `&`. A message is signed and verified as a generic JSON
//! object, so that a received message is checked over exactly the fields it came with,
//! including any this server does not know.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The field that carries the signature.
pub const SIGN_FIELD: &str = "sign";

/// Why a message could not be signed or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("field `{0}` is not a scalar")]
    NotScalar(String),
    #[error("no `sign` field")]
    Missing,
    #[error("the signature does not match")]
    Mismatch,
}

/// The string that is signed.
pub fn canonical_string(fields: &Map<String, Value>) -> Result<String, SignError> {
    let mut pairs: Vec<(&str, String)> = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        let text = match value {
            _ if key == SIGN_FIELD => continue,
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(_) | Value::Object(_) => return Err(SignError::NotScalar(key.clone())),
        };
        pairs.push((key, text));
    }
    // The order is part of the protocol; serde_json's map is sorted only without its
    // `preserve_order` feature, which any crate of the build may switch on.
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let pairs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    Ok(pairs.join("&"))
}

/// The lowercase hex signature of `fields` under `secret`.
pub fn sign(secret: &[u8], fields: &Map<String, Value>) -> Result<String, SignError> {
    let canonical = canonical_string(fields)?;
    Ok(hex::encode(mac(secret, &canonical).finalize().into_bytes()))
}

/// Adds the `sign` field to `fields`.
pub fn add_sign(secret: &[u8], fields: &mut Map<String, Value>) -> Result<(), SignError> {
    let signature = sign(secret, fields)?;
    fields.insert(SIGN_FIELD.to_owned(), Value::String(signature));
    Ok(())
}

/// Checks the `sign` field against the other fields, in constant time; either hex case.
pub fn verify(secret: &[u8], fields: &Map<String, Value>) -> Result<(), SignError> {
    let Some(Value::String(given)) = fields.get(SIGN_FIELD) else {
        return Err(SignError::Missing);
    };
    let given = match hex::decode(given) {
        Ok(bytes) if bytes.len() == 32 => bytes,
        _ => return Err(SignError::Mismatch),
    };
    mac(secret, &canonical_string(fields)?)
        .verify_slice(&given)
        .map_err(|_| SignError::Mismatch)
}

fn mac(secret: &[u8], canonical: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(canonical.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &[u8] = b"paysim-dev-secret";

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    /// The test vector of PROTOCOL.md §2.
    #[test]
    fn the_protocol_test_vector_holds() {
        let fields = object(json!({
            "merchant_order_id": "Q2025-000123",
            "amount_fen": 12600,
            "subject": "2025年度职业技能培训报名费（有等级）",
            "notify_url": "http://127.0.0.1:8080/api/payments/notify",
            "return_url": "http://127.0.0.1:8080/orders/123/result",
            "timestamp": "2025-09-01T08:00:00Z",
            "nonce": "8f14e45fceea167a",
        }));
        assert_eq!(
            sign(SECRET, &fields).unwrap(),
            "cdca17b7391945fad7e4cc4ef40261c1b424e04f83b89533ca7ecb07608ffd75"
        );
    }

    /// The cancelled notification of PROTOCOL.md §4: nulls are left out.
    #[test]
    fn the_protocol_notification_example_verifies() {
        let n = object(json!({
            "payment_id": "EP202509013FA9C0D21B7E4A55",
            "merchant_order_id": "Q2025-000123",
            "amount_fen": 12600,
            "status": "cancelled",
            "receipt_no": null,
            "paid_at": null,
            "notify_id": "NT20250901A7E3D19F00C4B256",
            "timestamp": "2025-09-01T08:01:30Z",
            "nonce": "7c4a8d09ca3762af",
            "sign": "1F95AA1A606252AB410F503311DDE7BBE5ABE10211D28F7C5AEF64B634D2B23F",
        }));
        assert_eq!(verify(SECRET, &n), Ok(()));
        assert_eq!(verify(b"other", &n), Err(SignError::Mismatch));
        let mut changed = n.clone();
        changed.insert("amount_fen".into(), json!(12601));
        assert_eq!(verify(SECRET, &changed), Err(SignError::Mismatch));
        let mut unsigned = n;
        unsigned.remove("sign");
        assert_eq!(verify(SECRET, &unsigned), Err(SignError::Missing));
    }

    /// The server's implementation and the simulator's reference one agree on messages with
    /// awkward keys and values (prefix keys, `&` and `=` in values, numbers, booleans, nulls).
    #[test]
    fn the_server_signs_exactly_like_the_reference_implementation() {
        use qinxue_paysim::sign as reference;
        let messages = [
            json!({"a": "x", "a_b": "y", "ab": 1, "a-": true, "A": "upper"}),
            json!({"v": "a=b&c=d", "n": -5, "z": null, "empty": "", "u": "中文（全角）"}),
            json!({"payment_id": "EP1", "amount_fen": 10_000_000_000_i64, "status": "paid"}),
        ];
        for m in messages {
            let m = object(m);
            assert_eq!(
                canonical_string(&m).unwrap(),
                reference::canonical_string(&m).unwrap()
            );
            let mut ours = m.clone();
            add_sign(SECRET, &mut ours).unwrap();
            assert_eq!(reference::verify(SECRET, &ours), Ok(()));
            let theirs = reference::signed(SECRET, &m).unwrap();
            assert_eq!(verify(SECRET, &theirs), Ok(()));
        }
    }

    #[test]
    fn nested_values_cannot_be_signed() {
        let m = object(json!({"items": [1, 2]}));
        assert_eq!(sign(SECRET, &m), Err(SignError::NotScalar("items".into())));
    }
}
