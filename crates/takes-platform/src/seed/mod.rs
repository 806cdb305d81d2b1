//! Data sets loaded by `takes seed`.

pub mod calibration;
pub mod candidate_link;
pub mod demo;
pub mod demo_receiver;
pub mod insights;
pub mod insights_org;
pub mod self_identification;

use serde::Serialize;

/// What `takes seed demo --json` prints: every demo user with a fresh token.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SeedReport {
    pub users: Vec<SeededUser>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SeededUser {
    pub name: String,
    pub role: String,
    pub token: String,
}

/// `riley.chen@example.com` for "Riley Chen": the demo's addresses, shared
/// by the demo and its insights history (here, so neither imports the
/// other).
pub fn demo_email(name: &str) -> String {
    format!("{}@example.com", name.to_lowercase().replace(' ', "."))
}
