//! Shared by the tests that run `takes` as an operator does: the real binary
//! against a real, new database.

#![allow(dead_code)]

use std::process::{Command, Output};

#[path = "../../crates/takes-platform/tests/api/pg_database.rs"]
mod pg_database;

/// `takes ARGS`, with no ambient database setting.
pub fn takes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_takes"))
        .args(args)
        .env_remove("TAKES_DATABASE")
        .output()
        .expect("run takes")
}

/// A new empty database: a SQLite file `file` in `dir`, or a fresh
/// PostgreSQL database on the server of `TAKES_TEST_POSTGRES_URL` (its
/// absence fails the test, as the platform's tests do, rather than skipping
/// it). It is dropped when the test ends.
pub async fn fresh_database(postgres: bool, dir: &std::path::Path, file: &str) -> String {
    if !postgres {
        return format!("sqlite://{}", dir.join(file).display());
    }
    let admin = std::env::var("TAKES_TEST_POSTGRES_URL")
        .expect("TAKES_TEST_POSTGRES_URL is not set: run the suite with `cargo xtask test`");
    pg_database::create(&admin).await
}
