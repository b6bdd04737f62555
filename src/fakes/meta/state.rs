//! The fake's memory: registered numbers, recorded requests, scripted faults, sent messages,
//! conversation windows, templates and media. Guarded by one mutex that is never held across
//! an `.await`.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A WhatsApp number registered on the fake, with the token that may use it.
#[derive(Clone, Debug)]
pub struct FakePhoneNumber {
    pub phone_number_id: String,
    pub waba_id: String,
    pub access_token: String,
    /// As Meta shows it: `+1 555-555-0100`.
    pub display_phone_number: String,
    pub verified_name: String,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality_rating: String,
}

impl FakePhoneNumber {
    /// A number with plausible defaults for the display fields.
    pub fn new(phone_number_id: &str, waba_id: &str, access_token: &str) -> Self {
        Self {
            phone_number_id: phone_number_id.into(),
            waba_id: waba_id.into(),
            access_token: access_token.into(),
            display_phone_number: "+1 555-555-0100".into(),
            verified_name: "Switchboard Test".into(),
            quality_rating: "GREEN".into(),
        }
    }
}

/// One request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON (or a form as a JSON object), when it parses.
    pub body: Option<Value>,
    pub raw_body: Vec<u8>,
    /// When the fake received it, for rate measurements.
    pub received_at: Instant,
}

impl RecordedRequest {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A scripted misbehaviour for the next API call(s).
#[derive(Clone, Debug)]
pub enum Fault {
    /// A Graph error body with this code and HTTP status.
    Graph {
        http_status: u16,
        code: i64,
        message: String,
        is_transient: Option<bool>,
        /// Sent as `Retry-After` (seconds).
        retry_after: Option<u64>,
    },
    /// A bare 5xx with an HTML body, as a load balancer would answer.
    ServerError { http_status: u16 },
    /// Answer normally, but only after this long.
    Delay(Duration),
}

impl Fault {
    /// The error Meta gives for `code`, with its usual HTTP status and wording.
    pub fn graph(code: i64) -> Self {
        let (http_status, message) = match code {
            1 => (500, "An unknown error occurred"),
            2 => (503, "Service temporarily unavailable"),
            4 => (400, "Application request limit reached"),
            190 => (
                401,
                "Invalid OAuth access token - Cannot parse access token",
            ),
            80007 => (400, "Rate limit issues"),
            130429 => (429, "Rate limit hit"),
            131000 => (500, "Something went wrong"),
            131026 => (400, "Message undeliverable"),
            131047 => (400, "Re-engagement message"),
            131050 => (400, "User has stopped marketing messages"),
            131056 => (
                400,
                "(Business Account, Consumer Account) pair rate limit hit",
            ),
            132000 => (
                400,
                "Number of parameters does not match the expected number of params",
            ),
            132001 => (404, "Template name does not exist in the translation"),
            _ => (400, "Invalid parameter"),
        };
        Fault::Graph {
            http_status,
            code,
            message: message.into(),
            is_transient: None,
            retry_after: None,
        }
    }

    /// A throttling answer: `code` (130429, 131056, 80007, 4) on `http_status` (429 or 400).
    pub fn throttled(code: i64, http_status: u16, retry_after_secs: Option<u64>) -> Self {
        match Fault::graph(code) {
            Fault::Graph { message, .. } => Fault::Graph {
                http_status,
                code,
                message,
                is_transient: None,
                retry_after: retry_after_secs,
            },
            other => other,
        }
    }
}

/// A message the fake accepted.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FakeSentMessage {
    pub wamid: String,
    pub phone_number_id: String,
    /// Digits, as Meta reports `wa_id`.
    pub to: String,
    /// The `type` field.
    pub kind: String,
    pub body: Value,
    pub correlation: Option<String>,
    /// When the fake accepted it, Unix milliseconds.
    #[serde(default)]
    pub sent_at: i64,
    /// The furthest status the fake reported for it (`sent`, `delivered`, `read`, `failed`),
    /// empty before the first.
    #[serde(default)]
    pub status: String,
}

/// A template in the fake's store.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FakeTemplate {
    pub id: String,
    pub waba_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, …
    pub status: String,
    pub rejected_reason: Option<String>,
    /// `POSITIONAL` or `NAMED`.
    pub parameter_format: String,
    pub components: Value,
}

impl FakeTemplate {
    /// The BODY component's text.
    pub fn body_text(&self) -> &str {
        self.components
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
            })
            .and_then(|c| c.get("text"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// Stored media and its download tokens.
#[derive(Clone, Debug)]
pub struct FakeMedia {
    pub bytes: Vec<u8>,
    pub mime_type: String,
}

/// How the fake sends status webhooks after a send.
#[derive(Clone, Debug)]
pub struct StatusKnobs {
    /// Send statuses at all (needs a webhook URL).
    pub auto: bool,
    /// Include `read` after `delivered`.
    pub read: bool,
    /// All statuses of a message in one POST instead of one POST each.
    pub batch: bool,
    /// Send them newest first.
    pub reorder: bool,
    /// Send every status twice.
    pub duplicate: bool,
}

impl Default for StatusKnobs {
    fn default() -> Self {
        Self {
            auto: true,
            read: true,
            batch: false,
            reorder: false,
            duplicate: false,
        }
    }
}

#[derive(Default)]
pub(super) struct State {
    pub numbers: Vec<FakePhoneNumber>,
    pub requests: Vec<RecordedRequest>,
    pub faults: VecDeque<Fault>,
    pub sent: Vec<FakeSentMessage>,
    /// `(phone_number_id, wa_id)` → when the user last wrote.
    pub windows: HashMap<(String, String), Instant>,
    pub templates: Vec<FakeTemplate>,
    pub media: HashMap<String, FakeMedia>,
    /// Download token → (media id, expiry).
    pub media_tokens: HashMap<String, (String, Instant)>,
    pub media_url_ttl: Option<Duration>,
    /// Answer this URL from `GET /{MEDIA_ID}` instead of the fake's own.
    pub media_url_override: Option<String>,
    /// Downloads answer 302 to this URL.
    pub media_redirect: Option<String>,
    /// The next N downloads answer 404.
    pub media_download_failures: usize,
    pub webhook_url: Option<String>,
    pub app_secret: String,
    pub status_knobs: StatusKnobs,
    pub webhook_retries: usize,
    /// Pause before answering an accepted send.
    pub answer_delay: Duration,
    pub webhooks: Vec<super::webhooks::SentWebhook>,
    /// Build template `paging.next` URLs on this base instead of the fake's own.
    pub template_next_base: Option<String>,
    pub counter: u64,
    /// wa_id → the error its messages fail with later (131026 always, 131050 templates).
    pub recipient_failures: HashMap<String, i64>,
    /// Business profiles, upload sessions and their files.
    pub profiles: super::profile::Profiles,
}

impl State {
    /// A fresh numeric-looking id.
    pub fn next_id(&mut self) -> String {
        self.counter += 1;
        format!("{}", 1_000_000_000_000_000u64 + self.counter)
    }

    pub fn number(&self, phone_number_id: &str) -> Option<&FakePhoneNumber> {
        self.numbers
            .iter()
            .find(|n| n.phone_number_id == phone_number_id)
    }

    pub fn token_known(&self, token: &str) -> bool {
        self.numbers.iter().any(|n| n.access_token == token)
    }

    /// Whether `token` may act on `object_id` (a phone number id or WABA id).
    pub fn token_owns(&self, token: &str, object_id: &str) -> bool {
        self.numbers.iter().any(|n| {
            n.access_token == token && (n.phone_number_id == object_id || n.waba_id == object_id)
        })
    }

    pub fn window_open(&self, phone_number_id: &str, wa_id: &str) -> bool {
        self.windows
            .get(&(phone_number_id.to_owned(), wa_id.to_owned()))
            .is_some_and(|at| at.elapsed() < Duration::from_secs(24 * 3600))
    }
}
