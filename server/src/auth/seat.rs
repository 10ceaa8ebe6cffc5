//! The cookies of a room's terminals (DESIGN.md §8 "Group sessions").
//!
//! - `qinxue_seat`: who sits at the terminal, valid for the study routes of one group session
//!   only. A random token, kept as its SHA-256 like a sign-in session's; HttpOnly and
//!   SameSite=Strict (a seat is never reached from another site, not even a payment return).
//!   No Max-Age: closing the browser forgets it, and the server ends it at sign-out, at the
//!   next person's sign-in at the terminal and when the session closes.
//! - `qinxue_terminal`: which terminal this is, so that wrong PINs are counted per terminal
//!   (a room's 60 terminals share one NAT address) and a terminal holds one seat at a time.
//!   Random, kept a year, and says nothing about anyone.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};

pub const SEAT_COOKIE: &str = "qinxue_seat";
pub const TERMINAL_COOKIE: &str = "qinxue_terminal";

/// A terminal cookie lasts a year: the terminal stays itself across sessions and people.
const TERMINAL_MAX_AGE: i64 = 365 * 86_400;

/// The value of a cookie sent with a request, if any and not empty.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, value)| *n == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// Whether the request carries a seat credential.
pub fn has_seat(headers: &HeaderMap) -> bool {
    cookie(headers, SEAT_COOKIE).is_some()
}

fn header(value: String) -> HeaderValue {
    HeaderValue::from_str(&value).expect("hex tokens and static text are valid header values")
}

fn secure(on: bool) -> &'static str {
    if on {
        "; Secure"
    } else {
        ""
    }
}

/// `Set-Cookie` for a new seat credential.
pub fn set_seat(token: &str, secure_cookies: bool) -> HeaderValue {
    header(format!(
        "{SEAT_COOKIE}={token}; Path=/api/; HttpOnly; SameSite=Strict{}",
        secure(secure_cookies)
    ))
}

/// `Set-Cookie` that removes the seat credential.
pub fn clear_seat(secure_cookies: bool) -> HeaderValue {
    header(format!(
        "{SEAT_COOKIE}=; Path=/api/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure(secure_cookies)
    ))
}

/// `Set-Cookie` for a terminal's own cookie.
pub fn set_terminal(token: &str, secure_cookies: bool) -> HeaderValue {
    header(format!(
        "{TERMINAL_COOKIE}={token}; Path=/api/rooms/; HttpOnly; SameSite=Strict; Max-Age={TERMINAL_MAX_AGE}{}",
        secure(secure_cookies)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_cookies_are_strict_http_only_and_found_among_others() {
        let c = set_seat("abc", true);
        let c = c.to_str().unwrap();
        assert!(c.starts_with("qinxue_seat=abc;"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
        assert!(clear_seat(false).to_str().unwrap().contains("Max-Age=0"));
        let t = set_terminal("t1", false);
        assert!(t.to_str().unwrap().contains("SameSite=Strict"));
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("qinxue_session=s; qinxue_seat=abc; qinxue_terminal="),
        );
        assert_eq!(cookie(&h, SEAT_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, TERMINAL_COOKIE), None);
        assert!(has_seat(&h));
    }
}
