//! Contacts in and out as files: an import previewed and applied line by line with every
//! bad line named, exports in CSV and JSON that import back to the same contacts, a
//! conversation's history exported, and who may do each.

use serde_json::{json, Value};

use crate::support::fixtures::{meta_conversation, send_text, CUSTOMER};
use crate::support::graphql::{Answer, Gql};
use crate::support::{TestApp, TestTenant};

const REPORT: &str = "applied created updated unchanged refused lines { line phoneNumber outcome contactId fields problems { reason column message } }";
const CONTACT: &str = "query($id: ID!) { contact(id: $id) { phoneNumber name language optedIn optedInAt optInSource optedOutAt attributes { key value } } }";

async fn preview(gql: &Gql, document: &str, format: &str) -> Answer {
    gql.query(
        &format!("query($d: String!, $f: DocumentFormat!) {{ previewContactImport(document: $d, format: $f) {{ {REPORT} }} }}"),
        json!({ "d": document, "f": format }),
    )
    .await
}

async fn import(gql: &Gql, document: &str, format: &str) -> Answer {
    gql.query(
        &format!("mutation($d: String!, $f: DocumentFormat!) {{ importContacts(document: $d, format: $f) {{ {REPORT} }} }}"),
        json!({ "d": document, "f": format }),
    )
    .await
}

async fn export(gql: &Gql, format: &str) -> Answer {
    gql.query(
        "query($f: DocumentFormat!) { exportContacts(format: $f) { filename contentType content rows } }",
        json!({ "f": format }),
    )
    .await
}

async fn exported(tenant: &TestTenant, format: &str) -> String {
    export(&tenant.owner.gql, format).await.data()["exportContacts"]["content"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn define_attributes(tenant: &TestTenant) {
    for input in [
        json!({ "key": "tier", "displayName": "Tier", "type": "CHOICE", "choices": ["gold", "silver"] }),
        json!({ "key": "since", "displayName": "Customer since", "type": "DATE" }),
    ] {
        tenant
            .owner
            .gql
            .query(
                "mutation($i: CreateContactAttributeInput!) { createContactAttribute(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await
            .data();
    }
}

/// A line of a report by its line number.
fn line(report: &Value, number: u64) -> &Value {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line"] == number)
        .unwrap_or_else(|| panic!("no line {number} in {report}"))
}

fn reasons(line: &Value) -> Vec<(&str, &str)> {
    line["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["reason"].as_str().unwrap(),
                p["column"].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

/// Every contact of the tenant, by number, as a JSON export shows them without the
/// fields the system keeps (id, profile name, times of its own).
async fn contacts_by_number(tenant: &TestTenant) -> Vec<Value> {
    let text = exported(tenant, "JSON").await;
    let mut all: Vec<Value> = serde_json::from_str::<Vec<Value>>(&text)
        .unwrap()
        .into_iter()
        .map(|c| {
            json!({
                "phoneNumber": c["phoneNumber"], "waId": c["waId"], "name": c["name"],
                "language": c["language"], "optedIn": c["optedIn"], "optedInAt": c["optedInAt"],
                "optInSource": c["optInSource"], "optedOutAt": c["optedOutAt"],
                "attributes": c["attributes"],
            })
        })
        .collect();
    all.sort_by_key(|c| c["phoneNumber"].as_str().unwrap().to_owned());
    all
}

const SHEET: &str = "\
phone,name,language,opted_in,opted_in_at,opt_in_source,tier,since
+34600000000,Ana,es,true,2026-12-01T09:00:00Z,web form,gold,2026-01-31
+34 600 000 001,Bruno,pt_br,,,,silver,
34600000002,Carla,,,,,,
+34600000003,Dora,klingon-xx-yy,,,,,
+34600000004,Eva,,maybe,yesterday,,bronze,2026-02-30
+34600000001,Bruno again,,,,,,
+34600000005,Fede,,false,,,,
+34600000006
";

#[tokio::test]
async fn an_import_is_previewed_then_applied_with_every_bad_line_named() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, _conversation) = meta_conversation(&app, "hello").await;
    define_attributes(&tenant).await;
    let gql = &tenant.owner.gql;

    let previewed = preview(gql, SHEET, "CSV").await;
    let report = previewed.data()["previewContactImport"].clone();
    assert_eq!(report["applied"], false);
    assert_eq!(
        (&report["created"], &report["updated"], &report["refused"]),
        (&json!(2), &json!(1), &json!(5)),
        "{report}"
    );
    let ana = line(&report, 2);
    assert_eq!(ana["outcome"], "UPDATE");
    assert_eq!(ana["phoneNumber"], CUSTOMER);
    assert!(ana["contactId"].is_string());
    assert_eq!(
        ana["fields"],
        json!([
            "name",
            "language",
            "opted_in_at",
            "opt_in_source",
            "attributes.since",
            "attributes.tier"
        ])
    );
    let bruno = line(&report, 3);
    assert_eq!(bruno["outcome"], "CREATE");
    assert_eq!(bruno["phoneNumber"], "+34600000001");
    assert_eq!(bruno["contactId"], Value::Null, "a preview creates nothing");
    assert_eq!(reasons(line(&report, 4)), [("INVALID_PHONE", "phone")]);
    assert_eq!(
        reasons(line(&report, 5)),
        [("INVALID_LANGUAGE", "language")]
    );
    assert_eq!(
        reasons(line(&report, 6)),
        [
            ("INVALID_OPT_IN", "opted_in"),
            ("INVALID_DATE", "opted_in_at"),
            ("INVALID_ATTRIBUTE", "tier"),
            ("INVALID_ATTRIBUTE", "since"),
        ]
    );
    assert_eq!(reasons(line(&report, 7)), [("DUPLICATE", "phone")]);
    assert!(line(&report, 7)["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("line 3"));
    assert_eq!(line(&report, 8)["outcome"], "CREATE");
    assert_eq!(reasons(line(&report, 9)), [("MALFORMED", "")]);
    assert_eq!(report["lines"].as_array().unwrap().len(), 8);
    let before = contacts_by_number(&tenant).await;
    assert_eq!(before.len(), 1, "a preview changes nothing");

    let applied = import(gql, SHEET, "CSV").await;
    let done = applied.data()["importContacts"].clone();
    assert_eq!(done["applied"], true);
    let report_without_ids = |r: &Value| {
        let mut r = r.clone();
        r["applied"] = json!(null);
        for l in r["lines"].as_array_mut().unwrap() {
            l["contactId"] = json!(null);
        }
        r
    };
    assert_eq!(
        report_without_ids(&done),
        report_without_ids(&report),
        "the import answers what the preview said"
    );
    let bruno_id = line(&done, 3)["contactId"].as_str().unwrap().to_owned();
    let bruno = gql.query(CONTACT, json!({ "id": bruno_id })).await;
    assert_eq!(
        bruno.data()["contact"],
        json!({ "phoneNumber": "+34600000001", "name": "Bruno", "language": "pt-BR", "optedIn": true,
            "optedInAt": null, "optInSource": null, "optedOutAt": null,
            "attributes": [{ "key": "tier", "value": "silver" }] })
    );
    let ana_id = line(&done, 2)["contactId"].as_str().unwrap().to_owned();
    let ana = gql.query(CONTACT, json!({ "id": ana_id })).await;
    let ana = &ana.data()["contact"];
    assert_eq!(ana["name"], "Ana");
    assert_eq!(ana["optInSource"], "web form");
    assert_eq!(ana["optedInAt"], "2026-12-01T09:00:00+00:00");
    let fede = line(&done, 8)["contactId"].as_str().unwrap().to_owned();
    let fede = gql.query(CONTACT, json!({ "id": fede })).await;
    assert_eq!(fede.data()["contact"]["optedIn"], false);
    assert_eq!(contacts_by_number(&tenant).await.len(), 3);

    // The same file again changes nothing more.
    let again = import(gql, SHEET, "CSV").await;
    let again = &again.data()["importContacts"];
    assert_eq!(
        (&again["created"], &again["updated"], &again["unchanged"]),
        (&json!(0), &json!(0), &json!(3))
    );

    let log = gql
        .query(
            "{ auditLog(first: 50) { edges { node { action targetType details } } } }",
            json!({}),
        )
        .await;
    let imports: Vec<Value> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .filter(|n| n["action"] == "contact.import")
        .collect();
    assert_eq!(imports.len(), 2, "an audited import, a preview is not");
    let details: Value = match &imports[1]["details"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    assert_eq!(
        details,
        json!({ "created": 2, "updated": 1, "unchanged": 0, "refused": 5 })
    );
    assert!(
        !imports[1].to_string().contains("600000001"),
        "no numbers in the audit log"
    );
}

#[tokio::test]
async fn an_opt_out_is_not_undone_by_an_older_list_and_bad_documents_are_refused_whole() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, _conversation) = meta_conversation(&app, "STOP").await;
    let gql = &tenant.owner.gql;
    let back_in = format!("phone,opted_in\n{CUSTOMER},true\n");
    let report = preview(gql, &back_in, "CSV").await;
    assert_eq!(
        reasons(line(&report.data()["previewContactImport"], 2)),
        [("OPTED_OUT_SINCE", "opted_in")]
    );
    let later = format!("phone,opted_in,opted_in_at\n{CUSTOMER},true,2999-01-01\n");
    let report = preview(gql, &later, "CSV").await;
    assert_eq!(
        line(&report.data()["previewContactImport"], 2)["outcome"],
        "UPDATE"
    );

    for (document, format) in [
        ("name\nAna\n", "CSV"),
        ("", "CSV"),
        ("{\"phoneNumber\": 1}", "JSON"),
        ("[", "JSON"),
    ] {
        let answer = import(gql, document, format).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{document}");
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], "document");
    }
    let too_many = format!("phone\n{}", "+34600000001\n".repeat(10_001));
    assert_eq!(
        preview(gql, &too_many, "CSV").await.code(),
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn exports_import_back_to_the_same_contacts_in_csv_and_json() {
    let app = TestApp::spawn().await;
    let (acme, _meta, _conversation) = meta_conversation(&app, "hello").await;
    define_attributes(&acme).await;
    import(&acme.owner.gql, SHEET, "CSV").await.data();
    let original = contacts_by_number(&acme).await;
    assert_eq!(original.len(), 3);

    let answer = export(&acme.owner.gql, "CSV").await;
    let file = &answer.data()["exportContacts"];
    assert_eq!(file["filename"], "contacts.csv");
    assert_eq!(file["rows"], 3);
    let csv = file["content"].as_str().unwrap();
    assert!(
        csv.starts_with("id,phone,name,language,opted_in,opted_in_at,opt_in_source,opted_out_at,")
    );

    for format in ["CSV", "JSON"] {
        let document = exported(&acme, format).await;
        // Back into the same tenant: every line finds its contact unchanged.
        let same = import(&acme.owner.gql, &document, format).await;
        let same = &same.data()["importContacts"];
        assert_eq!(
            (&same["unchanged"], &same["refused"]),
            (&json!(3), &json!(0)),
            "{format}: {same}"
        );
        // Into a tenant that has none of them: the same contacts.
        let other = app.new_tenant(&format!("Copy {format}")).await;
        define_attributes(&other).await;
        let copied = import(&other.owner.gql, &document, format).await;
        assert_eq!(copied.data()["importContacts"]["created"], 3, "{format}");
        assert_eq!(contacts_by_number(&other).await, original, "{format}");
    }
}

#[tokio::test]
async fn a_conversation_history_is_exported_oldest_first() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    send_text(&tenant, &conversation, "hi, \"how\" can we help?").await;
    app.drain_outbox(&tenant).await;
    let query = "query($id: ID!, $f: DocumentFormat!) { exportConversation(id: $id, format: $f) { filename contentType content rows } }";

    let answer = tenant
        .owner
        .gql
        .query(query, json!({ "id": conversation, "f": "CSV" }))
        .await;
    let file = &answer.data()["exportConversation"];
    assert_eq!(file["rows"], 2);
    assert_eq!(file["contentType"], "text/csv; charset=utf-8");
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(file["content"].as_str().unwrap().as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
    assert_eq!((&rows[0][2], &rows[0][5]), ("INBOUND", "hello"));
    assert_eq!(
        (&rows[1][2], &rows[1][5]),
        ("OUTBOUND", "hi, \"how\" can we help?")
    );

    let answer = tenant
        .owner
        .gql
        .query(query, json!({ "id": conversation, "f": "JSON" }))
        .await;
    let document: Value = serde_json::from_str(
        answer.data()["exportConversation"]["content"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(document["conversation"]["id"], conversation);
    assert_eq!(document["conversation"]["contact"]["phoneNumber"], CUSTOMER);
    let texts: Vec<&str> = document["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["hello", "hi, \"how\" can we help?"]);

    let other = app.new_tenant("Globex").await;
    let stranger = other
        .owner
        .gql
        .query(query, json!({ "id": conversation, "f": "CSV" }))
        .await;
    assert_eq!(stranger.code(), "NOT_FOUND");
}

#[tokio::test]
async fn agents_may_not_import_or_export_contacts() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, _conversation) = meta_conversation(&app, "hello").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let sheet = "phone\n+34600000009\n";
    assert_eq!(preview(&agent.gql, sheet, "CSV").await.code(), "FORBIDDEN");
    assert_eq!(import(&agent.gql, sheet, "CSV").await.code(), "FORBIDDEN");
    assert_eq!(export(&agent.gql, "CSV").await.code(), "FORBIDDEN");
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    assert_eq!(
        import(&admin.gql, sheet, "CSV").await.data()["importContacts"]["created"],
        1
    );
}
