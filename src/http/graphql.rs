//! `/graphql` as the GraphQL-over-HTTP specification asks, in front of async-graphql:
//! the response type negotiated from `Accept`, 415 for other request types, 405 for a
//! mutation over GET, and 400 without `data` for request errors under
//! `application/graphql-response+json`.

use std::net::SocketAddr;

use async_graphql::parser::types::OperationType;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::router::HttpState;
use crate::error::ErrorCode;
use crate::graphql::guards::{AuthFailure, SeenOnce};
use crate::graphql::mutation::ClientAddr;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        })
    }
}

/// Picks the response type from `Accept`: the supported type of highest quality, preferring
/// graphql-response+json on ties. A missing `Accept` or `*/*` gets `application/json`, which
/// every client understands (what the graphql-http conformance audit asks).
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, MediaType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut q = 1.0f32;
        let mut charset_ok = true;
        for param in parts {
            if let Some((k, v)) = param.split_once('=') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "q" => q = v.trim().parse().unwrap_or(0.0),
                    "charset" => {
                        charset_ok = v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
                    }
                    _ => {}
                }
            }
        }
        if q <= 0.0 || !charset_ok {
            continue;
        }
        let media = match essence.as_str() {
            GRAPHQL_RESPONSE_JSON => MediaType::GraphqlResponseJson,
            JSON | "*/*" | "application/*" => MediaType::Json,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((bq, bm)) => {
                q > bq || (q == bq && media == MediaType::GraphqlResponseJson && bm != media)
            }
        };
        if better {
            best = Some((q, media));
        }
    }
    best.map(|(_, m)| m)
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// A response for a request that never reached execution.
fn request_error(status: StatusCode, media: MediaType, message: &str) -> Response {
    let code = if status.is_server_error() {
        ErrorCode::Internal
    } else {
        ErrorCode::BadUserInput
    };
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.header());
    response
}

/// The parameters of a GraphQL-over-HTTP request, already checked for shape.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Value,
    extensions: Option<Map<String, Value>>,
}

fn params_from_json(value: Value) -> Result<Params, &'static str> {
    let Value::Object(mut obj) = value else {
        return Err("the body must be a JSON object");
    };
    let query = match obj.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err("query must be a string"),
        None => return Err("query is missing"),
    };
    let operation_name = match obj.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err("operationName must be a string"),
    };
    let variables = match obj.remove("variables") {
        None | Some(Value::Null) => Value::Null,
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err("variables must be an object"),
    };
    let extensions = match obj.remove("extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => return Err("extensions must be an object"),
    };
    Ok(Params {
        query,
        operation_name,
        variables,
        extensions,
    })
}

fn params_from_query_string(raw: &str) -> Result<Params, &'static str> {
    let mut query = None;
    let mut operation_name = None;
    let mut variables = Value::Null;
    let mut extensions = None;
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        let v = v.into_owned();
        match &*k {
            "query" => query = Some(v),
            "operationName" if !v.is_empty() => operation_name = Some(v),
            "variables" if !v.is_empty() => match serde_json::from_str(&v) {
                Ok(Value::Object(m)) => variables = Value::Object(m),
                Ok(Value::Null) => {}
                _ => return Err("variables must be a JSON object"),
            },
            "extensions" if !v.is_empty() => match serde_json::from_str(&v) {
                Ok(Value::Object(m)) => extensions = Some(m),
                Ok(Value::Null) => {}
                _ => return Err("extensions must be a JSON object"),
            },
            _ => {}
        }
    }
    Ok(Params {
        query: query.ok_or("query is missing")?,
        operation_name,
        variables,
        extensions,
    })
}

/// The type of the operation a request would run, when its document parses.
fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    match operation_name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name))
            .map(|(_, op)| op.node.ty),
        None => doc.operations.iter().next().map(|(_, op)| op.node.ty),
    }
}

/// GET: the GraphiQL explorer for a browser, else a query (never a mutation) from the query string.
pub async fn get(
    State(state): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let raw_query = request.uri().query().unwrap_or_default().to_owned();
    if raw_query.is_empty() && wants_html(&headers) {
        return super::web_client::graphiql_page();
    }
    let Some(media) = negotiate(&headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    let params = match params_from_query_string(&raw_query) {
        Ok(p) => p,
        Err(message) => return request_error(StatusCode::BAD_REQUEST, media, message),
    };
    // The operation's type is read by parsing, which must not meet an unbounded document.
    let limits = state.settings.graphql.document();
    if let Err(message) = limits.check_text(&params.query) {
        return request_error(StatusCode::BAD_REQUEST, media, &message);
    }
    match operation_type(&params.query, params.operation_name.as_deref()) {
        Some(OperationType::Query) | None => {}
        Some(_) => {
            let mut response = request_error(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                "only queries may be sent with GET; send mutations and subscriptions with POST",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    execute(&state, &headers, peer, params, media).await
}

/// POST with an `application/json` body.
pub async fn post(
    State(state): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let Some(media) = negotiate(&headers) else {
        return StatusCode::NOT_ACCEPTABLE.into_response();
    };
    if !is_json_content_type(&headers) {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            "send the request as application/json",
        );
    }
    let body: Bytes = match to_bytes(request.into_body(), state.settings.body_limit).await {
        Ok(b) => b,
        Err(_) => {
            return request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                "the request body is too large",
            )
        }
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return request_error(StatusCode::BAD_REQUEST, media, "the body is not valid JSON")
        }
    };
    let params = match params_from_json(value) {
        Ok(p) => p,
        Err(message) => return request_error(StatusCode::BAD_REQUEST, media, message),
    };
    execute(&state, &headers, peer, params, media).await
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = ct.split(';').map(str::trim);
    let essence_ok = parts.next().is_some_and(|e| e.eq_ignore_ascii_case(JSON));
    let charset_ok = parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    essence_ok && charset_ok
}

async fn execute(
    state: &HttpState,
    headers: &HeaderMap,
    peer: SocketAddr,
    params: Params,
    media: MediaType,
) -> Response {
    let mut request = async_graphql::Request::new(params.query)
        .variables(async_graphql::Variables::from_json(params.variables))
        .data(ClientAddr(client_address(
            state.settings.client_ip_header.as_deref(),
            headers,
            peer,
        )))
        .data(SeenOnce::default());
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(ext) = params.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                request.extensions.insert(k, v);
            }
        }
    }
    match super::ws::bearer(headers) {
        Bearer::None => {}
        Bearer::Malformed => request = request.data(AuthFailure(super::ws::MALFORMED_BEARER)),
        Bearer::Token(token) => match state.services.auth.authenticate(token).await {
            Ok(viewer) => {
                if let Some(tenant) = viewer.tenant {
                    tracing::Span::current().record("tenant.id", tracing::field::display(tenant));
                }
                request = request.data(viewer);
            }
            Err(crate::error::AppError::Unauthenticated(reason)) => {
                request = request.data(AuthFailure(reason))
            }
            Err(err) => {
                tracing::error!(error = %format!("{:#}", anyhow::Error::from(err)), "authentication failed");
                return request_error(StatusCode::INTERNAL_SERVER_ERROR, media, "internal error");
            }
        },
    }
    let response = state.schema.execute(request).await;
    encode(response, media)
}

/// The caller's address: the peer, or behind a configured proxy the last entry of the
/// header the proxy sets (earlier entries come from the client and can be forged).
fn client_address(
    client_ip_header: Option<&str>,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> std::net::IpAddr {
    client_ip_header
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer.ip())
}

pub enum Bearer<'h> {
    None,
    Malformed,
    Token(&'h str),
}

/// Serialises an execution result. Errors without a code get BAD_USER_INPUT: the only
/// errors without one come from async-graphql's own parsing, validation and coercion.
fn encode(mut response: async_graphql::Response, media: MediaType) -> Response {
    // Parse, validation and coercion errors carry no path; a caught panic (INTERNAL) has
    // none either but is not the request's fault.
    let internal = |e: &async_graphql::ServerError| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from(ErrorCode::Internal.as_str()))
    };
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response
            .errors
            .iter()
            .all(|e| e.path.is_empty() && !internal(e));
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::BadUserInput.as_str());
        }
    }
    let status = if request_error && media == MediaType::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    // Serialised straight from the response, whose objects keep the order of the selection
    // (the spec asks for it); a detour through `serde_json::Value` would sort the keys.
    let body = Encoded {
        data: (status == StatusCode::OK).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot encode a GraphQL response");
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
    });
    let mut http = (status, Body::from(bytes)).into_response();
    http.headers_mut()
        .insert(header::CONTENT_TYPE, media.header());
    http
}

/// A response as it goes on the wire: `data` is left out of a request error answered 400.
#[derive(serde::Serialize)]
struct Encoded<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn negotiation_follows_the_spec() {
        assert!(negotiate(&HeaderMap::new()) == Some(MediaType::Json));
        assert!(negotiate(&accept("application/json")) == Some(MediaType::Json));
        assert!(negotiate(&accept("*/*")) == Some(MediaType::Json));
        assert!(
            negotiate(&accept("*/*, application/graphql-response+json"))
                == Some(MediaType::GraphqlResponseJson)
        );
        assert!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )) == Some(MediaType::GraphqlResponseJson)
        );
        assert!(
            negotiate(&accept(
                "application/graphql-response+json;q=0.5, application/json"
            )) == Some(MediaType::Json)
        );
        assert!(negotiate(&accept("text/plain")).is_none());
        assert!(negotiate(&accept("application/json; charset=utf-16")).is_none());
    }

    #[test]
    fn query_strings_are_decoded() {
        let p =
            params_from_query_string("query=%7B%20me%20%7B%20role%20%7D%20%7D&variables=%7B%7D")
                .unwrap();
        assert_eq!(p.query, "{ me { role } }");
        assert!(params_from_query_string("variables=%5B%5D&query=x").is_err());
    }

    #[test]
    fn mutations_are_recognised_for_get() {
        assert!(matches!(
            operation_type("mutation { logout }", None),
            Some(OperationType::Mutation)
        ));
        assert!(matches!(
            operation_type("query A { me { role } } mutation B { logout }", Some("B")),
            Some(OperationType::Mutation)
        ));
        assert!(matches!(
            operation_type("{ me { role } }", None),
            Some(OperationType::Query)
        ));
    }
}
