//! The accept loop: serves each TCP connection with HTTP/1.1 under the bounds of
//! [`ConnectionLimits`], which `axum::serve` has no setting for. hyper reads a request's head
//! before any route or middleware sees it, so the per-request time limit
//! (`hardening::deadline`) cannot stop a client that sends its headers a byte at a time, or
//! opens connections and sends nothing (slowloris): here hyper's header-read timeout closes
//! such a connection, and at most `max_connections` are served at once.

use crate::config::ConnectionLimits;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Serves `router` on `listener` until `shutdown` completes; then accepts nothing more, lets
/// each connection finish the request it is in (an idle one closes at once) and returns when
/// all have closed. Handlers see the peer's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    // The timer starts when hyper waits for a request's head: on a new connection and again
    // after each answer, so it bounds idle keep-alive connections too.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first: at the limit, new connections wait in the kernel's listen queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                // A header-read timeout, a reset by the peer, a malformed request: the
                // connection's business, not the server's.
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// What `axum::serve` does too: an error about one connection (reset before it was accepted)
/// is passed over; any other (out of file descriptors) is logged and retried after a pause,
/// rather than spinning or stopping the server.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::error!(error = %e, "accepting a connection failed; retrying in a second");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
