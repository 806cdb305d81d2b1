//! The `takes` platform: the open API server the workstation pulls its work
//! from. `api/` holds one module per endpoint group (extract -> authorize ->
//! store -> respond), `store/` every SQL statement, `worker` the one way
//! background jobs run (webhooks, email, Greenhouse notices, the invitation
//! sweep, transcription), `media/` the file store and transcript rendering, `seed/` the demo
//! data set, `migrations/` (beside `src/`) the schema, shared by SQLite and
//! PostgreSQL.

pub mod api;
pub mod ats;
pub mod auth;
pub mod calibration;
pub mod candidate;
pub mod clock;
pub mod config;
pub mod cursor;
pub mod db;
pub mod decisions;
pub mod email;
pub mod error;
pub mod extract;
pub mod html;
pub mod http;
pub mod ids;
pub mod insights;
pub mod invitations;
pub mod media;
pub mod process;
pub mod pseudonym;
pub mod seed;
pub mod state;
pub mod store;
pub mod transcription;
pub mod webhooks;
pub mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use clock::Clock;
pub use db::Db;
pub use state::AppState;

/// Where the platform keeps its data.
#[derive(Debug, Clone)]
pub struct StorageOptions {
    /// `sqlite://PATH` or `postgres://…`; `None` for the default SQLite file.
    pub database_url: Option<String>,
    /// `None` for the default directory beside the database.
    pub media_dir: Option<PathBuf>,
}

impl StorageOptions {
    pub async fn open(&self, clock: Clock) -> anyhow::Result<AppState> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => db::default_database_url()?,
        };
        let media_dir = match &self.media_dir {
            Some(dir) => dir.clone(),
            None => db::default_media_dir()?,
        };
        let db = Db::connect(&url).await?;
        let media = media::store::MediaStore::open(&media_dir)?;
        let webhooks = webhooks::hub::Hub::new(webhooks::hub::WorkerConfig::default())?;
        Ok(AppState {
            db,
            media,
            clock,
            webhooks,
            config: std::sync::Arc::new(config::ServerConfig::default()),
            ratings: std::sync::Arc::new(store::insights::rollup::Rollup::new()),
            kept_figures: Default::default(),
        })
    }
}

/// A server running on a background task.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Dropping them stops them too.
    workers: Workers,
}

/// The background workers of a server, stopped in the order started.
struct Workers(Vec<worker::WorkerHandle>);

impl Workers {
    fn spawn(state: &AppState) -> Workers {
        Workers(vec![
            webhooks::worker::spawn(state.clone()),
            invitations::sweep::spawn(state.clone()),
            email::worker::spawn(state.clone()),
            ats::notifier::spawn(state.clone()),
            ats::lever::worker::spawn(state.clone()),
            transcription::spawn(state.clone()),
            api::insights::notifier::spawn(state.clone()),
            state.ratings.spawn(state.db.clone()),
            api::insights::validity::warm(state.clone()),
        ])
    }

    fn health(&self) -> Vec<worker::Health> {
        self.0.iter().map(worker::WorkerHandle::health).collect()
    }

    /// Each lets its pass in flight finish, so its outcome is recorded.
    async fn stop(self) {
        for w in self.0 {
            w.stop().await;
        }
    }
}

/// Links in emails need an address; without `public_url` it is the one the
/// server listens on.
fn with_public_url(state: AppState, addr: SocketAddr) -> AppState {
    if state.config.public_url.is_some() {
        return state;
    }
    if addr.ip().is_unspecified() {
        tracing::warn!(%addr, "public_url is not configured: links in candidate emails will name this bind address");
    }
    let mut config = (*state.config).clone();
    config.public_url = Some(format!("http://{addr}"));
    state.with_config(config)
}

impl RunningServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How each background worker is doing.
    pub fn workers(&self) -> Vec<worker::Health> {
        self.workers.health()
    }

    /// Stops accepting, finishes requests in flight, and waits.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let served = (&mut self.task).await.context("server task failed");
        // After the server, so no request's write goes unnoticed; the
        // attempt in flight finishes and is recorded.
        self.workers.stop().await;
        served??;
        Ok(())
    }
}

/// Binds `addr` and serves the API until `stop`.
pub async fn start(state: AppState, addr: SocketAddr) -> anyhow::Result<RunningServer> {
    ats::greenhouse::check_roles(&state).await?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let state = with_public_url(state, addr);
    let (tx, rx) = oneshot::channel::<()>();
    let workers = Workers::spawn(&state);
    let http = state.config.http.clone();
    let app = api::router(state);
    let task = tokio::spawn(async move {
        http::serve(listener, app, &http, async move {
            let _ = rx.await;
        })
        .await
    });
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
        workers,
    })
}

/// `takes serve`: runs until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, addr: SocketAddr) -> anyhow::Result<()> {
    ats::greenhouse::check_roles(&state).await?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, database = state.db.backend.as_str(), "takes platform listening");
    eprintln!(
        "takes platform listening on http://{local} ({})",
        state.db.backend.as_str()
    );
    let state = with_public_url(state, local);
    let workers = Workers::spawn(&state);
    let http = state.config.http.clone();
    let served = http::serve(listener, api::router(state), &http, shutdown_signal()).await;
    workers.stop().await;
    served?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
