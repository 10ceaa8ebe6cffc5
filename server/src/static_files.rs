//! The built front end (Trunk's `dist/`), pre-compressed files first, and `index.html` for
//! every other path so that the single-page app's own routes load on reload.

use axum::http::{header, HeaderValue, Request};
use axum::response::Response;
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Hashed asset names (`qinxue-1a2b….wasm`) never change content, so they may be cached for
/// a year; everything else, `index.html` first, is revalidated on each visit.
pub fn service(
    dir: &Path,
) -> impl tower::Service<
    Request<axum::body::Body>,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
       + Send
       + Sync
       + 'static {
    if !dir.join("index.html").exists() {
        tracing::warn!(dir = %dir.display(), "no built front end here; run `make web`");
    }
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index)
        .map_request(|req: Request<axum::body::Body>| req)
        .map_response(|res| {
            let mut res = res.map(axum::body::Body::new);
            let cache = if is_hashed_asset(res.headers()) {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            res
        })
}

fn is_hashed_asset(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("application/wasm")
                || ct.starts_with("text/javascript")
                || ct.starts_with("application/javascript")
                || ct.starts_with("text/css")
        })
}
