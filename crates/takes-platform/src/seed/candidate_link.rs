//! A fresh invitation for the demo, so a new user has a candidate link
//! that works: open it, record an interview, see it in a reviewer's queue.

use std::path::Path;

use anyhow::Context;

use crate::invitations::{self, NewInvitation};
use crate::state::AppState;
use crate::store::invitations as store;

/// Invites a demo candidate to the first role and returns the link at
/// `base_url` (the running server) where they record.
pub async fn fresh(state: &AppState, base_url: &str) -> anyhow::Result<String> {
    let role_id = store::invitable_role(&state.db)
        .await?
        .context("the demo data has no role with questions to invite to")?;
    let created = invitations::create(
        state,
        NewInvitation {
            role_id,
            candidate_name: "Casey Candidate".into(),
            candidate_email: "casey@example.com".into(),
            external: None,
            external_data: None,
            created_by: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("inviting the demo candidate: {}", e.detail))?;
    let secret = created
        .access_secret
        .context("the demo invitation came back without its secret")?;
    Ok(format!(
        "{}/candidate#{secret}",
        base_url.trim_end_matches('/')
    ))
}

/// Prints the fresh link before the workstation takes the screen, and
/// keeps it in `dir` to read while the workstation runs.
pub async fn announce(state: &AppState, base_url: &str, dir: &Path) -> anyhow::Result<()> {
    let link = fresh(state, base_url).await?;
    let file = dir.join("candidate-link.txt");
    std::fs::write(&file, format!("{link}\n")).context("saving the candidate link")?;
    eprintln!(
        "Record an interview as a candidate (works while the demo runs):\n  {link}\n(also in {})",
        file.display()
    );
    Ok(())
}
