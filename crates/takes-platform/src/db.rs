//! The database handle: one sqlx `Any` pool for SQLite and PostgreSQL, so
//! every query is written once in portable SQL (`$1` placeholders work on
//! both).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use tokio::sync::{Mutex, MutexGuard};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Shared database state.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer; taking this lock before `BEGIN` turns
    /// would-be `SQLITE_BUSY` lock upgrades into a fair async queue. Postgres
    /// needs no such lock.
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction; holds the SQLite writer lock until dropped.
pub struct WriteTx {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

/// The default SQLite file under the platform's data directory.
pub fn default_database_url() -> anyhow::Result<String> {
    let dirs = directories::ProjectDirs::from("", "", "takes")
        .context("cannot find a home directory for the platform's data")?;
    let dir = dirs.data_dir().join("platform");
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    Ok(sqlite_url(&dir.join("takes.db")))
}

/// A `sqlite://` URL for a file path that is created when missing.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The default media directory under the platform's data directory.
pub fn default_media_dir() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "takes")
        .context("cannot find a home directory for the platform's data")?;
    Ok(dirs.data_dir().join("platform").join("media"))
}

impl Db {
    /// Connects and runs the embedded migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            bail!(
                "unsupported --database URL {:?}: use sqlite://PATH or postgres://…",
                redact(url)
            );
        };
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            // A bare sqlite://PATH creates the file, as DESIGN.md promises.
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        } else {
            url.to_string()
        };
        if backend == Backend::Sqlite {
            create_parent_dir(&url)?;
        }
        let options = AnyConnectOptions::from_str(&url)
            .with_context(|| format!("invalid --database URL {:?}", redact(&url)))?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let pool_options = match backend {
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // FULL: a commit is on disk before the API acknowledges it.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                        Ok(())
                    })
                }),
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // No JIT: compiling a plan took 0.3-0.5 s, more than
                            // it saved on any statement here (adverse impact at
                            // 100,000 interviews: 1.66 s with JIT, 1.34 s
                            // without, in psql; docs/BENCHMARKS.md).
                            conn.execute("SET jit = off").await?;
                            Ok(())
                        })
                    })
            }
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open database {}", redact(&url)))?;
        MIGRATOR
            .run(&pool)
            .await
            .context("running database migrations")?;
        crate::store::audit::install(&pool)
            .await
            .context("chaining the audit log and making it append-only")?;
        crate::store::interviews::install_unique_pseudonyms(&pool)
            .await
            .context("making candidates' pseudonyms unique")?;
        let positions = match backend {
            Backend::Postgres => crate::store::roles::positions::install_postgres(&pool).await,
            Backend::Sqlite => crate::store::roles::positions::install_sqlite(&pool).await,
        };
        positions.context("allowing question sets longer than five")?;
        crate::store::assignments::score_totals::install(&pool, backend == Backend::Postgres)
            .await
            .context("keeping each assignment's score totals")?;
        Ok(Db {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        })
    }

    /// Begins a write transaction (serialised on SQLite).
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }

    /// For callers that must hold the writer lock outside a transaction.
    pub async fn writer_guard(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}

fn create_parent_dir(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create directory {}", parent.display()))?;
        }
    }
    Ok(())
}

/// The URL without its password, for every message that names it (errors
/// end up in terminals, CI logs and bug reports). Whatever stands between
/// `://` and the last `@` of the authority is user information; everything
/// after its first `:` is the password, whether or not it is
/// percent-encoded as it should be. A `password=` query parameter (which
/// the PostgreSQL driver also accepts) is masked too.
pub fn redact(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let mut out = match head.find("://") {
        Some(scheme) => {
            let rest = &head[scheme + 3..];
            match rest.rfind('@') {
                Some(at) => {
                    let userinfo = &rest[..at];
                    let user = userinfo.split(':').next().unwrap_or_default();
                    let masked = if userinfo.contains(':') { ":***" } else { "" };
                    format!("{}{user}{masked}{}", &head[..scheme + 3], &rest[at..])
                }
                None => head.to_string(),
            }
        }
        None => head.to_string(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
        assert_eq!(
            redact("sqlite:///tmp/x.db?mode=rwc"),
            "sqlite:///tmp/x.db?mode=rwc"
        );
        // An unencoded `@` or `/` in the password must not split it.
        assert_eq!(
            redact("postgres://u:p@ss@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u:a/b@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            redact("postgres://u@h/db?sslmode=require&password=secret"),
            "postgres://u@h/db?sslmode=require&password=***"
        );
    }
}
