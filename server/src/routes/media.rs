//! The uploaded course media (`/uploads/…`, stored by `storage::media`) and the default cover.

use crate::state::AppState;
use crate::storage::media::{MediaKind, DEFAULT_COVER_URL, URL_PREFIX};
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// A plain cover in the catalogue's style: trusted markup written here, not uploaded.
const DEFAULT_COVER_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"><rect width="640" height="360" fill="#4a5f73"/><rect x="230" y="90" width="180" height="150" rx="8" fill="#fff" opacity=".9"/><path d="M320 100v130" stroke="#4a5f73" stroke-width="6"/><path d="M250 130h50M250 160h50M250 190h50M340 130h50M340 160h50M340 190h50" stroke="#4a5f73" stroke-width="5"/><text x="320" y="300" font-family="sans-serif" font-size="36" fill="#fff" text-anchor="middle">勤学</text></svg>"##;

/// Serves the uploaded files (never the temporary ones) and the default cover. Names are
/// content hashes, so the files may be cached for a year.
pub fn router(dir: &Path) -> Router<AppState> {
    let immutable = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    let mut router = Router::new().route(
        DEFAULT_COVER_URL,
        get(|| async {
            (
                [
                    (header::CONTENT_TYPE, "image/svg+xml"),
                    (header::CACHE_CONTROL, "public, max-age=86400"),
                ],
                DEFAULT_COVER_SVG,
            )
                .into_response()
        }),
    );
    for kind in [MediaKind::Cover, MediaKind::Video] {
        router = router.nest_service(
            &format!("{URL_PREFIX}/{}", kind.folder()),
            tower::ServiceBuilder::new()
                .layer(immutable.clone())
                .service(ServeDir::new(dir.join(kind.folder()))),
        );
    }
    router
}
