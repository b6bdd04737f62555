//! The web client end to end: each spec of `web-client/e2e/` drives headless Chromium against
//! a server of this process (serving the client built into the binary, with its real
//! Content-Security-Policy) and the simulator's stand-in providers. Screenshots land in
//! `<target>/tmp/e2e-screenshots/<database>/`.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::simulator::{app_on, start_simulator};
use crate::support::{deadline, time_scale, ADMIN_EMAIL, ADMIN_PASSWORD};

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
    let app = app_on(&sim).await;
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
