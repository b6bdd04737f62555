//! The web client built from `web-client/` into `web-client/dist` (the agent inbox and admin
//! console at `/`, and the GraphiQL explorer), embedded in the binary: it works on a machine
//! without Internet access and from any working directory. Hashed assets are cached for good;
//! pages are revalidated on every load and carry a Content-Security-Policy that lets scripts
//! come from this server only. Any other `GET` path a browser asks for is one of the client's
//! own routes (`/inbox/…`), so it answers the client's page, which routes it.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// `web-client/dist` as the build found it. `build.rs` builds it when npm is present; without
/// it the folder may be missing, and the pages explain how to build it.
#[derive(RustEmbed)]
#[folder = "web-client/dist/"]
#[allow_missing = true]
struct Dist;

/// Scripts only from this origin, never inline. The component library and GraphiQL's editor
/// set inline styles and insert `<style>` elements, so styles need `'unsafe-inline'`; fonts
/// and icons are `data:` URLs inside stylesheets. Media the inbox shows is fetched with the
/// viewer's token and played from `blob:` URLs.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Vite names every file under `assets/` after a hash of its content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Paths that belong to the server, never to the client's routes: an unknown one is 404.
const SERVER_PREFIXES: &[&str] = &[
    "/graphql",
    "/assets/",
    "/media",
    "/webhooks",
    "/healthz",
    "/readyz",
];

/// The page served in place of the web client when the binary was built without it.
const NOT_BUILT: &str = concat!(
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
    "<title>Switchboard: web client not built</title></head>",
    "<body style=\"font-family:system-ui;max-width:44rem;margin:4rem auto\">",
    "<h1>The web client was not built</h1>",
    "<p>This server was compiled without <code>web-client/dist</code>, so the inbox, the ",
    "admin console and the GraphiQL explorer are not available. The API itself works: POST GraphQL requests to ",
    "<code>/graphql</code> as <code>application/json</code>.</p>",
    "<p>To build the explorer, install Node.js 20.19 or later with npm and run ",
    "<code>cargo build</code> again: the build runs <code>npm ci</code> and ",
    "<code>npm run build</code> in <code>web-client/</code>. Or run those two commands ",
    "there yourself, then rebuild the server.</p></body></html>"
);

/// The GraphiQL explorer, or a page saying how to build it.
pub fn graphiql_page() -> Response {
    page("graphiql.html")
}

/// `GET /`: the web client, or a page saying how to build it.
pub async fn app() -> Response {
    page("index.html")
}

/// Every path no route claims: the web client's page for a `GET` of one of its own routes,
/// 404 for anything else.
pub async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let ours = SERVER_PREFIXES.iter().any(|p| path.starts_with(p));
    if (method == Method::GET || method == Method::HEAD) && !ours {
        return page("index.html");
    }
    let mut response = (StatusCode::NOT_FOUND, "no such route").into_response();
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn page(name: &str) -> Response {
    match Dist::get(name) {
        Some(file) => html(StatusCode::OK, Body::from(file.data)),
        None => html(StatusCode::SERVICE_UNAVAILABLE, Body::from(NOT_BUILT)),
    }
}

fn html(status: StatusCode, body: Body) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The page names the current hashed assets, so it must never be served stale.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /assets/{*path}`: a file of the built web client.
pub async fn asset(Path(path): Path<String>) -> Response {
    let Some(file) = Dist::get(&format!("assets/{path}")) else {
        let mut response = (StatusCode::NOT_FOUND, "no such asset").into_response();
        response.headers_mut().insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        return response;
    };
    let content_type = content_type(file.metadata.mimetype());
    let mut response = Body::from(file.data).into_response();
    let headers = response.headers_mut();
    let pairs: [(HeaderName, HeaderValue); 3] = [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    for (name, value) in pairs {
        headers.insert(name, value);
    }
    response
}

/// The type guessed from the extension, with a charset for text: Vite writes UTF-8.
fn content_type(mime: &str) -> HeaderValue {
    let text = mime.starts_with("text/") || mime == "application/javascript";
    let value = if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_assets_declare_their_charset() {
        assert_eq!(
            content_type("text/javascript"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("text/css"), "text/css; charset=utf-8");
        assert_eq!(content_type("image/svg+xml"), "image/svg+xml");
        assert_eq!(content_type("font/woff2"), "font/woff2");
    }

    #[test]
    fn the_policy_allows_no_foreign_or_inline_script() {
        let script = CSP
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert_eq!(script, "script-src 'self'");
        assert!(CSP.contains("frame-ancestors 'none'"));
        assert!(!CSP.contains("http"));
    }

    #[tokio::test]
    async fn the_page_without_a_build_says_how_to_build_it() {
        let response = html(StatusCode::SERVICE_UNAVAILABLE, Body::from(NOT_BUILT));
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        assert!(text.contains("npm run build"));
        assert!(!text.contains("<script"));
    }
}
