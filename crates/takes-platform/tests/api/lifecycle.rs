//! One candidate's whole journey through the ATS integration, against one
//! running server over real sockets: a signed ATS stage change invites
//! them, the invitation email carries the link they answer through, the
//! interview is routed, reviewed and rejected, and the scorecard goes back
//! out in Greenhouse's shape. Along the way every webhook and email is
//! checked as the outside world sees it: delivered once, in order, signed.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use takes_api::UserRole;
use takes_platform::clock::{rfc3339, HOUR, SECOND};
use takes_platform::config::ServerConfig;

use crate::ats_generic::python_sign;
use crate::ats_support::eventually;
use crate::invitations::{Life, Mail, T0};
use crate::uploads::clip;
use crate::webhooks::{hook_url, verify_with_python, Received, Receiver};

const ATS_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const CANDIDATE: &str = "Ada Lovelace";
const CANDIDATE_EMAIL: &str = "ada@example.org";

fn with_generic_ats(c: &mut ServerConfig) {
    let text = format!("[ats.generic]\nsecret = \"{ATS_SECRET}\"\n");
    c.ats = ServerConfig::parse(std::path::Path::new("lifecycle.toml"), &text)
        .expect("ats config")
        .ats;
    // The webhook receiver below listens on loopback.
    c.allow_private_networks = crate::support::loopback_config().allow_private_networks;
}

/// Which template a received message came from, by its subject.
fn kind_of(m: &Mail) -> &'static str {
    let subject = m.header("Subject");
    if subject.starts_with("Your video interview") {
        "invitation"
    } else if subject.starts_with("We received") {
        "acknowledgement"
    } else if subject.starts_with("Completed video interview") {
        "hiring_manager"
    } else if subject.starts_with("Your application") {
        "rejection"
    } else if subject.starts_with("Reminder") {
        "reminder"
    } else {
        panic!("unexpected email: {}", m.data)
    }
}

fn only<'a>(mails: &'a [Mail], kind: &str) -> &'a Mail {
    let of_kind: Vec<&Mail> = mails.iter().filter(|m| kind_of(m) == kind).collect();
    assert_eq!(of_kind.len(), 1, "one {kind} email: {mails:?}");
    of_kind[0]
}

fn types(got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.json()["type"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn received_types(rx: &Receiver, want: &[&str]) -> Vec<Received> {
    let what = format!("the receiver got {want:?}");
    eventually(&what, || async { rx.received().len() >= want.len() }).await;
    let got = rx.received();
    assert_eq!(types(&got), want, "webhooks in arrival order");
    got
}

/// The candidate's link, as the invitation email spells it.
fn link_in(body: &str, base: &str) -> String {
    let prefix = format!("{base}/candidate#");
    let start = body.find(&prefix).unwrap_or_else(|| {
        panic!("no {prefix}… link in the invitation email:\n{body}");
    });
    body[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

impl Life {
    async fn send(&self, rb: reqwest::RequestBuilder, token: &str) -> (StatusCode, Value) {
        self.call(rb.bearer_auth(token)).await
    }

    async fn queue_interviews(&self, token: &str) -> Vec<(String, String)> {
        let (s, page) = self
            .send(self.request(Method::GET, "/v1/queue"), token)
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                assert_ne!(
                    i["candidate"]["display_name"], CANDIDATE,
                    "reviewers see a pseudonym: {i}"
                );
                (
                    i["interview_id"].as_str().unwrap_or_default().to_string(),
                    i["id"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }
}

crate::lifecycle_test!(
    an_ats_candidate_is_invited_answers_is_reviewed_and_rejected,
    with_generic_ats,
    |l: Life| async move {
        // ---- 1. An endpoint subscribed to every event type.
        let (_, admin) =
            takes_platform::auth::issue_token(&l.state.db, T0, "Ada Admin", UserRole::Admin, "t")
                .await
                .expect("admin");
        let rx = Receiver::start("127.0.0.1:0".parse().expect("addr"), 200).await;
        let (s, endpoint) = l
            .send(
                l.request(Method::POST, "/v1/webhooks/endpoints")
                    .json(&json!({"url": hook_url(rx.addr), "description": "ATS"})),
                &admin,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{endpoint}");
        let hook_secret = endpoint["secret"].as_str().expect("secret").to_string();
        let endpoint_id = endpoint["id"].as_str().expect("id").to_string();

        // ---- 2. The ATS moves the candidate into screening.
        let event = json!({"type": "candidate.stage_changed", "data": {
            "stage": "Screening",
            "candidate": {"id": "cand-7", "name": CANDIDATE, "email": CANDIDATE_EMAIL},
            "application_id": "app-7",
            "role_id": l.role,
        }})
        .to_string();
        let ts = l.clock.now() / SECOND;
        let sig = python_sign(ATS_SECRET, "msg_lifecycle_1", ts, &event);
        let (s, inbound) = l
            .call(
                l.request(Method::POST, "/v1/ats/inbound")
                    .header("content-type", "application/json")
                    .header("webhook-id", "msg_lifecycle_1")
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", &sig)
                    .body(event),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{inbound}");
        assert_eq!(inbound["status"], "created", "{inbound}");
        let interview = inbound["interview_id"].as_str().expect("id").to_string();

        let mails = l.deliver().await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        let invitation = only(&mails, "invitation");
        assert_eq!(invitation.to, vec![CANDIDATE_EMAIL]);
        let body = invitation.body();
        assert!(body.contains(&format!("Hello {CANDIDATE}")), "{body}");
        // 72 hours from Thursday 08:00.
        assert!(
            body.contains("Please finish by Sunday 17 January 2027, 08:00 UTC"),
            "{body}"
        );
        let link = link_in(&body, &l.base);
        let got = received_types(&rx, &["invitation.sent"]).await;
        assert_eq!(got[0].json()["data"]["interview_id"], interview.as_str());

        // ---- 3. A day later the candidate follows the emailed link.
        l.clock.advance(26 * HOUR);
        let secret = link
            .rsplit_once('#')
            .map(|(_, s)| s.to_string())
            .expect("secret in the fragment");
        let (s, mine) = l
            .send(l.request(Method::GET, "/v1/candidate/interview"), &secret)
            .await;
        assert_eq!(s, StatusCode::OK, "{mine}");
        assert_eq!(mine["interview_id"], interview.as_str());
        assert_eq!(mine["candidate_name"], CANDIDATE);
        assert_eq!(mine["expires_at"], rfc3339(T0 + 72 * HOUR));
        let questions: Vec<String> = mine["questions"]
            .as_array()
            .expect("questions")
            .iter()
            .map(|q| q["id"].as_str().expect("question id").to_string())
            .collect();
        assert_eq!(questions, l.questions);
        let (s, agreed) = l
            .send(
                l.request(Method::PUT, "/v1/candidate/consent")
                    .json(&serde_json::json!({"decision": "agreed", "text_version": "test-1"})),
                &secret,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{agreed}");
        for (i, q) in questions.iter().enumerate() {
            let bytes = std::fs::read(clip(i as u32 + 1)).expect("demo clip");
            let (s, up) = l
                .send(
                    l.request(Method::PUT, &format!("/v1/candidate/responses/{q}"))
                        .header("content-type", "video/webm")
                        .body(bytes),
                    &secret,
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{up}");
            let last = i + 1 == questions.len();
            assert_eq!(
                up["interview_status"],
                if last { "completed" } else { "started" },
                "{up}"
            );
        }
        let completed_at = T0 + 26 * HOUR;

        let mails = l.deliver().await;
        assert_eq!(mails.len(), 3, "{mails:?}");
        let ack = only(&mails, "acknowledgement");
        assert_eq!(ack.to, vec![CANDIDATE_EMAIL]);
        let body = ack.body();
        assert!(body.contains(&format!("Hello {CANDIDATE}")), "{body}");
        // Completed Friday 10:00; reviews due 48 hours later.
        assert!(
            body.contains("You will hear from us by Sunday 17 January 2027, 10:00 UTC."),
            "{body}"
        );
        let hm = only(&mails, "hiring_manager");
        assert_eq!(hm.to, vec!["hm@example.com"]);
        let body = hm.body();
        assert!(body.contains(CANDIDATE), "{body}");
        assert!(body.contains("Assigned reviewers: Rev B, Rev C"), "{body}");
        assert!(body.contains(&interview), "{body}");

        let got = received_types(&rx, &["invitation.sent", "interview.completed"]).await;
        let done = got[1].json();
        assert_eq!(done["data"]["interview_id"], interview.as_str());
        assert_eq!(done["data"]["response_count"], 2);
        assert_eq!(done["data"]["source"], "generic");
        assert_eq!(done["data"]["external_id"], "app-7");
        assert_eq!(done["data"]["completed_at"], rfc3339(completed_at));
        assert_eq!(
            done["data"]["review_due_at"],
            rfc3339(completed_at + 48 * HOUR)
        );
        let names: Vec<&str> = done["data"]["reviewers"]
            .as_array()
            .expect("reviewers")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert_eq!(names, ["Rev B", "Rev C"], "Rev A was busy");

        // In Rev B's and Rev C's queues, and nobody else's.
        let mut assignments = Vec::new();
        for (i, token) in l.reviewer_tokens.iter().enumerate() {
            let queue = l.queue_interviews(token).await;
            let mine: Vec<&(String, String)> =
                queue.iter().filter(|(iv, _)| *iv == interview).collect();
            if i == 0 {
                assert!(mine.is_empty(), "Rev A was not assigned: {queue:?}");
            } else {
                assert_eq!(mine.len(), 1, "reviewer {i}: {queue:?}");
                assignments.push((token.clone(), mine[0].1.clone()));
            }
        }
        let (s, recruiter_queue) = l
            .send(l.request(Method::GET, "/v1/queue"), &l.recruiter)
            .await;
        assert_eq!(s, StatusCode::OK, "{recruiter_queue}");
        assert!(
            !recruiter_queue.to_string().contains(&interview),
            "{recruiter_queue}"
        );

        // ---- 4. Both reviewers score every question, muted first.
        l.clock.advance(HOUR);
        // (rating, muted rating) per question, for Rev B then Rev C.
        let marks: [[(i64, i64); 2]; 2] = [[(1, 2), (3, 3)], [(2, 2), (4, 3)]];
        for ((token, assignment), marks) in assignments.iter().zip(marks) {
            let (s, detail) = l
                .send(
                    l.request(Method::GET, &format!("/v1/assignments/{assignment}")),
                    token,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{detail}");
            let qs: Vec<String> = detail["questions"]
                .as_array()
                .expect("questions")
                .iter()
                .map(|q| q["id"].as_str().expect("id").to_string())
                .collect();
            assert_eq!(qs, l.questions);
            for (q, (rating, muted)) in qs.iter().zip(marks) {
                let (s, score) = l
                    .send(
                        l.request(
                            Method::PUT,
                            &format!("/v1/assignments/{assignment}/scores/{q}"),
                        )
                        .json(&json!({"rating": rating, "muted_rating": muted})),
                        token,
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{score}");
            }
            let (s, submitted) = l
                .send(
                    l.request(
                        Method::POST,
                        &format!("/v1/assignments/{assignment}/submit"),
                    ),
                    token,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{submitted}");
        }
        let got = received_types(
            &rx,
            &[
                "invitation.sent",
                "interview.completed",
                "review.submitted",
                "review.submitted",
                "interview.reviewed",
            ],
        )
        .await;
        for (r, (who, marks)) in got[2..4]
            .iter()
            .zip([("Rev B", marks[0]), ("Rev C", marks[1])])
        {
            let e = r.json();
            assert_eq!(e["data"]["reviewer"]["name"], who, "{e}");
            let scores: Vec<(i64, i64)> = e["data"]["scores"]
                .as_array()
                .expect("scores")
                .iter()
                .map(|s| {
                    (
                        s["rating"].as_i64().unwrap_or(-1),
                        s["muted_rating"].as_i64().unwrap_or(-1),
                    )
                })
                .collect();
            assert_eq!(scores, marks, "{e}");
        }
        let reviewed = got[4].json();
        let data = &reviewed["data"];
        assert_eq!(data["interview_id"], interview.as_str());
        let who: Vec<&str> = data["reviewers"]
            .as_array()
            .expect("reviewers")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert_eq!(who, ["Rev B", "Rev C"]);
        // Ratings listed per reviewer (B, C); pass mark 3 of 1–5.
        let q1 = &data["questions"][0];
        assert_eq!(q1["question_id"], l.questions[0].as_str());
        assert_eq!(q1["ratings"], json!([1, 2]), "{reviewed}");
        assert_eq!(q1["mean"], 1.5);
        assert_eq!(q1["median"], 1.5);
        assert_eq!((q1["min"].as_i64(), q1["max"].as_i64()), (Some(1), Some(2)));
        assert_eq!(q1["spread"], 1);
        assert_eq!(q1["passes"], 0);
        let q2 = &data["questions"][1];
        assert_eq!(q2["question_id"], l.questions[1].as_str());
        assert_eq!(q2["ratings"], json!([3, 4]), "{reviewed}");
        assert_eq!(q2["mean"], 3.5);
        assert_eq!(q2["passes"], 2);
        assert_eq!(data["overall_mean"], 2.5);

        // ---- 5. The recruiter of the role rejects.
        l.clock.advance(HOUR);
        crate::support::recruiter_may_decide(&l.state, &interview).await;
        let (s, decision) = l
            .send(
                l.request(
                    Method::POST,
                    &format!("/v1/interviews/{interview}/decision"),
                )
                .json(&json!({"action": "reject", "reason": "Below the bar on Q1"})),
                &l.recruiter,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{decision}");
        let mails = l.deliver().await;
        assert_eq!(mails.len(), 4, "{mails:?}");
        let rejection = only(&mails, "rejection");
        assert_eq!(rejection.to, vec![CANDIDATE_EMAIL]);
        let body = rejection.body();
        assert!(body.contains(&format!("Hello {CANDIDATE}")), "{body}");
        assert!(body.contains("Site Reliability Engineer"), "{body}");
        assert!(!body.contains("Below the bar"), "the reason is internal");
        let got = received_types(
            &rx,
            &[
                "invitation.sent",
                "interview.completed",
                "review.submitted",
                "review.submitted",
                "interview.reviewed",
                "candidate.rejected",
            ],
        )
        .await;
        let rejected = got[5].json();
        assert_eq!(rejected["data"]["action"], "reject");
        assert_eq!(rejected["data"]["interview_id"], interview.as_str());
        assert_eq!(rejected["data"]["decided_by"]["name"], "Rita Recruiter");
        assert_eq!(rejected["data"]["candidate"]["email"], CANDIDATE_EMAIL);

        // ---- 6. The scorecards in Greenhouse's shape.
        let (s, export) = l
            .send(
                l.request(
                    Method::GET,
                    &format!("/v1/interviews/{interview}/scorecard?format=greenhouse"),
                ),
                &l.recruiter,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{export}");
        let cards = export["scorecards"].as_array().expect("scorecards");
        let by_reviewer: BTreeMap<&str, &Value> = cards
            .iter()
            .map(|c| (c["submitted_by"]["name"].as_str().unwrap_or_default(), c))
            .collect();
        assert_eq!(by_reviewer.len(), 2, "{export}");
        // 1–5 maps onto the five steps; overall from the mean position.
        for (who, steps, overall) in [
            ("Rev B", ["definitely_not", "mixed"], "no"),
            ("Rev C", ["no", "yes"], "no_decision"),
        ] {
            let card = by_reviewer
                .get(who)
                .unwrap_or_else(|| panic!("{who}'s scorecard: {export}"));
            let got: Vec<&str> = card["attributes"]
                .as_array()
                .expect("attributes")
                .iter()
                .filter_map(|a| a["rating"].as_str())
                .collect();
            assert_eq!(got, steps, "{who}: {card}");
            assert_eq!(card["overall_recommendation"], overall, "{who}: {card}");
            assert_eq!(card["ratings"][steps[0]], json!(["Q1 Ownership"]), "{card}");
            assert_eq!(card["ratings"][steps[1]], json!(["Q2 Ownership"]), "{card}");
            assert_eq!(card["interviewed_at"], rfc3339(completed_at));
        }

        // ---- 7. Everything went out once, in order, signed.
        let ids: Vec<String> = got.iter().map(|r| r.id.clone()).collect();
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "an event arrived twice: {ids:?}");
        for r in &got {
            assert_eq!(r.json()["id"], r.id.as_str(), "webhook-id is the event id");
        }
        let stream = sqlx::query(
            "SELECT id, event_type, seq FROM webhook_events WHERE interview_id = $1 ORDER BY seq",
        )
        .bind(&interview)
        .fetch_all(&l.state.db.pool)
        .await
        .expect("events");
        let written: Vec<String> = stream.iter().map(|r| r.get::<String, _>("id")).collect();
        let seqs: Vec<i64> = stream.iter().map(|r| r.get::<i64, _>("seq")).collect();
        // Every write about the interview takes a number (an answer that
        // does not complete it takes one too, as a lock), so the stream
        // may skip numbers but never repeats or reorders them.
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "one ordered stream: {seqs:?}"
        );
        assert_eq!(ids, written, "arrival order is the outbox order");
        assert_eq!(l.count("SELECT COUNT(*) FROM webhook_events").await, 6);
        eventually("every delivery is recorded as delivered", || async {
            l.count(&format!(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = '{endpoint_id}' \
                 AND state = 'delivered' AND attempts = 1"
            ))
            .await
                == 6
        })
        .await;
        assert_eq!(
            l.count("SELECT COUNT(*) FROM webhook_deliveries").await,
            6,
            "one delivery per event, no retries or replays"
        );
        verify_with_python(&hook_secret, &got);

        // Another round of the email worker sends nothing new.
        let mails = l.deliver().await;
        let mut kinds: Vec<&str> = mails.iter().map(kind_of).collect();
        kinds.sort_unstable();
        assert_eq!(
            kinds,
            [
                "acknowledgement",
                "hiring_manager",
                "invitation",
                "rejection"
            ],
            "each kind exactly once"
        );
        assert_eq!(
            l.count("SELECT COUNT(*) FROM email_outbox WHERE state = 'sent' AND attempts = 1")
                .await,
            4
        );
        rx.stop().await;
    }
);
