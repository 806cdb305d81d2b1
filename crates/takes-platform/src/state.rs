//! What every handler can reach.

use crate::clock::Clock;
use crate::db::Db;
use crate::media::store::MediaStore;
use crate::webhooks::Hub;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub media: MediaStore,
    pub clock: Clock,
    /// Wakes the webhook delivery worker; holds its HTTP client.
    pub webhooks: Hub,
}
