//! Email delivery over real SMTP: retries while the server is down, exactly
//! one delivery once it is up, queueing without a server, and the
//! rejection email (platform or ATS).

use reqwest::{Method, StatusCode};
use serde_json::json;
use takes_platform::config::ServerConfig;
use takes_platform::email::RejectionEmail;

use crate::invitations::{config, free_addr, no_tweak, Life, Smtp};
use crate::lifecycle_test;
use crate::support::Backend;

async fn down_then_up(backend: Backend) {
    // The configured SMTP port has no listener yet.
    let addr = free_addr().await;
    let placeholder = Smtp::start("127.0.0.1:0".parse().expect("addr")).await;
    let l = Life::start_with(backend, config(addr), placeholder).await;
    let inv = l.invite("Margaret Hamilton", "mh@example.org").await;
    assert_eq!(l.deliver().await.len(), 0);
    let row: (i64, String, String) =
        sqlx::query_as("SELECT attempts, state, COALESCE(last_error, '') FROM email_outbox")
            .fetch_one(&l.state.db.pool)
            .await
            .expect("outbox");
    assert_eq!((row.0, row.1.as_str()), (1, "pending"));
    assert!(row.2.contains("SMTP"), "{}", row.2);
    // Not due again until the back-off has passed.
    takes_platform::email::send_due(&l.state)
        .await
        .expect("send");
    assert_eq!(
        l.count("SELECT attempts FROM email_outbox").await,
        1,
        "retried before its time"
    );

    let smtp = Smtp::start(addr).await;
    l.clock.advance(takes_platform::email::worker::FIRST_RETRY);
    assert_eq!(
        takes_platform::email::send_due(&l.state)
            .await
            .expect("send"),
        1
    );
    assert_eq!(
        takes_platform::email::send_due(&l.state)
            .await
            .expect("send"),
        0
    );
    l.clock.advance(24 * 3_600_000);
    takes_platform::email::send_due(&l.state)
        .await
        .expect("send");
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "delivered exactly once");
    assert!(mails[0].body().contains("Margaret Hamilton"));
    assert!(mails[0]
        .body()
        .contains(inv["access_secret"].as_str().expect("secret")));
    assert_eq!(
        l.count("SELECT COUNT(*) FROM email_outbox WHERE state = 'sent' AND attempts = 2")
            .await,
        1
    );
    smtp.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_smtp_server_delays_but_loses_nothing_sqlite() {
    down_then_up(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_smtp_server_delays_but_loses_nothing_postgres() {
    down_then_up(Backend::Postgres).await;
}

lifecycle_test!(
    without_an_smtp_host_mail_waits_in_the_outbox,
    |c: &mut ServerConfig| c.email.smtp_host = None,
    |l: Life| async move {
        l.invite("Radia Perlman", "radia@example.org").await;
        assert_eq!(
            takes_platform::email::send_due(&l.state)
                .await
                .expect("send"),
            0
        );
        assert_eq!(
            l.count("SELECT COUNT(*) FROM email_outbox WHERE state = 'pending' AND attempts = 0")
                .await,
            1
        );
        assert!(l.smtp.mails().is_empty());
    }
);

async fn reject(l: &Life, interview: &str) {
    let (s, body) = try_reject(l, interview).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}

async fn try_reject(l: &Life, interview: &str) -> (StatusCode, serde_json::Value) {
    crate::support::recruiter_may_decide(&l.state, interview).await;
    l.call(
        l.request(
            Method::POST,
            &format!("/v1/interviews/{interview}/decision"),
        )
        .bearer_auth(&l.recruiter)
        .json(&json!({"action": "reject"})),
    )
    .await
}

lifecycle_test!(
    a_rejection_emails_the_candidate_once,
    no_tweak,
    |l: Life| async move {
        let inv = l.invite("Barbara Liskov", "bl@example.org").await;
        let id = inv["id"].as_str().expect("id").to_string();
        reject(&l, &id).await;
        // A rejection is final: a second one is refused, naming the first.
        let (s, again) = try_reject(&l, &id).await;
        assert_eq!(s, StatusCode::CONFLICT, "{again}");
        assert!(again["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("already decided"));
        let mails = l.deliver().await;
        let rejections: Vec<_> = mails
            .iter()
            .filter(|m| m.header("Subject").starts_with("Your application"))
            .collect();
        assert_eq!(rejections.len(), 1, "{mails:?}");
        assert_eq!(rejections[0].to, vec!["bl@example.org"]);
        let body = rejections[0].body();
        assert!(body.contains("Hello Barbara Liskov"), "{body}");
        assert!(body.contains("Site Reliability Engineer"), "{body}");
    }
);

lifecycle_test!(
    with_the_ats_in_charge_the_platform_sends_no_rejection,
    |c: &mut ServerConfig| c.email.rejection_email = RejectionEmail::Ats,
    |l: Life| async move {
        let inv = l.invite("Frances Allen", "fa@example.org").await;
        reject(&l, inv["id"].as_str().expect("id")).await;
        assert_eq!(
            l.count("SELECT COUNT(*) FROM email_outbox WHERE kind = 'rejection'")
                .await,
            0
        );
        assert_eq!(l.deliver().await.len(), 1, "only the invitation");
    }
);

#[test]
fn the_email_table_parses_and_refuses_unknown_keys() {
    let ok = ServerConfig::parse(
        std::path::Path::new("s.toml"),
        "[email]\nsmtp_host = \"mail.example.com\"\nsmtp_port = 2525\ntls = \"starttls\"\n\
         from = \"Jobs <jobs@example.com>\"\nrejection_email = \"ats\"\n\n\
         [invitations]\nreminder_before_hours = 12\nreviewers_per_interview = 3\n",
    )
    .expect("parses");
    assert_eq!(ok.email.smtp_port, Some(2525));
    assert_eq!(ok.email.rejection_email, RejectionEmail::Ats);
    assert_eq!(ok.invitations.reviewers_per_interview, 3);
    assert_eq!(ok.invitations.review_within_hours, 48);
    let bad = ServerConfig::parse(std::path::Path::new("s.toml"), "[email]\ntls = \"ssl\"\n");
    assert!(bad.is_err());
}

lifecycle_test!(
    the_server_sends_queued_mail_by_itself,
    |c: &mut ServerConfig| c.email.poll_interval_ms = 50,
    |l: Life| async move {
        l.invite("Dorothy Vaughan", "dv@example.org").await;
        // Waits for the worker's delivery (an event), not for time to pass.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while l.smtp.mails().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the email worker never sent the invitation"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(l.smtp.mails()[0].to, vec!["dv@example.org"]);
    }
);
