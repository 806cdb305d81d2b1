//! Data sets loaded by `takes seed`.

pub mod calibration;
pub mod candidate_link;
pub mod demo;
pub mod demo_receiver;
pub mod insights;
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
