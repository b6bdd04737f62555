//! The business profile of a Cloud API number:
//! `GET /{PHONE_NUMBER_ID}/whatsapp_business_profile?fields=…` answers `{"data":[{…}]}`;
//! `POST` the same path with `messaging_product: "whatsapp"` and the fields to change
//! answers `{"success":true}`.
//!
//! A new photo goes by a `profile_picture_handle` from the Resumable Upload API
//! (<https://developers.facebook.com/docs/graph-api/guides/upload>): `POST
//! /{APP_ID}/uploads?file_length&file_type` opens a session `{"id":"upload:…"}`, then `POST
//! /{session id}` with the bytes, the `file_offset: 0` header and `Authorization: OAuth
//! <token>` (Meta documents both as headers, never query parameters) answers `{"h":"…"}`.
//! The app id comes from `debug_token` on the channel's own token; when that does not
//! name one, the `app` alias (the token's own app, as Meta's Postman collection uses it)
//! stands in.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

use super::client::{decode, MetaProvider};
use super::wire::{DebugToken, ProfileNode, ProfilePage, UploadSession, UploadedFile};
use crate::domain::business_profile::{BusinessProfile, BusinessVertical, ProfileChanges};
use crate::providers::{ProfilePhoto, ProviderError};

/// The fields read; Meta answers only those asked for.
const PROFILE_FIELDS: &str =
    "about,address,description,email,profile_picture_url,websites,vertical";

/// Meta's vertical codes.
const VERTICALS: [(BusinessVertical, &str); 19] = [
    (BusinessVertical::Undefined, "UNDEFINED"),
    (BusinessVertical::Other, "OTHER"),
    (BusinessVertical::Auto, "AUTO"),
    (BusinessVertical::Beauty, "BEAUTY"),
    (BusinessVertical::Apparel, "APPAREL"),
    (BusinessVertical::Edu, "EDU"),
    (BusinessVertical::Entertain, "ENTERTAIN"),
    (BusinessVertical::EventPlan, "EVENT_PLAN"),
    (BusinessVertical::Finance, "FINANCE"),
    (BusinessVertical::Grocery, "GROCERY"),
    (BusinessVertical::Govt, "GOVT"),
    (BusinessVertical::Hotel, "HOTEL"),
    (BusinessVertical::Health, "HEALTH"),
    (BusinessVertical::Nonprofit, "NONPROFIT"),
    (BusinessVertical::ProfServices, "PROF_SERVICES"),
    (BusinessVertical::Retail, "RETAIL"),
    (BusinessVertical::Travel, "TRAVEL"),
    (BusinessVertical::Restaurant, "RESTAURANT"),
    (BusinessVertical::NotABiz, "NOT_A_BIZ"),
];

/// Meta's code for a vertical.
pub fn vertical_code(vertical: BusinessVertical) -> &'static str {
    VERTICALS
        .iter()
        .find(|(v, _)| *v == vertical)
        .map_or("OTHER", |(_, code)| code)
}

/// The vertical of a Meta code; `None` for one this build does not know.
pub fn vertical_of(code: &str) -> Option<BusinessVertical> {
    VERTICALS
        .iter()
        .find(|(_, c)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(v, _)| *v)
}

impl From<ProfileNode> for BusinessProfile {
    fn from(node: ProfileNode) -> Self {
        let vertical = node.vertical.as_deref().and_then(|code| {
            let known = vertical_of(code);
            if known.is_none() {
                tracing::debug!(
                    vertical = code,
                    "Meta answered a vertical this build does not know"
                );
            }
            known
        });
        let present = |value: Option<String>| value.filter(|v| !v.is_empty());
        BusinessProfile {
            about: present(node.about),
            address: present(node.address),
            description: present(node.description),
            email: present(node.email),
            websites: node.websites,
            vertical,
            photo_url: present(node.profile_picture_url),
        }
    }
}

/// The update body: `messaging_product` and only the fields that change.
pub(super) fn update_body(changes: &ProfileChanges, photo_handle: Option<&str>) -> Value {
    let mut body = json!({ "messaging_product": "whatsapp" });
    let texts = [
        ("about", &changes.about),
        ("address", &changes.address),
        ("description", &changes.description),
        ("email", &changes.email),
    ];
    for (key, value) in texts {
        if let Some(value) = value {
            body[key] = json!(value);
        }
    }
    if let Some(websites) = &changes.websites {
        body["websites"] = json!(websites);
    }
    if let Some(vertical) = changes.vertical {
        body["vertical"] = json!(vertical_code(vertical));
    }
    if let Some(handle) = photo_handle {
        body["profile_picture_handle"] = json!(handle);
    }
    body
}

impl MetaProvider {
    fn profile_url(&self) -> String {
        self.api_url(&format!(
            "{}/whatsapp_business_profile",
            self.credentials.phone_number_id
        ))
    }

    pub(super) async fn read_profile(&self) -> Result<BusinessProfile, ProviderError> {
        let page: ProfilePage = self
            .get_json(&self.profile_url(), &[("fields", PROFILE_FIELDS)])
            .await?;
        Ok(page.data.into_iter().next().unwrap_or_default().into())
    }

    pub(super) async fn write_profile(
        &self,
        changes: &ProfileChanges,
        photo: Option<&ProfilePhoto>,
    ) -> Result<(), ProviderError> {
        let handle = match photo {
            Some(photo) => Some(self.upload_for_handle(photo).await?),
            None => None,
        };
        let body = update_body(changes, handle.as_deref());
        let _: Value = self.post_json(&self.profile_url(), &body).await?;
        Ok(())
    }

    /// Uploads `photo` through the Resumable Upload API in one piece; answers its handle.
    async fn upload_for_handle(&self, photo: &ProfilePhoto) -> Result<String, ProviderError> {
        let app = self.app_id().await;
        let length = photo.bytes.len().to_string();
        let session: UploadSession = self
            .execute(
                self.request(Method::POST, &self.api_url(&format!("{app}/uploads")))
                    .query(&[
                        ("file_length", length.as_str()),
                        ("file_type", photo.content_type.as_str()),
                    ]),
            )
            .await
            .and_then(|answer| decode(&answer.body))?;
        if !is_session_id(&session.id) {
            return Err(ProviderError::Rejected {
                code: "invalid_response".into(),
                message: "the upload session id is not an upload:… id".into(),
            });
        }
        let request = self
            .http
            .request(Method::POST, self.api_url(&session.id))
            .header(
                AUTHORIZATION,
                format!("OAuth {}", self.credentials.access_token.expose()),
            )
            .header("file_offset", "0")
            .header(CONTENT_TYPE, photo.content_type.as_str())
            .body(photo.bytes.clone())
            .timeout(self.timeout);
        let uploaded: UploadedFile = decode(&self.execute(request).await?.body)?;
        Ok(uploaded.h)
    }

    /// The id of the token's app, or the `app` alias when `debug_token` does not say.
    async fn app_id(&self) -> String {
        let token = self.credentials.access_token.expose();
        let answer: Result<DebugToken, _> = self
            .get_json(&self.api_url("debug_token"), &[("input_token", token)])
            .await;
        let id = answer.ok().and_then(|t| t.data).and_then(|d| d.app_id);
        match id {
            Some(Value::String(id)) if is_app_id(&id) => id,
            Some(Value::Number(id)) => id.to_string(),
            _ => "app".to_owned(),
        }
    }
}

fn is_app_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_digit())
}

/// An upload session id as Meta answers it: `upload:<opaque>?sig=<signature>`, used as the
/// path of the next request on the Graph host, so nothing in it may leave that path.
fn is_session_id(id: &str) -> bool {
    id.strip_prefix("upload:").is_some_and(|rest| {
        !rest.is_empty()
            && !rest.contains("..")
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=+/:?&.%".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vertical_has_one_code_that_reads_back() {
        for (vertical, code) in VERTICALS {
            assert_eq!(vertical_code(vertical), code);
            assert_eq!(vertical_of(code), Some(vertical));
        }
        assert_eq!(vertical_of("retail"), Some(BusinessVertical::Retail));
        assert_eq!(vertical_of("SPACE_TRAVEL"), None);
    }

    #[test]
    fn the_update_body_names_only_what_changes() {
        let changes = ProfileChanges {
            about: Some("Plants".into()),
            websites: Some(vec![]),
            vertical: Some(BusinessVertical::ProfServices),
            ..ProfileChanges::default()
        };
        assert_eq!(
            update_body(&changes, Some("2:abc")),
            json!({ "messaging_product": "whatsapp", "about": "Plants", "websites": [],
                    "vertical": "PROF_SERVICES", "profile_picture_handle": "2:abc" })
        );
    }

    #[test]
    fn session_ids_stay_on_their_path() {
        assert!(is_session_id("upload:MTphdHRh=?sig=ARZqkGCA_uQ"));
        assert!(!is_session_id("upload:"));
        assert!(!is_session_id("uploads:x"));
        assert!(!is_session_id("upload:../../me"));
        assert!(!is_session_id("upload:x#y"));
        assert!(!is_session_id("upload:x y"));
    }

    #[test]
    fn empty_fields_read_as_absent() {
        let node = ProfileNode {
            about: Some("Hi".into()),
            email: Some(String::new()),
            vertical: Some("NOT_YET_KNOWN".into()),
            ..ProfileNode::default()
        };
        let profile = BusinessProfile::from(node);
        assert_eq!(profile.about.as_deref(), Some("Hi"));
        assert_eq!(profile.email, None);
        assert_eq!(profile.vertical, None);
    }
}
