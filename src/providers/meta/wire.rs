//! Serde shapes of Meta's JSON (PROVIDERS.md §2). Every field is optional or defaulted and
//! unknown fields are ignored: Meta adds fields without notice.

use serde::Deserialize;
use serde_json::Value;

/// `POST /messages` success.
#[derive(Debug, Deserialize)]
pub(crate) struct SendResponse {
    #[serde(default)]
    pub messages: Vec<SentMessage>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SentMessage {
    pub id: String,
    #[serde(default)]
    pub message_status: Option<String>,
}

/// `GET /{PHONE_NUMBER_ID}`.
#[derive(Debug, Deserialize)]
pub(crate) struct PhoneNumberNode {
    #[serde(default)]
    pub display_phone_number: Option<String>,
    #[serde(default)]
    pub verified_name: Option<String>,
    #[serde(default)]
    pub quality_rating: Option<String>,
}

/// `GET /{MEDIA_ID}`.
#[derive(Debug, Deserialize)]
pub(crate) struct MediaNode {
    pub url: String,
    #[serde(default)]
    pub mime_type: Option<String>,
}

/// One page of `GET /{WABA_ID}/message_templates`.
#[derive(Debug, Deserialize)]
pub(crate) struct TemplatePage {
    #[serde(default)]
    pub data: Vec<TemplateNode>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Paging {
    #[serde(default)]
    pub cursors: Option<Cursors>,
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Cursors {
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TemplateNode {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub rejected_reason: Option<String>,
    #[serde(default)]
    pub components: Vec<Value>,
}

/// `POST /{WABA_ID}/message_templates` success.
#[derive(Debug, Deserialize)]
pub(crate) struct CreatedTemplate {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
}

/// The webhook envelope.
#[derive(Debug, Deserialize)]
pub(crate) struct Notification {
    pub object: Option<String>,
    pub entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Entry {
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Change {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub value: Value,
}

/// `value` of a `messages` change. Messages and statuses stay raw [`Value`]s so that one odd
/// item never fails the whole batch.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct MessagesValue {
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub contacts: Vec<WebhookContact>,
    #[serde(default)]
    pub messages: Vec<Value>,
    #[serde(default)]
    pub statuses: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Metadata {
    #[serde(default)]
    pub phone_number_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WebhookContact {
    #[serde(default)]
    pub wa_id: Option<String>,
    #[serde(default)]
    pub profile: Option<Profile>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Profile {
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /{PHONE_NUMBER_ID}/whatsapp_business_profile`: the profile is `data[0]`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProfilePage {
    #[serde(default)]
    pub data: Vec<ProfileNode>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProfileNode {
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub websites: Vec<String>,
    #[serde(default)]
    pub vertical: Option<String>,
    #[serde(default)]
    pub profile_picture_url: Option<String>,
}

/// `GET /debug_token`: the token's own app, for app uploads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DebugToken {
    #[serde(default)]
    pub data: Option<DebugTokenData>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DebugTokenData {
    /// A string in Meta's answers; a number is taken too.
    #[serde(default)]
    pub app_id: Option<Value>,
}

/// `POST /{APP_ID}/uploads`: the upload session (`upload:…`).
#[derive(Debug, Deserialize)]
pub(crate) struct UploadSession {
    pub id: String,
}

/// `POST /{UPLOAD_SESSION_ID}`: the uploaded file's handle.
#[derive(Debug, Deserialize)]
pub(crate) struct UploadedFile {
    pub h: String,
}
