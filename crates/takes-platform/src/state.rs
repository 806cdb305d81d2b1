//! What every handler can reach.

use crate::clock::Clock;
use crate::db::Db;
use crate::media::store::MediaStore;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub media: MediaStore,
    pub clock: Clock,
}
