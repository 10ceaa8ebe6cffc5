//! The server's notion of now. Production reads the system clock; a server started with
//! `QINXUE_TEST_CLOCK=1` lets tests move it forward to cross deadlines.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Unix seconds, the unit the database stores.
    pub fn now_secs(&self) -> i64 {
        self.now().timestamp()
    }

    /// Moves the clock forward (never back: stored instants must not appear to be in the future).
    pub fn advance(&self, secs: i64) -> DateTime<Utc> {
        self.offset_secs.fetch_add(secs.max(0), Ordering::Relaxed);
        self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_but_never_back() {
        let clock = Clock::default();
        let before = clock.now();
        let after = clock.advance(86_400);
        assert!(after - before >= Duration::seconds(86_400));
        let again = clock.advance(-1_000_000);
        assert!(again >= after);
    }
}
