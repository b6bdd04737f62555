//! The fake's in-memory world: accounts, messages, contents, media, windows, recorded
//! requests and scripted faults. Guarded by one mutex that is never held across an await.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A Twilio account the fake accepts.
pub(crate) struct Account {
    pub friendly_name: String,
    pub auth_token: String,
    pub status: String,
    /// `SK…` → secret.
    pub api_keys: HashMap<String, String>,
    /// E.164 senders onboarded for WhatsApp.
    pub senders: Vec<String>,
    /// A sender's status when it is not `ONLINE`.
    pub sender_statuses: HashMap<String, String>,
}

/// A message the fake accepted.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FakeMessage {
    pub sid: String,
    pub account_sid: String,
    pub messaging_service_sid: Option<String>,
    pub from: String,
    pub to: String,
    pub body: String,
    pub status: String,
    pub num_media: usize,
    pub content_sid: Option<String>,
    pub status_callback: Option<String>,
    pub error_code: Option<u32>,
    pub date_created: String,
    /// `date_created` to the nanosecond, for ordering.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the fake handed the message on; it does so on acceptance.
    pub date_sent: Option<chrono::DateTime<chrono::Utc>>,
}

/// A Content API resource.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Content {
    pub account_sid: String,
    pub friendly_name: String,
    pub language: String,
    pub variables: Value,
    pub types: Value,
    pub approval: Option<Approval>,
    pub date_created: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Approval {
    pub name: String,
    pub category: String,
    pub status: String,
    pub rejection_reason: String,
}

pub(crate) struct Media {
    pub account_sid: String,
    pub message_sid: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Whether the first-try 404 knob already fired for this media.
    pub served_404: bool,
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Decoded form fields (repeated keys kept), for form bodies.
    pub form: Vec<(String, String)>,
    /// The parsed body, for JSON bodies.
    pub json: Option<Value>,
    /// When the fake received it, for rate measurements.
    pub received_at: std::time::Instant,
}

impl RecordedRequest {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a form field.
    pub fn form_value(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated form field, in order.
    pub fn form_values(&self, name: &str) -> Vec<&str> {
        self.form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The Basic auth user and password, if any.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        super::api::decode_basic(self.header("authorization")?)
    }
}

/// A scripted synchronous failure.
#[derive(Clone, Debug)]
pub struct Fault {
    pub status: u16,
    pub code: u32,
    pub message: String,
    pub retry_after: Option<u64>,
}

/// Knobs; the defaults suit the simulator.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Post queued→sent→delivered→read (or a failure) to each `StatusCallback`.
    pub status_callbacks: bool,
    /// Pause between two status callbacks of one message.
    pub callback_delay: Duration,
    /// Send a message's callbacks last-first (Twilio does not guarantee order).
    pub callbacks_reversed: bool,
    /// Send every callback twice (Twilio may duplicate).
    pub callbacks_duplicated: bool,
    /// Statuses whose callback is never sent (`"sent"` is often missing in practice).
    pub callbacks_dropped: Vec<String>,
    /// Answer 404 on the first fetch of each media (Twilio's just-arrived media).
    pub media_first_404: bool,
    /// Where media redirects point (default: the fake's own `/cdn/`).
    pub media_redirect_base: Option<String>,
    /// How long a `/cdn/` link lives.
    pub media_link_ttl: Duration,
    /// Approval status given on submission (`received` like Twilio; `approved` to skip review).
    pub approval_on_submit: String,
    /// How long an accepted send waits before it answers; the message exists meanwhile, so
    /// a client that gives up (or dies) first has still sent it.
    pub answer_delay: Duration,
    /// Senders listed per page of `GET /v2/Channels/Senders`, whatever `PageSize` asks.
    pub senders_page_size: usize,
    /// Where `next_page_url` of the senders list points (default: this fake), to stand in
    /// for an answer that names another host.
    pub senders_next_base: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            status_callbacks: true,
            callback_delay: Duration::from_millis(200),
            callbacks_reversed: false,
            callbacks_duplicated: false,
            callbacks_dropped: Vec::new(),
            media_first_404: false,
            media_redirect_base: None,
            media_link_ttl: Duration::from_secs(4 * 3600),
            approval_on_submit: "received".into(),
            answer_delay: Duration::ZERO,
            senders_page_size: 50,
            senders_next_base: None,
        }
    }
}

#[derive(Default)]
pub(crate) struct State {
    pub accounts: HashMap<String, Account>,
    pub messages: HashMap<String, FakeMessage>,
    pub contents: HashMap<String, Content>,
    /// Creation order of contents, for listing.
    pub content_order: Vec<String>,
    pub media: HashMap<String, Media>,
    /// `/cdn/{token}` → (media sid, expiry).
    pub cdn: HashMap<String, (String, Instant)>,
    /// (account, customer E.164) pairs whose 24 h window is open.
    pub windows: HashSet<(String, String)>,
    pub requests: Vec<RecordedRequest>,
    /// Each entry fails one request.
    pub faults: VecDeque<Fault>,
    /// Each entry makes one accepted send fail later with this code.
    pub async_faults: VecDeque<u32>,
    /// Each entry delays one request.
    pub delays: VecDeque<Duration>,
    pub settings: Settings,
    /// Customer E.164 → the error its messages fail with later.
    pub recipient_failures: HashMap<String, u32>,
}

/// `prefix` + 32 lowercase hex, like every Twilio SID.
pub(crate) fn new_sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// RFC 2822 in GMT, as 2010-04-01 resources show dates.
pub(crate) fn rfc2822_now() -> String {
    rfc2822(chrono::Utc::now())
}

pub(crate) fn rfc2822(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// ISO 8601, as the Content API shows dates.
pub(crate) fn iso_now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
