//! The command line: schema drift, configuration errors, first start, admin creation,
//! migrations.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::support::{db, process, Gql};

#[tokio::test]
async fn the_committed_schema_matches_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let output = process::command(dir.path())
        .arg("schema")
        .output()
        .await
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        printed == committed,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn an_invalid_setting_stops_start_up_with_one_line_and_code_2() {
    let dir = tempfile::tempdir().unwrap();
    for (variable, value) in [
        ("SWITCHBOARD_LISTEN", "not-an-address"),
        ("SWITCHBOARD_DATABASE_URL", "mysql://x"),
        ("SWITCHBOARD_MASTER_KEYS", "k1:dG9vLXNob3J0"),
        ("SWITCHBOARD_ACCESS_TOKEN_TTL", "forever"),
    ] {
        let output = process::command(dir.path())
            .arg("serve")
            .env(variable, value)
            .output()
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{variable}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(variable), "{stderr}");
        assert!(!stderr.contains("dG9vLXNob3J0"), "{stderr}");
    }
    let bad_file = dir.path().join("bad.toml");
    std::fs::write(&bad_file, "listen = 5\nunknown_thing = \"x\"\n").unwrap();
    let output = process::command(dir.path())
        .args(["--config", bad_file.to_str().unwrap(), "serve"])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test]
async fn the_config_file_mirrors_the_environment_and_the_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("switchboard.toml");
    std::fs::write(&file, "listen = \"bad\"\n").unwrap();
    let output = process::command(dir.path())
        .args(["--config", file.to_str().unwrap(), "serve"])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SWITCHBOARD_LISTEN"));

    std::fs::write(&file, "access_token_ttl = 120\nrefresh_token_ttl = 3600\n").unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let env = [
        ("SWITCHBOARD_ADMIN_EMAIL", "root@platform.test"),
        ("SWITCHBOARD_ADMIN_PASSWORD", "platform-Secret-pass-2026"),
        ("SWITCHBOARD_REFRESH_TOKEN_TTL", "7200"),
    ];
    let server = process::serve_with_args(
        dir.path(),
        &database_url,
        &env,
        &["--config", file.to_str().unwrap()],
    )
    .await;
    let gql = Gql::new(
        reqwest::Client::new(),
        format!("http://{}/graphql", server.addr),
        None,
    );
    let login = gql
        .query(
            "mutation { login(email: \"root@platform.test\", password: \"platform-Secret-pass-2026\") { expiresIn } }",
            json!({}),
        )
        .await;
    assert_eq!(login.data()["login"]["expiresIn"], 120);
}

#[tokio::test]
async fn a_first_start_needs_no_setup_and_prints_the_admin_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = if db::on_postgres() {
        Some(db::provision(dir.path()).await)
    } else {
        // The embedded default: no database setting at all.
        None
    };
    let database_url = database.as_ref().map(|d| d.url.clone()).unwrap_or_default();
    let mut cmd = process::command(dir.path());
    cmd.arg("serve").env("SWITCHBOARD_LISTEN", "127.0.0.1:0");
    if !database_url.is_empty() {
        cmd.env("SWITCHBOARD_DATABASE_URL", &database_url);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout);
    let mut text = String::new();
    let addr = loop {
        use tokio::io::AsyncBufReadExt;
        let mut line = String::new();
        assert!(
            lines.read_line(&mut line).await.unwrap() > 0,
            "exited early: {text}"
        );
        text.push_str(&line);
        if let Some(rest) = line.strip_prefix("Switchboard is running. Open http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    let password = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("the generated password is printed")
        .to_owned();
    assert!(text.contains("admin@switchboard.local"));

    let data = dir.path().join("data");
    for file in ["master.keys", "jwt.secret"] {
        let mode = std::fs::metadata(data.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    if database_url.is_empty() {
        assert!(data.join("switchboard.db").exists());
    }

    let http = reqwest::Client::new();
    let gql = Gql::new(http.clone(), format!("http://{addr}/graphql"), None);
    let login = gql
        .query(
            "mutation($p: String!) { login(email: \"admin@switchboard.local\", password: $p) { user { role } } }",
            json!({ "p": password }),
        )
        .await;
    assert_eq!(login.data()["login"]["user"]["role"], "PLATFORM_ADMIN");
    let graphiql = http
        .get(format!("http://{addr}/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(graphiql.text().await.unwrap().contains("graphiql"));
    process::terminate(&child).await;
    assert!(child.wait().await.unwrap().success());

    // A second start keeps the keys and does not print a password again.
    let server = process::serve(
        dir.path(),
        &database_url_or_default(&database_url, dir.path()),
        &[],
    )
    .await;
    assert!(!server.stdout.iter().any(|l| l.contains("password:")));
}

fn database_url_or_default(url: &str, dir: &std::path::Path) -> String {
    if url.is_empty() {
        format!("sqlite://{}/data/switchboard.db?mode=rwc", dir.display())
    } else {
        url.to_owned()
    }
}

#[tokio::test]
async fn admin_create_reads_the_password_from_stdin_and_migrate_reports_status() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();

    let status = process::command(dir.path())
        .args(["migrate", "status"])
        .env("SWITCHBOARD_DATABASE_URL", &database_url)
        .output()
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("pending  m20261124_000001_foundation")
    );

    let mut child = process::command(dir.path())
        .args(["admin", "create", "--email", "ops@example.test"])
        .env("SWITCHBOARD_DATABASE_URL", &database_url)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Strong-admin-pass-42\n")
        .await
        .unwrap();
    let output = child.wait_with_output().await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let status = process::command(dir.path())
        .args(["migrate", "status"])
        .env("SWITCHBOARD_DATABASE_URL", &database_url)
        .output()
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("applied  m20261124_000001_foundation")
    );

    // A weak password is refused, and never echoed.
    let mut child = process::command(dir.path())
        .args(["admin", "create", "--email", "weak@example.test"])
        .env("SWITCHBOARD_DATABASE_URL", &database_url)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"weakpw\n")
        .await
        .unwrap();
    let output = child.wait_with_output().await.unwrap();
    assert!(!output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("weakpw"));

    let server = process::serve(dir.path(), &database_url, &[]).await;
    let gql = Gql::new(
        reqwest::Client::new(),
        format!("http://{}/graphql", server.addr),
        None,
    );
    let login = gql
        .query("mutation { login(email: \"ops@example.test\", password: \"Strong-admin-pass-42\") { user { role } } }", json!({}))
        .await;
    assert_eq!(login.data()["login"]["user"]["role"], "PLATFORM_ADMIN");
    // An admin already exists, so the first-start admin is not made.
    assert!(!server.stdout.iter().any(|l| l.contains("password:")));
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let password = "json-Log-secret-77";
    let server = process::serve(
        dir.path(),
        &database_url,
        &[
            ("SWITCHBOARD_LOG_FORMAT", "json"),
            ("SWITCHBOARD_LOG", "info"),
            ("SWITCHBOARD_ADMIN_EMAIL", "root@platform.test"),
            ("SWITCHBOARD_ADMIN_PASSWORD", password),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let login = http
        .post(format!("http://{}/graphql", server.addr))
        .header("x-request-id", "req-json-42")
        .json(&json!({
            "query": "mutation($p: String!) { login(email: \"root@platform.test\", password: $p) { refreshToken } }",
            "variables": { "p": password }
        }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = login.json().await.unwrap();
    let refresh = body["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    process::terminate(&server.child).await;
    let output = server.child.wait_with_output().await.unwrap();
    let logs = String::from_utf8(output.stderr).unwrap();
    assert!(!logs.is_empty());
    for line in logs.lines() {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(parsed.get("level").is_some(), "{line}");
    }
    assert!(logs.contains("req-json-42"), "{logs}");
    assert!(!logs.contains(password));
    assert!(!logs.contains(&refresh));
}

/// Runs `command`, which must fail, and answers what it wrote to stderr.
async fn failure(mut command: tokio::process::Command) -> String {
    let output = command.output().await.unwrap();
    assert!(!output.status.success());
    String::from_utf8(output.stderr).unwrap()
}

#[tokio::test]
async fn a_busy_port_names_the_setting_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut serve = process::command(dir.path());
    serve.arg("serve").env("SWITCHBOARD_LISTEN", &addr).env(
        "SWITCHBOARD_DATABASE_URL",
        format!("sqlite://{}/busy.db?mode=rwc", dir.path().display()),
    );
    let stderr = failure(serve).await;
    assert!(
        stderr.contains(&addr) && stderr.contains("SWITCHBOARD_LISTEN"),
        "{stderr}"
    );
    let mut simulator = process::command(dir.path());
    simulator
        .args([
            "simulator",
            "run",
            "--twilio",
            "127.0.0.1:0",
            "--meta",
            "127.0.0.1:0",
        ])
        .args(["--control", &addr]);
    let stderr = failure(simulator).await;
    assert!(
        stderr.contains(&addr) && stderr.contains("--control"),
        "{stderr}"
    );
}
