//! Throwaway PostgreSQL databases for tests, shared by the platform's and
//! the workstation's test suites (`#[path]`). Each database is dropped when
//! the thread of the test that made it ends, whether the test passed or
//! panicked: libtest runs every test on a thread of its own, and a
//! thread-local's destructor runs when that thread exits after a panic as
//! well. A process that is killed leaves its databases behind.

use std::cell::RefCell;

use sqlx::{Connection, Executor};

/// The databases this thread made, on the server of `admin`.
#[derive(Default)]
struct Made {
    admin: String,
    names: Vec<String>,
}

impl Drop for Made {
    fn drop(&mut self) {
        if self.names.is_empty() {
            return;
        }
        let admin = std::mem::take(&mut self.admin);
        let names = std::mem::take(&mut self.names);
        // The test's own runtime is gone by now, and thread-locals may be
        // half torn down: the dropping gets a thread and a runtime of its
        // own.
        let dropper = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(mut conn) = sqlx::AnyConnection::connect(&admin).await else {
                    return;
                };
                for name in names {
                    // FORCE ends connections a pool of the test still holds.
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = conn.execute(sql.as_str()).await {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                }
            });
        });
        let _ = dropper.join();
    }
}

thread_local! {
    static MADE: RefCell<Made> = RefCell::default();
}

/// Creates a new empty database on the server of `admin` (a PostgreSQL
/// URL) and returns its URL; it is dropped when this thread ends.
#[allow(dead_code)]
pub async fn create(admin: &str) -> String {
    create_from(admin, None).await
}

/// As [`create`], a copy of the database `template` when one is named.
pub async fn create_from(admin: &str, template: Option<&str>) -> String {
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = connect(admin).await;
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
        None => format!("CREATE DATABASE {name}"),
    };
    conn.execute(sql.as_str()).await.expect("create database");
    let _ = conn.close().await;
    MADE.with(|m| {
        let mut m = m.borrow_mut();
        m.admin = admin.to_string();
        m.names.push(name.clone());
    });
    url(admin, &name)
}

/// Creates the database `name` to outlive this thread, as a template for
/// others, first dropping the templates `stale` names (left by earlier
/// runs).
#[allow(dead_code)]
pub async fn create_template(admin: &str, name: &str, stale: impl Fn(&str) -> bool) -> String {
    let mut conn = connect(admin).await;
    let names: Vec<String> = sqlx::query_scalar::<_, String>(
        "SELECT CAST(datname AS TEXT) FROM pg_database WHERE datname LIKE 'tdemo%'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list databases");
    for old in names.iter().filter(|n| stale(n)) {
        let _ = conn
            .execute(format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)").as_str())
            .await;
    }
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create template database");
    let _ = conn.close().await;
    url(admin, name)
}

async fn connect(admin: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(admin)
        .await
        .expect("connect to test PostgreSQL")
}

fn url(admin: &str, name: &str) -> String {
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}
