//! The HTTP server loop: axum's router on hyper, with a header read timeout
//! and a cap on open connections (`axum::serve` offers neither), a
//! first-request timeout for every protocol (hyper's header timeout is
//! HTTP/1's only: an HTTP/2 client, or one that sends no byte at all, would
//! otherwise hold its slot forever), HTTP/2 keep-alive pings, the
//! client's address in each request (`ConnectInfo`, read by
//! [`crate::client_address`] for per-address rate limits), and graceful
//! shutdown.

use crate::limits::HttpLimits;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting and waits for open connections to finish their requests.
///
/// At most `limits.max_connections` connections are served at once; a
/// further client waits in the listen backlog until one closes. A client
/// that does not send its request headers within
/// `limits.header_read_timeout` is disconnected, and so is a connection of
/// any protocol (HTTP/1, HTTP/2 with prior knowledge, nothing at all) whose
/// first request has not arrived by then. HTTP/2 connections are pinged
/// every `header_read_timeout` and closed when a ping goes unanswered as
/// long.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &HttpLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_read_timeout)
        .keep_alive_timeout(limits.header_read_timeout);
    let first_request_timeout = limits.header_read_timeout;
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, then go on.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let requested = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&requested);
        let service = router.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                seen.store(true, Ordering::Relaxed);
                request.extensions_mut().insert(ConnectInfo(address));
                request
            },
        );
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::pin!(connection);
            let silent = async {
                tokio::time::sleep(first_request_timeout).await;
                if requested.load(Ordering::Relaxed) {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                ended = &mut connection => {
                    if let Err(error) = ended {
                        tracing::debug!(error = %error, "connection ended with an error");
                    }
                }
                () = silent => {
                    tracing::debug!(%address, "no request within the header read timeout: closed");
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
