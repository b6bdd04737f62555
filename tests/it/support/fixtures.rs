//! Fixtures: the setups most tests start from, built through the API as a client would —
//! channels against the fake providers, and contacts whose 24-hour window a signed inbound
//! webhook opened. The test files describe what happens next.

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, FakePhoneNumber};
use switchboard::fakes::twilio::{FakeAccount, InboundParams};

use super::{eventually, TestApp, TestTenant};

/// The customer who writes in.
pub const CUSTOMER: &str = "+34600000000";
/// The Twilio channel's number.
pub const SENDER: &str = "+14155238886";

pub const TWILIO_TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub const TWILIO_KEY_SECRET: &str = "twilio-api-key-secret-value-9876";
pub const META_TOKEN: &str = "EAAGmetaAccessTokenValue1234567890";
pub const META_APP_SECRET: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

/// The Meta channel most tests use: its number and phone number id.
pub const META_NUMBER: &str = "+15550783881";
pub const META_PHONE_NUMBER_ID: &str = "106540352242922";

/// Every field of a channel, as `create_channel` answers it.
pub const ALL_FIELDS: &str = "id name provider phoneNumber credentialHint webhookUrl webhookUrlWithRetries statusCallbackUrl verifyToken
    twilio { accountSid apiKeySid messagingServiceSid } meta { phoneNumberId businessAccountId }
    verifiedAt verification { verifiedAt displayName displayNumber qualityRating }
    settings { language defaultQueueId maxRetries retryWaitSeconds messagesPerSecond inboundMedia allowedMediaTypes }
    capabilities { contentKinds textMaxLength captionMaxLength media { kind mimeTypes maxBytes } maxButtons maxListRows replyContext readReceipts }
    createdAt updatedAt";

/// Sends a message; answers `{ id status }`.
pub const SEND: &str = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id status } }";
const MESSAGE: &str = "query($id: ID!) { message(id: $id) { status providerMessageId lastError { code } attempts { number outcome providerCode request startedAt } statusHistory { status providerStatus } } }";

/// A Twilio channel's input with fixed (not fake-backed) credentials.
pub fn twilio_input(number: &str) -> Value {
    json!({
        "name": "Support (Twilio)",
        "provider": "TWILIO",
        "phoneNumber": number,
        "twilio": {
            "accountSid": "AC00000000000000000000000000000001",
            "authToken": TWILIO_TOKEN,
            "apiKeySid": "SK00000000000000000000000000000001",
            "apiKeySecret": TWILIO_KEY_SECRET
        }
    })
}

/// A Meta channel's input with the shared token and app secret.
pub fn meta_input(number: &str, phone_number_id: &str) -> Value {
    json!({
        "name": "Sales (Meta)",
        "provider": "META",
        "phoneNumber": number,
        "meta": {
            "accessToken": META_TOKEN,
            "appSecret": META_APP_SECRET,
            "phoneNumberId": phone_number_id,
            "businessAccountId": "102290129340398"
        }
    })
}

/// Creates a channel as the tenant's owner and answers all its fields.
pub async fn create_channel(tenant: &TestTenant, input: Value) -> Value {
    let answer = tenant
        .owner
        .gql
        .query(
            &format!("mutation($i: CreateChannelInput!) {{ createChannel(input: $i) {{ {ALL_FIELDS} }} }}"),
            json!({ "i": input }),
        )
        .await;
    answer.data()["createChannel"].clone()
}

/// A Twilio channel backed by an account on the fake Twilio.
pub struct TwilioChannel {
    pub id: String,
    pub webhook: String,
    pub account: FakeAccount,
}

/// Creates a Twilio channel on [`SENDER`] for a new account on the fake Twilio.
pub async fn twilio_channel(app: &TestApp, tenant: &TestTenant) -> TwilioChannel {
    let account = app.twilio.add_account("Acme", SENDER);
    let channel = create_channel(
        tenant,
        json!({ "name": "Support", "provider": "TWILIO", "phoneNumber": SENDER,
                "twilio": { "accountSid": account.sid, "authToken": account.auth_token } }),
    )
    .await;
    TwilioChannel {
        id: channel["id"].as_str().unwrap().to_owned(),
        webhook: channel["webhookUrl"].as_str().unwrap().to_owned(),
        account,
    }
}

/// A Meta channel backed by a phone number on the fake Meta.
pub struct MetaChannel {
    pub id: String,
    pub webhook: String,
    pub verify_token: String,
    pub phone_number_id: String,
}

/// Registers the phone number on the fake Meta and creates its channel.
pub async fn meta_channel(
    app: &TestApp,
    tenant: &TestTenant,
    number: &str,
    phone_number_id: &str,
) -> MetaChannel {
    app.meta.set_app_secret(META_APP_SECRET);
    app.meta.add_phone_number(FakePhoneNumber::new(
        phone_number_id,
        "102290129340398",
        META_TOKEN,
    ));
    let channel = create_channel(tenant, meta_input(number, phone_number_id)).await;
    MetaChannel {
        id: channel["id"].as_str().unwrap().to_owned(),
        webhook: channel["webhookUrl"].as_str().unwrap().to_owned(),
        verify_token: channel["verifyToken"].as_str().unwrap().to_owned(),
        phone_number_id: phone_number_id.to_owned(),
    }
}

/// The usual Meta channel: [`META_NUMBER`], [`META_PHONE_NUMBER_ID`].
pub async fn default_meta_channel(app: &TestApp, tenant: &TestTenant) -> MetaChannel {
    meta_channel(app, tenant, META_NUMBER, META_PHONE_NUMBER_ID).await
}

/// The customer `wa_id` (digits, no `+`) writes `text` to the Meta channel, opening the
/// 24-hour window.
pub async fn meta_inbound(app: &TestApp, channel: &MetaChannel, wa_id: &str, text: &str) {
    app.meta
        .deliver_inbound(
            &channel.webhook,
            &channel.phone_number_id,
            &FakeInbound::text(wa_id, text),
        )
        .await
        .unwrap();
}

/// [`CUSTOMER`] writes `text` to the Twilio channel, opening the 24-hour window.
pub async fn twilio_inbound(app: &TestApp, channel: &TwilioChannel, text: &str) {
    let params = InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, text);
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
}

/// A new tenant with the usual Meta channel and a conversation [`CUSTOMER`] opened with
/// `text`: a contact inside its 24-hour window.
pub async fn meta_conversation(app: &TestApp, text: &str) -> (TestTenant, MetaChannel, String) {
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(app, &tenant).await;
    meta_inbound(app, &meta, &CUSTOMER[1..], text).await;
    let conversation = conversation_id(&tenant).await;
    (tenant, meta, conversation)
}

/// A new tenant with a Twilio channel whose [`CUSTOMER`] wrote in.
pub async fn twilio_conversation(app: &TestApp) -> (TestTenant, TwilioChannel) {
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(app, &tenant).await;
    twilio_inbound(app, &channel, "hi").await;
    (tenant, channel)
}

const CONVERSATIONS: &str = "{ conversations { edges { node { id status windowOpen windowExpiresAt
    channel { id } contact { waId phoneNumber profileName optedIn }
    messages { edges { node { id direction status text providerMessageId replyToProviderId forwarded referral { headline sourceUrl }
      content { __typename ... on TextContent { body } ... on MediaContent { mediaType caption voice }
        ... on LocationContent { latitude longitude name address } ... on ContactsContent { contacts { formattedName phones { phone } } }
        ... on ButtonReplyContent { id title } ... on ListReplyContent { id title description }
        ... on TemplateButtonContent { payload text } ... on ReactionContent { messageId emoji }
        ... on OrderContent { catalogId text items { productRetailerId quantity itemPrice currency } }
        ... on SystemContent { kind newWaId } ... on FlowReplyContent { name responseJson }
        ... on UnsupportedContent { rawType } }
      attachments { contentType state filename } } } } } } } }";

/// The tenant's conversations (edges), with their contacts and messages.
pub async fn conversations(tenant: &TestTenant) -> Value {
    tenant
        .owner
        .gql
        .query(CONVERSATIONS, json!({}))
        .await
        .data()["conversations"]["edges"]
        .clone()
}

/// The id of the tenant's first conversation.
pub async fn conversation_id(tenant: &TestTenant) -> String {
    conversations(tenant).await[0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Sends a message as the tenant's owner (`input` is a `SendMessageInput`) and answers
/// its id.
pub async fn send_message(tenant: &TestTenant, input: Value) -> String {
    let sent = tenant.owner.gql.query(SEND, json!({ "i": input })).await;
    sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Replies `body` in the conversation and answers the message's id.
pub async fn send_text(tenant: &TestTenant, conversation: &str, body: &str) -> String {
    send_message(
        tenant,
        json!({ "conversationId": conversation, "content": { "text": { "body": body } } }),
    )
    .await
}

/// The message once `done` says it settled.
pub async fn settled(tenant: &TestTenant, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    eventually(
        20,
        "the message settles",
        || async {
            tenant
                .owner
                .gql
                .query(MESSAGE, json!({ "id": id }))
                .await
                .data()["message"]
                .clone()
        },
        done,
    )
    .await
}
