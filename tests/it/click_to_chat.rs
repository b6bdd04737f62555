//! Click-to-chat: the `wa.me` link to a channel's number with its text encoded, its QR code
//! decoding back to the link, stored links whose tag makes the conversation they open record
//! where it came from, input checks, roles, and other tenants' ids.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::support::fixtures::{
    conversations, twilio_channel, twilio_inbound, TwilioChannel, CUSTOMER, SENDER,
};
use crate::support::graphql::{Answer, Gql};
use crate::support::{TestApp, TestTenant};
use switchboard::fakes::twilio::InboundParams;

const LINK: &str = "query($c: ID!, $t: String, $r: String) {
    clickToChatLink(channelId: $c, text: $t, referral: $r) { url text referralTag qrCodeSvg qrCodePng } }";
const CREATE: &str =
    "mutation($i: CreateClickToChatLinkInput!) { createClickToChatLink(input: $i) {
    id channelId tag source text conversationsOpened createdAt channel { id }
    link { url text referralTag qrCodePng } } }";
const LIST: &str =
    "query($c: ID) { clickToChatLinks(channelId: $c) { id tag source conversationsOpened } }";
const DELETE: &str = "mutation($id: ID!) { deleteClickToChatLink(id: $id) }";
const REFERRALS: &str = "{ conversations { edges { node { id contact { phoneNumber }
    referral { tag source linkedAt link { id tag conversationsOpened } } } } } }";

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn link(gql: &Gql, channel: &str, text: Option<&str>, referral: Option<&str>) -> Answer {
    gql.query(LINK, json!({ "c": channel, "t": text, "r": referral }))
        .await
}

async fn create(gql: &Gql, input: Value) -> Answer {
    gql.query(CREATE, json!({ "i": input })).await
}

/// The text a QR code in a `data:image/png;base64,…` URL holds.
fn decode_png_qr(data_url: &str) -> String {
    let encoded = data_url
        .strip_prefix("data:image/png;base64,")
        .expect("a PNG data URL");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Grayscale);
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

/// The SVG parses as XML, its root is an `<svg>` in the SVG namespace, and it draws.
fn assert_svg(svg: &str) {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(root.attribute("viewBox").is_some());
    assert!(root.descendants().any(|n| n.has_tag_name("path")));
}

async fn referrals(tenant: &TestTenant) -> Vec<Value> {
    let answer = tenant.owner.gql.query(REFERRALS, json!({})).await;
    answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn inbound_from(app: &TestApp, channel: &TwilioChannel, from: &str, text: &str) {
    let params = InboundParams::text(&channel.account.sid, from, SENDER, text);
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_link_carries_the_number_and_the_encoded_text_and_its_qr_code_decodes_to_it() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &acme).await;
    let agent = app.new_user(&acme, "agent@acme.test", "AGENT").await;

    // Any member may make a link for a channel they see.
    let answer = link(
        &agent.gql,
        &channel.id,
        Some("Hola, ¿precio de 2 & más? 50%"),
        None,
    )
    .await;
    let made = &answer.data()["clickToChatLink"];
    let url = made["url"].as_str().unwrap();
    assert_eq!(
        url,
        "https://wa.me/14155238886?text=Hola%2C%20%C2%BFprecio%20de%202%20%26%20m%C3%A1s%3F%2050%25"
    );
    assert_eq!(made["text"], "Hola, ¿precio de 2 & más? 50%");
    assert_eq!(made["referralTag"], Value::Null);
    assert_eq!(decode_png_qr(made["qrCodePng"].as_str().unwrap()), url);
    assert_svg(made["qrCodeSvg"].as_str().unwrap());

    // Without text the link only opens the chat.
    let bare = link(&acme.owner.gql, &channel.id, None, None).await;
    let bare = &bare.data()["clickToChatLink"];
    assert_eq!(bare["url"], "https://wa.me/14155238886");
    assert_eq!(
        decode_png_qr(bare["qrCodePng"].as_str().unwrap()),
        "https://wa.me/14155238886"
    );

    // Too long a text, or a control character, is refused and named.
    let long = "x".repeat(501);
    let refused = link(&acme.owner.gql, &channel.id, Some(&long), None).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(field(&refused), "text");
    let refused = link(&acme.owner.gql, &channel.id, Some("a\u{7}b"), None).await;
    assert_eq!(field(&refused), "text");
}

#[tokio::test]
async fn a_conversation_opened_from_a_stored_link_records_where_it_came_from() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &acme).await;

    let answer = create(
        &acme.owner.gql,
        json!({ "channelId": channel.id, "source": "Spring campaign flyer",
                "text": "Hi! I'd like the spring offer", "tag": "Spring-26" }),
    )
    .await;
    let stored = answer.data()["createClickToChatLink"].clone();
    assert_eq!(stored["tag"], "spring-26");
    assert_eq!(stored["channel"]["id"], channel.id.as_str());
    assert_eq!(stored["conversationsOpened"], 0);
    let prefilled = "Hi! I'd like the spring offer [ref:spring-26]";
    assert_eq!(stored["link"]["text"], prefilled);
    assert_eq!(stored["link"]["referralTag"], "spring-26");
    let url = stored["link"]["url"].as_str().unwrap();
    assert_eq!(
        url,
        "https://wa.me/14155238886?text=Hi%21%20I%27d%20like%20the%20spring%20offer%20%5Bref%3Aspring-26%5D"
    );
    assert_eq!(
        decode_png_qr(stored["link"]["qrCodePng"].as_str().unwrap()),
        url
    );

    // The query takes the stored link's tag, with its text or another.
    let answer = link(&acme.owner.gql, &channel.id, None, Some("spring-26")).await;
    assert_eq!(answer.data()["clickToChatLink"]["url"], url);
    let answer = link(
        &acme.owner.gql,
        &channel.id,
        Some("Info"),
        Some("spring-26"),
    )
    .await;
    assert_eq!(
        answer.data()["clickToChatLink"]["text"],
        "Info [ref:spring-26]"
    );

    // A source-made tag when none is given; a tag taken already is refused.
    let web = create(
        &acme.owner.gql,
        json!({ "channelId": channel.id, "source": "Contact page" }),
    )
    .await;
    let web = web.data()["createClickToChatLink"].clone();
    assert!(web["tag"].as_str().unwrap().starts_with("contact-page-"));
    assert_eq!(
        web["link"]["text"],
        format!("[ref:{}]", web["tag"].as_str().unwrap())
    );
    let taken = create(
        &acme.owner.gql,
        json!({ "channelId": channel.id, "source": "Again", "tag": "spring-26" }),
    )
    .await;
    assert_eq!(field(&taken), "tag");

    // The customer sends the prefilled text: the new conversation records the link.
    twilio_inbound(&app, &channel, prefilled).await;
    // A second message carrying another tag in the same conversation changes nothing.
    let other_tag = format!("again [ref:{}]", web["tag"].as_str().unwrap());
    twilio_inbound(&app, &channel, &other_tag).await;
    // Another customer writes without a tag: no referral.
    inbound_from(&app, &channel, "+34600000001", "hello").await;
    // A third writes with a tag no link has: no referral either.
    inbound_from(&app, &channel, "+34600000002", "hi [ref:unknown-tag]").await;

    let all = referrals(&acme).await;
    assert_eq!(all.len(), 3);
    let from = |number: &str| {
        all.iter()
            .find(|c| c["contact"]["phoneNumber"] == number)
            .unwrap()["referral"]
            .clone()
    };
    let referral = from(CUSTOMER);
    assert_eq!(referral["tag"], "spring-26");
    assert_eq!(referral["source"], "Spring campaign flyer");
    assert!(referral["linkedAt"].is_string());
    assert_eq!(referral["link"]["id"], stored["id"]);
    assert_eq!(referral["link"]["conversationsOpened"], 1);
    assert_eq!(from("+34600000001"), Value::Null);
    assert_eq!(from("+34600000002"), Value::Null);

    let list = acme.owner.gql.query(LIST, json!({ "c": channel.id })).await;
    let list = list.data()["clickToChatLinks"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["tag"], "spring-26");
    assert_eq!(list[0]["conversationsOpened"], 1);
    assert_eq!(list[1]["conversationsOpened"], 0);

    // Deleting the link keeps what the conversation recorded, without the link.
    let deleted = acme
        .owner
        .gql
        .query(DELETE, json!({ "id": stored["id"] }))
        .await;
    assert_eq!(deleted.data()["deleteClickToChatLink"], true);
    let referral = referrals(&acme)
        .await
        .into_iter()
        .find(|c| c["contact"]["phoneNumber"] == CUSTOMER)
        .unwrap()["referral"]
        .clone();
    assert_eq!(referral["tag"], "spring-26");
    assert_eq!(referral["source"], "Spring campaign flyer");
    assert_eq!(referral["link"], Value::Null);
    let gone = link(&acme.owner.gql, &channel.id, None, Some("spring-26")).await;
    assert_eq!(gone.code(), "NOT_FOUND");
}

#[tokio::test]
async fn stored_links_are_checked_and_kept_by_owners_and_admins() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &acme).await;
    let agent = app.new_user(&acme, "agent@acme.test", "AGENT").await;

    for (input, named) in [
        (json!({ "channelId": channel.id, "source": " " }), "source"),
        (
            json!({ "channelId": channel.id, "source": "x".repeat(201) }),
            "source",
        ),
        (
            json!({ "channelId": channel.id, "source": "Web", "tag": "no spaces" }),
            "tag",
        ),
        (
            json!({ "channelId": channel.id, "source": "Web", "tag": "ab" }),
            "tag",
        ),
        (
            json!({ "channelId": channel.id, "source": "Web", "text": "x".repeat(501) }),
            "text",
        ),
        (
            json!({ "channelId": "not-an-id", "source": "Web" }),
            "channelId",
        ),
    ] {
        let refused = create(&acme.owner.gql, input).await;
        assert_eq!(refused.code(), "BAD_USER_INPUT");
        assert_eq!(field(&refused), named);
    }
    let bad_tag = link(&acme.owner.gql, &channel.id, None, Some("Not A Tag")).await;
    assert_eq!(field(&bad_tag), "referral");

    let refused = create(
        &agent.gql,
        json!({ "channelId": channel.id, "source": "Web" }),
    )
    .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let stored = create(
        &acme.owner.gql,
        json!({ "channelId": channel.id, "source": "Web", "tag": "web-1" }),
    )
    .await;
    let id = stored.data()["createClickToChatLink"]["id"].clone();
    let listed = agent.gql.query(LIST, json!({})).await;
    assert_eq!(listed.data()["clickToChatLinks"][0]["tag"], "web-1");
    let refused = agent.gql.query(DELETE, json!({ "id": id })).await;
    assert_eq!(refused.code(), "FORBIDDEN");

    let audit = acme
        .owner
        .gql
        .query(
            "{ auditLog(first: 50) { edges { node { action details } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<Value> = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].clone())
        .collect();
    assert!(
        actions.contains(&json!("click_to_chat_link.create")),
        "{actions:?}"
    );

    // Deleting the channel takes its links with it.
    let deleted = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deleteChannel(id: $id) }",
            json!({ "id": channel.id }),
        )
        .await;
    assert_eq!(deleted.data()["deleteChannel"], true);
    let listed = acme.owner.gql.query(LIST, json!({})).await;
    assert_eq!(listed.data()["clickToChatLinks"], json!([]));
}

#[tokio::test]
async fn another_tenants_channels_links_and_tags_are_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let acme_channel = twilio_channel(&app, &acme).await;
    let stored = create(
        &acme.owner.gql,
        json!({ "channelId": acme_channel.id, "source": "Acme web", "tag": "acme-web" }),
    )
    .await;
    let acme_link = stored.data()["createClickToChatLink"]["id"].clone();

    let globex_account = app.twilio.add_account("Globex", "+14155550123");
    let globex_channel = crate::support::fixtures::create_channel(
        &globex,
        json!({ "name": "Globex", "provider": "TWILIO", "phoneNumber": "+14155550123",
                "twilio": { "accountSid": globex_account.sid, "authToken": globex_account.auth_token } }),
    )
    .await;
    let globex_id = globex_channel["id"].as_str().unwrap();

    let gql = &globex.owner.gql;
    assert_eq!(
        link(gql, &acme_channel.id, Some("hi"), None).await.code(),
        "NOT_FOUND"
    );
    assert_eq!(
        link(gql, globex_id, None, Some("acme-web")).await.code(),
        "NOT_FOUND"
    );
    let refused = create(
        gql,
        json!({ "channelId": acme_channel.id, "source": "Steal" }),
    )
    .await;
    assert_eq!(refused.code(), "NOT_FOUND");
    let refused = gql.query(LIST, json!({ "c": acme_channel.id })).await;
    assert_eq!(refused.code(), "NOT_FOUND");
    let refused = gql.query(DELETE, json!({ "id": acme_link })).await;
    assert_eq!(refused.code(), "NOT_FOUND");
    let listed = gql.query(LIST, json!({})).await;
    assert_eq!(listed.data()["clickToChatLinks"], json!([]));

    // The same tag is Globex's own to use; Acme's link's tag opens nothing at Globex.
    let own = create(
        gql,
        json!({ "channelId": globex_id, "source": "Globex web", "tag": "acme-web" }),
    )
    .await;
    assert_eq!(own.data()["createClickToChatLink"]["tag"], "acme-web");
    let globex_twilio = TwilioChannel {
        id: globex_id.to_owned(),
        webhook: globex_channel["webhookUrl"].as_str().unwrap().to_owned(),
        account: globex_account,
    };
    let params = InboundParams::text(
        &globex_twilio.account.sid,
        CUSTOMER,
        "+14155550123",
        "hi [ref:acme-web]",
    );
    app.twilio
        .deliver_inbound(
            &globex_twilio.webhook,
            &globex_twilio.account.auth_token,
            &params,
        )
        .await
        .unwrap();
    let globex_referrals = referrals(&globex).await;
    assert_eq!(globex_referrals.len(), 1);
    assert_eq!(globex_referrals[0]["referral"]["source"], "Globex web");
    assert_eq!(conversations(&acme).await, json!([]));
}
