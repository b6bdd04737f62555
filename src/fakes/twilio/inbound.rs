//! Builders for inbound-message webhooks with every §1.4 field family, shaped like real
//! captures. Deliver them with `FakeTwilio::deliver_inbound`.

use super::state::new_sid;

/// The form parameters of one inbound WhatsApp message.
#[derive(Clone, Debug)]
pub struct InboundParams {
    params: Vec<(String, String)>,
}

impl InboundParams {
    /// A text message from `from` (customer, E.164) to `to` (our sender, E.164).
    pub fn text(account_sid: &str, from: &str, to: &str, body: &str) -> Self {
        let sid = new_sid("SM");
        let wa_id = from.trim_start_matches('+');
        let metadata =
            format!(r#"{{"type":"whatsapp","data":{{"context":{{}},"wa_id":"{wa_id}"}}}}"#);
        let params = [
            ("SmsMessageSid", sid.as_str()),
            ("NumMedia", "0"),
            ("ProfileName", "Ana"),
            ("MessageType", "text"),
            ("SmsSid", sid.as_str()),
            ("WaId", wa_id),
            ("SmsStatus", "received"),
            ("Body", body),
            ("To", &format!("whatsapp:{to}")),
            ("NumSegments", "1"),
            ("ReferralNumMedia", "0"),
            ("MessageSid", sid.as_str()),
            ("AccountSid", account_sid),
            ("ChannelMetadata", &metadata),
            ("From", &format!("whatsapp:{from}")),
            ("ApiVersion", "2010-04-01"),
        ];
        Self {
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// Media: `(MediaUrl, MediaContentType)` pairs (use `FakeTwilio::add_media` for URLs the
    /// fake serves) and an optional caption.
    pub fn media(
        account_sid: &str,
        from: &str,
        to: &str,
        caption: &str,
        media: &[(String, String)],
    ) -> Self {
        let kind = media
            .first()
            .map(|(_, ct)| match ct.split('/').next().unwrap_or_default() {
                "image" if ct == "image/webp" => "sticker",
                "image" => "image",
                "video" => "video",
                "audio" => "audio",
                _ => "document",
            })
            .unwrap_or("text");
        let mut me = Self::text(account_sid, from, to, caption)
            .set("MessageType", kind)
            .set("NumMedia", &media.len().to_string());
        let sid = new_sid("MM");
        me = me
            .set("MessageSid", &sid)
            .set("SmsMessageSid", &sid)
            .set("SmsSid", &sid);
        for (i, (url, content_type)) in media.iter().enumerate() {
            me = me
                .set(&format!("MediaUrl{i}"), url)
                .set(&format!("MediaContentType{i}"), content_type);
        }
        me
    }

    /// A shared location pin.
    pub fn location(
        account_sid: &str,
        from: &str,
        to: &str,
        lat: f64,
        lng: f64,
        label: &str,
        address: &str,
    ) -> Self {
        Self::text(account_sid, from, to, "")
            .set("MessageType", "location")
            .set("Latitude", &lat.to_string())
            .set("Longitude", &lng.to_string())
            .set("Label", label)
            .set("Address", address)
    }

    /// A template quick-reply button press.
    pub fn template_button(
        account_sid: &str,
        from: &str,
        to: &str,
        text: &str,
        payload: &str,
    ) -> Self {
        Self::text(account_sid, from, to, text)
            .set("MessageType", "button")
            .set("ButtonText", text)
            .set("ButtonPayload", payload)
    }

    /// A reply to a session quick-reply (interactive) message.
    pub fn quick_reply(account_sid: &str, from: &str, to: &str, text: &str, id: &str) -> Self {
        Self::text(account_sid, from, to, text)
            .set("MessageType", "interactive")
            .set("ButtonText", text)
            .set("ButtonPayload", id)
    }

    /// A message type the adapter does not know, without a body.
    pub fn unsupported(account_sid: &str, from: &str, to: &str, message_type: &str) -> Self {
        Self::text(account_sid, from, to, "").set("MessageType", message_type)
    }

    /// Quotes one of our messages.
    pub fn replying_to(self, message_sid: &str, sender: &str) -> Self {
        self.set("OriginalRepliedMessageSid", message_sid).set(
            "OriginalRepliedMessageSender",
            &format!("whatsapp:{sender}"),
        )
    }

    pub fn forwarded(self) -> Self {
        self.set("Forwarded", "true")
    }

    /// Came from a click-to-WhatsApp ad.
    pub fn with_referral(self, source_url: &str, headline: &str) -> Self {
        self.set("ReferralSourceUrl", source_url)
            .set("ReferralSourceId", "120200000000000")
            .set("ReferralSourceType", "ad")
            .set("ReferralHeadline", headline)
            .set("ReferralBody", "Tap to chat")
            .set("ReferralCtwaClid", "ARAkLkA8rmlFeiCktEJQ")
    }

    /// Sets (or adds) one parameter.
    pub fn set(mut self, name: &str, value: &str) -> Self {
        match self.params.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.params.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    pub fn message_sid(&self) -> &str {
        self.get("MessageSid").unwrap_or_default()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }
}
