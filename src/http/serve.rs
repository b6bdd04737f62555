//! The accept loop. `axum::serve` reads request headers without a deadline and accepts
//! without bound, so a few hundred clients that never finish their headers used up every
//! file descriptor. Here each connection holds one of `max_connections` permits (over the
//! cap, new clients wait in the kernel's backlog instead of costing a descriptor), a client
//! has `header_read_timeout` to send its first request's headers (hyper's own timer covers
//! the next ones on a kept-alive connection), a WebSocket keeps its place for its life, and a
//! failed `accept` (EMFILE) pauses the loop
//! instead of spinning. When the cap is reached, kept-alive connections close once their
//! request in flight is answered (at once when idle): a client that keeps a connection open
//! between requests never keeps a new client waiting for the idle timeout.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, Notify, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

/// Bounds on what a client may hold before it has sent a request.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

/// How long the loop rests after `accept` fails for a reason other than the one client.
const ACCEPT_PAUSE: Duration = Duration::from_millis(250);

/// Serves `router` until `shutdown` resolves, then stops accepting and waits for the
/// connections in flight to finish (the caller bounds that wait).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let max = limits.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(max));
    let (stopping_tx, stopping) = watch::channel(false);
    // Each connection task holds a sender; when all are gone, every request has finished.
    let (in_flight, mut all_done) = mpsc::channel::<()>(1);
    // Bumped each time the cap is reached: kept-alive connections then close.
    let (shed_tx, shed) = watch::channel(0u64);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut warned_full = false;
    tokio::pin!(shutdown);
    loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                shed_tx.send_modify(|times| *times += 1);
                if !warned_full {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection cap reached; new connections wait until one closes"
                    );
                    warned_full = true;
                }
                tokio::select! {
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        if permits.available_permits() > limits.max_connections / 2 {
            warned_full = false;
        }
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed; pausing");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let started = Arc::new(Notify::new());
        let budget = ReadBudget::default();
        let service = {
            let (router, started, budget) = (router.clone(), started.clone(), budget.clone());
            hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                started.notify_one();
                let extensions = request.extensions_mut();
                extensions.insert(ConnectInfo::<SocketAddr>(remote));
                extensions.insert(budget.clone());
                router.clone().oneshot(request)
            })
        };
        let connection = builder
            .serve_connection(
                TokioIo::new(Counted {
                    stream,
                    budget,
                    _permit: permit,
                }),
                service,
            )
            .with_upgrades();
        let timeout = limits.header_read_timeout;
        let mut stopping = stopping.clone();
        let mut shed = shed.clone();
        shed.mark_unchanged();
        let in_flight = in_flight.clone();
        tokio::spawn(async move {
            let _in_flight = in_flight;
            tokio::pin!(connection);
            // A client that never sends a byte is bounded too, whatever hyper's timer
            // counts; dropping the connection closes the socket.
            tokio::select! {
                _ = &mut connection => return,
                () = started.notified() => {}
                () = tokio::time::sleep(timeout) => return,
                _ = stopping.wait_for(|s| *s) => return,
            }
            tokio::select! {
                _ = &mut connection => return,
                _ = stopping.wait_for(|s| *s) => {}
                _ = shed.changed() => {}
            }
            // Finishes the request in flight, then closes; an upgraded WebSocket has
            // already left hyper and is not held here.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    drop(in_flight);
    let _ = all_done.recv().await;
}

/// How many more bytes a connection may send: unlimited, until a handler limits it (the
/// WebSocket before `connection_init` is accepted) and lifts the limit again. Reading past
/// it fails the connection, so an anonymous client cannot make the server hold a large frame.
#[derive(Clone, Debug)]
pub struct ReadBudget(Arc<AtomicU64>);

impl Default for ReadBudget {
    fn default() -> Self {
        Self(Arc::new(AtomicU64::new(u64::MAX)))
    }
}

impl ReadBudget {
    /// From now on, at most `bytes` more may be read.
    pub fn limit(&self, bytes: u64) {
        self.0.store(bytes, Ordering::Relaxed);
    }

    pub fn lift(&self) {
        self.0.store(u64::MAX, Ordering::Relaxed);
    }

    /// Counts `bytes` read; false once the budget is spent.
    fn spend(&self, bytes: u64) -> bool {
        let left = self.0.load(Ordering::Relaxed);
        if left == u64::MAX {
            return true;
        }
        match left.checked_sub(bytes) {
            Some(rest) => {
                self.0.store(rest, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

/// A client's socket with its place under the connection cap and its read budget. Both go
/// with the socket, so an upgraded WebSocket keeps them after hyper has let go of it.
struct Counted {
    stream: TcpStream,
    budget: ReadBudget,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.stream).poll_read(cx, buf);
        if let std::task::Poll::Ready(Ok(())) = polled {
            let read = (buf.filled().len() - before) as u64;
            if !self.budget.spend(read) {
                return std::task::Poll::Ready(Err(std::io::Error::other(
                    "the client sent more than it may before authenticating",
                )));
            }
        }
        polled
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Errors that concern only the connection being accepted: the next `accept` may succeed
/// at once.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
