//! Building and running the server: storage, services, schema, router, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::graphql::{build_schema, Limits};
use crate::http::router::{HttpSettings, HttpState};
use crate::services::{Services, Workers};
use crate::store::Store;

/// A server bound to its port, ready to run.
pub struct App {
    listener: TcpListener,
    workers: Workers,
    router: axum::Router,
    store: Store,
    config: Arc<Config>,
}

impl App {
    /// Prepares the data directory, connects, migrates, makes the platform admin if there is
    /// none, and binds the listener.
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        crate::bootstrap::prepare_data_dir(&mut config)?;
        let store = Store::connect(&config.database_url)
            .await
            .context("connecting to the database")?;
        store.migrate_up().await.context("applying migrations")?;
        crate::bootstrap::ensure_platform_admin(&config, &store).await?;
        let listener = TcpListener::bind(config.listen).await.with_context(|| {
            format!(
                "cannot listen on {}; set SWITCHBOARD_LISTEN to another address (for example 127.0.0.1:8081)",
                config.listen
            )
        })?;
        // With port 0 the default public URL names the port actually bound.
        let bound = listener.local_addr().context("reading the bound address")?;
        if config.public_url == format!("http://{}", config.listen) {
            config.public_url = format!("http://{bound}");
        }

        let config = Arc::new(config);
        crate::telemetry::metrics::install();
        let (services, workers) = Services::new(store.clone(), &config).await?;
        let limits = Limits {
            depth: config.graphql_max_depth,
            complexity: config.graphql_max_complexity,
            aliases: config.graphql_max_aliases,
            nesting: config.graphql_max_nesting,
            anonymous_introspection: config.graphql_anonymous_introspection,
        };
        let schema = build_schema(services.clone(), limits);
        services
            .webhooks
            .install(Arc::new(crate::graphql::webhook_render::SchemaRender::new(
                schema.clone(),
            )));
        let router = crate::http::router(HttpState {
            services: Arc::new(services),
            shared: crate::graphql::shared::SharedSubscriptions::new(schema.clone()),
            schema,
            settings: Arc::new(HttpSettings {
                body_limit: config.body_limit,
                ws_max_subscriptions: config.ws_max_subscriptions,
                client_ip_header: config.client_ip_header.clone(),
                graphql: limits,
                metrics_token: config.telemetry.metrics_token.clone(),
            }),
        });
        Ok(Self {
            listener,
            workers,
            router,
            store,
            config,
        })
    }

    /// The count of statements the server's store sends.
    pub fn statements(&self) -> crate::store::StatementCount {
        self.store.statements()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish
    /// within the grace period, and closes the pool.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections; finishing requests in flight");
            let _ = stopping_tx.send(true);
        };
        let grace = self.config.shutdown_grace;
        let Workers {
            media,
            outbox,
            campaigns,
            presence,
            assigner,
            webhooks: (webhook_sender, bus),
        } = self.workers;
        let fetcher = tokio::spawn(media.run());
        let sender = tokio::spawn(outbox.clone().run());
        let dispatcher = tokio::spawn(campaigns.clone().run());
        let attendance = tokio::spawn(presence.clone().run());
        let assignment = tokio::spawn(assigner.run());
        let webhooks = tokio::spawn(webhook_sender.run(bus));
        let gauges = tokio::spawn(
            crate::services::gauges::GaugeRefresh::new(
                self.store.clone(),
                self.config.telemetry.metrics_interval,
            )
            .run(),
        );
        let serve = crate::http::serve::serve(
            self.listener,
            self.router,
            crate::http::serve::ConnectionLimits {
                header_read_timeout: self.config.header_read_timeout,
                max_connections: self.config.max_connections,
            },
            signal,
        );
        let deadline = async move {
            let _ = stopping_rx.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            () = serve => {}
            () = deadline => tracing::warn!(grace_s = grace.as_secs(), "requests still in flight after the grace period; stopping"),
        }
        fetcher.abort();
        // A batch cut off mid-way rolls back whole: its recipients stay pending.
        campaigns.stop();
        dispatcher.abort();
        outbox.drain(grace).await;
        sender.abort();
        attendance.abort();
        assignment.abort();
        webhooks.abort();
        gauges.abort();
        presence.release_all().await;
        self.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
