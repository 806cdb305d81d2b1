//! `takes audit verify` as an operator runs it: the real binary against a
//! real database, on SQLite and PostgreSQL, before and after tampering.

mod cli_support;

use cli_support::{fresh_database, takes};

use sqlx::{Executor, Row};
use takes_api::UserRole;
use takes_platform::Db;

async fn verify_reports_the_first_broken_link(postgres: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(postgres, dir.path(), "audit.db").await;
    let db = Db::connect(&url).await.expect("open");
    for name in ["Ann", "Bob", "Cy"] {
        // A user and a token each: two entries.
        takes_platform::auth::issue_token(&db, 1_000, name, UserRole::Reviewer, "cli")
            .await
            .expect("token");
    }

    let out = takes(&["audit", "verify", "--database", &url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("audit log intact: 6 entries, head hash "),
        "{stdout}"
    );

    // Someone with database access drops the guard and edits entry 4.
    let ids: Vec<String> = sqlx::query("SELECT id FROM audit_log ORDER BY seq")
        .fetch_all(&db.pool)
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    let drops: &[&str] = if postgres {
        &["DROP TRIGGER audit_log_append_only ON audit_log"]
    } else {
        &["DROP TRIGGER audit_log_no_update"]
    };
    for sql in drops {
        db.pool.execute(*sql).await.expect(sql);
    }
    sqlx::query("UPDATE audit_log SET actor_id = 'someone-else' WHERE id = $1")
        .bind(&ids[3])
        .execute(&db.pool)
        .await
        .expect("tamper");
    db.pool.close().await;

    let out = takes(&["audit", "verify", "--database", &url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "audit log broken at entry {} (position 4): its content does not match its hash",
            ids[3]
        )),
        "{stdout}"
    );

    // No database to read: exit 2 with the reason.
    let out = takes(&[
        "audit",
        "verify",
        "--database",
        "sqlite:///dev/null/none.db",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("takes audit verify: "), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    verify_reports_the_first_broken_link(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    verify_reports_the_first_broken_link(true).await;
}
