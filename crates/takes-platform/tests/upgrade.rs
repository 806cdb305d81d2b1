//! Upgrading a SQLite database made before question sets could be longer
//! than five: `questions` is rebuilt without the cap when the server opens
//! it, and every answer, score and reference survives, with foreign keys
//! still enforced.

use std::path::Path;

use sqlx::{AnyPool, Row};

async fn exec(pool: &AnyPool, sql: &str) {
    sqlx::query(sql)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn an_old_sqlite_database_keeps_its_answers_and_takes_a_sixth_question() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = takes_platform::db::sqlite_url(&dir.path().join("old.db"));
    let url_rwc = url.clone();

    // The database as the migrations alone leave it: positions capped at 5.
    let pool = AnyPool::connect(&url_rwc).await.expect("open");
    exec(&pool, "PRAGMA foreign_keys = ON").await;
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    sqlx::migrate::Migrator::new(migrations)
        .await
        .expect("migrations")
        .run(&pool)
        .await
        .expect("migrate");
    let table: String =
        sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'questions'")
            .fetch_one(&pool)
            .await
            .expect("questions")
            .get(0);
    assert!(table.contains("BETWEEN 1 AND 5"), "{table}");
    for sql in [
        "INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'Rev', 'reviewer', 0)",
        "INSERT INTO job_roles (id, title, department, created_at) VALUES ('r1', 'Backend', 'Eng', 0)",
        "INSERT INTO question_sets (id, job_role_id, name, created_at) VALUES ('s1', 'r1', 'v1', 0)",
        "INSERT INTO questions (id, question_set_id, position, prompt, competency, time_limit_s, \
         scale_min, scale_max, pass_score, anchors_json) VALUES \
         ('q1', 's1', 1, 'Describe a time.', 'Ownership', 120, 1, 5, 3, '[]')",
        "INSERT INTO candidates (id, name, email, pseudonym, created_at) \
         VALUES ('c1', 'Ada', 'ada@example.org', 'Candidate Teal Otter 001', 0)",
        "INSERT INTO interviews (id, candidate_id, job_role_id, question_set_id, status, invited_at, expires_at) \
         VALUES ('i1', 'c1', 'r1', 's1', 'completed', 0, 1)",
        "INSERT INTO media_objects (id, storage_key, content_type, bytes, sha256, created_at) \
         VALUES ('m1', 'k1', 'video/webm', 1, 'ab', 0)",
        "INSERT INTO responses (id, interview_id, question_id, media_object_id, duration_ms, transcript_json, recorded_at) \
         VALUES ('p1', 'i1', 'q1', 'm1', 1000, '[]', 0)",
        "INSERT INTO assignments (id, interview_id, reviewer_id, status, assigned_at, due_at) \
         VALUES ('a1', 'i1', 'u1', 'in_progress', 0, 1)",
        "INSERT INTO scores (assignment_id, question_id, rating, created_at, updated_at) \
         VALUES ('a1', 'q1', 4, 0, 0)",
    ] {
        exec(&pool, sql).await;
    }
    let capped = sqlx::query(
        "INSERT INTO questions (id, question_set_id, position, prompt, competency, time_limit_s, \
         scale_min, scale_max, pass_score, anchors_json) VALUES \
         ('q6', 's1', 6, 'Sixth?', 'Learning', 120, 1, 5, 3, '[]')",
    )
    .execute(&pool)
    .await;
    assert!(capped.is_err(), "the old schema refuses a sixth position");
    pool.close().await;

    // The server opens it.
    let db = takes_platform::db::Db::connect(&url)
        .await
        .expect("upgrade");
    let table: String =
        sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'questions'")
            .fetch_one(&db.pool)
            .await
            .expect("questions")
            .get(0);
    assert!(!table.contains("BETWEEN 1 AND 5"), "{table}");
    let kept: (String, i64) = sqlx::query(
        "SELECT q.prompt, s.rating FROM scores s JOIN questions q ON q.id = s.question_id \
         JOIN responses r ON r.question_id = q.id WHERE s.assignment_id = 'a1'",
    )
    .fetch_one(&db.pool)
    .await
    .map(|r| (r.get(0), r.get(1)))
    .expect("the answer and its score");
    assert_eq!(kept, ("Describe a time.".to_string(), 4));
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&db.pool)
        .await
        .expect("check");
    assert!(broken.is_empty());
    exec(
        &db.pool,
        "INSERT INTO questions (id, question_set_id, position, prompt, competency, time_limit_s, \
         scale_min, scale_max, pass_score, anchors_json) VALUES \
         ('q6', 's1', 6, 'Sixth?', 'Learning', 120, 1, 5, 3, '[]')",
    )
    .await;
    // Foreign keys are enforced again: a referenced question cannot go.
    let gone = sqlx::query("DELETE FROM questions WHERE id = 'q1'")
        .execute(&db.pool)
        .await;
    assert!(gone.is_err(), "deleting an answered question must fail");
    // Opening it again changes nothing.
    db.pool.close().await;
    let again = takes_platform::db::Db::connect(&url).await.expect("reopen");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM questions")
        .fetch_one(&again.pool)
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 2);
}
