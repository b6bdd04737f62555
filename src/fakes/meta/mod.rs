//! A fake Meta WhatsApp Cloud API (Graph API + media host) on `127.0.0.1`, for integration
//! tests and `switchboard simulator` (PROVIDERS.md §5, Meta list).
//!
//! It checks Bearer tokens against registered numbers (wrong → 401 code 190), accepts any
//! `vNN.0` version segment, validates sends like the Cloud API, records every request,
//! takes scripted faults, serves media with expiring URLs, keeps a template store, and sends
//! signed webhooks (inbound messages, statuses, template reviews) the way Meta writes them.
//! It keeps a business profile per number, with photos from its Resumable Upload API.
//!
//! Magic values: sends to wa_id [`UNDELIVERABLE`] fail later with 131026; templates to
//! [`STOPPED_MARKETING`] fail later with 131050; free-form sends to a user without an open
//! 24 h window fail later with 131047.

mod inbound;
mod messages;
mod nodes;
mod profile;
mod server;
mod state;
mod templates;
mod uploads;
mod validate;
mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

pub use inbound::{FakeInbound, InboundKind};
pub use messages::{STOPPED_MARKETING, UNDELIVERABLE};
pub use profile::{FakeProfile, FAKE_APP_ID};
pub use state::{
    FakeMedia, FakePhoneNumber, FakeSentMessage, FakeTemplate, Fault, RecordedRequest, StatusKnobs,
};
pub use webhooks::{hub_signature, meta_json, SentWebhook, StatusSpec};

use state::State;

/// The app secret a fresh fake signs webhooks with.
pub const DEFAULT_APP_SECRET: &str = "fake-meta-app-secret";
/// How long a media download URL lives by default (Meta: about five minutes).
const DEFAULT_MEDIA_URL_TTL: Duration = Duration::from_secs(300);

/// Failures of the fake's own actions (sending webhooks, unknown ids).
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    #[error("webhook delivery failed: {0}")]
    Delivery(String),
    #[error("unknown {0}")]
    Unknown(String),
}

/// State shared between the handle and the server.
pub(crate) struct Shared {
    state: Mutex<State>,
    base_url: String,
    http: reqwest::Client,
    in_flight: super::InFlight,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not wedge the fake for everyone else.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh, expiring download URL for `media_id` (or the configured override).
    fn media_url(&self, media_id: &str) -> String {
        let mut state = self.lock();
        if let Some(url) = &state.media_url_override {
            return url.clone();
        }
        let token: String = hex::encode(rand::thread_rng().gen::<[u8; 16]>());
        let ttl = state.media_url_ttl.unwrap_or(DEFAULT_MEDIA_URL_TTL);
        state
            .media_tokens
            .insert(token.clone(), (media_id.to_owned(), Instant::now() + ttl));
        format!(
            "{}{}/{token}?mid={media_id}",
            self.base_url,
            server::MEDIA_PATH
        )
    }
}

/// What outlives a restart of the fake: where webhooks go, open windows, templates, sent
/// messages and the id counter (the simulator keeps it in a file).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetaSnapshot {
    pub webhook_url: Option<String>,
    /// `(phone_number_id, wa_id, unix seconds when the user last wrote)`, sorted.
    pub windows: Vec<(String, String, i64)>,
    pub templates: Vec<FakeTemplate>,
    pub sent: Vec<FakeSentMessage>,
    pub counter: u64,
}

/// A delivered inbound message.
#[derive(Clone, Debug)]
pub struct DeliveredInbound {
    pub wamid: String,
    /// The receiver's HTTP status.
    pub status: u16,
}

/// Handle to a running fake. The server stops when the handle is dropped.
pub struct FakeMeta {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for FakeMeta {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeMeta {
    /// Starts on `127.0.0.1:0`. Panics if no port can be bound (test and simulator setup).
    pub async fn spawn() -> Self {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind the fake Meta server on 127.0.0.1")
    }

    /// Starts on `addr`.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let state = State {
            app_secret: DEFAULT_APP_SECRET.into(),
            webhook_retries: 2,
            ..State::default()
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            base_url: format!("http://{local}"),
            http: reqwest::Client::new(),
            in_flight: super::InFlight::default(),
        });
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "fake Meta server stopped");
            }
        });
        Ok(Self { shared, task })
    }

    /// `http://127.0.0.1:<port>`: use as `meta_graph`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Registers a number (and its WABA and token).
    pub fn add_phone_number(&self, number: FakePhoneNumber) {
        self.shared.lock().numbers.push(number);
    }

    pub fn set_app_secret(&self, secret: &str) {
        self.shared.lock().app_secret = secret.into();
    }

    pub fn app_secret(&self) -> String {
        self.shared.lock().app_secret.clone()
    }

    /// Where automatic status and template webhooks go (`None` = nowhere).
    pub fn set_webhook_url(&self, url: Option<&str>) {
        self.shared.lock().webhook_url = url.map(str::to_owned);
    }

    /// Where automatic status and template webhooks go.
    pub fn webhook_url(&self) -> Option<String> {
        self.shared.lock().webhook_url.clone()
    }

    pub fn set_status_knobs(&self, knobs: StatusKnobs) {
        self.shared.lock().status_knobs = knobs;
    }

    /// How many times a webhook answered with non-2xx is retried (default 2).
    pub fn set_webhook_retries(&self, retries: usize) {
        self.shared.lock().webhook_retries = retries;
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// The next `times` API calls answer Meta's error `code` (usual status and wording).
    pub fn fail_next(&self, code: i64, times: usize) {
        self.inject(Fault::graph(code), times);
    }

    /// The next `times` API calls get `fault`.
    pub fn inject(&self, fault: Fault, times: usize) {
        let mut state = self.shared.lock();
        for _ in 0..times {
            state.faults.push_back(fault.clone());
        }
    }

    /// The next `times` API calls answer only after `delay`.
    pub fn delay_next(&self, delay: Duration, times: usize) {
        self.inject(Fault::Delay(delay), times);
    }

    /// How long an accepted send waits before it answers; the message exists (and its
    /// statuses are on their way) meanwhile.
    pub fn set_answer_delay(&self, delay: Duration) {
        self.shared.lock().answer_delay = delay;
    }

    /// API requests received and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.count()
    }

    /// Messages accepted by `POST /messages`.
    pub fn sent_messages(&self) -> Vec<FakeSentMessage> {
        self.shared.lock().sent.clone()
    }

    /// Webhooks the fake has sent.
    pub fn webhooks(&self) -> Vec<SentWebhook> {
        self.shared.lock().webhooks.clone()
    }

    /// Opens the 24 h window as if `wa_id` had just written to `phone_number_id`.
    pub fn open_window(&self, phone_number_id: &str, wa_id: &str) {
        self.shared
            .lock()
            .windows
            .insert((phone_number_id.into(), wa_id.into()), Instant::now());
    }

    pub fn close_window(&self, phone_number_id: &str, wa_id: &str) {
        self.shared
            .lock()
            .windows
            .remove(&(phone_number_id.into(), wa_id.into()));
    }

    /// Messages to `wa_id` fail later with `code` (131026 undeliverable; 131050 stopped
    /// marketing, templates only), or no longer with `None`.
    pub fn set_recipient_failure(&self, wa_id: &str, code: Option<i64>) {
        let mut state = self.shared.lock();
        match code {
            Some(code) => state.recipient_failures.insert(wa_id.to_owned(), code),
            None => state.recipient_failures.remove(wa_id),
        };
    }

    /// The state worth keeping across a restart.
    pub fn snapshot(&self) -> MetaSnapshot {
        let state = self.shared.lock();
        let now = chrono::Utc::now().timestamp();
        let mut windows: Vec<(String, String, i64)> = state
            .windows
            .iter()
            .map(|((pnid, wa_id), at)| {
                let age = i64::try_from(at.elapsed().as_secs()).unwrap_or(i64::MAX);
                (pnid.clone(), wa_id.clone(), now.saturating_sub(age))
            })
            .collect();
        windows.sort();
        MetaSnapshot {
            webhook_url: state.webhook_url.clone(),
            windows,
            templates: state.templates.clone(),
            sent: state.sent.clone(),
            counter: state.counter,
        }
    }

    /// Takes back a [`MetaSnapshot`] (windows keep their age).
    pub fn restore(&self, snapshot: MetaSnapshot) {
        let mut state = self.shared.lock();
        let now = chrono::Utc::now().timestamp();
        state.webhook_url = snapshot.webhook_url;
        state.windows = snapshot
            .windows
            .into_iter()
            .filter_map(|(pnid, wa_id, at)| {
                let age = Duration::from_secs(u64::try_from(now.saturating_sub(at)).unwrap_or(0));
                Some(((pnid, wa_id), Instant::now().checked_sub(age)?))
            })
            .collect();
        state.templates = snapshot.templates;
        state.sent = snapshot.sent;
        state.counter = state.counter.max(snapshot.counter);
    }

    /// Adds a template with a BODY text; answers its id.
    pub fn add_template(
        &self,
        waba_id: &str,
        name: &str,
        language: &str,
        body: &str,
        status: &str,
    ) -> String {
        let mut state = self.shared.lock();
        let id = state.next_id();
        state.templates.push(FakeTemplate {
            id: id.clone(),
            waba_id: waba_id.into(),
            name: name.into(),
            language: language.into(),
            category: "UTILITY".into(),
            status: status.into(),
            rejected_reason: None,
            parameter_format: "POSITIONAL".into(),
            components: json!([{ "type": "BODY", "text": body }]),
        });
        id
    }

    pub fn templates(&self) -> Vec<FakeTemplate> {
        self.shared.lock().templates.clone()
    }

    /// Builds template `paging.next` URLs on another base (to prove clients ignore it).
    pub fn set_template_next_base(&self, base: Option<&str>) {
        self.shared.lock().template_next_base = base.map(str::to_owned);
    }

    /// Moves a template to `status` (`APPROVED`, `REJECTED`, …) and, when a webhook URL is
    /// set, sends the `message_template_status_update` webhook; answers the receiver's HTTP
    /// status (`None` when no webhook URL is set).
    pub async fn review_template(
        &self,
        template_id: &str,
        status: &str,
        reason: Option<&str>,
    ) -> Result<Option<u16>, FakeError> {
        let (waba, value, url) = {
            let mut state = self.shared.lock();
            let url = state.webhook_url.clone();
            let template = state
                .templates
                .iter_mut()
                .find(|t| t.id == template_id)
                .ok_or_else(|| FakeError::Unknown(format!("template {template_id}")))?;
            template.status = status.to_uppercase();
            template.rejected_reason = reason.map(str::to_owned);
            let id_number: Value = template
                .id
                .parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| json!(template.id));
            let value = json!({
                "event": template.status, "message_template_id": id_number,
                "message_template_name": template.name,
                "message_template_language": template.language,
                "reason": reason.unwrap_or("NONE"),
                "message_template_category": template.category,
            });
            (template.waba_id.clone(), value, url)
        };
        match url {
            Some(url) => {
                let payload = webhooks::envelope(&waba, "message_template_status_update", value);
                Ok(Some(self.shared.post_signed(&url, &payload).await?))
            }
            None => Ok(None),
        }
    }

    /// Stores media (as if a user had sent it); answers its media id.
    pub fn add_media(&self, bytes: Vec<u8>, mime_type: &str) -> String {
        let mut state = self.shared.lock();
        let id = state.next_id();
        state.media.insert(
            id.clone(),
            FakeMedia {
                bytes,
                mime_type: mime_type.into(),
            },
        );
        id
    }

    /// How long media download URLs live.
    pub fn set_media_url_ttl(&self, ttl: Duration) {
        self.shared.lock().media_url_ttl = Some(ttl);
    }

    /// `GET /{MEDIA_ID}` answers this URL instead of one on the fake (e.g. a foreign host).
    pub fn set_media_url_override(&self, url: Option<&str>) {
        self.shared.lock().media_url_override = url.map(str::to_owned);
    }

    /// Media downloads answer `302` to `url`.
    pub fn redirect_media_downloads(&self, url: Option<&str>) {
        self.shared.lock().media_redirect = url.map(str::to_owned);
    }

    /// The next `times` media downloads answer 404 (an expired URL).
    pub fn fail_media_downloads(&self, times: usize) {
        self.shared.lock().media_download_failures = times;
    }

    /// Sends a signed inbound message webhook to `url` for `phone_number_id`, and opens that
    /// user's 24 h window.
    pub async fn deliver_inbound(
        &self,
        url: &str,
        phone_number_id: &str,
        message: &FakeInbound,
    ) -> Result<DeliveredInbound, FakeError> {
        let (waba, display) = self.shared.number_info(phone_number_id)?;
        let wamid = format!("wamid.IN{}", uuid::Uuid::new_v4().simple()).to_uppercase();
        let wamid = wamid.replacen("WAMID.", "wamid.", 1);
        let mut value = webhooks::messages_value(&display, phone_number_id);
        if message.has_contact_block() {
            value["contacts"] = json!([{
                "profile": { "name": message.profile_name.clone().unwrap_or_default() },
                "wa_id": message.from,
            }]);
        }
        value["messages"] = json!([message.to_json(&wamid, chrono::Utc::now().timestamp())]);
        self.open_window(phone_number_id, &message.from);
        let payload = webhooks::envelope(&waba, "messages", value);
        let status = self.shared.post_signed(url, &payload).await?;
        Ok(DeliveredInbound { wamid, status })
    }

    /// Sends one status webhook.
    pub async fn send_status(
        &self,
        url: &str,
        phone_number_id: &str,
        status: StatusSpec,
    ) -> Result<(), FakeError> {
        self.send_statuses(url, phone_number_id, &[status], true)
            .await
    }

    /// Sends several statuses, in one POST when `batch`, else one POST each.
    pub async fn send_statuses(
        &self,
        url: &str,
        phone_number_id: &str,
        statuses: &[StatusSpec],
        batch: bool,
    ) -> Result<(), FakeError> {
        self.shared
            .post_statuses(url, phone_number_id, statuses, batch)
            .await
    }

    /// Meta's `hub.*` verification GET; true when `url` echoed the challenge.
    pub async fn verify_webhook(&self, url: &str, verify_token: &str) -> Result<bool, FakeError> {
        webhooks::handshake(&self.shared.http, url, verify_token).await
    }
}
