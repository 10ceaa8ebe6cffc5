//! The second kind of caller: an external system (an exam office) with an API token made by
//! the provincial admin, sent as `Authorization: Bearer <token>`. It is nobody's session and
//! may use only the routes that take an [`ApiClient`].

use super::{AccessError, Scope};
use crate::auth::session::token_hash;
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::api_tokens;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// A request with a live API token; without one (absent, unknown or revoked) the route
/// answers 401.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub token_id: i64,
    pub name: String,
}

impl ApiClient {
    /// Whose completion an exam office may ask about: anyone in the province, one person at a
    /// time, by 身份证号.
    pub fn eligibility(&self) -> Scope {
        Scope::region("/")
    }
}

/// The token of an `Authorization: Bearer` header.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(AccessError::Unauthenticated)?;
        let hash = token_hash(token);
        let mut conn = state.db.read().await?;
        let (token_id, name) = api_tokens::find_live(&mut conn, &hash)
            .await?
            .ok_or(AccessError::Unauthenticated)?;
        Ok(ApiClient { token_id, name })
    }
}
