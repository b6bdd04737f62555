//! Templates reviewed at the simulator reach Switchboard, campaigns go out through it, and
//! auto-approval approves after its delay.

use crate::support::{TestApp, TestTenant};
use serde_json::{json, Value};

use crate::simulator::{
    app_on, control_api, demo_channel_inputs, demo_channels, free_port, sim_command,
    start_simulator, try_start_simulator_on,
};

const TEMPLATE: &str = "query($id: ID!) { template(id: $id) { status rejectionReason } }";

/// Creates `order_update` on `channel`; answers its id.
async fn create_template(tenant: &TestTenant, channel: &Value) -> String {
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }",
            json!({ "i": { "channelId": channel["id"], "name": "order_update", "language": "en",
                "category": "UTILITY", "body": "Hi {{1}}, order {{2}} shipped.", "examples": ["Ana", "A-1"] } }),
        )
        .await;
    created.data()["createTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until the template has `status` over GraphQL; answers it.
async fn template_becomes(tenant: &TestTenant, id: &str, status: &str) -> Value {
    crate::support::eventually(
        10,
        &format!("the template becomes {status}"),
        || async {
            tenant
                .owner
                .gql
                .query(TEMPLATE, json!({ "id": id }))
                .await
                .data()["template"]
                .clone()
        },
        |t| t["status"] == status,
    )
    .await
}

async fn sync_templates(tenant: &TestTenant, channel: &Value) {
    tenant
        .owner
        .gql
        .query(
            "mutation($c: ID!) { syncTemplates(channelId: $c) { id } }",
            json!({ "c": channel["id"] }),
        )
        .await
        .data();
}

/// A campaign of three recipients on `channel` with `template`, started; answers its id.
async fn start_campaign(
    tenant: &TestTenant,
    channel: &Value,
    template: &str,
    prefix: &str,
) -> String {
    let mut csv = String::from("phone,1,2\n");
    for i in 0..3 {
        csv.push_str(&format!("{prefix}{i},Customer {i},A-{i}\n"));
    }
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": { "name": format!("Orders {}", channel["provider"]), "channelId": channel["id"],
                           "templateId": template, "recipientsCsv": csv } }),
        )
        .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { startCampaign(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(started.data()["startCampaign"]["state"], "RUNNING");
    id
}

/// Waits until the campaign completed with every recipient sent and delivered.
async fn campaign_delivered(tenant: &TestTenant, id: &str) {
    let c = crate::support::eventually(
        30,
        "the campaign completes, delivered",
        || async {
            tenant
                .owner
                .gql
                .query(
                    "query($id: ID!) { campaign(id: $id) { state counts { total sent delivered failed skipped } } }",
                    json!({ "id": id }),
                )
                .await
                .data()["campaign"]
                .clone()
        },
        |c| c["state"] == "COMPLETED" && c["counts"]["delivered"] == 3,
    )
    .await;
    let counts = &c["counts"];
    assert_eq!(
        (
            &counts["total"],
            &counts["sent"],
            &counts["failed"],
            &counts["skipped"]
        ),
        (&json!(3), &json!(3), &json!(0), &json!(0)),
        "{c}"
    );
}

#[tokio::test]
async fn templates_reviewed_at_the_simulator_reach_switchboard_and_a_campaign_goes_out() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (twilio, meta) = demo_channels(&tenant).await;
    let control = ["--control", sim.control.as_str()];

    let meta_template = create_template(&tenant, &meta).await;
    let twilio_template = create_template(&tenant, &twilio).await;
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { submitTemplate(id: $id) { status } }",
            json!({ "id": twilio_template }),
        )
        .await
        .data();
    let (ok, listed, _) =
        sim_command(dir.path(), &[&["template", "list"][..], &control].concat()).await;
    assert!(ok);
    assert!(
        listed.contains("meta") && listed.contains("PENDING"),
        "{listed}"
    );
    assert!(
        listed.contains("twilio") && listed.contains("RECEIVED"),
        "{listed}"
    );

    // Meta's review webhook carries the rejection and its reason, then the approval.
    let webhook = meta["webhookUrl"].as_str().unwrap();
    let (ok, out, err) = sim_command(
        dir.path(),
        &[
            &["template", "reject", "order_update", "--provider", "meta"][..],
            &["--reason", "INVALID_FORMAT", "--webhook-url", webhook],
            &control,
        ]
        .concat(),
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains("Switchboard answered 200"), "{out}");
    let rejected = template_becomes(&tenant, &meta_template, "REJECTED").await;
    assert_eq!(rejected["rejectionReason"], "INVALID_FORMAT");
    let (ok, _, err) = sim_command(
        dir.path(),
        &[
            &["template", "approve", "order_update", "--provider", "meta"][..],
            &control,
        ]
        .concat(),
    )
    .await;
    assert!(ok, "{err}");
    template_becomes(&tenant, &meta_template, "APPROVED").await;

    // Twilio sends no approval webhook: the next sync sees it.
    let (ok, _, err) = sim_command(
        dir.path(),
        &[
            &[
                "template",
                "approve",
                "order_update",
                "--provider",
                "twilio",
            ][..],
            &control,
        ]
        .concat(),
    )
    .await;
    assert!(ok, "{err}");
    sync_templates(&tenant, &twilio).await;
    template_becomes(&tenant, &twilio_template, "APPROVED").await;

    let (ok, _, err) = sim_command(
        dir.path(),
        &[&["template", "approve", "no_such_template"][..], &control].concat(),
    )
    .await;
    assert!(!ok);
    assert!(err.contains("no template named"), "{err}");

    let campaigns = [
        start_campaign(&tenant, &meta, &meta_template, "+3462000000").await,
        start_campaign(&tenant, &twilio, &twilio_template, "+3461000000").await,
    ];
    for id in &campaigns {
        campaign_delivered(&tenant, id).await;
    }
    let outbox: Vec<Value> = control_api(&app, &sim, "/outbox").await;
    for provider in ["meta", "twilio"] {
        let templates = outbox
            .iter()
            .filter(|m| m["provider"] == provider && m["kind"] == "template")
            .count();
        assert_eq!(templates, 3, "{outbox:?}");
    }
}

#[tokio::test]
async fn auto_approve_approves_submitted_templates_after_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    // Switchboard's address is known only once it runs: start the simulator after it, on
    // ports chosen before, again on others if one was taken meanwhile.
    let mut tries = 0;
    let (_app, tenant, probe, _sim) = loop {
        tries += 1;
        let ports = [free_port(), free_port(), free_port()];
        let urls = (
            format!("http://127.0.0.1:{}", ports[1]),
            format!("http://127.0.0.1:{}", ports[2]),
        );
        let app = TestApp::spawn_with(move |c| {
            c.twilio_api_url = urls.0.clone();
            c.twilio_content_url = urls.0.clone();
            c.twilio_messaging_url = urls.0;
            c.meta_graph_url = urls.1;
        })
        .await;
        let tenant = app.new_tenant("Acme").await;
        let [_, (meta_input, _)] = demo_channel_inputs();
        let probe = crate::support::fixtures::create_channel(&tenant, meta_input).await;
        let args = [
            "--auto-approve=3",
            "--meta-webhook-url",
            probe["webhookUrl"].as_str().unwrap(),
        ];
        match try_start_simulator_on(dir.path(), ports, &args).await {
            Some(sim) => break (app, tenant, probe, sim),
            None => assert!(tries < 5, "the simulator exited early {tries} times"),
        }
    };
    let id = create_template(&tenant, &probe).await;
    let pending = tenant
        .owner
        .gql
        .query(TEMPLATE, json!({ "id": id }))
        .await
        .data()["template"]["status"]
        .clone();
    assert_eq!(pending, "PENDING");
    template_becomes(&tenant, &id, "APPROVED").await;
}
