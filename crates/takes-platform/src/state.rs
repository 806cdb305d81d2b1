//! What every handler can reach.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::db::Db;
use crate::media::store::MediaStore;
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
}

impl AppState {
    pub fn with_config(mut self, config: ServerConfig) -> Self {
        self.config = Arc::new(config);
        self
    }
}
