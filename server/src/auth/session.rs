//! Session cookies: a random token in an HttpOnly, SameSite=Lax cookie; the database keeps
//! its SHA-256. Lax (not Strict) so that a trainee returning from the payment platform's
//! cashier is still signed in; no state-changing route answers GET, so Lax is CSRF-safe.

use crate::error::AppError;
use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "qinxue_session";

/// A session lasts 12 hours and use renews it once half of that has passed: a day of study
/// never signs anyone out, a computer left overnight does not stay signed in (6 to 12 hours
/// without use end it), and renewal costs at most one write per session every 6 hours.
pub const SESSION_SECS: i64 = 12 * 3600;

/// A fresh random token (256 bits, hex) and the hash that is stored.
pub fn new_token() -> Result<(String, String), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(token_hash_bytes(token))
}

/// The SHA-256 of a token, as bytes.
pub fn token_hash_bytes(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// `Set-Cookie` for a new session. No Max-Age: the browser forgets it when closed.
pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("hex token is a valid header value")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ))
    .expect("static header value")
}

/// The session token sent with a request, if any.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; qinxue_session=abc; b=2"),
        );
        assert_eq!(token_from(&h).as_deref(), Some("abc"));
        h.insert(COOKIE, HeaderValue::from_static("qinxue_session="));
        assert_eq!(token_from(&h), None);
    }

    #[test]
    fn cookies_are_http_only_and_same_site() {
        let c = set_cookie("abc", true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("Secure"));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (t1, h1) = new_token().unwrap();
        let (t2, _) = new_token().unwrap();
        assert_ne!(t1, t2);
        assert_eq!(h1, token_hash(&t1));
        assert_ne!(h1, t1);
    }
}
