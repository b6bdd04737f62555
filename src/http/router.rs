//! Routes and the layers around them: request ids, tracing, panics, CORS.

use std::time::Duration;

use axum::http::{HeaderName, Request};
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::domain::public_urls::{
    MEDIA_ROUTE, META_WEBHOOK_ROUTE, TWILIO_WEBHOOK_ROUTE, UPLOAD_ROUTE,
};
use crate::graphql::{AppSchema, Limits};
use crate::services::Services;

/// The settings the edge applies itself.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// The largest request body (`SWITCHBOARD_BODY_LIMIT`).
    pub body_limit: usize,
    /// Subscriptions one socket may hold (`SWITCHBOARD_WS_MAX_SUBSCRIPTIONS`).
    pub ws_max_subscriptions: usize,
    /// The header a trusted proxy puts the client's address in (`SWITCHBOARD_CLIENT_IP_HEADER`).
    pub client_ip_header: Option<String>,
    /// The bounds of a GraphQL document.
    pub graphql: Limits,
    /// The bearer token a `/metrics` scrape must bring (`SWITCHBOARD_METRICS_TOKEN`).
    pub metrics_token: Option<crate::crypto::Secret>,
}

/// What the handlers share. Each request, and each socket for as long as it lives, holds a
/// copy, so it is a few handles: the services behind one `Arc`.
#[derive(Clone)]
pub struct HttpState {
    pub services: std::sync::Arc<Services>,
    pub schema: AppSchema,
    /// Live subscriptions rendered once for every socket that asks the same of them.
    pub shared: crate::graphql::shared::SharedSubscriptions,
    pub settings: std::sync::Arc<HttpSettings>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/", get(super::web_client::app))
        .route(
            "/graphql",
            get(super::graphql::get).post(super::graphql::post),
        )
        .route("/graphql/ws", get(super::ws::upgrade))
        // The web client's hashed files; its pages are served by the routes that show them.
        .route("/assets/{*path}", get(super::web_client::asset))
        .route(TWILIO_WEBHOOK_ROUTE, post(super::webhooks::twilio))
        .route(
            META_WEBHOOK_ROUTE,
            get(super::webhooks::meta_handshake).post(super::webhooks::meta),
        )
        // The handler bounds the body itself, streaming it to the media store.
        .route(UPLOAD_ROUTE, post(super::media::upload))
        .route(MEDIA_ROUTE, get(super::media::serve))
        .route("/healthz", get(super::health::healthz))
        .route("/readyz", get(super::health::readyz))
        .route("/metrics", get(super::metrics::metrics))
        .fallback(super::web_client::fallback)
        .with_state(state)
        .layer(CatchPanicLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The route, not the path: webhook paths carry a channel's secret key.
                    let route = request
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_else(|| "unmatched".to_owned());
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        route = %route,
                        request_id = %id,
                        tenant.id = tracing::field::Empty,
                    )
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                )
                .on_request(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
}
