//! The audit log is append-only in the database and hash-chained, and
//! candidates' pseudonyms are unique; on SQLite and PostgreSQL.

#[path = "api/support.rs"]
#[allow(dead_code)]
mod support;

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::{AnyPool, Executor, Row};
use support::{Backend, TestPlatform};
use takes_platform::store::audit::{self, BrokenLink, Verdict};
use takes_platform::store::interviews;
use takes_platform::Db;

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(pool)
        .await
        .expect("count query")
        .get::<i64, _>(0)
}

async fn verdict(pool: &AnyPool) -> Verdict {
    audit::verify(pool).await.expect("verify reads the log")
}

fn intact_count(v: &Verdict) -> i64 {
    match v {
        Verdict::Intact { entries, .. } => *entries,
        Verdict::Broken(b) => panic!("chain broken: {b:?}"),
    }
}

/// The error text of a statement that must fail.
async fn refused(pool: &AnyPool, sql: &str) -> String {
    match pool.execute(sql).await {
        Ok(done) => panic!("{sql}: accepted ({} rows)", done.rows_affected()),
        Err(e) => e.to_string(),
    }
}

/// What someone with a SQL shell does first: the triggers go.
async fn drop_triggers(pool: &AnyPool, backend: Backend) {
    let drops: &[&str] = match backend {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER audit_log_append_only ON audit_log",
            "DROP TRIGGER audit_log_no_truncate ON audit_log",
        ],
    };
    for sql in drops {
        pool.execute(*sql).await.expect(sql);
    }
}

/// The entries' ids in chain order.
async fn chain_ids(pool: &AnyPool) -> Vec<String> {
    sqlx::query("SELECT id FROM audit_log ORDER BY seq")
        .fetch_all(pool)
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get::<String, _>("id"))
        .collect()
}

fn backend_of(p: &TestPlatform) -> Backend {
    if p.database_url.starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

both_backends!(
    audit_log_refuses_update_and_delete,
    |p: TestPlatform| async move {
        // The whole platform, not just the fields used: async blocks
        // capture fields precisely, and a dropped TestPlatform deletes its
        // directory and stops its server.
        let p = &p;
        let pool = &p.state.db.pool;
        let before = count(pool, "SELECT COUNT(*) FROM audit_log").await;
        assert!(before >= 6, "the fixture's tokens are audited");
        for sql in [
            "UPDATE audit_log SET action = 'nothing.happened'",
            "UPDATE audit_log SET seq = seq + 1000",
            "DELETE FROM audit_log",
            "DELETE FROM audit_log WHERE action = 'token.created'",
        ] {
            let err = refused(pool, sql).await;
            assert!(err.contains("audit_log is append-only"), "{sql}: {err}");
            let verb = sql.split(' ').next().unwrap_or_default();
            assert!(err.contains(&format!("{verb} is refused")), "{sql}: {err}");
        }
        if backend_of(p) == Backend::Postgres {
            let err = refused(pool, "TRUNCATE audit_log").await;
            assert!(err.contains("TRUNCATE is refused"), "{err}");
        }
        assert_eq!(count(pool, "SELECT COUNT(*) FROM audit_log").await, before);
        assert_eq!(
            count(
                pool,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'nothing.happened'"
            )
            .await,
            0
        );
        // Appending still works, through the API too.
        let (s, body) = p
            .put_score(
                &p.f.reviewers[0],
                &p.f.assignments[0],
                &p.f.questions[0],
                json!({"rating": 4}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(intact_count(&verdict(pool).await), before + 1);
    }
);

both_backends!(
    verify_names_the_first_tampered_entry,
    |p: TestPlatform| async move {
        // The whole platform, not just the fields used: async blocks
        // capture fields precisely, and a dropped TestPlatform deletes its
        // directory and stops its server.
        let p = &p;
        let pool = &p.state.db.pool;
        let total = intact_count(&verdict(pool).await);
        let ids = chain_ids(pool).await;
        assert_eq!(ids.len() as i64, total);
        drop_triggers(pool, backend_of(p)).await;

        // A changed detail: the entry itself no longer matches its hash.
        let original: String = sqlx::query("SELECT detail_json FROM audit_log WHERE id = $1")
            .bind(&ids[2])
            .fetch_one(pool)
            .await
            .expect("entry")
            .get(0);
        sqlx::query("UPDATE audit_log SET detail_json = $1 WHERE id = $2")
            .bind(r#"{"label":"forged"}"#)
            .bind(&ids[2])
            .execute(pool)
            .await
            .expect("tamper");
        match verdict(pool).await {
            Verdict::Broken(BrokenLink {
                id,
                position,
                problem,
            }) => {
                assert_eq!((id.as_str(), position), (ids[2].as_str(), 3));
                assert!(problem.contains("does not match its hash"), "{problem}");
            }
            v => panic!("tampering not found: {v:?}"),
        }
        sqlx::query("UPDATE audit_log SET detail_json = $1 WHERE id = $2")
            .bind(&original)
            .bind(&ids[2])
            .execute(pool)
            .await
            .expect("restore");
        assert_eq!(intact_count(&verdict(pool).await), total);

        // Two entries swapped: the later one's link to its predecessor no
        // longer fits.
        let swap = |a: &str, b: &str, pa: i64, pb: i64| {
            let (a, b) = (a.to_string(), b.to_string());
            async move {
                for (id, seq) in [(&a, -1), (&b, pa), (&a, pb)] {
                    sqlx::query("UPDATE audit_log SET seq = $1 WHERE id = $2")
                        .bind(seq)
                        .bind(id)
                        .execute(pool)
                        .await
                        .expect("reorder");
                }
            }
        };
        swap(&ids[3], &ids[4], 4, 5).await;
        match verdict(pool).await {
            Verdict::Broken(b) => {
                assert_eq!((b.id.as_str(), b.position), (ids[4].as_str(), 4), "{b:?}");
                assert!(b.problem.contains("prev_hash"), "{b:?}");
            }
            v => panic!("reordering not found: {v:?}"),
        }
        swap(&ids[4], &ids[3], 4, 5).await;
        assert_eq!(intact_count(&verdict(pool).await), total);

        // A removed entry: the one after it says how many are missing.
        sqlx::query("DELETE FROM audit_log WHERE id = $1")
            .bind(&ids[1])
            .execute(pool)
            .await
            .expect("delete");
        match verdict(pool).await {
            Verdict::Broken(b) => {
                assert_eq!((b.id.as_str(), b.position), (ids[2].as_str(), 2), "{b:?}");
                assert!(b.problem.contains("1 entry before it is missing"), "{b:?}");
            }
            v => panic!("deletion not found: {v:?}"),
        }

        // The next start puts the triggers back.
        let db = Db::connect(&p.database_url).await.expect("restart");
        let err = refused(&db.pool, "DELETE FROM audit_log").await;
        assert!(err.contains("append-only"), "{err}");
    }
);

both_backends!(
    entries_from_before_the_chain_are_chained_at_start,
    |p: TestPlatform| async move {
        // The whole platform, not just the fields used: async blocks
        // capture fields precisely, and a dropped TestPlatform deletes its
        // directory and stops its server.
        let p = &p;
        let pool = &p.state.db.pool;
        drop_triggers(pool, backend_of(p)).await;
        // As a database from before migration 0006 looks after it ran:
        // entries without positions, one newer than all the others.
        pool.execute("UPDATE audit_log SET seq = NULL, prev_hash = NULL, hash = NULL")
            .await
            .expect("unchain");
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_id, action, entity_type, entity_id, detail_json) \
             VALUES ('legacy-last', $1, NULL, 'legacy.entry', 'platform', 'x', '{}')",
        )
        .bind(i64::MAX / 2)
        .execute(pool)
        .await
        .expect("legacy entry");
        let total = count(pool, "SELECT COUNT(*) FROM audit_log").await;
        match verdict(pool).await {
            Verdict::Broken(b) => assert!(b.problem.contains("no position"), "{b:?}"),
            v => panic!("unchained entries pass: {v:?}"),
        }

        let db = Db::connect(&p.database_url).await.expect("upgrade start");
        assert_eq!(intact_count(&verdict(&db.pool).await), total);
        assert_eq!(
            chain_ids(&db.pool).await.last().map(String::as_str),
            Some("legacy-last"),
            "oldest first"
        );
        // Chained entries stay put, and new ones join the same chain.
        let err = refused(&db.pool, "UPDATE audit_log SET seq = NULL").await;
        assert!(err.contains("append-only"), "{err}");
        takes_platform::auth::issue_token(
            &db,
            1,
            "After Upgrade",
            takes_api::UserRole::Reviewer,
            "t",
        )
        .await
        .expect("token");
        assert_eq!(intact_count(&verdict(&db.pool).await), total + 2);
    }
);

both_backends!(
    concurrent_writers_keep_one_chain,
    |p: TestPlatform| async move {
        // The whole platform, not just the fields used: async blocks
        // capture fields precisely, and a dropped TestPlatform deletes its
        // directory and stops its server.
        let p = &p;
        let before = intact_count(&verdict(&p.state.db.pool).await);
        // Three reviewers write every score at once, over HTTP.
        let mut writes = Vec::new();
        for round in 0..4 {
            for (r, token) in p.f.reviewers.iter().enumerate() {
                for q in &p.f.questions {
                    let p = &p;
                    writes.push(async move {
                        p.put_score(
                            token,
                            &p.f.assignments[r],
                            q,
                            json!({"rating": round % 5 + 1}),
                        )
                        .await
                    });
                }
            }
        }
        for (s, body) in futures::future::join_all(writes).await {
            assert_eq!(s, StatusCode::OK, "{body}");
        }
        // And tasks on their own transactions.
        let mut tasks = Vec::new();
        for i in 0..24 {
            let db = p.state.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut w = db.begin_write().await.expect("begin");
                audit::record_by(
                    &mut w.tx,
                    i,
                    "someone",
                    "test.parallel",
                    ("platform", "x"),
                    json!({ "i": i }),
                )
                .await
                .expect("record");
                w.commit().await.expect("commit");
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        assert_eq!(
            intact_count(&verdict(&p.state.db.pool).await),
            before + 36 + 24
        );
    }
);

/// Tests fail before the fix: with 16 x 16 x 1000 names, 100,000 candidates
/// share thousands of pseudonyms.
const CANDIDATES: usize = 100_000;

both_backends!(
    pseudonyms_are_unique_among_100000_candidates,
    |p: TestPlatform| async move {
        // The whole platform, not just the fields used: async blocks
        // capture fields precisely, and a dropped TestPlatform deletes its
        // directory and stops its server.
        let p = &p;
        let db = &p.state.db;
        let started = std::time::Instant::now();
        let names: Vec<String> = (0..CANDIDATES).map(|i| format!("C {i}")).collect();
        let people: Vec<(&str, &str)> = names
            .iter()
            .map(|n| (n.as_str(), "c@example.com"))
            .collect();
        let mut w = db.begin_write().await.expect("begin");
        let ids = interviews::candidates(&mut w.tx, 1, &people)
            .await
            .expect("candidates");
        assert_eq!(ids.len(), CANDIDATES);
        // One at a time too, as the API adds them.
        for i in 0..1_000 {
            interviews::candidate(&mut w.tx, 2, &format!("D {i}"), "d@example.com")
                .await
                .expect("candidate");
        }
        w.commit().await.expect("commit");
        eprintln!("{CANDIDATES} candidates in {:?}", started.elapsed());
        let rows = sqlx::query("SELECT id, pseudonym FROM candidates")
            .fetch_all(&db.pool)
            .await
            .expect("candidates");
        assert_eq!(rows.len(), CANDIDATES + 1_000 + 2);
        let mut seen = HashSet::new();
        let mut second_choices = 0;
        for row in &rows {
            let id: String = row.get("id");
            let pseudonym: String = row.get("pseudonym");
            assert!(pseudonym.starts_with("Candidate "), "{pseudonym}");
            if pseudonym != takes_platform::pseudonym::for_candidate(&id) {
                second_choices += 1;
            }
            assert!(seen.insert(pseudonym.clone()), "{pseudonym} is shared");
        }
        // The first choices did collide: the retry is what kept them apart.
        assert!(second_choices > 100, "{second_choices} retries");
        // And the database itself refuses a shared one.
        let err = sqlx::query(
            "INSERT INTO candidates (id, name, email, pseudonym, created_at) \
             SELECT 'copy', name, email, pseudonym, created_at FROM candidates WHERE name = 'C 7'",
        )
        .execute(&db.pool)
        .await
        .expect_err("a shared pseudonym is refused");
        assert!(err.to_string().to_lowercase().contains("unique"), "{err}");
    }
);

both_backends!(
    shared_pseudonyms_from_before_are_separated_at_start,
    |p: TestPlatform| async move {
        // The whole platform, not just the fields used: async blocks
        // capture fields precisely, and a dropped TestPlatform deletes its
        // directory and stops its server.
        let p = &p;
        let pool = &p.state.db.pool;
        pool.execute("DROP INDEX candidates_by_pseudonym")
            .await
            .expect("as before the fix");
        let rows = sqlx::query("SELECT id, pseudonym FROM candidates ORDER BY created_at, id")
            .fetch_all(pool)
            .await
            .expect("candidates");
        let (first_id, first): (String, String) = (rows[0].get(0), rows[0].get(1));
        let second_id: String = rows[1].get(0);
        sqlx::query(
            "UPDATE candidates SET pseudonym = $1, created_at = created_at + 1 WHERE id = $2",
        )
        .bind(&first)
        .bind(&second_id)
        .execute(pool)
        .await
        .expect("share a pseudonym");
        assert_eq!(
            count(pool, "SELECT COUNT(DISTINCT pseudonym) FROM candidates").await,
            1
        );
        let db = Db::connect(&p.database_url).await.expect("upgrade start");
        let now: Vec<(String, String)> = sqlx::query("SELECT id, pseudonym FROM candidates")
            .fetch_all(&db.pool)
            .await
            .expect("candidates")
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let name_of = |id: &str| {
            now.iter()
                .find(|(i, _)| i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        };
        assert_eq!(name_of(&first_id), first, "the older keeps its name");
        assert_ne!(name_of(&second_id), first);
        assert!(name_of(&second_id).starts_with("Candidate "));
        let err = sqlx::query("UPDATE candidates SET pseudonym = $1 WHERE id = $2")
            .bind(&first)
            .bind(&second_id)
            .execute(&db.pool)
            .await
            .expect_err("the unique index is back");
        assert!(err.to_string().to_lowercase().contains("unique"), "{err}");
    }
);
