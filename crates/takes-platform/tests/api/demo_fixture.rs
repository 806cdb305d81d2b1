//! The demo, loaded once per back end per test process and copied for each
//! test that needs it: loading it takes half a minute on SQLite in a debug
//! build (its insights history), copying it a fraction of a second. A copy
//! is the loaded demo to the byte (its rows, ids, tokens and media), made
//! a little earlier.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use takes_platform::seed::SeedReport;
use takes_platform::{Clock, StorageOptions};
use tokio::sync::OnceCell;

use crate::support::{pg_database, Backend};

/// A loaded demo to copy: its folder (the SQLite file and the media) and,
/// on PostgreSQL, the template database.
struct Template {
    dir: PathBuf,
    pg_name: Option<String>,
    report: SeedReport,
}

static SQLITE: OnceCell<Template> = OnceCell::const_new();
static POSTGRES: OnceCell<Template> = OnceCell::const_new();

/// Templates older than this were left by earlier runs (a test process
/// lives minutes) and are removed when a new one is made.
const STALE: Duration = Duration::from_secs(2 * 3600);

/// A fresh copy of the demo in `dir`: storage options to open it with and
/// the report `seed::demo::load` gave.
pub async fn demo(backend: Backend, dir: &Path) -> (StorageOptions, SeedReport) {
    let cell = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    let t = cell.get_or_init(|| build(backend)).await;
    copy_dir(&t.dir.join("media"), &dir.join("media"));
    let url = match &t.pg_name {
        None => {
            for f in db_files(&t.dir) {
                let name = f.file_name().expect("file name");
                std::fs::copy(&f, dir.join(name)).expect("copy the demo database");
            }
            format!("sqlite://{}", dir.join("platform.db").display())
        }
        Some(template) => pg_database::create_from(&admin(), Some(template)).await,
    };
    let storage = StorageOptions {
        database_url: Some(url),
        media_dir: Some(dir.join("media")),
    };
    (storage, t.report.clone())
}

fn admin() -> String {
    std::env::var("TAKES_TEST_POSTGRES_URL").expect(
        "TAKES_TEST_POSTGRES_URL is not set: run the suite with `cargo xtask test`, \
         which starts a throwaway PostgreSQL (PostgreSQL tests are never skipped)",
    )
}

fn db_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("read the template folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("platform.db"))
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("make the media folder");
    for e in std::fs::read_dir(from).expect("read the demo media") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy demo media");
        }
    }
}

fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether a template named `<prefix><secs>_…` is from an earlier run.
fn stale(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.split('_').next())
        .and_then(|s| s.parse::<u64>().ok())
        .is_some_and(|made| unix_secs().saturating_sub(made) > STALE.as_secs())
}

async fn build(backend: Backend) -> Template {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&root).expect("target tmp");
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            if e.file_name().to_str().is_some_and(|n| stale(n, "demo_")) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let tag = format!("{}_{}", unix_secs(), uuid::Uuid::new_v4().simple());
    let dir = root.join(format!("demo_{tag}"));
    std::fs::create_dir_all(&dir).expect("template folder");
    let (url, pg_name) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.join("platform.db").display()),
            None,
        ),
        Backend::Postgres => {
            let name = format!("tdemo_{tag}");
            let url = pg_database::create_template(&admin(), &name, |n| stale(n, "tdemo_")).await;
            (url, Some(name))
        }
    };
    let state = StorageOptions {
        database_url: Some(url),
        media_dir: Some(dir.join("media")),
    }
    .open(Clock::System)
    .await
    .expect("open the demo template");
    let report = takes_platform::seed::demo::load(&state)
        .await
        .expect("seed the demo template");
    // Copies need the template to themselves: PostgreSQL copies no database
    // that has sessions, and SQLite's file is whole once its last
    // connection is closed.
    state.db.pool.close().await;
    drop(state);
    Template {
        dir,
        pg_name,
        report,
    }
}
