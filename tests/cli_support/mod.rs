//! Shared by the tests that run `takes` as an operator does: the real binary
//! against a real, new database.

#![allow(dead_code)]

use std::process::{Command, Output};

use sqlx::{Connection, Executor};

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
/// it).
pub async fn fresh_database(postgres: bool, dir: &std::path::Path, file: &str) -> String {
    if !postgres {
        return format!("sqlite://{}", dir.join(file).display());
    }
    let admin = std::env::var("TAKES_TEST_POSTGRES_URL")
        .expect("TAKES_TEST_POSTGRES_URL is not set: run the suite with `cargo xtask test`");
    sqlx::any::install_default_drivers();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("connect to test PostgreSQL");
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}
