//! The README's cookbook, run as written: its commands against the real binary and the
//! simulator, its operations over HTTP and WebSocket in order, its graphql-ws client under
//! Node.js. Only the addresses change (free ports instead of 8080 and 9100–9102), and values
//! written `<path>` are taken from the earlier answers, as the README tells a reader to.

use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

use crate::simulator::start_simulator;
use crate::subscriptions::{connect_to, Socket};
use crate::support::{db, deadline, process};

const README: &str = include_str!("../../README.md");

/// One fenced block of the cookbook, with what the README says around it.
#[derive(Debug)]
enum Block {
    Sh(String),
    Graphql {
        operation: String,
        variables: Option<String>,
        /// `<!-- cookbook: until PATH = VALUE -->`: run again until the answer says so.
        until: Option<(String, String)>,
    },
    Js(String),
}

fn cookbook() -> Vec<Block> {
    let start = README
        .find("\n## Cookbook")
        .expect("the README has a cookbook");
    let rest = &README[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    let mut blocks = Vec::new();
    let mut until = None;
    let mut lines = rest[..end].lines();
    while let Some(line) = lines.next() {
        if let Some(rule) = line
            .strip_prefix("<!-- cookbook: until ")
            .and_then(|r| r.strip_suffix(" -->"))
        {
            let (path, value) = rule.split_once(" = ").expect("until PATH = VALUE");
            until = Some((path.trim().to_owned(), value.trim().to_owned()));
            continue;
        }
        let Some(kind) = line.strip_prefix("```") else {
            continue;
        };
        let body = lines
            .by_ref()
            .take_while(|l| *l != "```")
            .collect::<Vec<_>>()
            .join("\n");
        match kind.trim() {
            "sh" => blocks.push(Block::Sh(body)),
            "graphql" => blocks.push(Block::Graphql {
                operation: body,
                variables: None,
                until: until.take(),
            }),
            "json" => match blocks.last_mut() {
                Some(Block::Graphql {
                    variables: v @ None,
                    ..
                }) => *v = Some(body),
                _ => panic!("a json block must follow an operation: {body}"),
            },
            "js" => blocks.push(Block::Js(body)),
            other => panic!("a cookbook block of an unknown kind {other:?}"),
        }
    }
    blocks
}

/// Shell words, with '…' and "…" quoting (`\"` inside double quotes), as the README uses.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut in_word) = (Vec::new(), String::new(), false);
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// A block's commands, with `\` continuations joined and comments dropped.
fn commands(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in block.lines() {
        let line = line.split(" # ").next().unwrap_or_default().trim_end();
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                if !current.trim().is_empty() {
                    out.push(std::mem::take(&mut current).trim().to_owned());
                }
                current.clear();
            }
        }
    }
    out
}

fn at<'a>(answers: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(answers, |v, key| match key.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(key),
        })
}

struct Run {
    dir: tempfile::TempDir,
    http: reqwest::Client,
    /// Each top-level field answered so far, the latest under its name.
    answers: Value,
    token: Option<String>,
    server: Option<process::Server>,
    /// Dropped after the server, on teardown.
    database: Option<db::TestDatabase>,
    simulator: Option<crate::simulator::Running>,
    admin_password: Option<String>,
    sockets: Vec<(String, Socket)>,
    client: Option<(tokio::process::Child, Arc<Mutex<Vec<String>>>)>,
}

impl Run {
    /// The README's addresses replaced by this run's.
    fn localize(&self, text: &str) -> String {
        let mut text = text.to_owned();
        if let Some(server) = &self.server {
            text = text.replace("127.0.0.1:8080", &server.addr);
        }
        if let Some(sim) = &self.simulator {
            for (readme, url) in [
                ("http://127.0.0.1:9100", &sim.control),
                ("http://127.0.0.1:9101", &sim.twilio),
                ("http://127.0.0.1:9102", &sim.meta),
            ] {
                text = text.replace(readme, url);
            }
        }
        text
    }

    /// `<path>` replaced by the earlier answer it names.
    fn fill(&self, word: &str) -> String {
        match word.strip_prefix('<').and_then(|w| w.strip_suffix('>')) {
            Some(path) if path.contains('.') => match at(&self.answers, path) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => panic!("no earlier answer has {path}: {}", self.answers),
            },
            _ => word.to_owned(),
        }
    }

    fn keep(&mut self, data: &Value) {
        let Value::Object(fields) = data else {
            panic!("an answer without data: {data}");
        };
        for (name, value) in fields {
            self.answers[name] = value.clone();
        }
        for signed in ["login", "refresh"] {
            if let Some(token) = data[signed]["accessToken"].as_str() {
                self.token = Some(token.to_owned());
            }
        }
    }

    async fn sh(&mut self, block: &str) {
        for command in commands(block) {
            let words = words(&command);
            let env: Vec<(&str, &str)> = words
                .iter()
                .map_while(|w| {
                    w.split_once('=')
                        .filter(|(k, _)| k.starts_with("SWITCHBOARD_"))
                })
                .collect();
            let rest = &words[env.len()..];
            match rest.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                ["cargo", "run", "--release", "--", "simulator"] => {
                    self.simulator = Some(start_simulator(self.dir.path()).await);
                }
                ["cargo", "run", "--release"] => self.serve(&env).await,
                ["cargo", "run", "--release", "--", "simulator", ..] => {
                    let args: Vec<String> = rest[4..].iter().map(|w| self.fill(w)).collect();
                    let control = self
                        .simulator
                        .as_ref()
                        .expect("the simulator runs")
                        .control
                        .clone();
                    let output = process::command(self.dir.path())
                        .args(&args)
                        .args(["--control", &control])
                        .output()
                        .await
                        .unwrap();
                    assert!(
                        output.status.success(),
                        "{command}: {}{}",
                        String::from_utf8_lossy(&output.stdout),
                        String::from_utf8_lossy(&output.stderr)
                    );
                }
                ["curl", ..] => self.curl(rest).await,
                _ => panic!("the cookbook shows a command this test does not know: {command}"),
            }
        }
    }

    /// `switchboard serve` with the README's settings, on a free port and its own database.
    async fn serve(&mut self, env: &[(&str, &str)]) {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), self.localize(v)))
            .collect();
        assert!(
            env.iter().all(|(_, v)| !v.contains(":910")),
            "the README points Switchboard at the simulator's ports: {env:?}"
        );
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        let database = self.database.insert(db::provision(self.dir.path()).await);
        let server = process::serve(self.dir.path(), &database.url, &env).await;
        self.admin_password = server
            .stdout
            .iter()
            .find_map(|l| l.trim().strip_prefix("password: "))
            .map(str::to_owned);
        assert!(
            self.admin_password.is_some(),
            "the first start prints a password"
        );
        self.server = Some(server);
    }

    async fn curl(&mut self, words: &[String]) {
        let (mut url, mut body, mut headers) = (None, None, Vec::new());
        let mut words = words[1..].iter();
        while let Some(word) = words.next() {
            match word.as_str() {
                "-s" => {}
                "-H" => headers.push(words.next().unwrap().clone()),
                "-d" => body = words.next().cloned(),
                w if w.starts_with("http") => url = Some(self.localize(w)),
                w => panic!("a curl option this test does not know: {w}"),
            }
        }
        let password = self.admin_password.clone().unwrap();
        let body = body
            .expect("curl -d")
            .replace("<the printed password>", &password);
        let mut request = self.http.post(url.expect("curl's URL")).body(body);
        for header in headers {
            let (name, value) = header.split_once(": ").unwrap();
            request = request.header(name, value);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(answer.get("errors").is_none(), "{answer}");
        self.keep(&answer["data"]);
    }

    async fn graphql(
        &mut self,
        operation: &str,
        variables: Option<&str>,
        until: Option<&(String, String)>,
    ) {
        let variables = match variables {
            None => json!({}),
            Some(text) => {
                let raw: Map<String, Value> = serde_json::from_str(text).unwrap();
                raw.into_iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => (k, Value::String(self.fill(&s))),
                        v => (k, v),
                    })
                    .collect()
            }
        };
        if operation.trim_start().starts_with("subscription") {
            let socket = self.subscribe(operation, variables).await;
            self.sockets.push((operation.to_owned(), socket));
            return;
        }
        let give_up = tokio::time::Instant::now() + deadline(60);
        loop {
            let url = format!("http://{}/graphql", self.server.as_ref().unwrap().addr);
            let mut request = self
                .http
                .post(url)
                .json(&json!({ "query": operation, "variables": variables }));
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let answer: Value = request.send().await.unwrap().json().await.unwrap();
            assert!(answer.get("errors").is_none(), "{operation}\n{answer}");
            let done = until.is_none_or(|(path, value)| {
                at(&answer["data"], path).and_then(Value::as_str) == Some(value.as_str())
            });
            if done {
                self.keep(&answer["data"]);
                return;
            }
            assert!(
                tokio::time::Instant::now() < give_up,
                "{operation}: never {until:?}: {answer}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    async fn subscribe(&self, query: &str, variables: Value) -> Socket {
        let mut socket = connect_to(&self.server.as_ref().unwrap().addr).await;
        let token = self.token.as_deref().unwrap();
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        socket.send(Message::text(init.to_string())).await.unwrap();
        let ack = next_json(&mut socket).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .unwrap();
        socket
    }

    /// Subscriptions active on the server, from its `/metrics`.
    async fn active_subscriptions(&self) -> f64 {
        let addr = &self.server.as_ref().expect("the server runs").addr;
        crate::support::metric(&self.http, addr, "switchboard_subscriptions_active").await
    }

    /// The graphql-ws client, under Node.js with the web client's packages. The next step
    /// waits for its subscription to be active, so the events it causes reach the client.
    async fn js(&mut self, code: &str) {
        let code = self.localize(code);
        let subscribed = self.active_subscriptions().await;
        let node_major = std::process::Command::new("node")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .expect("Node.js is installed");
        let mut cmd = tokio::process::Command::new("node");
        if node_major.starts_with("v20.") || node_major.starts_with("v21.") {
            cmd.arg("--experimental-websocket");
        }
        let mut child = cmd
            .arg("--input-type=module")
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("web-client"))
            .env("TOKEN", self.token.as_deref().unwrap())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut stdin, code.as_bytes())
            .await
            .unwrap();
        drop(stdin);
        let printed = Arc::new(Mutex::new(Vec::new()));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let keep = printed.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                keep.lock().unwrap().push(line);
            }
        });
        self.client = Some((child, printed));
        crate::support::eventually(
            20,
            "the client's subscription is active",
            || self.active_subscriptions(),
            |n| *n > subscribed,
        )
        .await;
    }
}

async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(deadline(10), socket.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] != "ping" {
                return value;
            }
        }
    }
}

#[tokio::test]
async fn the_readme_cookbook_runs_as_written() {
    let blocks = cookbook();
    assert!(blocks.len() > 20, "{blocks:?}");
    let mut run = Run {
        dir: tempfile::tempdir().unwrap(),
        http: reqwest::Client::new(),
        answers: json!({}),
        token: None,
        server: None,
        database: None,
        simulator: None,
        admin_password: None,
        sockets: Vec::new(),
        client: None,
    };
    for block in &blocks {
        match block {
            Block::Sh(text) => run.sh(text).await,
            Block::Graphql {
                operation,
                variables,
                until,
            } => {
                run.graphql(operation, variables.as_deref(), until.as_ref())
                    .await
            }
            // The first client is whole and runs; later ones are fragments of it, checked
            // for their syntax.
            Block::Js(code) if code.contains("import ") => run.js(code).await,
            Block::Js(code) => {
                let file = run.dir.path().join("fragment.mjs");
                std::fs::write(&file, code).unwrap();
                let checked = std::process::Command::new("node")
                    .arg("--check")
                    .arg(&file)
                    .output()
                    .unwrap();
                assert!(
                    checked.status.success(),
                    "{code}\n{}",
                    String::from_utf8_lossy(&checked.stderr)
                );
            }
        }
    }

    // What the cookbook promises: a template send and a campaign reach the customers.
    let campaign = &run.answers["campaign"];
    assert_eq!(campaign["state"], "COMPLETED", "{campaign}");
    // Counts are cumulative: a read message was also sent and delivered.
    let counts = &campaign["counts"];
    assert_eq!(
        [&counts["sent"], &counts["failed"], &counts["skipped"]],
        [3, 0, 1],
        "{counts}"
    );
    let template_send = run.answers["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    run.graphql(
        "query($id: ID!) { message(id: $id) { status } }",
        Some(&json!({ "id": template_send }).to_string()),
        Some(&("message.status".to_owned(), "DELIVERED".to_owned())),
    )
    .await;

    // Every subscription it shows delivered, and so did the graphql-ws client.
    for (operation, socket) in &mut run.sockets {
        let event = next_json(socket).await;
        assert_eq!(event["type"], "next", "{operation}: {event}");
        assert!(
            event["payload"].get("errors").is_none(),
            "{operation}: {event}"
        );
    }
    let (_child, printed) = run.client.take().expect("the cookbook shows a client");
    let lines = crate::support::eventually(
        20,
        "the client prints an event",
        || async { printed.lock().unwrap().clone() },
        |lines| lines.iter().any(|l| l.contains("\"kind\"")),
    )
    .await;
    let line = lines.iter().find(|l| l.contains("\"kind\"")).unwrap();
    let event: Value = serde_json::from_str(line).unwrap();
    assert!(event["message"]["direction"].is_string(), "{line}");
}
