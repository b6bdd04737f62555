//! Building and running the server: storage, services, schema, router, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::crypto::JwtKeys;
use crate::graphql::{build_schema, AppState};
use crate::http::router::HttpState;
use crate::services::accounts::Accounts;
use crate::services::auth::{Auth, AuthSettings, LoginThrottle};
use crate::store::Store;

/// A server bound to its port, ready to run.
pub struct App {
    listener: TcpListener,
    media: crate::services::media::MediaFetcher,
    outbox: crate::services::outbox::OutboxWorker,
    campaigns: crate::services::campaigns::CampaignService,
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
        let jwt_secret = config
            .jwt_secret
            .as_ref()
            .context("the JWT secret is missing")?;
        let auth = Auth::new(
            store.clone(),
            JwtKeys::new(jwt_secret.expose().as_bytes()),
            LoginThrottle::new(
                config.login_window,
                config.login_max_failures,
                config.login_max_failures_per_address,
            ),
            crate::services::auth::HashPool::new(
                config.password_hash_concurrency,
                config.password_hash_queue,
            ),
            AuthSettings {
                access_ttl: chrono::Duration::from_std(config.access_token_ttl)?,
                refresh_ttl: chrono::Duration::from_std(config.refresh_token_ttl)?,
                sign_in_names_tenant: config.login_requires_tenant,
            },
        );
        let keys = Arc::new(
            crate::crypto::KeyRing::parse(
                config
                    .master_keys
                    .as_ref()
                    .context("the key ring is missing")?
                    .expose(),
            )
            .context("reading SWITCHBOARD_MASTER_KEYS")?,
        );
        let channels = crate::services::channels::ChannelService::new(store.clone(), keys, {
            let urls = config.provider_urls();
            let timeout = config.provider_timeout;
            let http = crate::providers::connect::http_client(timeout);
            Arc::new(move |credentials| {
                crate::providers::connect::connect(&urls, &http, timeout, credentials)
            })
        })
        .with_claims_without_verification(config.channel_claims_without_verification);
        let media_store: Arc<dyn crate::services::media::MediaStore> = Arc::new(
            crate::services::media::LocalMediaStore::new(config.data_dir.join("media")),
        );
        let media = crate::services::media::MediaFetcher::new(
            store.clone(),
            channels.clone(),
            media_store.clone(),
            config.media_max_bytes,
        );
        let bus = crate::services::events::EventBus::default();
        let media_links = crate::services::media::MediaLinks::new(jwt_secret.expose().as_bytes());
        let outbox = crate::services::outbox::OutboxWorker::new(
            store.clone(),
            channels.clone(),
            bus.clone(),
            config.public_url.clone(),
            media_links.clone(),
            crate::services::outbox::Timing {
                lease: config.outbox_lease,
                status_grace: config.outbox_status_grace,
            },
        );
        let campaigns =
            crate::services::campaigns::CampaignService::new(store.clone(), outbox.clone());
        let state = AppState {
            campaigns: campaigns.clone(),
            config: config.clone(),
            store: store.clone(),
            sender: crate::services::outbox::send::SendService::new(store.clone(), outbox.clone()),
            channels,
            media,
            media_store,
            media_links,
            accounts: Accounts::new(store.clone(), auth.clone()),
            ingest: crate::services::inbound::Ingest::new(store.clone()),
            bus,
            auth,
        };
        state
            .bus
            .connect_instances(store.clone(), &config.database_url)
            .await
            .context("listening for other instances' events")?;
        let media = state.media.clone();
        let schema = build_schema(state.clone());
        let router = crate::http::router(HttpState { app: state, schema });
        Ok(Self {
            listener,
            media,
            outbox,
            campaigns,
            router,
            store,
            config,
        })
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
        let fetcher = tokio::spawn(self.media.run());
        let outbox = self.outbox.clone();
        let sender = tokio::spawn(self.outbox.run());
        let campaigns = self.campaigns.clone();
        let dispatcher = tokio::spawn(self.campaigns.run());
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
