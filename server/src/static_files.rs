//! The built front end (Trunk's `dist/`), pre-compressed files first, and `index.html` for
//! every other path so that the single-page app's own routes load on reload.

use crate::auth::sign_ins::SignedIn;
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::{header, HeaderValue, Request};
use axum::response::Response;
use axum::routing::{any, MethodRouter};
use std::convert::Infallible;
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

/// The paths that the visitors' bundle (`dist/welcome`, `src/welcome_app.rs`) draws: the same
/// list as its routes.
const WELCOME_PATHS: [&str; 4] = ["/", "/login", "/register", "/help"];

/// The trainee app (`dist/`) at every path the other bundles do not have; at the visitors'
/// paths, to a request without a valid sign-in (a first visit), the visitors' bundle instead,
/// which downloads none of the study pages (issue 14), when it is built.
pub fn front_end(static_dir: &Path) -> MethodRouter<AppState> {
    let trainee = service(static_dir);
    let welcome_dir = static_dir.join("welcome");
    let welcome = welcome_dir
        .join("index.html")
        .exists()
        .then(|| service(&welcome_dir));
    any(
        move |State(state): State<AppState>, request: Request<axum::body::Body>| async move {
            let path = request.uri().path();
            let Some(welcome) = welcome.filter(|_| WELCOME_PATHS.contains(&path)) else {
                return answer(trainee, request).await;
            };
            let (mut parts, body) = request.into_parts();
            // One URL, two pages: a browser must not revalidate one with the other's date or
            // tag (a 304 would keep the welcome after signing in), nor cache across cookies.
            parts.headers.remove(header::IF_MODIFIED_SINCE);
            parts.headers.remove(header::IF_NONE_MATCH);
            let signed_in = SignedIn::from_request_parts(&mut parts, &state)
                .await
                .is_ok();
            let request = Request::from_parts(parts, body);
            let mut response = if signed_in {
                answer(trainee, request).await
            } else {
                answer(welcome, request).await
            };
            response
                .headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Cookie"));
            response
        },
    )
}

async fn answer<S>(service: S, request: Request<axum::body::Body>) -> Response
where
    S: tower::Service<Request<axum::body::Body>, Response = Response, Error = Infallible>,
{
    match service.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
