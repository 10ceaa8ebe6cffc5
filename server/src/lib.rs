//! Qinxue's HTTP server: the API of DESIGN.md §7 over SQLite or PostgreSQL, and the built
//! front end. `main` only reads the configuration and calls [`Application`]; integration
//! tests build the same application on a random port.

pub mod access;
pub mod auth;
pub mod backup;
pub mod certificates;
pub mod clock;
pub mod config;
pub mod connections;
pub mod content;
pub mod error;
pub mod extract;
pub mod hardening;
pub mod jobs;
pub mod maintenance;
pub mod payments;
pub mod routes;
pub mod seed;
pub mod services;
pub mod state;
pub mod static_files;
pub mod storage;
pub mod throttle;
pub mod views;

use crate::auth::sign_ins::SignIns;
use crate::clock::Clock;
use crate::config::Config;
use crate::payments::ejiaotong::EJiaoTong;
use crate::services::notify_writer::NotifyWriter;
use crate::services::study_writer::StudyWriter;
use crate::state::AppState;
use crate::storage::{Db, StorageError};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use qinxue_core::ledger::LedgerConfig;
use std::any::Any;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// How long a stopping server lets the requests in flight finish before it closes them.
/// Heartbeats and other API calls take milliseconds; what stays open is a proctor's
/// live-events stream. Within the 10 s that service managers (systemd's default is 90 s,
/// Kubernetes' 30 s) and the tests allow, with time left to checkpoint and close.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// API bodies are small JSON; anything larger is refused before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot seed the demo data: {0}")]
    Seed(error::AppError),
    #[error("cannot prepare a password hash: {0}")]
    Hash(error::AppError),
    #[error("cannot start the password-hashing threads: {0}")]
    HashThreads(std::io::Error),
    #[error("cannot start the heartbeat writer's thread: {0}")]
    Writer(std::io::Error),
    #[error(transparent)]
    Certificates(#[from] certificates::SetupError),
    #[error("cannot set up the payment platform's HTTP client: {0}")]
    PaymentClient(#[from] reqwest::Error),
    /// Another server (or a restore) has the SQLite data folder.
    #[error(transparent)]
    DataFolder(#[from] backup::BackupError),
}

/// The whole app: routes, state and middleware.
pub fn app(state: AppState) -> Router {
    let api = routes::router(&state);
    let policy = Arc::new(hardening::ContentPolicy::new(&state.config.static_dir));
    let site = Arc::new(hardening::Site::of(&state));
    Router::new()
        .merge(api)
        .merge(routes::media::router(&state.config.media_dir()))
        .method_not_allowed_fallback(routes::method_not_allowed)
        // The administrators' bundle has its own index.html for its own routes.
        .nest_service(
            "/admin",
            static_files::service(&state.config.static_dir.join("admin")),
        )
        // The certificates bundle serves both its pages (`certificates.html`).
        .nest_service(
            "/certificates",
            static_files::service(&state.config.static_dir.join("certificates")),
        )
        .nest_service(
            "/verify",
            static_files::service(&state.config.static_dir.join("certificates")),
        )
        // The computer room's kiosk at /room/<code> (`room.html`), a bundle of its own.
        .nest_service(
            "/room",
            static_files::service(&state.config.static_dir.join("room")),
        )
        // The visitors' bundle's files; its page is sent by `front_end`.
        .nest_service(
            "/welcome",
            static_files::service(&state.config.static_dir.join("welcome")),
        )
        .fallback(static_files::front_end(&state.config.static_dir))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.config.request_timeout,
            hardening::deadline,
        ))
        .layer(middleware::from_fn_with_state(
            site,
            hardening::same_origin_writes,
        ))
        .layer(middleware::from_fn(hardening::request_limits))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(policy, hardening::headers))
        .layer(TraceLayer::new_for_http().make_span_with(hardening::request_span))
        // Outermost, so that the id is set before anything logs and on every answer.
        .layer(middleware::from_fn(hardening::request_id))
        .with_state(state)
}

/// A panic is a bug; the client still gets the API's error shape, and the log gets the cause.
fn panic_response(cause: Box<dyn Any + Send + 'static>) -> Response {
    let detail = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    let err = error::AppError::Internal(format!("panic: {detail}"));
    let mut response = err.into_response();
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// A server that is bound to its port and ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    seeded_demo: bool,
    /// SQLite: the data folder is this server's alone while it runs (its heartbeat writer
    /// keeps live sessions in memory), and `restore` must not copy under it.
    _data_lock: Option<backup::DataLock>,
}

impl Application {
    /// Opens and migrates the database, seeds the demo if asked, and binds the port
    /// (`:0` picks a free one, as tests do).
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let data_lock = match config.database_url {
            None => Some(backup::DataLock::take(&config.data_dir)?),
            Some(_) => None,
        };
        let addr = config.addr;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        // Known only once bound when the port is 0 (tests); the platform must be told it.
        let public_url = match &config.public_url {
            Some(url) => url.clone(),
            None => format!(
                "http://{}",
                listener
                    .local_addr()
                    .map_err(|source| StartupError::Bind { addr, source })?
            ),
        };
        let payments = EJiaoTong::new(&config.pay_url, config.pay_secret.clone())?;
        let certificates =
            certificates::Certificates::load(&config.data_dir, &config.certificate_font)?;
        let db = Db::connect(&config).await?;
        let hashing = auth::password::Hashing::per_core().map_err(StartupError::HashThreads)?;
        let dummy = hashing
            .hash(format!("{:?}", std::time::SystemTime::now()))
            .await
            .map_err(StartupError::Hash)?;
        let clock = Clock::default();
        let ledger = LedgerConfig::default();
        let study =
            StudyWriter::spawn(db.clone(), clock.clone(), ledger).map_err(StartupError::Writer)?;
        let notifications = NotifyWriter::spawn(db.clone());
        let sign_ins = SignIns::spawn(db.clone(), clock.clone());
        if let Some(url) = &config.database_url {
            sign_ins.listen(url.expose().to_owned());
        }
        let state = AppState {
            db,
            clock,
            config: Arc::new(config),
            dummy_password_hash: dummy.into(),
            hashing,
            ledger,
            study,
            sign_ins,
            payments: Arc::new(payments),
            notifications,
            rooms: Default::default(),
            public_url: public_url.into(),
            certificates: Arc::new(certificates),
        };
        let seeded_demo = if state.config.demo {
            seed::seed_demo(&state).await.map_err(StartupError::Seed)?
        } else {
            false
        };
        Ok(Self {
            listener,
            state,
            seeded_demo,
            _data_lock: data_lock,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Whether this start wrote the demo data (it does so only into an empty database).
    pub fn seeded_demo(&self) -> bool {
        self.seeded_demo
    }

    /// Serves until `shutdown` completes (SIGTERM or Ctrl-C in `main`), then stops in order:
    /// no new connection is accepted; the requests in flight finish (at most
    /// [`SHUTDOWN_GRACE`]: a proctor's live-events stream never ends by itself); the heartbeat
    /// writer drains what they queued; the WAL is checkpointed into the database file and the
    /// database closed. Every heartbeat that was answered had been committed before its answer,
    /// so none is lost; one cut off after the grace was never answered, and its client sends it
    /// again (a repeated `seq` is credited once). Serving itself does not fail (a failed
    /// accept is retried, `connections::serve`); the `Result` is the callers' `?`.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let jobs = jobs::Jobs::start(self.state.clone());
        let db = self.state.db.clone();
        let study = self.state.study.clone();
        let (stopping, mut stop_seen) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections; finishing the requests in flight");
            let _ = stopping.send(true);
        };
        let limits = self.state.config.connections.clone();
        let serve = connections::serve(self.listener, app(self.state), &limits, signal);
        let grace = async move {
            let _ = stop_seen.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            () = serve => (),
            () = grace => {
                tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still open after the grace (live-event streams); closing them");
            }
        };
        jobs.stop().await;
        // Runs after every job queued before it: what the last requests handed the writer is
        // committed once this answers.
        if let Err(e) = study
            .run(|_tx| Box::pin(async { Ok(((), Vec::new())) }))
            .await
        {
            tracing::error!(error = %e, "the heartbeat writer could not be drained");
        }
        db.checkpoint().await;
        db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}
