//! A simulator of the province's public payment platform, E缴通 (DESIGN.md §4): merchants
//! create payments, a cashier page pays, cancels or fails them, signed notifications are sent
//! with retries and optional faults, and payments can be queried. The protocol is in
//! `PROTOCOL.md`; [`sign`] is the reference implementation of its signature.
//!
//! `main` only reads the configuration and runs an [`Application`]; tests build the same
//! application on a random port.

pub mod config;
pub mod error;
pub mod extract;
pub mod faults;
pub mod notify;
mod random;
pub mod routes;
pub mod sign;
pub mod state;
pub mod store;

use crate::config::Config;
use crate::notify::Notifier;
use crate::state::AppState;
use crate::store::Store;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Requests are small JSON bodies or empty form posts; anything larger is refused unread.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot build the HTTP client for notifications: {0}")]
    Client(#[from] reqwest::Error),
}

/// The whole app: routes, state and middleware.
pub fn app(state: AppState) -> Router {
    routes::router()
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// One log line per request, with the route rather than the path so that ids do not spread
/// the lines out.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| request.uri().path().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// A simulator bound to its port and ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Binds the port (`:0` picks a free one, as tests do) and prepares the state.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let addr = config.addr;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { addr, source })?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"));
        let notifier = Notifier::new(&config)?;
        let state = AppState {
            config: Arc::new(config),
            public_url: public_url.into(),
            store: Arc::new(Store::new(chrono::Utc::now())),
            notifier,
        };
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The base URL of the cashier pages handed to merchants.
    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    /// Serves until `shutdown` completes, then stops every pending notification.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        if self.state.config.faults.any() {
            tracing::warn!(faults = %self.state.config.faults, "notification faults are on");
        }
        let notifier = self.state.notifier.clone();
        let result = axum::serve(self.listener, app(self.state))
            .with_graceful_shutdown(shutdown)
            .await;
        notifier.shutdown();
        result
    }
}
