//! Defences around every request. State-changing requests must come from this site's own pages
//! (an Origin check, because SameSite=Lax lets any same-site page — another port on the host, a
//! sibling subdomain — send the cookie, and some writes need no preflight). Every response
//! carries a Content-Security-Policy the wasm app works under, and personal answers are never
//! stored by a browser or proxy cache. Every request has an id, in its log lines and its
//! answer, and a time limit.

use crate::error::AppError;
use crate::state::AppState;
use argon2::password_hash::Encoding;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qinxue_core::ErrorCode;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_http::timeout::TimeoutBody;

/// The longest path and query read (the common proxies' limit); hyper itself refuses past
/// 64 KiB, with an empty 414 that this server cannot shape.
const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes read; hyper itself refuses past 100 headers or about 400 KiB, with an
/// empty 431.
const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses an over-long request target (414) or over-large headers (431) in the API's error
/// shape, before anything else reads them.
pub async fn request_limits(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if target > MAX_URI_BYTES {
        AppError::Refused(ErrorCode::UriTooLong).into_response()
    } else if headers > MAX_HEADER_BYTES {
        AppError::Refused(ErrorCode::HeadersTooLarge).into_response()
    } else {
        next.run(req).await
    }
}

/// The header that names a request: taken from the client or proxy in front when it sent a
/// usable one (so that one id follows the request through both logs), made here otherwise,
/// and sent back in the answer.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming request id kept; a longer or odd one (log injection, a flood of
/// bytes in every log line) is replaced by one made here.
const MAX_REQUEST_ID_BYTES: usize = 64;

/// Gives the request its id (see [`REQUEST_ID`]) before anything logs, and the answer the same.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .filter(|v| is_sane_request_id(v.as_bytes()))
        .cloned()
        .unwrap_or_else(new_request_id);
    req.headers_mut().insert(REQUEST_ID, id.clone());
    let mut response = next.run(req).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

fn is_sane_request_id(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_BYTES).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

/// 128 random bits in hex, as unlikely to repeat as a UUID.
fn new_request_id() -> HeaderValue {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No randomness from the system (not seen on Linux): the clock's nanoseconds still
        // tell requests apart well enough for reading logs.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    HeaderValue::from_str(&hex::encode(bytes)).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// The span every log line of a request is written in: its id, method and path (not the query,
/// which can hold what a person searched for).
pub fn request_span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

/// Whether a route takes a lesson video: hundreds of MiB that a slow link may take many
/// minutes to send, so no overall limit fits it. Matches the paths of requests and of the
/// OpenAPI document (`{id}`) alike.
pub fn is_video_upload(method: &str, path: &str) -> bool {
    (method.eq_ignore_ascii_case("post") && path == "/api/admin/uploads/videos")
        || (method.eq_ignore_ascii_case("put")
            && path.starts_with("/api/admin/courses/")
            && path.ends_with("/video"))
}

/// Answers 503 `request_timeout` for a request not answered within `limit` (a slow body, a
/// stuck query), so that no request holds a connection and its work without end. It stays 503
/// rather than 408 for a slow body too: the limit covers reading and handling alike, and the
/// answer cannot tell which one a loaded server was slow at. `Retry-After` says a client may
/// try again soon. (A slow head never gets this far: `connections` closes it.) What the
/// handler had open is dropped: its transaction rolls back. The limit ends at the answer's
/// head, so a live-events stream runs on after it. A video upload has no overall limit
/// ([`is_video_upload`]); instead its body may pause no longer than `limit` between chunks
/// (the upload then fails as interrupted, 400).
pub async fn deadline(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    if is_video_upload(req.method().as_str(), req.uri().path()) {
        let req = req.map(|body| Body::new(TimeoutBody::new(limit, body)));
        return next.run(req).await;
    }
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "request not answered in time");
            let mut response = AppError::Refused(ErrorCode::RequestTimeout).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}

/// Refuses (403 `cross_origin`, before anything is read or written) a state-changing request
/// that a browser sent from a page of another origin. A request with neither `Origin`,
/// `Sec-Fetch-Site` nor `Referer` is no browser page's (the payment platform's notifications,
/// scripts, tests) and passes: the danger is a browser that adds the cookie by itself.
pub async fn same_origin_writes(
    State(site): State<Arc<Site>>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || site.allows(req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(
            method = %req.method(),
            path = req.uri().path(),
            origin = ?req.headers().get(header::ORIGIN),
            "cross-origin write refused"
        );
        AppError::Refused(ErrorCode::CrossOrigin).into_response()
    }
}

/// Where this site's pages come from.
#[derive(Debug)]
pub struct Site {
    /// `scheme://host[:port]` of the public URL, in lower case.
    public_origin: Option<String>,
    /// Whether an origin naming the request's own `Host` is this site's.
    trust_host: bool,
}

impl Site {
    /// This server's site: its public URL and, when none was configured, the host each request
    /// names (the server does not know every name it is reached by: localhost and 127.0.0.1,
    /// a LAN address).
    pub fn of(state: &AppState) -> Self {
        Self {
            public_origin: origin_of(&state.public_url),
            trust_host: state.config.public_url.is_none(),
        }
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        // Browsers set Sec-Fetch-Site themselves and pages cannot change it: it is the surest
        // word on where the request comes from ("none": the person typed or bookmarked it).
        match text("sec-fetch-site") {
            Some("same-origin" | "none") => return true,
            Some(_) => return text("origin").is_some_and(|o| self.is_own(o, headers)),
            None => {}
        }
        // Older browsers: the Origin they add to every POST, else the Referer.
        if let Some(origin) = headers.get(header::ORIGIN) {
            return origin.to_str().is_ok_and(|o| self.is_own(o, headers));
        }
        if let Some(referer) = headers.get(header::REFERER) {
            return referer
                .to_str()
                .ok()
                .and_then(origin_of)
                .is_some_and(|o| self.is_own(&o, headers));
        }
        true
    }

    fn is_own(&self, origin: &str, headers: &HeaderMap) -> bool {
        let Some(origin) = origin_of(origin) else {
            // "null" (a sandboxed frame, a file, a redirect from elsewhere) is nobody's page here.
            return false;
        };
        if self.public_origin.as_deref() == Some(origin.as_str()) {
            return true;
        }
        self.trust_host
            && headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .is_some_and(|host| {
                    origin
                        .split_once("://")
                        .is_some_and(|(_, h)| h.eq_ignore_ascii_case(host))
                })
    }
}

/// `scheme://host[:port]` of a URL in lower case, without a default port; None unless http(s).
fn origin_of(url: &str) -> Option<String> {
    let url = url.trim().to_ascii_lowercase();
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    // Credentials before an `@` are no part of an origin.
    let host = authority.rsplit('@').next()?;
    if host.is_empty() {
        return None;
    }
    let host = host.strip_suffix(default_port).unwrap_or(host);
    Some(format!("{scheme}://{host}"))
}

/// API answers that are the same for everyone, and so may be cached; every other `/api` answer
/// depends on who is signed in (the catalogue too: it lists the viewer's trade first).
const PUBLIC_API: [&str; 4] = [
    "/api/health",
    "/api/openapi.json",
    "/api/regions",
    "/api/units",
];

/// The largest page whose inline scripts are hashed from the answer itself (Trunk's are ~2 KB).
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// The policy's fixed part. Everything is this site's: scripts (and the compiling of its wasm,
/// which `'wasm-unsafe-eval'` allows without allowing `eval`), styles, covers, videos, API
/// calls; no plug-ins, no `<base>`, forms only to this site, and no framing (clickjacking).
/// Style attributes are allowed (the app sets a few, e.g. progress bars' widths); `<style>`
/// elements and style sheets from elsewhere are not.
const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
                      style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; media-src 'self'; connect-src 'self'; \
                      object-src 'none'; base-uri 'none'; form-action 'self'; \
                      frame-ancestors 'none'";

/// The Content-Security-Policy of the front end's pages, with the hashes of the inline script
/// each carries (Trunk writes the wasm loader into the page itself, with its hashed file
/// names, so the hash changes with every build: it is read from the built pages, again
/// whenever one of them changes).
#[derive(Debug)]
pub struct ContentPolicy {
    pages: Vec<PathBuf>,
    /// The policy for everything but pages (it needs no inline script), made once.
    plain: HeaderValue,
    /// The pages' modification times when `for_pages` was made, and that policy.
    cached: Mutex<(Vec<Option<SystemTime>>, HeaderValue)>,
}

impl ContentPolicy {
    /// The policy of the front end built into `static_dir` (its `index.html` and the
    /// administrators' `admin/index.html`, the certificates', the room's kiosk's and the visitors').
    pub fn new(static_dir: &Path) -> Self {
        let pages = vec![
            static_dir.join("index.html"),
            static_dir.join("admin").join("index.html"),
            static_dir.join("certificates").join("index.html"),
            static_dir.join("room").join("index.html"),
            static_dir.join("welcome").join("index.html"),
        ];
        let plain = policy_with(&[]);
        Self {
            cached: Mutex::new((vec![], plain.clone())),
            pages,
            plain,
        }
    }

    fn for_pages(&self) -> HeaderValue {
        let stamps: Vec<Option<SystemTime>> = self
            .pages
            .iter()
            .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .collect();
        let Ok(mut cached) = self.cached.lock() else {
            return self.plain.clone();
        };
        if cached.0 != stamps || cached.0.is_empty() {
            let hashes: Vec<String> = self
                .pages
                .iter()
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .flat_map(|html| inline_script_hashes(&html))
                .collect();
            *cached = (stamps, policy_with(&hashes));
        }
        cached.1.clone()
    }
}

fn policy_with(hashes: &[String]) -> HeaderValue {
    let hashes: String = hashes.iter().map(|h| format!(" '{h}'")).collect();
    HeaderValue::from_str(&POLICY.replace("{hashes}", &hashes))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
}

/// `sha256-…` of the text of every `<script>` without `src` in a page, as CSP compares them.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</script") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            let mut text = [0u8; 44];
            if let Ok(b64) = Encoding::B64.encode(&digest, &mut text) {
                // CSP's base64 is the padded one; a SHA-256 needs one `=`.
                hashes.push(format!("sha256-{b64}="));
            }
        }
        rest = &body[close..];
    }
    hashes
}

/// Adds the Content-Security-Policy to every response, and `Cache-Control: no-store` to every
/// personal `/api` answer (unless its route chose a caching rule itself).
pub async fn headers(
    State(policy): State<Arc<ContentPolicy>>,
    mut req: Request,
    next: Next,
) -> Response {
    let personal = {
        let path = req.uri().path();
        (path == "/api" || path.starts_with("/api/")) && !PUBLIC_API.contains(&path)
    };
    // A page is sent uncompressed (a kilobyte more), so that its policy is made from the very
    // bytes sent: the built pages on disk can change under a running server (a rebuild), and
    // a hash of another build's loader would stop the app.
    let navigation = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if navigation {
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    let mut response = next.run(req).await;
    // A 304 revalidates what the browser holds; the headers it carries replace the stored
    // ones, so a page's policy must not be replaced by the plain one (which has no hash).
    if response.status() == axum::http::StatusCode::NOT_MODIFIED {
        return response;
    }
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let csp = if !is_page {
        policy.plain.clone()
    } else if response.headers().contains_key(header::CONTENT_ENCODING) {
        policy.for_pages()
    } else {
        let (parts, body) = response.into_parts();
        match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
            Ok(bytes) => {
                let hashes = inline_script_hashes(&String::from_utf8_lossy(&bytes));
                response = Response::from_parts(parts, axum::body::Body::from(bytes));
                policy_with(&hashes)
            }
            Err(e) => {
                tracing::warn!(error = %e, "page too large to read for its policy");
                return AppError::Internal(format!("page body: {e}")).into_response();
            }
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    if personal && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const PUBLIC: Site = Site {
        public_origin: None,
        trust_host: false,
    };

    fn site(public: &str, trust_host: bool) -> Site {
        Site {
            public_origin: origin_of(public),
            trust_host,
        }
    }

    #[test]
    fn origins_are_scheme_host_and_port_without_the_default_port() {
        assert_eq!(
            origin_of("HTTPS://Qinxue.Example.gov.cn:443/pay/return?x=1").as_deref(),
            Some("https://qinxue.example.gov.cn")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("http://user:pw@host:81/").as_deref(),
            Some("http://host:81")
        );
        for bad in ["null", "file:///etc/passwd", "http://", ""] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_public_origin_and_same_origin_fetches_pass_other_sites_do_not() {
        let s = site("https://qinxue.example.gov.cn", false);
        let own = [("origin", "https://qinxue.example.gov.cn")];
        assert!(s.allows(&headers(&own)));
        assert!(s.allows(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(s.allows(&headers(&[(
            "referer",
            "https://qinxue.example.gov.cn/admin/courses"
        )])));
        for refused in [
            vec![("origin", "http://evil.example")],
            // Same site, other origin: SameSite=Lax would send the cookie.
            vec![("origin", "https://files.example.gov.cn")],
            vec![("origin", "http://qinxue.example.gov.cn")],
            vec![("origin", "null")],
            vec![("sec-fetch-site", "same-site")],
            vec![
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://evil.example"),
            ],
            vec![("referer", "http://evil.example/page")],
        ] {
            assert!(!s.allows(&headers(&refused)), "{refused:?}");
        }
    }

    #[test]
    fn requests_from_no_browser_page_pass() {
        assert!(PUBLIC.allows(&HeaderMap::new()));
    }

    #[test]
    fn without_a_public_url_the_requests_own_host_is_the_site() {
        let s = site("http://0.0.0.0:8080", true);
        let h = headers(&[
            ("host", "localhost:8080"),
            ("origin", "http://localhost:8080"),
        ]);
        assert!(s.allows(&h));
        let h = headers(&[
            ("host", "localhost:8080"),
            ("origin", "http://localhost:9090"),
        ]);
        assert!(!s.allows(&h));
        // With a public URL, only it.
        let s = site("https://qinxue.example.gov.cn", false);
        let h = headers(&[("host", "evil.example"), ("origin", "http://evil.example")]);
        assert!(!s.allows(&h));
    }

    #[test]
    fn incoming_request_ids_are_kept_only_when_short_and_plain() {
        for kept in ["abc-123", "0f3c9e2a.b_c:d", &"x".repeat(64)] {
            assert!(is_sane_request_id(kept.as_bytes()), "{kept}");
        }
        for replaced in ["", "a b", "id\nforged line", "ü", &"x".repeat(65)] {
            assert!(!is_sane_request_id(replaced.as_bytes()), "{replaced:?}");
        }
        let made = new_request_id();
        assert_eq!(made.len(), 32);
        assert!(is_sane_request_id(made.as_bytes()));
        assert_ne!(made, new_request_id());
    }

    #[test]
    fn only_the_video_uploads_have_no_overall_limit() {
        assert!(is_video_upload("POST", "/api/admin/uploads/videos"));
        assert!(is_video_upload(
            "PUT",
            "/api/admin/courses/3/lessons/9/video"
        ));
        assert!(is_video_upload(
            "put",
            "/api/admin/courses/{id}/lessons/{lesson_id}/video"
        ));
        assert!(!is_video_upload("GET", "/api/admin/uploads/videos"));
        assert!(!is_video_upload("PUT", "/api/admin/courses/3/cover"));
        assert!(!is_video_upload("POST", "/api/auth/login"));
    }

    #[test]
    fn inline_scripts_are_hashed_as_csp_does() {
        // The hash CSP's own specification gives for `alert('Hello, world.');`.
        let html = "<head><script type=\"module\">alert('Hello, world.');</script>\
                    <script src=\"/x.js\"></script></head>";
        assert_eq!(
            inline_script_hashes(html),
            ["sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="]
        );
    }
}
