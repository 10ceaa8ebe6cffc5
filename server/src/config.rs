//! Configuration, read once from the environment at start-up (DESIGN.md §7).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server needs to start; built by [`Config::from_env`] or directly by tests.
#[derive(Clone, Debug)]
pub struct Config {
    /// `QINXUE_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `QINXUE_DATA`: folder of the SQLite file and uploads.
    pub data_dir: PathBuf,
    /// `QINXUE_DATABASE_URL`: a `postgres://` URL selects PostgreSQL instead of SQLite.
    pub database_url: Option<SecretString>,
    /// `QINXUE_DEMO=1`: seed demo data into an empty database.
    pub demo: bool,
    /// `QINXUE_TEST_CLOCK=1`: expose `POST /api/test/clock`. Never in production.
    pub test_clock: bool,
    /// `QINXUE_STATIC_DIR`: the built front end (Trunk's `dist/`).
    pub static_dir: PathBuf,
    /// `QINXUE_CONTENT_DIR`: course data files the demo seed loads (`content/`).
    pub content_dir: PathBuf,
    /// `QINXUE_SECURE_COOKIES=1`: mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// `QINXUE_PAY_URL`: base URL of the payment platform's merchant API (default the
    /// simulator, `http://127.0.0.1:8090`).
    pub pay_url: String,
    /// `QINXUE_PAY_SECRET`: the secret shared with the payment platform. Required, except with
    /// the simulator's default URL or in demo mode, where it defaults to the simulator's
    /// public `paysim-dev-secret`.
    pub pay_secret: SecretString,
    /// `QINXUE_PUBLIC_URL`: this server as browsers and the payment platform reach it, for the
    /// notification and return URLs (default `http://` and the bound address).
    pub public_url: Option<String>,
    /// `QINXUE_RECONCILE_SECS`: how often open orders are checked with the payment platform
    /// (default 60; also once at start-up).
    pub reconcile_every: Duration,
    /// `QINXUE_REQUEST_TIMEOUT_SECS`: how long a request may take before it is answered 503
    /// `request_timeout` (default 30). Live-event streams run on after their first answer;
    /// a video upload has no overall limit, only this long between two of its chunks.
    pub request_timeout: Duration,
    /// How long a connection may take to send a request's head, and how many may be open.
    pub connections: ConnectionLimits,
    /// Where uploaded covers and videos are kept, and how large they may be.
    pub media: MediaConfig,
    /// `QINXUE_CERT_FONT`: the font certificates are printed in (default: Debian's
    /// fonts-wqy-microhei, `/usr/share/fonts/truetype/wqy/wqy-microhei.ttc`). It must have the
    /// Chinese glyphs; the PDF embeds the subset it uses.
    pub certificate_font: PathBuf,
}

/// Debian's fonts-wqy-microhei, which `make run` installs.
pub const DEFAULT_CERTIFICATE_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// Bounds on the connections themselves, before any request reaches the routes (and so before
/// [`Config::request_timeout`] starts): a client that opens connections and sends its request
/// slowly or not at all (slowloris) must not hold them for ever.
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// `QINXUE_HEADER_TIMEOUT_SECS`: how long a connection may take to send the request line
    /// and headers of its next request (default 10), counted from the connection's opening or
    /// from the end of its previous answer: it bounds an idle keep-alive connection as well.
    /// Past it the connection is closed.
    pub header_timeout: Duration,
    /// `QINXUE_MAX_CONNECTIONS`: the most connections served at once (default 4096, below the
    /// usual open-file limit); further ones wait in the listen queue until one closes.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            max_connections: 4096,
        }
    }
}

/// Uploads by the provincial admin (course covers, lesson videos).
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// `QINXUE_MEDIA_DIR`: the folder of uploaded files (default `media` inside `QINXUE_DATA`).
    pub dir: Option<PathBuf>,
    /// `QINXUE_MAX_COVER_BYTES`: largest cover image (default 2 MiB).
    pub max_cover_bytes: u64,
    /// `QINXUE_MAX_VIDEO_BYTES`: largest lesson video (default 200 MiB).
    pub max_video_bytes: u64,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            dir: None,
            max_cover_bytes: 2 * 1024 * 1024,
            max_video_bytes: 200 * 1024 * 1024,
        }
    }
}

impl Config {
    /// The folder of uploaded files.
    pub fn media_dir(&self) -> PathBuf {
        self.media
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("media"))
    }
}

/// The simulator's address and secret, which `make run` starts it with.
pub const DEFAULT_PAY_URL: &str = "http://127.0.0.1:8090";
pub const DEFAULT_PAY_SECRET: &str = "paysim-dev-secret";

/// A value that must not appear in logs.
#[derive(Clone)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: String) -> Self {
        Self(s)
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

/// A variable that is set but cannot be used, or missing where there is no safe default.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {reason} (got {value:?})")]
    Invalid {
        var: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("{var} is not set: {reason}")]
    Missing {
        var: &'static str,
        reason: &'static str,
    },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `get`, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let addr_raw = get("QINXUE_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr = addr_raw.parse().map_err(|_| ConfigError::Invalid {
            var: "QINXUE_ADDR",
            value: addr_raw.clone(),
            reason: "expected host:port, e.g. 127.0.0.1:8080",
        })?;
        let database_url = match get("QINXUE_DATABASE_URL").filter(|s| !s.is_empty()) {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Some(SecretString::new(url))
            }
            Some(_) => {
                return Err(ConfigError::Invalid {
                    var: "QINXUE_DATABASE_URL",
                    value: "[redacted]".into(),
                    reason: "only postgres:// URLs are supported; leave it unset for SQLite",
                })
            }
            None => None,
        };
        let demo = flag(&get, "QINXUE_DEMO")?;
        let pay_url = http_url(&get, "QINXUE_PAY_URL")?.unwrap_or_else(|| DEFAULT_PAY_URL.into());
        let pay_secret = pay_secret(&get, &pay_url, demo)?;
        Ok(Self {
            addr,
            data_dir: get("QINXUE_DATA").unwrap_or_else(|| "./data".into()).into(),
            database_url,
            demo,
            test_clock: flag(&get, "QINXUE_TEST_CLOCK")?,
            static_dir: get("QINXUE_STATIC_DIR")
                .unwrap_or_else(|| "dist".into())
                .into(),
            content_dir: get("QINXUE_CONTENT_DIR")
                .unwrap_or_else(|| "content".into())
                .into(),
            secure_cookies: flag(&get, "QINXUE_SECURE_COOKIES")?,
            pay_url,
            pay_secret,
            public_url: http_url(&get, "QINXUE_PUBLIC_URL")?,
            reconcile_every: reconcile_every(&get)?,
            request_timeout: request_timeout(&get)?,
            connections: connections(&get)?,
            media: media(&get)?,
            certificate_font: get("QINXUE_CERT_FONT")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| DEFAULT_CERTIFICATE_FONT.into())
                .into(),
        })
    }
}

/// The payment platform's secret. The simulator's default is public (it is in this repository),
/// so a notification signed with it proves nothing: it stands in only where the platform is the
/// simulator at its default address, or in demo mode, never for a platform named elsewhere.
fn pay_secret(
    get: &impl Fn(&str) -> Option<String>,
    pay_url: &str,
    demo: bool,
) -> Result<SecretString, ConfigError> {
    match get("QINXUE_PAY_SECRET").filter(|s| !s.is_empty()) {
        Some(secret) => Ok(SecretString::new(secret)),
        None if demo || pay_url == DEFAULT_PAY_URL => {
            Ok(SecretString::new(DEFAULT_PAY_SECRET.into()))
        }
        None => Err(ConfigError::Missing {
            var: "QINXUE_PAY_SECRET",
            reason: "QINXUE_PAY_URL names a payment platform other than the simulator's default \
                     address, and outside demo mode the simulator's public secret would let anyone \
                     sign its notifications; set the secret this server shares with the platform",
        }),
    }
}

/// An optional `http(s)://` URL, without a trailing slash.
fn http_url(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<String>, ConfigError> {
    match get(var).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(Some(url.trim_end_matches('/').to_owned()))
        }
        Some(other) => Err(ConfigError::Invalid {
            var,
            value: other,
            reason: "expected an http:// or https:// URL",
        }),
    }
}

fn reconcile_every(get: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    let var = "QINXUE_RECONCILE_SECS";
    match get(var).filter(|s| !s.is_empty()) {
        None => Ok(Duration::from_secs(60)),
        Some(raw) => match raw.parse::<u64>() {
            Ok(secs @ 1..=86_400) => Ok(Duration::from_secs(secs)),
            _ => Err(ConfigError::Invalid {
                var,
                value: raw,
                reason: "expected whole seconds from 1 to 86400",
            }),
        },
    }
}

fn request_timeout(get: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    let var = "QINXUE_REQUEST_TIMEOUT_SECS";
    match get(var).filter(|s| !s.is_empty()) {
        None => Ok(Duration::from_secs(30)),
        Some(raw) => match raw.parse::<u64>() {
            Ok(secs @ 1..=3600) => Ok(Duration::from_secs(secs)),
            _ => Err(ConfigError::Invalid {
                var,
                value: raw,
                reason: "expected whole seconds from 1 to 3600",
            }),
        },
    }
}

fn connections(get: &impl Fn(&str) -> Option<String>) -> Result<ConnectionLimits, ConfigError> {
    let defaults = ConnectionLimits::default();
    let header_timeout = match get("QINXUE_HEADER_TIMEOUT_SECS").filter(|s| !s.is_empty()) {
        None => defaults.header_timeout,
        Some(raw) => match raw.parse::<u64>() {
            Ok(secs @ 1..=600) => Duration::from_secs(secs),
            _ => {
                return Err(ConfigError::Invalid {
                    var: "QINXUE_HEADER_TIMEOUT_SECS",
                    value: raw,
                    reason: "expected whole seconds from 1 to 600",
                })
            }
        },
    };
    let max_connections = match get("QINXUE_MAX_CONNECTIONS").filter(|s| !s.is_empty()) {
        None => defaults.max_connections,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n @ 1..=1_000_000) => n,
            _ => {
                return Err(ConfigError::Invalid {
                    var: "QINXUE_MAX_CONNECTIONS",
                    value: raw,
                    reason: "expected a whole number from 1 to 1000000",
                })
            }
        },
    };
    Ok(ConnectionLimits {
        header_timeout,
        max_connections,
    })
}

fn media(get: &impl Fn(&str) -> Option<String>) -> Result<MediaConfig, ConfigError> {
    let defaults = MediaConfig::default();
    Ok(MediaConfig {
        dir: get("QINXUE_MEDIA_DIR")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from),
        max_cover_bytes: bytes(get, "QINXUE_MAX_COVER_BYTES")?.unwrap_or(defaults.max_cover_bytes),
        max_video_bytes: bytes(get, "QINXUE_MAX_VIDEO_BYTES")?.unwrap_or(defaults.max_video_bytes),
    })
}

/// A size limit in bytes, from 1 KiB to 16 GiB.
fn bytes(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<u64>, ConfigError> {
    match get(var).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(raw) => match raw.parse::<u64>() {
            Ok(n @ 1024..=0x4_0000_0000) => Ok(Some(n)),
            _ => Err(ConfigError::Invalid {
                var,
                value: raw,
                reason: "expected a number of bytes from 1024 to 17179869184",
            }),
        },
    }
}

fn flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match get(var).as_deref() {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            var,
            value: other.to_owned(),
            reason: "expected 1 or 0",
        }),
    }
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
    fn defaults_match_the_design() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(c.database_url.is_none() && !c.demo && !c.test_clock);
        assert_eq!(c.pay_url, "http://127.0.0.1:8090");
        assert_eq!(c.pay_secret.expose(), "paysim-dev-secret");
        assert_eq!(c.public_url, None);
        assert_eq!(c.reconcile_every, Duration::from_secs(60));
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        assert_eq!(c.connections.header_timeout, Duration::from_secs(10));
        assert_eq!(c.connections.max_connections, 4096);
        assert_eq!(c.media_dir(), PathBuf::from("./data/media"));
        assert_eq!(c.media.max_cover_bytes, 2 * 1024 * 1024);
        assert_eq!(c.media.max_video_bytes, 200 * 1024 * 1024);
    }

    #[test]
    fn upload_settings_are_read_and_checked() {
        let c = config(&[
            ("QINXUE_MEDIA_DIR", "/srv/qinxue/media"),
            ("QINXUE_MAX_COVER_BYTES", "100000"),
            ("QINXUE_MAX_VIDEO_BYTES", "1048576"),
        ])
        .unwrap();
        assert_eq!(c.media_dir(), PathBuf::from("/srv/qinxue/media"));
        assert_eq!(
            (c.media.max_cover_bytes, c.media.max_video_bytes),
            (100_000, 1_048_576)
        );
        let e = config(&[("QINXUE_MAX_VIDEO_BYTES", "2G")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("QINXUE_MAX_VIDEO_BYTES"), "{e}");
    }

    #[test]
    fn payment_settings_are_read_and_checked() {
        let c = config(&[
            ("QINXUE_PAY_URL", "https://pay.example.gov.cn/"),
            ("QINXUE_PAY_SECRET", "s3cret-shared-with-the-platform"),
            ("QINXUE_PUBLIC_URL", "https://qinxue.example.gov.cn"),
            ("QINXUE_RECONCILE_SECS", "5"),
        ])
        .unwrap();
        assert_eq!(c.pay_url, "https://pay.example.gov.cn");
        assert_eq!(
            c.public_url.as_deref(),
            Some("https://qinxue.example.gov.cn")
        );
        assert_eq!(c.reconcile_every, Duration::from_secs(5));
        assert_eq!(c.pay_secret.expose(), "s3cret-shared-with-the-platform");
        for (var, value) in [
            ("QINXUE_PAY_URL", "pay.example"),
            ("QINXUE_RECONCILE_SECS", "0"),
            ("QINXUE_REQUEST_TIMEOUT_SECS", "0"),
            ("QINXUE_REQUEST_TIMEOUT_SECS", "1.5"),
            ("QINXUE_HEADER_TIMEOUT_SECS", "0"),
            ("QINXUE_HEADER_TIMEOUT_SECS", "601"),
            ("QINXUE_MAX_CONNECTIONS", "0"),
            ("QINXUE_MAX_CONNECTIONS", "many"),
        ] {
            let e = config(&[(var, value)]).unwrap_err().to_string();
            assert!(e.starts_with(var), "{e}");
        }
    }

    #[test]
    fn connection_limits_are_read() {
        let c = config(&[
            ("QINXUE_HEADER_TIMEOUT_SECS", "3"),
            ("QINXUE_MAX_CONNECTIONS", "100"),
        ])
        .unwrap();
        assert_eq!(c.connections.header_timeout, Duration::from_secs(3));
        assert_eq!(c.connections.max_connections, 100);
    }

    #[test]
    fn another_payment_platform_needs_its_own_secret() {
        for url in ["https://pay.example.gov.cn", "http://127.0.0.1:9999"] {
            let e = config(&[("QINXUE_PAY_URL", url)]).unwrap_err().to_string();
            assert!(e.starts_with("QINXUE_PAY_SECRET is not set"), "{e}");
            let e = config(&[("QINXUE_PAY_URL", url), ("QINXUE_PAY_SECRET", "")])
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("QINXUE_PAY_SECRET"), "{e}");
        }
        // The simulator at its default address (`make run`, the benchmark), named or not.
        for vars in [&[][..], &[("QINXUE_PAY_URL", "http://127.0.0.1:8090/")][..]] {
            assert_eq!(
                config(vars).unwrap().pay_secret.expose(),
                DEFAULT_PAY_SECRET
            );
        }
        // Demo mode with a simulator elsewhere (the browser tests start it on a free port).
        let c = config(&[
            ("QINXUE_DEMO", "1"),
            ("QINXUE_PAY_URL", "http://127.0.0.1:41234"),
        ])
        .unwrap();
        assert_eq!(c.pay_secret.expose(), DEFAULT_PAY_SECRET);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let e = config(&[("QINXUE_DEMO", "yes")]).unwrap_err().to_string();
        assert!(e.starts_with("QINXUE_DEMO:"), "{e}");
        let e = config(&[("QINXUE_DATABASE_URL", "mysql://x")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("QINXUE_DATABASE_URL") && !e.contains("mysql"),
            "{e}"
        );
    }
}
