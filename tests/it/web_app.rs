//! The web client end to end: each spec of `web-client/e2e/` drives headless Chromium against
//! a server of this process (serving the client built into the binary, with its real
//! Content-Security-Policy) and the simulator's stand-in providers. Screenshots land in
//! `<target>/tmp/e2e-screenshots/<database>/`.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::simulator::start_simulator;
use crate::support::{deadline, time_scale, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

fn web_client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web-client")
}

fn artifacts() -> PathBuf {
    let database = if std::env::var_os("SWITCHBOARD_TEST_POSTGRES_URL").is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("e2e-screenshots")
        .join(database)
}

/// Runs `web-client/e2e/<spec>.spec.mjs` against a fresh server and simulator.
async fn run_spec(spec: &str) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).exists(),
        "this test needs Chromium at {chromium} (Debian: apt-get install chromium; tests/run installs it)"
    );
    let web = web_client_dir();
    assert!(
        web.join("node_modules/playwright-core").is_dir(),
        "this test needs web-client's npm packages: run `npm ci` in {} (tests/run does)",
        web.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let (twilio, meta) = (sim.twilio.clone(), sim.meta.clone());
    let app = TestApp::spawn_with(move |c| {
        c.twilio_api_url = twilio.clone();
        c.twilio_content_url = twilio.clone();
        c.twilio_messaging_url = twilio;
        c.meta_graph_url = meta;
        // The specs' webhook receivers listen here.
        c.webhooks.allowed_hosts = vec!["127.0.0.1".to_owned()];
    })
    .await;
    let mut command = tokio::process::Command::new("node");
    command
        .arg(web.join("e2e/run.mjs"))
        .arg(spec)
        .current_dir(&web)
        .env("APP_URL", format!("http://{}", app.addr))
        .env("SIM_URL", &sim.control)
        .env("ADMIN_EMAIL", ADMIN_EMAIL)
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("ARTIFACTS", artifacts())
        .env("CHROMIUM", &chromium)
        .env("SWITCHBOARD_TEST_TIME_SCALE", time_scale().to_string())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(deadline(300), command.output())
        .await
        .expect("the spec ends within its deadline")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "e2e {spec} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains(&format!("e2e {spec}: ok")),
        "{stdout}\n{stderr}"
    );
    println!("{stdout}");
}

/// Sign-in errors, a session kept across reloads, dark mode, sign-out.
#[tokio::test]
async fn e2e_session() {
    run_spec("session").await;
}

/// Channels: create and verify a Twilio and a Meta channel with write-only secrets, copy the
/// webhook URL, the sandbox join instruction, click-to-chat with its QR code, the business profile.
#[tokio::test]
async fn e2e_channels() {
    run_spec("channels").await;
}

/// Users and roles, API keys shown once, tenant settings, the audit log; the platform admin's tenants.
#[tokio::test]
async fn e2e_admin() {
    run_spec("admin").await;
}

/// The inbox: a customer's message appears live, the reply's ticks go sent, delivered, read;
/// a failed send shows the reason and retry works; a cut socket catches up after reconnecting.
#[tokio::test]
async fn e2e_inbox() {
    run_spec("inbox").await;
}

/// Assign, transfer, snooze and resolve with CSAT; notes; keyboard shortcuts.
#[tokio::test]
async fn e2e_workflow() {
    run_spec("workflow").await;
}

/// The composer: Markdown and emoji, an attachment uploaded with progress, quick replies by
/// `/`, and templates only once the window is closed.
#[tokio::test]
async fn e2e_composer() {
    run_spec("composer").await;
}

/// Queues, routing rules with the test box, labels, contact attributes, quick replies.
#[tokio::test]
async fn e2e_automation() {
    run_spec("automation").await;
}

/// Templates with the live preview, submit and sync; outgoing webhooks with their delivery log.
#[tokio::test]
async fn e2e_integrations() {
    run_spec("integrations").await;
}

/// Contacts with history and import, a campaign's live progress, the dashboard's charts.
#[tokio::test]
async fn e2e_crm() {
    run_spec("crm").await;
}
