//! The server's notion of now. Production reads the system clock; a server started with
//! `QINXUE_TEST_CLOCK=1` lets tests move it forward to cross deadlines.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Marks a clock that runs.
const RUNNING: i64 = i64::MIN;

#[derive(Clone, Debug)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    /// Unix milliseconds at which a frozen clock stands, or [`RUNNING`].
    frozen_at_ms: Arc<AtomicI64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            offset_secs: Arc::default(),
            frozen_at_ms: Arc::new(AtomicI64::new(RUNNING)),
        }
    }
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self.frozen_at_ms.load(Ordering::Relaxed) {
            RUNNING => Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed)),
            ms => DateTime::from_timestamp_millis(ms).unwrap_or_default(),
        }
    }

    /// Stops the clock where it is, so that tests can count exact seconds.
    pub fn freeze(&self) {
        let _ = self.frozen_at_ms.compare_exchange(
            RUNNING,
            self.now().timestamp_millis(),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    /// Lets a frozen clock run on from where it stands.
    pub fn unfreeze(&self) {
        let at = self.frozen_at_ms.load(Ordering::Relaxed);
        if at != RUNNING {
            let behind = (at - Utc::now().timestamp_millis()) / 1000;
            self.offset_secs.store(
                behind.max(self.offset_secs.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
            self.frozen_at_ms.store(RUNNING, Ordering::Relaxed);
        }
    }

    /// Whether a test has stopped the clock (background work that follows the clock waits
    /// for the test to run it).
    pub fn is_frozen(&self) -> bool {
        self.frozen_at_ms.load(Ordering::Relaxed) != RUNNING
    }

    /// Unix seconds, the unit the database stores.
    pub fn now_secs(&self) -> i64 {
        self.now().timestamp()
    }

    /// Moves the clock forward (never back: stored instants must not appear to be in the future).
    pub fn advance(&self, secs: i64) -> DateTime<Utc> {
        let secs = secs.max(0);
        let frozen = self
            .frozen_at_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |at| {
                (at != RUNNING).then(|| at + secs * 1000)
            });
        if frozen.is_err() {
            self.offset_secs.fetch_add(secs, Ordering::Relaxed);
        }
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

    #[test]
    fn a_frozen_clock_moves_only_when_advanced_and_runs_on_from_there() {
        let clock = Clock::default();
        clock.freeze();
        let t = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(clock.now(), t);
        assert_eq!(clock.advance(20), t + Duration::seconds(20));
        clock.unfreeze();
        assert!(clock.now() >= t + Duration::seconds(19));
    }
}
