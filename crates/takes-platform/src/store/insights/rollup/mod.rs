//! Every submitted rating of the organisation, held in memory as narrow
//! integer rows and kept equal to the database: reading a million ratings
//! through sqlx takes seconds, filtering them in memory milliseconds.
//!
//! Freshness is checked, not assumed: each request first reads the
//! [`Fingerprint`] of the submitted assignments. A submitted assignment never
//! goes back to a draft and no assignment row is ever deleted, so the sheets
//! held are always a subset of those submitted, and equal counts mean equal
//! sets; a submitted sheet's scores change only by a withdrawal (which
//! deletes them and marks the assignment), and withdrawals are counted too.
//! When the fingerprint moved, only sheets submitted since the watermark are
//! appended; when that does not explain the database (a withdrawal, a clock
//! that went back), everything is read again. Filters that can change under
//! a sheet (a role's department, a recruiter's roles, labels) are read per
//! request, never held.

mod load;
mod select;
mod snapshot;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

pub use load::Fingerprint;
pub use snapshot::Snapshot;

use super::reviewing::RatingSet;
use super::Scope;
use crate::clock::Millis;
use crate::db::Db;
use crate::error::ApiResult;
use crate::worker::{Schedule, Worker, WorkerHandle};

/// How far before the newest held submission an append reads again: a
/// sheet submitted by another server with a slower clock, or committed a
/// little after a later one, is still found (duplicates are skipped by id).
const OVERLAP: Millis = 10 * 60 * 1000;

/// How often the background refresh looks at the fingerprint.
const EVERY: Duration = Duration::from_secs(3);

/// The organisation's submitted ratings, refreshed one at a time; readers
/// take the current snapshot and never wait for a refresh, except the
/// request that finds the database ahead of it.
#[derive(Debug, Default)]
pub struct Rollup {
    current: RwLock<Arc<Snapshot>>,
    refresh: tokio::sync::Mutex<()>,
    full_loads: AtomicU64,
}

impl Rollup {
    pub fn new() -> Rollup {
        Rollup::default()
    }

    /// How many times every sheet was read (for tests and operators: an
    /// append does not count).
    pub fn full_loads(&self) -> u64 {
        self.full_loads.load(Ordering::Relaxed)
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A snapshot at least as new as the database was when this was
    /// called.
    pub async fn fresh(&self, db: &Db) -> ApiResult<Arc<Snapshot>> {
        let seen = {
            let mut conn = db.pool.acquire().await?;
            load::fingerprint(&mut conn).await?
        };
        let snap = self.snapshot();
        if snap.loaded && snap.fingerprint == seen {
            return Ok(snap);
        }
        self.refresh(db).await
    }

    /// Brings the rollup up to the database (appending when it can); one
    /// refresh runs at a time, and a caller that waited for another one
    /// checks again before reading anything.
    pub async fn refresh(&self, db: &Db) -> ApiResult<Arc<Snapshot>> {
        let _one = self.refresh.lock().await;
        let mut conn = db.pool.acquire().await?;
        let now = load::fingerprint(&mut conn).await?;
        let old = self.snapshot();
        if old.loaded && old.fingerprint == now {
            return Ok(old);
        }
        let mut next = None;
        if old.loaded && old.fingerprint.withdrawn == now.withdrawn {
            next = appended(&old, &mut conn, db.backend, now).await?;
        }
        let next = match next {
            Some(s) => s,
            None => {
                self.full_loads.fetch_add(1, Ordering::Relaxed);
                full(&mut conn, db.backend, now).await?
            }
        };
        let next = Arc::new(next);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = next.clone();
        Ok(next)
    }

    /// The scope's submitted ratings as of the database now.
    pub async fn rating_set(&self, db: &Db, s: &Scope) -> ApiResult<RatingSet> {
        let snap = self.fresh(db).await?;
        select::rating_set(db, snap, s).await
    }

    /// Per (interview, question) the sum and count of the submitted
    /// ratings of the scope's interviews that `wanted` names, as of the
    /// database now.
    pub async fn cell_sums(
        &self,
        db: &Db,
        s: &Scope,
        wanted: std::collections::HashSet<String>,
    ) -> ApiResult<Vec<(String, String, i64, i64)>> {
        let snap = self.fresh(db).await?;
        select::cell_sums(db, snap, s, wanted).await
    }

    /// The background refresh: loads the rollup at server start and follows
    /// the database, so a request rarely pays for a read.
    pub fn spawn(self: &Arc<Self>, db: Db) -> WorkerHandle {
        WorkerHandle::spawn(
            Refresher {
                rollup: self.clone(),
                db,
            },
            Schedule::every(EVERY),
        )
    }
}

/// `old` with the sheets submitted since its watermark, if that explains
/// the database: the fingerprint is read again after the append, since
/// more sheets may have arrived meanwhile (they are then held too, or the
/// counts differ and the caller reads everything).
async fn appended(
    old: &Snapshot,
    conn: &mut sqlx::AnyConnection,
    backend: crate::db::Backend,
    mut seen: Fingerprint,
) -> ApiResult<Option<Snapshot>> {
    let mut next = old.clone();
    for _ in 0..2 {
        let since = next
            .last_submitted
            .map_or(Millis::MIN, |t| t.saturating_sub(OVERLAP));
        next.append(&mut *conn, backend, since).await?;
        let after = load::fingerprint(&mut *conn).await?;
        if after.withdrawn != old.fingerprint.withdrawn
            || after.last_withdrawn != old.fingerprint.last_withdrawn
        {
            return Ok(None);
        }
        if next.held(&after) == after {
            next.fingerprint = after;
            return Ok(Some(next));
        }
        seen = after;
    }
    tracing::debug!(
        ?seen,
        "the submitted sheets are not explained by an append; reading them all"
    );
    Ok(None)
}

/// Every submitted sheet. The withdrawals are those of `seen`, read
/// before: one made during the read shows as a newer fingerprint at the
/// next request, which then reads everything again.
async fn full(
    conn: &mut sqlx::AnyConnection,
    backend: crate::db::Backend,
    seen: Fingerprint,
) -> ApiResult<Snapshot> {
    let mut next = Snapshot::default();
    next.append(&mut *conn, backend, Millis::MIN).await?;
    next.loaded = true;
    next.fingerprint = next.held(&seen);
    Ok(next)
}

struct Refresher {
    rollup: Arc<Rollup>,
    db: Db,
}

impl Worker for Refresher {
    const NAME: &'static str = "insights-rollup";

    async fn tick(&mut self) -> anyhow::Result<bool> {
        self.rollup
            .fresh(&self.db)
            .await
            .map_err(|e| anyhow::anyhow!("refreshing the ratings rollup: {e}"))?;
        Ok(false)
    }
}
