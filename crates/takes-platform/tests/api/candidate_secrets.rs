//! The candidate's access secret: never readable at rest in the outbox,
//! erased once its message is sent or dead-lettered, and worthless once the
//! interview is completed or its window has closed (410 Gone).

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::invitations::{config, free_addr, no_tweak, Life, Smtp};
use crate::lifecycle_test;
use crate::support::Backend;

fn secret_of(inv: &Value) -> String {
    inv["access_secret"].as_str().expect("secret").to_string()
}

async fn open_interview(l: &Life, secret: &str) -> (StatusCode, Value) {
    l.call(
        l.request(Method::GET, "/v1/candidate/interview")
            .bearer_auth(secret),
    )
    .await
}

async fn stored_secret(l: &Life) -> Option<String> {
    sqlx::query_scalar("SELECT secret FROM email_outbox WHERE kind = 'invitation'")
        .fetch_one(&l.state.db.pool)
        .await
        .expect("outbox row")
}

lifecycle_test!(
    the_outbox_never_holds_the_secret_in_plain_text,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite_agreed("Ada Lovelace", "al@example.org").await;
        let secret = secret_of(&inv);
        // Queued: sealed, and nowhere else in the row.
        let stored = stored_secret(&l)
            .await
            .expect("sealed secret while pending");
        assert!(!stored.contains(&secret), "{stored}");
        let whole: Vec<String> = sqlx::query_scalar(
            "SELECT id || to_address || subject || body || message_id || COALESCE(secret, '') \
             FROM email_outbox",
        )
        .fetch_all(&l.state.db.pool)
        .await
        .expect("rows");
        assert!(whole.iter().all(|r| !r.contains(&secret)));
        // Sent: the candidate gets the working link; the outbox forgets it.
        let mails = l.deliver().await;
        assert_eq!(mails.len(), 1);
        assert!(mails[0].body().contains(&secret));
        assert_eq!(stored_secret(&l).await, None);
    }
);

lifecycle_test!(
    a_completed_or_closed_interview_answers_gone,
    no_tweak,
    |l: Life| async move {
        // Completed: every question answered.
        let done = l.invite_agreed("Katherine Johnson", "kj@example.org").await;
        let secret = secret_of(&done);
        let clip = |n: u32| std::fs::read(crate::uploads::clip(n)).expect("clip");
        let (s, _) = open_interview(&l, &secret).await;
        assert_eq!(s, StatusCode::OK);
        let (q1, q2) = (l.questions[0].clone(), l.questions[1].clone());
        let (s, a) = l.upload(&secret, &q1, clip(1), None).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let (s, b) = l.upload(&secret, &q2, clip(2), None).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["interview_status"], "completed");
        let (s, p) = open_interview(&l, &secret).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .is_some_and(|d| d.contains("completed")),
            "{p}"
        );
        let (s, p) = l.upload(&secret, &q1, clip(3), None).await;
        assert_eq!(s, StatusCode::GONE, "{p}");

        // Expired: the window passed, whether or not the sweep ran yet.
        let late = l.invite_agreed("Dorothy Vaughan", "dv@example.org").await;
        let secret = secret_of(&late);
        let (s, _) = open_interview(&l, &secret).await;
        assert_eq!(s, StatusCode::OK);
        l.clock.advance(400 * 3_600_000);
        let (s, p) = open_interview(&l, &secret).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains("closed")),
            "{p}"
        );
        let (s, p) = l.upload(&secret, &q1, clip(1), None).await;
        assert_eq!(s, StatusCode::GONE, "{p}");
    }
);

async fn undeliverable_mail_is_dead_lettered(backend: Backend) {
    // Nothing ever listens on the configured SMTP port.
    let addr = free_addr().await;
    let placeholder = Smtp::start("127.0.0.1:0".parse().expect("addr")).await;
    let l = Life::start_with(backend, config(addr), placeholder).await;
    l.invite_agreed("Margaret Hamilton", "mh@example.org").await;
    let max = takes_platform::email::worker::MAX_ATTEMPTS;
    for attempt in 1..=max {
        assert_eq!(l.deliver().await.len(), 0);
        let state: String =
            sqlx::query_scalar("SELECT state FROM email_outbox WHERE kind = 'invitation'")
                .fetch_one(&l.state.db.pool)
                .await
                .expect("state");
        let expected = if attempt < max { "pending" } else { "dead" };
        assert_eq!(state, expected, "after attempt {attempt}");
        l.clock
            .advance(takes_platform::email::worker::retry_delay(attempt));
    }
    let row: (i64, String, Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT attempts, COALESCE(last_error, ''), secret, dead_at FROM email_outbox \
         WHERE kind = 'invitation'",
    )
    .fetch_one(&l.state.db.pool)
    .await
    .expect("row");
    assert_eq!(row.0, max);
    assert!(row.1.contains("SMTP"), "{}", row.1);
    assert_eq!(row.2, None, "the secret of a dead letter is erased");
    assert!(row.3.is_some());
    // A dead letter is not tried again.
    l.clock.advance(48 * 3_600_000);
    l.deliver().await;
    assert_eq!(
        l.count("SELECT attempts FROM email_outbox WHERE kind = 'invitation'")
            .await,
        max
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeliverable_mail_is_dead_lettered_sqlite() {
    undeliverable_mail_is_dead_lettered(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeliverable_mail_is_dead_lettered_postgres() {
    undeliverable_mail_is_dead_lettered(Backend::Postgres).await;
}

lifecycle_test!(
    a_plain_secret_from_an_older_version_is_sealed_even_without_smtp,
    |c: &mut takes_platform::config::ServerConfig| c.email.smtp_host = None,
    |l: Life| async move {
        l.invite_agreed("Annie Easley", "ae@example.org").await;
        // As a version before sealing left it.
        sqlx::query("UPDATE email_outbox SET secret = 'ci_plain-legacy-secret'")
            .execute(&l.state.db.pool)
            .await
            .expect("legacy row");
        takes_platform::email::send_due(&l.state)
            .await
            .expect("pass");
        let stored = stored_secret(&l).await.expect("still queued");
        assert!(!stored.contains("ci_plain"), "{stored}");
        assert_eq!(
            takes_platform::email::sealing::open(
                &l.state.config.email,
                &message_row(&l).await,
                &stored
            )
            .expect("opens"),
            "ci_plain-legacy-secret"
        );
    }
);

async fn message_row(l: &Life) -> String {
    sqlx::query_scalar("SELECT id FROM email_outbox WHERE kind = 'invitation'")
        .fetch_one(&l.state.db.pool)
        .await
        .expect("id")
}
