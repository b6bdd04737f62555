//! An outgoing webhook receiver on 127.0.0.1, as an integration would run one: it records
//! every request as it arrives and answers as scripted (a status, after an optional delay),
//! and verifies signatures with the README's recipe.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::eventually;

/// How the receiver answers one request.
#[derive(Clone, Copy, Debug)]
pub struct Reply {
    pub status: u16,
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            delay: Duration::ZERO,
        }
    }

    pub fn slow(delay: Duration) -> Self {
        Self { status: 200, delay }
    }
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn event_id(&self) -> String {
        self.header("x-switchboard-event-id").to_owned()
    }

    pub fn event_type(&self) -> String {
        self.header("x-switchboard-event").to_owned()
    }
}

#[derive(Default)]
struct Script {
    received: Vec<Received>,
    replies: VecDeque<Reply>,
    /// The answer once the scripted ones ran out: 200 at once unless set.
    usual: Option<Reply>,
    /// Requests arrived and not yet answered.
    in_flight: usize,
}

/// Counts a request as in flight until its answer is sent or its sender went away.
struct InFlight(Arc<Mutex<Script>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut script) = self.0.lock() {
            script.in_flight -= 1;
        }
    }
}

#[derive(Clone)]
pub struct Receiver {
    /// The URL to register: `http://127.0.0.1:<port>/hook`.
    pub url: String,
    state: Arc<Mutex<Script>>,
}

async fn hook(
    State(state): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let reply = {
        let mut script = state.lock().unwrap();
        script.received.push(Received { headers, body });
        script.in_flight += 1;
        let usual = script.usual.unwrap_or(Reply::status(200));
        script.replies.pop_front().unwrap_or(usual)
    };
    let _answering = InFlight(state);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    StatusCode::from_u16(reply.status).unwrap()
}

impl Receiver {
    pub async fn start() -> Self {
        let state: Arc<Mutex<Script>> = Arc::default();
        let router = axum::Router::new()
            .route("/hook", axum::routing::post(hook))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            url: format!("http://{addr}/hook"),
            state,
        }
    }

    /// The next requests get these answers, in order; later ones the usual.
    pub fn then(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.lock().unwrap().replies.extend(replies);
    }

    /// Every request after the scripted ones gets this answer.
    pub fn always(&self, reply: Reply) {
        self.state.lock().unwrap().usual = Some(reply);
    }

    /// How many requests arrived and are not answered yet.
    pub fn in_flight(&self) -> usize {
        self.state.lock().unwrap().in_flight
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` requests (pings included) arrived, and answers them all.
    pub async fn wait_for(&self, n: usize, seconds: u64) -> Vec<Received> {
        eventually(
            seconds,
            &format!("{n} webhook requests arrive"),
            || async { self.received() },
            |r| r.len() >= n,
        )
        .await
    }
}

/// The README's recipe: the signature header's `v1=` entries are HMAC-SHA256 (hex) of
/// `<x-switchboard-timestamp>.<raw body>` under the secret; one match is enough, and a
/// timestamp more than five minutes away is refused.
pub fn verify(secret: &str, received: &Received) -> bool {
    let timestamp = received.header("x-switchboard-timestamp");
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - seconds).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(received.body.as_bytes());
    let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
    received
        .header("x-switchboard-signature")
        .split(',')
        .any(|s| s.trim() == expected)
}
