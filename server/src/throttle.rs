//! Request limits for the public and token-authenticated look-ups (certificate verification,
//! eligibility): a fixed window per key (an address, a token), counted in memory. Each server
//! instance counts its own requests, so behind a load balancer of n instances a key gets at
//! most n times the limit: enough to stop enumeration, which is what the limits are for.

use std::collections::HashMap;
use std::sync::Mutex;

/// At most `limit` requests per key in each window of `window_secs`.
#[derive(Debug)]
pub struct Throttle {
    limit: u32,
    window_secs: i64,
    /// Key → (start of its window, requests in it).
    counts: Mutex<HashMap<String, (i64, u32)>>,
}

/// Keys are forgotten once their window has passed; past this many, the map is swept.
const SWEEP_AT: usize = 10_000;

impl Throttle {
    pub fn new(limit: u32, window_secs: i64) -> Self {
        Self {
            limit,
            window_secs,
            counts: Mutex::default(),
        }
    }

    /// Counts a request of `key` at `now`; false when it is over the limit.
    pub fn allow(&self, key: &str, now: i64) -> bool {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts.len() >= SWEEP_AT {
            let window = self.window_secs;
            counts.retain(|_, (start, _)| now - *start < window);
        }
        let entry = counts.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= self.window_secs {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::Throttle;

    #[test]
    fn a_key_gets_its_limit_per_window_and_others_are_apart() {
        let t = Throttle::new(3, 60);
        assert!((0..3).all(|_| t.allow("a", 100)));
        assert!(!t.allow("a", 159));
        assert!(t.allow("b", 159));
        assert!(t.allow("a", 160), "a new window");
    }
}
