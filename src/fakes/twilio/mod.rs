//! A fake Twilio (api., content. and messaging.twilio.com on one base URL) for the
//! integration tests and `switchboard simulator`. It checks Basic auth, validates sends like
//! PROVIDERS.md §5 says, records every request, takes scripted faults and sends signed
//! webhooks.
//!
//! Magic recipients: `+15005550001` fails later with 63003 (not on WhatsApp) and
//! `+15005550002` with 63024 (invalid recipient). A free-form send (no `ContentSid`) to a
//! number that has not messaged the account through `deliver_inbound` (or `open_window`)
//! fails later with 63016, like WhatsApp's closed 24-hour window; so does a `ContentSid` send
//! there whose content WhatsApp has not approved.

mod api;
mod content;
mod inbound;
mod media;
mod message_list;
mod messages;
mod state;
mod webhooks;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::json;
use tokio::task::JoinHandle;

pub use self::inbound::InboundParams;
pub use self::messages::{MAGIC_INVALID_RECIPIENT, MAGIC_NOT_ON_WHATSAPP};
use self::state::{iso_now, new_sid, Account, Approval, Content, Media, State};
pub use self::state::{FakeMessage, Fault, RecordedRequest, Settings};
pub use self::webhooks::{status_params, twilio_signature, WebhookDelivery};
use crate::providers::ProviderUrls;

pub(crate) struct Shared {
    state: Mutex<State>,
    base_url: String,
    client: reqwest::Client,
    in_flight: super::InFlight,
}

impl Shared {
    /// The state; a panic elsewhere must not wedge the fake, so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A Content API resource and its WhatsApp approval, as the fake holds it.
#[derive(Clone, Debug)]
pub struct FakeContent {
    pub sid: String,
    pub account_sid: String,
    pub friendly_name: String,
    pub language: String,
    pub types: serde_json::Value,
    /// The template name given on submission.
    pub approval_name: Option<String>,
    pub category: Option<String>,
    /// `unsubmitted`, `received`, `approved`, `rejected`, `paused`, …
    pub approval_status: String,
    pub rejection_reason: Option<String>,
}

/// What outlives a restart of the fake: open windows, contents with their approvals and sent
/// messages (with their status callback URLs); the simulator keeps it in a file.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TwilioSnapshot {
    /// `(account SID, customer E.164)`, sorted.
    windows: Vec<(String, String)>,
    /// In creation order.
    contents: Vec<(String, Content)>,
    /// Oldest first.
    messages: Vec<FakeMessage>,
}

/// A test account's credentials.
#[derive(Clone)]
pub struct FakeAccount {
    pub sid: String,
    pub auth_token: String,
}

/// A running fake Twilio; the server stops when this is dropped.
pub struct FakeTwilio {
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for FakeTwilio {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeTwilio {
    /// Binds `127.0.0.1:0` and serves.
    pub async fn spawn() -> std::io::Result<Self> {
        Self::bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on `addr` (the simulator's fixed port).
    pub async fn bind(addr: std::net::SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            base_url,
            client,
            in_flight: super::InFlight::default(),
        });
        let app = api::router(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "fake twilio stopped");
            }
        });
        Ok(Self { shared, server })
    }

    /// `http://127.0.0.1:<port>`, standing in for all three Twilio hosts.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Provider URLs with every Twilio base on this fake (Meta fields are placeholders).
    pub fn provider_urls(&self) -> ProviderUrls {
        ProviderUrls {
            twilio_api: self.base_url().to_owned(),
            twilio_content: self.base_url().to_owned(),
            twilio_messaging: self.base_url().to_owned(),
            meta_graph: "http://127.0.0.1:9".into(),
            meta_api_version: "v23.0".into(),
        }
    }

    /// A new active account with a random Auth Token and one WhatsApp sender.
    pub fn add_account(&self, friendly_name: &str, sender: &str) -> FakeAccount {
        let account = FakeAccount {
            sid: new_sid("AC"),
            auth_token: uuid::Uuid::new_v4().simple().to_string(),
        };
        self.add_account_with(&account, friendly_name, sender);
        account
    }

    /// Registers an account with chosen credentials (the simulator's fixed demo account).
    pub fn add_account_with(&self, account: &FakeAccount, friendly_name: &str, sender: &str) {
        self.shared.lock().accounts.insert(
            account.sid.clone(),
            Account {
                friendly_name: friendly_name.to_owned(),
                auth_token: account.auth_token.clone(),
                status: "active".into(),
                api_keys: Default::default(),
                senders: vec![sender.to_owned()],
                sender_statuses: Default::default(),
            },
        );
    }

    /// A new API key (`SK…`, secret) for the account.
    pub fn add_api_key(&self, account_sid: &str) -> (String, String) {
        let key = (new_sid("SK"), uuid::Uuid::new_v4().simple().to_string());
        if let Some(a) = self.shared.lock().accounts.get_mut(account_sid) {
            a.api_keys.insert(key.0.clone(), key.1.clone());
        }
        key
    }

    pub fn add_sender(&self, account_sid: &str, sender: &str) {
        if let Some(a) = self.shared.lock().accounts.get_mut(account_sid) {
            a.senders.push(sender.to_owned());
        }
    }

    /// A sender's status in the Senders API (`ONLINE` unless set: `OFFLINE`, `DRAFT`, …).
    pub fn set_sender_status(&self, account_sid: &str, sender: &str, status: &str) {
        if let Some(a) = self.shared.lock().accounts.get_mut(account_sid) {
            a.sender_statuses
                .insert(sender.to_owned(), status.to_owned());
        }
    }

    /// `active`, `suspended` or `closed`.
    pub fn set_account_status(&self, account_sid: &str, status: &str) {
        if let Some(a) = self.shared.lock().accounts.get_mut(account_sid) {
            a.status = status.to_owned();
        }
    }

    /// The next `times` API requests fail with `code`, with its usual HTTP status.
    pub fn fail_next(&self, code: u32, times: usize) {
        let status = match code {
            20003 => 401,
            20404 => 404,
            20429 => 429,
            20500 => 500,
            20503 => 503,
            _ => 400,
        };
        let message = match code {
            20429 => "Too Many Requests",
            20500 => "An internal server error has occurred",
            20503 => "Service unavailable",
            _ => "Scripted failure",
        };
        for _ in 0..times {
            self.fail_next_with(Fault {
                status,
                code,
                message: message.into(),
                retry_after: None,
            });
        }
    }

    /// The next request fails exactly like this.
    pub fn fail_next_with(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// The next `times` requests answer 429/20429 with `Retry-After: retry_after_secs`.
    pub fn rate_limit_next(&self, retry_after_secs: u64, times: usize) {
        for _ in 0..times {
            self.fail_next_with(Fault {
                status: 429,
                code: 20429,
                message: "Too Many Requests".into(),
                retry_after: Some(retry_after_secs),
            });
        }
    }

    /// The next `times` accepted sends fail later with `code` (e.g. 63018) in their callbacks.
    pub fn fail_async_next(&self, code: u32, times: usize) {
        let mut state = self.shared.lock();
        state.async_faults.extend(std::iter::repeat_n(code, times));
    }

    /// The next `times` API requests are answered only after `delay`.
    pub fn delay_next(&self, delay: Duration, times: usize) {
        let mut state = self.shared.lock();
        state.delays.extend(std::iter::repeat_n(delay, times));
    }

    /// Changes the knobs.
    pub fn configure(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut self.shared.lock().settings);
    }

    /// Stores media on a new inbound message of the account; answers its `MediaUrl`.
    pub fn add_media(&self, account_sid: &str, content_type: &str, bytes: Vec<u8>) -> String {
        let (message_sid, media_sid) = (new_sid("MM"), new_sid("ME"));
        self.shared.lock().media.insert(
            media_sid.clone(),
            Media {
                account_sid: account_sid.to_owned(),
                message_sid: message_sid.clone(),
                content_type: content_type.to_owned(),
                bytes,
                served_404: false,
            },
        );
        format!(
            "{}/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}/Media/{media_sid}",
            self.base_url()
        )
    }

    /// Creates a `twilio/text` content directly (test setup); answers its `HX…`.
    pub fn add_content(&self, account_sid: &str, friendly_name: &str, body: &str) -> String {
        let sid = new_sid("HX");
        let mut state = self.shared.lock();
        state.content_order.push(sid.clone());
        state.contents.insert(
            sid.clone(),
            Content {
                account_sid: account_sid.to_owned(),
                friendly_name: friendly_name.to_owned(),
                language: "en".into(),
                variables: json!({}),
                types: json!({"twilio/text": {"body": body}}),
                approval: None,
                date_created: iso_now(),
            },
        );
        sid
    }

    /// Messages to `customer` (E.164) fail later with `code` (e.g. 63003), or no longer.
    pub fn set_recipient_failure(&self, customer: &str, code: Option<u32>) {
        let mut state = self.shared.lock();
        match code {
            Some(code) => state.recipient_failures.insert(customer.to_owned(), code),
            None => state.recipient_failures.remove(customer),
        };
    }

    /// The state worth keeping across a restart.
    pub fn snapshot(&self) -> TwilioSnapshot {
        let state = self.shared.lock();
        let mut windows: Vec<(String, String)> = state.windows.iter().cloned().collect();
        windows.sort();
        let mut messages: Vec<FakeMessage> = state.messages.values().cloned().collect();
        messages.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.sid.cmp(&b.sid)));
        TwilioSnapshot {
            windows,
            contents: state
                .content_order
                .iter()
                .filter_map(|sid| Some((sid.clone(), state.contents.get(sid)?.clone())))
                .collect(),
            messages,
        }
    }

    /// Takes back a [`TwilioSnapshot`].
    pub fn restore(&self, snapshot: TwilioSnapshot) {
        let mut state = self.shared.lock();
        state.windows = snapshot.windows.into_iter().collect();
        state.content_order = snapshot
            .contents
            .iter()
            .map(|(sid, _)| sid.clone())
            .collect();
        state.contents = snapshot.contents.into_iter().collect();
        state.messages = snapshot
            .messages
            .into_iter()
            .map(|m| (m.sid.clone(), m))
            .collect();
    }

    /// Every content, in creation order, with its WhatsApp approval.
    pub fn contents(&self) -> Vec<FakeContent> {
        let state = self.shared.lock();
        state
            .content_order
            .iter()
            .filter_map(|sid| {
                let c = state.contents.get(sid)?;
                Some(FakeContent {
                    sid: sid.clone(),
                    account_sid: c.account_sid.clone(),
                    friendly_name: c.friendly_name.clone(),
                    language: c.language.clone(),
                    types: c.types.clone(),
                    approval_name: c.approval.as_ref().map(|a| a.name.clone()),
                    category: c.approval.as_ref().map(|a| a.category.clone()),
                    approval_status: c
                        .approval
                        .as_ref()
                        .map_or_else(|| "unsubmitted".to_owned(), |a| a.status.clone()),
                    rejection_reason: c
                        .approval
                        .as_ref()
                        .map(|a| a.rejection_reason.clone())
                        .filter(|r| !r.is_empty()),
                })
            })
            .collect()
    }

    /// Moves a content's WhatsApp approval (`received`, `approved`, `rejected`, …).
    pub fn set_approval(&self, content_sid: &str, status: &str, rejection_reason: &str) {
        if let Some(c) = self.shared.lock().contents.get_mut(content_sid) {
            let previous = c.approval.take();
            c.approval = Some(Approval {
                name: previous
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| c.friendly_name.clone()),
                category: previous
                    .map(|a| a.category)
                    .unwrap_or_else(|| "UTILITY".into()),
                status: status.to_owned(),
                rejection_reason: rejection_reason.to_owned(),
            });
        }
    }

    /// Opens the 24-hour window for `customer` (E.164) on the account.
    pub fn open_window(&self, account_sid: &str, customer: &str) {
        self.shared
            .lock()
            .windows
            .insert((account_sid.to_owned(), customer.to_owned()));
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// The requests whose path ends with `suffix`.
    pub fn requests_to(&self, suffix: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.ends_with(suffix))
            .collect()
    }

    /// Every message the fake accepted, oldest first.
    pub fn messages(&self) -> Vec<FakeMessage> {
        let mut all: Vec<FakeMessage> = self.shared.lock().messages.values().cloned().collect();
        all.sort_by_key(|m| m.created_at);
        all
    }

    /// API requests received and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.count()
    }

    /// A sent message as the fake holds it (status follows the callbacks).
    pub fn message(&self, sid: &str) -> Option<FakeMessage> {
        self.shared.lock().messages.get(sid).cloned()
    }

    /// Posts a signed inbound message to `url` and opens the sender's 24-hour window.
    pub async fn deliver_inbound(
        &self,
        url: &str,
        auth_token: &str,
        params: &InboundParams,
    ) -> Result<WebhookDelivery, reqwest::Error> {
        if let (Some(account), Some(from)) = (params.get("AccountSid"), params.get("From")) {
            let customer = from.strip_prefix("whatsapp:").unwrap_or(from);
            self.open_window(account, customer);
        }
        webhooks::post_signed(&self.shared.client, url, auth_token, params.params()).await
    }

    /// Posts signed status-callback parameters (see [`status_params`]) to `url`.
    pub async fn send_status(
        &self,
        url: &str,
        auth_token: &str,
        params: &[(String, String)],
    ) -> Result<WebhookDelivery, reqwest::Error> {
        webhooks::post_signed(&self.shared.client, url, auth_token, params).await
    }
}
