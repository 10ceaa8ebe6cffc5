//! The fault mode of notification delivery (PROTOCOL.md, "Faults"): a spec such as
//! `drop=0.2,delay_ms=0-3000,duplicate=0.3,reorder=1`, read from `PAYSIM_FAULTS` or set at run
//! time through `POST /api/sim/faults`. One syntax for both, so a script can reuse its setting.

use serde::Serialize;
use std::fmt;

/// How notification deliveries misbehave. The default is no fault at all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Faults {
    /// Probability that a delivery attempt is not sent (it counts as failed and is retried).
    pub drop: f64,
    /// Each attempt waits a uniformly random time in this range before it is sent.
    pub delay_ms: DelayRange,
    /// Probability that a notification event is delivered several times.
    pub duplicate: f64,
    /// How many deliveries a duplicated event gets (at least 2).
    pub copies: u32,
    /// Hold notifications and deliver each batch in a shuffled order.
    pub reorder: bool,
    /// How long a batch is held, from the first notification that enters it.
    pub reorder_window_ms: u64,
}

/// An inclusive range of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DelayRange {
    pub min: u64,
    pub max: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            drop: 0.0,
            delay_ms: DelayRange { min: 0, max: 0 },
            duplicate: 0.0,
            copies: 2,
            reorder: false,
            reorder_window_ms: 1000,
        }
    }
}

/// A spec that cannot be used; the message names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{part}`: {reason}")]
pub struct FaultsError {
    pub part: String,
    pub reason: &'static str,
}

/// Longest delay or reorder window accepted, so that a typo cannot park a notification for days.
const MAX_MS: u64 = 600_000;

impl Faults {
    /// Parses a comma-separated list of `key=value`; empty or `none` means no fault.
    pub fn parse(spec: &str) -> Result<Self, FaultsError> {
        let mut faults = Faults::default();
        let spec = spec.trim();
        if spec.is_empty() || spec == "none" {
            return Ok(faults);
        }
        for part in spec.split(',').map(str::trim) {
            let err = |reason| FaultsError {
                part: part.to_owned(),
                reason,
            };
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| err("expected key=value"))?;
            let (key, value) = (key.trim(), value.trim());
            match key {
                "drop" => faults.drop = probability(value).ok_or_else(|| err(PROBABILITY))?,
                "duplicate" => {
                    faults.duplicate = probability(value).ok_or_else(|| err(PROBABILITY))?
                }
                "delay_ms" => {
                    faults.delay_ms = delay_range(value)
                        .ok_or_else(|| err("expected MIN-MAX or MS, at most 600000"))?
                }
                "copies" => {
                    faults.copies = value
                        .parse()
                        .ok()
                        .filter(|n| (2..=20).contains(n))
                        .ok_or_else(|| err("expected a whole number from 2 to 20"))?
                }
                "reorder" => {
                    faults.reorder = match value {
                        "1" => true,
                        "0" => false,
                        _ => return Err(err("expected 1 or 0")),
                    }
                }
                "reorder_window_ms" => {
                    faults.reorder_window_ms = value
                        .parse()
                        .ok()
                        .filter(|ms| (1..=MAX_MS).contains(ms))
                        .ok_or_else(|| err("expected milliseconds from 1 to 600000"))?
                }
                _ => return Err(err(
                    "unknown key; expected drop, delay_ms, duplicate, copies, reorder or reorder_window_ms",
                )),
            }
        }
        Ok(faults)
    }

    /// Whether any fault is on (a log line at start-up says so).
    pub fn any(&self) -> bool {
        self.drop > 0.0 || self.delay_ms.max > 0 || self.duplicate > 0.0 || self.reorder
    }
}

const PROBABILITY: &str = "expected a probability from 0 to 1";

fn probability(value: &str) -> Option<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
}

fn delay_range(value: &str) -> Option<DelayRange> {
    let (min, max) = match value.split_once('-') {
        Some((min, max)) => (min.trim().parse().ok()?, max.trim().parse().ok()?),
        None => {
            let ms = value.parse().ok()?;
            (ms, ms)
        }
    };
    (min <= max && max <= MAX_MS).then_some(DelayRange { min, max })
}

/// The canonical spec, which [`Faults::parse`] reads back to the same value.
impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = Faults::default();
        let mut parts = Vec::new();
        if self.drop > 0.0 {
            parts.push(format!("drop={}", self.drop));
        }
        if self.delay_ms != default.delay_ms {
            parts.push(format!(
                "delay_ms={}-{}",
                self.delay_ms.min, self.delay_ms.max
            ));
        }
        if self.duplicate > 0.0 {
            parts.push(format!("duplicate={}", self.duplicate));
        }
        if self.copies != default.copies {
            parts.push(format!("copies={}", self.copies));
        }
        if self.reorder {
            parts.push("reorder=1".to_owned());
        }
        if self.reorder_window_ms != default.reorder_window_ms {
            parts.push(format!("reorder_window_ms={}", self.reorder_window_ms));
        }
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_of_the_brief_parses() {
        let f = Faults::parse("drop=0.2,delay_ms=0-3000,duplicate=0.3,reorder=1").unwrap();
        assert_eq!(f.drop, 0.2);
        assert_eq!(f.delay_ms, DelayRange { min: 0, max: 3000 });
        assert_eq!(f.duplicate, 0.3);
        assert!(f.reorder && f.any());
        assert_eq!(f.copies, 2);
    }

    #[test]
    fn empty_and_none_mean_no_fault() {
        for spec in ["", " ", "none"] {
            let f = Faults::parse(spec).unwrap();
            assert_eq!(f, Faults::default());
            assert!(!f.any());
        }
        assert_eq!(Faults::default().to_string(), "none");
    }

    #[test]
    fn display_reads_back_to_the_same_faults() {
        for spec in [
            "drop=0.5",
            "delay_ms=10-20,copies=5,duplicate=1",
            "reorder=1,reorder_window_ms=200",
            "delay_ms=7",
        ] {
            let f = Faults::parse(spec).unwrap();
            assert_eq!(Faults::parse(&f.to_string()).unwrap(), f, "{spec}");
        }
    }

    #[test]
    fn a_bad_part_is_named() {
        for (spec, part) in [
            ("drop=2", "drop=2"),
            ("drop=0.1,lose=1", "lose=1"),
            ("reorder=yes", "reorder=yes"),
            ("delay_ms=30-10", "delay_ms=30-10"),
            ("copies=1", "copies=1"),
            ("duplicate", "duplicate"),
        ] {
            assert_eq!(Faults::parse(spec).unwrap_err().part, part, "{spec}");
        }
    }
}
