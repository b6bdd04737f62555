//! The web client embedded in the binary. GraphiQL used to load its scripts from a CDN, so on
//! a server without Internet access `/graphql` showed "Loading..." forever. Now the page and
//! every file it loads come from the server itself, with the right types, cache lifetimes and
//! security headers, and it works in a real browser that can reach nothing else.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::{deadline, time_scale, TestApp, PASSWORD};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

async fn graphiql_page(app: &TestApp) -> reqwest::Response {
    app.http
        .get(app.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap()
}

/// The values of `name="..."` attributes in `html`.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The other built files a script or stylesheet names: Vite's preload map lists
/// `assets/x-HASH.js`, and chunks import their siblings as `./x-HASH.js`.
fn referenced_assets(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for prefix in ["assets/", "\"./"] {
        for (at, _) in text.match_indices(prefix) {
            let name: String = text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if name.ends_with(".js") || name.ends_with(".css") {
                found.insert(format!("/assets/{name}"));
            }
        }
    }
    found
}

fn is_same_origin_path(reference: &str) -> bool {
    reference.starts_with('/') && !reference.starts_with("//") && !reference.contains("://")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{} has no {name} header", response.url()))
}

#[tokio::test]
async fn graphiql_loads_only_from_this_server_with_strict_headers() {
    let app = TestApp::spawn().await;
    let page = graphiql_page(&app).await;
    assert_eq!(page.status().as_u16(), 200, "was the web client built?");
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    let csp = header(&page, "content-security-policy").to_owned();
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    assert!(directives.contains(&"script-src 'self'"), "{csp}");
    assert!(directives.contains(&"frame-ancestors 'none'"), "{csp}");
    assert!(directives.contains(&"default-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("<title>Switchboard GraphiQL</title>"));

    // Everything the page names is a path on this server: no CDN, no external font.
    let mut references: Vec<&str> = attribute_values(&html, "src");
    references.extend(attribute_values(&html, "href"));
    assert!(
        references.iter().any(|r| r.ends_with(".js"))
            && references.iter().any(|r| r.ends_with(".css")),
        "the page names no script or stylesheet: {html}"
    );
    for reference in &references {
        assert!(
            is_same_origin_path(reference),
            "a foreign reference: {reference}"
        );
    }
    assert!(!html.contains("<script>"), "an inline script: {html}");

    // Every file, including the chunks the editor loads later, answers with its type and is
    // cached for good; stylesheets pull nothing from elsewhere.
    let mut queue: VecDeque<String> = references.iter().map(|r| (*r).to_owned()).collect();
    let mut seen = BTreeSet::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let expected = if path.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else if path.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            panic!("an unexpected kind of asset: {path}")
        };
        assert_eq!(header(&response, "content-type"), expected, "{path}");
        assert_eq!(header(&response, "cache-control"), IMMUTABLE, "{path}");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        let text = response.text().await.unwrap();
        if path.ends_with(".css") {
            assert!(!text.contains("@import"), "{path} imports a stylesheet");
            for (at, _) in text.match_indices("url(") {
                let target = text[at + 4..].trim_start_matches(['"', '\'']);
                assert!(
                    target.starts_with("data:") || is_same_origin_path(target),
                    "{path} loads {}",
                    &target[..target.len().min(60)]
                );
            }
        }
        queue.extend(referenced_assets(&text));
    }
    assert!(seen.len() > 2, "only {seen:?}");

    // `/` and every client-side route answer the web client's page, with the same headers;
    // the server's own paths never do.
    for path in [
        "/",
        "/inbox",
        "/inbox/0190a0b2-0000-7000-8000-000000000000",
        "/admin/channels",
    ] {
        let page = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200, "{path}");
        assert_eq!(header(&page, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&page, "content-security-policy"), csp, "{path}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("<title>Switchboard</title>"),
            "{path}: {html}"
        );
        assert!(html.contains("<div id=\"root\">"), "{path}");
    }
    for path in [
        "/graphql/nope",
        "/media/x/y",
        "/webhooks/nope",
        "/healthz/x",
    ] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
    let post = app.http.post(app.url("/inbox")).send().await.unwrap();
    assert_eq!(post.status().as_u16(), 404);
}

#[tokio::test]
async fn unknown_assets_are_not_found() {
    let app = TestApp::spawn().await;
    for path in [
        "/assets/missing-0123abcd.js",
        "/assets/..%2f..%2fCargo.toml",
        "/assets/graphiql.html",
        "/assets/",
    ] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }
    // A dotted segment leaves `/assets/` before it is sent (`/Cargo.toml`): a client route,
    // which answers the client's page and never a file of the server's folder.
    let response = app
        .http
        .get(app.url("/assets/%2e%2e/Cargo.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.url().path(), "/Cargo.toml");
    let body = response.text().await.unwrap();
    assert!(
        body.contains("<div id=\"root\">") && !body.contains("[package]"),
        "{body}"
    );
    let healthz = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status().as_u16(), 200);
}

fn web_client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web-client")
}

/// Headless Chromium opens `/graphql` with every request to another origin refused, signs
/// in through the editor, puts the token in the Headers tab as the page's hint says, and sees
/// the answers of a query and of a subscription. The script is `web-client/tests/`.
#[tokio::test]
async fn graphiql_works_in_a_browser_that_reaches_nothing_else() {
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
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Browser").await;
    let mut command = tokio::process::Command::new("node");
    command
        .arg(web.join("tests/graphiql.spec.mjs"))
        .arg(format!("http://{}", app.addr))
        .current_dir(&web)
        .env("CHROMIUM", &chromium)
        .env("SWITCHBOARD_TEST_EMAIL", &tenant.owner_email)
        .env("SWITCHBOARD_TEST_PASSWORD", PASSWORD)
        .env("SWITCHBOARD_TEST_TIME_SCALE", time_scale().to_string())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(deadline(180), command.output())
        .await
        .expect("the browser test ends within its deadline")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser test failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("graphiql: ok"), "{stdout}\n{stderr}");
    println!("{stdout}");
    let healthz = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status().as_u16(), 200);
}
