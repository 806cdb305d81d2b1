//! The hiring process as data ("interview as code", issue 11): the state
//! the server holds ([`snapshot`]), the checks a document must pass beyond
//! `takes_api::process::validate` ([`checks`]), and the one implementation
//! of every change to it ([`reconcile`]), which `apply` commits and `plan`
//! runs in a transaction it rolls back, so a plan says exactly what the
//! apply would do.

pub mod captions;
pub mod checks;
pub mod intro;
pub mod people;
pub mod reconcile;
pub mod snapshot;
pub mod vtt;

use axum::http::StatusCode;
use takes_api::process::{lint, ApplyResult, Plan, PlanSummary, ProcessRequest};
use takes_api::process::{ChangeOp, PlanChange};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub use snapshot::Snapshot;

/// Counts of the changes by kind.
pub fn summary(changes: &[PlanChange]) -> PlanSummary {
    let mut s = PlanSummary::default();
    for c in changes {
        match c.op {
            ChangeOp::Create => s.create += 1,
            ChangeOp::Update => s.update += 1,
            ChangeOp::NewVersion => s.new_version += 1,
            ChangeOp::Deactivate => s.deactivate += 1,
            ChangeOp::Reactivate => s.reactivate += 1,
            ChangeOp::Archive => s.archive += 1,
        }
    }
    s
}

/// The current process and its ETag.
pub async fn export(state: &AppState) -> ApiResult<(takes_api::process::ProcessDocument, String)> {
    let mut tx = state.db.pool.begin().await?;
    let snap = Snapshot::load(&mut tx).await?;
    let default_rpi = state.config.invitations.reviewers_per_interview;
    Ok((snap.export(default_rpi), snap.etag()))
}

/// What applying `req` would change, against the state named by the
/// plan's ETag. Nothing is kept: the changes are made in a transaction
/// that is rolled back.
pub async fn plan(state: &AppState, actor_id: &str, req: &ProcessRequest) -> ApiResult<Plan> {
    let mut w = state.db.begin_write().await?;
    crate::store::process::lock(&mut w.tx).await?;
    let snap = Snapshot::load(&mut w.tx).await?;
    let ctx = reconcile::Ctx {
        now: state.clock.now(),
        actor_id,
        default_rpi: state.config.invitations.reviewers_per_interview,
        planning: true,
    };
    let outcome = reconcile::reconcile(&mut w.tx, &ctx, &snap, req).await?;
    w.tx.rollback().await?;
    Ok(Plan {
        etag: snap.etag(),
        summary: summary(&outcome.changes),
        changes: outcome.changes,
        warnings: lint(&req.document),
    })
}

/// Applies `req` in one transaction; with `if_match`, only if the state is
/// still the one that ETag names.
pub async fn apply(
    state: &AppState,
    actor_id: &str,
    req: &ProcessRequest,
    if_match: Option<&str>,
) -> ApiResult<ApplyResult> {
    let mut w = state.db.begin_write().await?;
    crate::store::process::lock(&mut w.tx).await?;
    let snap = Snapshot::load(&mut w.tx).await?;
    let before = snap.etag();
    if let Some(expected) = if_match {
        if expected != before && expected != "*" {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                format!(
                    "the process changed on the server since your plan (it was {expected}, it is \
                     now {before}); nothing was applied: run plan again"
                ),
            )
            .with_field("If-Match"));
        }
    }
    let ctx = reconcile::Ctx {
        now: state.clock.now(),
        actor_id,
        default_rpi: state.config.invitations.reviewers_per_interview,
        planning: false,
    };
    let outcome = reconcile::reconcile(&mut w.tx, &ctx, &snap, req).await?;
    let after = Snapshot::load(&mut w.tx).await?.etag();
    w.commit().await?;
    Ok(ApplyResult {
        etag: after,
        summary: summary(&outcome.changes),
        changes: outcome.changes,
        new_tokens: outcome.new_tokens,
    })
}
