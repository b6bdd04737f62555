//! The fake's business profiles, one per phone number id:
//! - `GET|POST /{v}/{PNID}/whatsapp_business_profile`: read (`{"data":[{…}]}`, only the
//!   asked `fields`) and change (`messaging_product` required, WhatsApp's limits checked,
//!   errors in Graph shape, nothing applied unless everything is valid), the photo by a
//!   handle from the fake's Resumable Upload API (`uploads`);
//! - `GET /pps/{token}`: the public photo the profile's `profile_picture_url` points at.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::server::GraphErr;
use super::state::FakeMedia;
use super::uploads::{UploadSession, Uploaded};
use super::{FakeMeta, Shared};

/// The fake's app id, as `debug_token` answers it.
pub const FAKE_APP_ID: &str = "100000000000001";
/// Where profile photos are served on the fake host (Meta: `pps.whatsapp.net`).
pub(super) const PHOTO_PATH: &str = "/pps";

const FIELDS: [&str; 8] = [
    "about",
    "address",
    "description",
    "email",
    "profile_picture_url",
    "websites",
    "vertical",
    "messaging_product",
];
const VERTICALS: [&str; 18] = [
    "OTHER",
    "AUTO",
    "BEAUTY",
    "APPAREL",
    "EDU",
    "ENTERTAIN",
    "EVENT_PLAN",
    "FINANCE",
    "GROCERY",
    "GOVT",
    "HOTEL",
    "HEALTH",
    "NONPROFIT",
    "PROF_SERVICES",
    "RETAIL",
    "TRAVEL",
    "RESTAURANT",
    "NOT_A_BIZ",
];
/// A number's business profile on the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeProfile {
    pub about: Option<String>,
    pub address: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub websites: Vec<String>,
    /// `UNDEFINED` until set.
    pub vertical: String,
    /// The upload handle the current photo came from.
    pub picture_handle: Option<String>,
    pub profile_picture_url: Option<String>,
}

impl Default for FakeProfile {
    fn default() -> Self {
        Self {
            about: Some("Hey there! I am using WhatsApp.".into()),
            address: None,
            description: None,
            email: None,
            websites: Vec::new(),
            vertical: "UNDEFINED".into(),
            picture_handle: None,
            profile_picture_url: None,
        }
    }
}

/// The profile and upload part of the fake's state.
#[derive(Default)]
pub(super) struct Profiles {
    pub profiles: HashMap<String, FakeProfile>,
    pub(super) sessions: HashMap<String, UploadSession>,
    pub(super) handles: HashMap<String, Uploaded>,
    photos: HashMap<String, FakeMedia>,
}

type Params = Query<Vec<(String, String)>>;

pub(super) fn invalid(details: impl Into<String>) -> GraphErr {
    GraphErr::new(400, 100, "Invalid parameter").details(details)
}

pub(super) fn random(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::thread_rng().gen()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// The token of an `Authorization: Bearer|OAuth <token>` header.
pub(super) fn token_of(headers: &HeaderMap) -> String {
    super::server::token(headers, None).unwrap_or_default()
}

pub(super) async fn read(
    State(shared): State<Arc<Shared>>,
    Path((_version, pnid)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let state = shared.lock();
    if !state.token_owns(&token_of(&headers), &pnid) || state.number(&pnid).is_none() {
        return GraphErr::unknown_object(&pnid).into_response();
    }
    let asked = params
        .0
        .iter()
        .find(|(k, _)| k == "fields")
        .map(|(_, v)| v.clone());
    let fields: Vec<&str> = match &asked {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect(),
        None => FIELDS.to_vec(),
    };
    if let Some(unknown) = fields.iter().find(|f| !FIELDS.contains(f)) {
        return GraphErr::new(
            400,
            100,
            &format!(
                "Tried accessing nonexisting field ({unknown}) on node type (WhatsAppBusinessProfile)"
            ),
        )
        .into_response();
    }
    let profile = state
        .profiles
        .profiles
        .get(&pnid)
        .cloned()
        .unwrap_or_default();
    let all = json!({
        "messaging_product": "whatsapp",
        "about": profile.about,
        "address": profile.address,
        "description": profile.description,
        "email": profile.email,
        "websites": (!profile.websites.is_empty()).then_some(profile.websites),
        "vertical": profile.vertical,
        "profile_picture_url": profile.profile_picture_url,
    });
    let mut node = Map::new();
    node.insert("messaging_product".into(), json!("whatsapp"));
    for field in fields {
        if let Some(value) = all.get(field).filter(|v| !v.is_null()) {
            node.insert(field.to_owned(), value.clone());
        }
    }
    Json(json!({ "data": [Value::Object(node)] })).into_response()
}

pub(super) async fn update(
    State(shared): State<Arc<Shared>>,
    Path((_version, pnid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = token_of(&headers);
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = shared.lock();
    if !state.token_owns(&token, &pnid) || state.number(&pnid).is_none() {
        return GraphErr::unknown_object(&pnid).into_response();
    }
    let mut profile = state
        .profiles
        .profiles
        .get(&pnid)
        .cloned()
        .unwrap_or_default();
    let photo = match apply(&mut profile, &body) {
        Ok(photo) => photo,
        Err(error) => return error.into_response(),
    };
    if let Some(handle) = photo {
        let uploaded = match state.profiles.handles.get(&handle) {
            Some(uploaded) if uploaded.token == token => uploaded.clone(),
            _ => {
                return invalid("profile_picture_handle is not a valid upload handle")
                    .into_response()
            }
        };
        if !["image/jpeg", "image/jpg", "image/png"].contains(&uploaded.file.mime_type.as_str()) {
            return invalid("the profile picture must be a JPEG or PNG image").into_response();
        }
        let photo_token = random(12);
        profile.profile_picture_url =
            Some(format!("{}{PHOTO_PATH}/{photo_token}", shared.base_url));
        profile.picture_handle = Some(handle);
        state.profiles.photos.insert(photo_token, uploaded.file);
    }
    state.profiles.profiles.insert(pnid, profile);
    Json(json!({ "success": true })).into_response()
}

/// Applies a valid update body to `profile`; answers the photo handle it names.
fn apply(profile: &mut FakeProfile, body: &Value) -> Result<Option<String>, GraphErr> {
    let object = body
        .as_object()
        .ok_or_else(|| invalid("the body is not a JSON object"))?;
    if object.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return Err(GraphErr::new(
            400,
            100,
            "The parameter messaging_product is required.",
        ));
    }
    let text = |key: &str, max: usize, empty_ok: bool| -> Result<Option<String>, GraphErr> {
        let Some(value) = object.get(key) else {
            return Ok(None);
        };
        let value = value
            .as_str()
            .ok_or_else(|| invalid(format!("Param {key} must be a string")))?;
        let count = value.chars().count();
        if count > max || (!empty_ok && count == 0) {
            let low = if empty_ok { 0 } else { 1 };
            return Err(invalid(format!(
                "Param {key} must be between {low} and {max} characters long"
            )));
        }
        Ok(Some(value.to_owned()))
    };
    let about = text("about", 139, false)?;
    let address = text("address", 256, true)?;
    let description = text("description", 512, true)?;
    let email = text("email", 128, true)?;
    if let Some(email) = &email {
        let valid = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(' ')
        });
        if !email.is_empty() && !valid {
            return Err(invalid("Param email must be a valid email address"));
        }
    }
    let websites = match object.get("websites") {
        None => None,
        Some(value) => Some(websites(value)?),
    };
    let vertical = match object.get("vertical") {
        None => None,
        Some(value) => match value.as_str() {
            Some(v) if VERTICALS.contains(&v) => Some(v.to_owned()),
            _ => {
                return Err(invalid(format!(
                    "Param vertical must be one of {{{}}}",
                    VERTICALS.join(", ")
                )))
            }
        },
    };
    let handle = match object.get("profile_picture_handle") {
        None => None,
        Some(value) => Some(
            value
                .as_str()
                .filter(|h| !h.is_empty())
                .ok_or_else(|| invalid("profile_picture_handle must be a string"))?
                .to_owned(),
        ),
    };
    let known = [
        "messaging_product",
        "about",
        "address",
        "description",
        "email",
        "websites",
        "vertical",
        "profile_picture_handle",
    ];
    if let Some(key) = object.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(invalid(format!("Param {key} is not a valid parameter")));
    }
    let clear = |value: String| (!value.is_empty()).then_some(value);
    if let Some(about) = about {
        profile.about = Some(about);
    }
    if let Some(address) = address {
        profile.address = clear(address);
    }
    if let Some(description) = description {
        profile.description = clear(description);
    }
    if let Some(email) = email {
        profile.email = clear(email);
    }
    if let Some(websites) = websites {
        profile.websites = websites;
    }
    if let Some(vertical) = vertical {
        profile.vertical = vertical;
    }
    Ok(handle)
}

fn websites(value: &Value) -> Result<Vec<String>, GraphErr> {
    let list = value
        .as_array()
        .ok_or_else(|| invalid("Param websites must be an array"))?;
    if list.len() > 2 {
        return Err(invalid("Param websites must have at most 2 elements"));
    }
    list.iter()
        .map(|site| {
            let site = site
                .as_str()
                .ok_or_else(|| invalid("Param websites[] must be a string"))?;
            let lower = site.to_ascii_lowercase();
            if site.chars().count() > 256
                || !(lower.starts_with("http://") || lower.starts_with("https://"))
            {
                return Err(invalid(
                    "Param websites[] must be a URL starting with http:// or https://, at most 256 characters",
                ));
            }
            Ok(site.to_owned())
        })
        .collect()
}

/// `GET /pps/{token}`: a profile photo, public like WhatsApp's CDN.
pub(super) async fn photo(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Response {
    match shared.lock().profiles.photos.get(&token) {
        Some(photo) => (
            [(header::CONTENT_TYPE, photo.mime_type.clone())],
            photo.bytes.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

impl FakeMeta {
    /// The business profile of `phone_number_id` as the fake holds it.
    pub fn business_profile(&self, phone_number_id: &str) -> FakeProfile {
        self.shared
            .lock()
            .profiles
            .profiles
            .get(phone_number_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Replaces the business profile of `phone_number_id`.
    pub fn set_business_profile(&self, phone_number_id: &str, profile: FakeProfile) {
        self.shared
            .lock()
            .profiles
            .profiles
            .insert(phone_number_id.to_owned(), profile);
    }
}
