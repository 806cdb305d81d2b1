//! What every handler can reach.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::db::Db;
use crate::insights::{drift, validity};
use crate::media::store::MediaStore;
use crate::store::insights::rollup::Rollup;
use crate::webhooks::hub::Hub;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub media: MediaStore,
    pub clock: Clock,
    /// Wakes the webhook delivery worker; holds its HTTP client.
    pub webhooks: Hub,
    /// The server's configuration file (defaults when there is none).
    pub config: Arc<ServerConfig>,
    /// The submitted ratings in memory, checked against the database by
    /// every insights request that reads them.
    pub ratings: Arc<Rollup>,
    /// Bootstrap figures (validity, reliability) by the input they were
    /// drawn from: most of it does not change between two requests.
    pub kept_figures: Arc<KeptFigures>,
}

impl AppState {
    /// Applies a configuration, including where webhooks may be sent.
    pub fn with_config(mut self, config: ServerConfig) -> Self {
        let policy =
            crate::webhooks::netguard::NetPolicy::new(config.allow_private_networks.clone());
        match self.webhooks.with_policy(policy) {
            Ok(hub) => self.webhooks = hub,
            // Fails closed: the old client reaches public addresses only.
            Err(e) => {
                tracing::error!(error = %e, "cannot build the webhook client; allow_private_networks is not applied")
            }
        }
        self.config = Arc::new(config);
        self
    }
}

/// The bootstrap figures the server keeps between requests
/// (`insights/kept.rs`).
#[derive(Default)]
pub struct KeptFigures {
    pub validity: validity::Intervals,
    pub reliability: drift::KeptReliability,
}
