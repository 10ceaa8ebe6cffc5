//! Configuration, read once from the environment at start-up; every variable is optional.

use crate::faults::Faults;
use std::net::SocketAddr;
use std::time::Duration;

/// Everything the simulator needs to start; built by [`Config::from_env`] or directly by tests.
#[derive(Clone, Debug)]
pub struct Config {
    /// `PAYSIM_ADDR`: where to listen (default `127.0.0.1:8090`).
    pub addr: SocketAddr,
    /// `PAYSIM_PUBLIC_URL`: the base of the cashier URLs handed to merchants, as a browser
    /// reaches the simulator (default `http://` and the bound address).
    pub public_url: Option<String>,
    /// `PAYSIM_SECRET`: the HMAC secret shared with the merchant (default `paysim-dev-secret`).
    pub secret: SecretString,
    /// `PAYSIM_FAULTS`: the fault mode of notifications (default none).
    pub faults: Faults,
    /// `PAYSIM_RETRY_SCHEDULE`: the waits between delivery attempts of a notification, in
    /// seconds; after the last one it gives up (default `1,2,4,8,16,30,60,120`).
    pub retry_schedule: Vec<Duration>,
}

/// The secret of the development setup; the server's default must match it.
pub const DEFAULT_SECRET: &str = "paysim-dev-secret";
const DEFAULT_RETRY_SCHEDULE: &str = "1,2,4,8,16,30,60,120";

/// A value that must not appear in logs.
#[derive(Clone)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {reason} (got {value:?})")]
    Invalid {
        var: &'static str,
        value: String,
        reason: String,
    },
}

impl Default for Config {
    fn default() -> Self {
        Config::from_lookup(|_| None).expect("the defaults are valid")
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `get`, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let invalid = |var, value: &str, reason: String| ConfigError::Invalid {
            var,
            value: value.to_owned(),
            reason,
        };

        let addr_raw = get("PAYSIM_ADDR").unwrap_or_else(|| "127.0.0.1:8090".into());
        let addr = addr_raw.parse().map_err(|_| {
            invalid(
                "PAYSIM_ADDR",
                &addr_raw,
                "expected host:port, e.g. 127.0.0.1:8090".into(),
            )
        })?;

        let public_url = match get("PAYSIM_PUBLIC_URL") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(url) => {
                return Err(invalid(
                    "PAYSIM_PUBLIC_URL",
                    &url,
                    "expected an http:// or https:// URL".into(),
                ))
            }
            None => None,
        };

        let secret =
            SecretString::new(get("PAYSIM_SECRET").unwrap_or_else(|| DEFAULT_SECRET.into()));

        let faults_raw = get("PAYSIM_FAULTS").unwrap_or_default();
        let faults = Faults::parse(&faults_raw)
            .map_err(|e| invalid("PAYSIM_FAULTS", &faults_raw, e.to_string()))?;

        let schedule_raw =
            get("PAYSIM_RETRY_SCHEDULE").unwrap_or_else(|| DEFAULT_RETRY_SCHEDULE.into());
        let retry_schedule = parse_schedule(&schedule_raw).ok_or_else(|| {
            invalid(
                "PAYSIM_RETRY_SCHEDULE",
                &schedule_raw,
                "expected seconds separated by commas (e.g. 1,2,4 or 0.05,0.1), or none".into(),
            )
        })?;

        Ok(Config {
            addr,
            public_url,
            secret,
            faults,
            retry_schedule,
        })
    }
}

/// `1,2,4` or `0.05,0.1` (seconds, at most a day each); `none` for a single attempt.
pub fn parse_schedule(raw: &str) -> Option<Vec<Duration>> {
    if raw.trim() == "none" {
        return Some(Vec::new());
    }
    raw.split(',')
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|secs| (0.0..=86_400.0).contains(secs))
                .map(Duration::from_secs_f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_protocol() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8090");
        assert_eq!(c.secret.expose(), "paysim-dev-secret");
        assert_eq!(c.faults, Faults::default());
        assert_eq!(c.retry_schedule.len(), 8);
        assert_eq!(c.retry_schedule[7], Duration::from_secs(120));
        assert!(c.public_url.is_none());
    }

    #[test]
    fn short_schedules_and_faults_are_read() {
        let c = config(&[
            ("PAYSIM_RETRY_SCHEDULE", "0.05, 0.1"),
            ("PAYSIM_FAULTS", "duplicate=1"),
            ("PAYSIM_PUBLIC_URL", "http://pay.example/"),
        ])
        .unwrap();
        assert_eq!(
            c.retry_schedule,
            vec![Duration::from_millis(50), Duration::from_millis(100)]
        );
        assert_eq!(c.faults.duplicate, 1.0);
        assert_eq!(c.public_url.as_deref(), Some("http://pay.example"));
        assert!(config(&[("PAYSIM_RETRY_SCHEDULE", "none")])
            .unwrap()
            .retry_schedule
            .is_empty());
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (var, value) in [
            ("PAYSIM_ADDR", "localhost"),
            ("PAYSIM_FAULTS", "drop=lots"),
            ("PAYSIM_RETRY_SCHEDULE", "1,x"),
            ("PAYSIM_RETRY_SCHEDULE", "-1"),
            ("PAYSIM_PUBLIC_URL", "pay.example"),
        ] {
            let e = config(&[(var, value)]).unwrap_err().to_string();
            assert!(e.starts_with(&format!("{var}:")), "{e}");
        }
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let c = config(&[("PAYSIM_SECRET", "hunter2")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
