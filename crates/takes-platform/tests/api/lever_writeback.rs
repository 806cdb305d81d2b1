//! Writing results back to Lever (issue 16, point 8), against a stand-in
//! Lever API on a real socket that checks every request against the
//! documented shapes (`tests/contracts/lever/writeback.json`): a note with
//! the means and a results link plus a tag once every review is in, a tag
//! and a stage move per decision, retries on 500 and 429 (Retry-After
//! honoured), no retry on 404 (visible to admins, retried by one), and a
//! note sent once even when the server dies mid-request.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use takes_api::UserRole;
use takes_platform::ats::inbound::{self, FieldNames, Invite, Source};
use takes_platform::config::ServerConfig;

use crate::ats_support::{eventually, AtsPlatform};
use crate::lever_api::{LeverApi, Reply};
use crate::support::Backend;

const API_KEY: &str = "lever-api-key-wb";
const USER: &str = "8d49b010-cc6a-4f40-ace5-e86061c677ed";
const OPP: &str = "opp-wb-1";
const ONSITE: &str = "stage-onsite";
const SECOND: i64 = 1000;

struct Wb {
    p: AtsPlatform,
    lever: LeverApi,
    admin: String,
}

/// Advance maps to the on-site stage; reject and hold are unmapped, and
/// hold applies no tag.
async fn start(backend: Backend) -> Wb {
    let lever = LeverApi::start(API_KEY, USER, &[OPP]).await;
    let api = lever.base();
    let p = AtsPlatform::start(backend, move |roles| {
        let text = format!(
            "[ats.lever]\nsignature_token = \"tok\"\napi_key = \"{API_KEY}\"\n\
             api_base = \"{api}\"\nscreening_stage = \"stage-screen\"\nrole_id = \"{}\"\n\
             [ats.lever.writeback]\nperform_as = \"{USER}\"\n\
             [ats.lever.writeback.decision_tags]\nhold = \"\"\n\
             [ats.lever.stages]\nadvance = \"{ONSITE}\"\n",
            roles.support
        );
        ServerConfig::parse(std::path::Path::new("test.toml"), &text).expect("config")
    })
    .await;
    let (_, admin) = takes_platform::auth::issue_token(
        &p.state.db,
        p.clock.now(),
        "Ada Admin",
        UserRole::Admin,
        "t",
    )
    .await
    .expect("admin");
    Wb { p, lever, admin }
}

/// A completed interview of a candidate Lever sent for `opportunity`.
async fn lever_interview(p: &AtsPlatform, opportunity: &str) -> String {
    let invited = inbound::invite(
        &p.state,
        Invite {
            source: Source::Lever,
            external_id: opportunity.to_string(),
            role_id: p.roles.support.clone(),
            name: "Grace Hopper".into(),
            email: format!("{opportunity}@example.com"),
            external_data: None,
        },
        &FieldNames {
            role_id: "role_id",
            name: "name",
            email: "emails",
            external_id: "data.opportunityId",
            external_data: "data",
        },
    )
    .await
    .expect("invite");
    p.complete(&invited.interview_id).await;
    invited.interview_id
}

/// A reviewer scores both questions and submits, over HTTP.
async fn review(p: &AtsPlatform, interview: &str, name: &str, ratings: [i64; 2]) {
    let reviewer = p.reviewer_on(name, interview).await;
    submit(p, reviewer, ratings).await;
}

async fn submit(p: &AtsPlatform, (token, assignment): (String, String), ratings: [i64; 2]) {
    for (q, rating) in p.questions.iter().zip(ratings) {
        let (s, b) = p
            .call(
                p.http
                    .put(p.url(&format!("/v1/assignments/{assignment}/scores/{q}")))
                    .bearer_auth(&token)
                    .json(&json!({ "rating": rating })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, b) = p
        .call(
            p.http
                .post(p.url(&format!("/v1/assignments/{assignment}/submit")))
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn decide(w: &Wb, interview: &str, action: &str) {
    let p = &w.p;
    let (s, b) = p
        .call(
            p.http
                .post(p.url(&format!("/v1/interviews/{interview}/decision")))
                .bearer_auth(&w.admin)
                .json(&json!({ "action": action, "reason": "test" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

async fn retry(w: &Wb, id: &str) -> (StatusCode, Value) {
    let p = &w.p;
    p.call(
        p.http
            .post(p.url(&format!("/v1/ats/lever/writebacks/{id}/retry")))
            .bearer_auth(&w.admin),
    )
    .await
}

async fn writebacks(w: &Wb, query: &str) -> Vec<Value> {
    let p = &w.p;
    let (s, b) = p
        .call(
            p.http
                .get(p.url(&format!("/v1/ats/lever/writebacks{query}")))
                .bearer_auth(&w.admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().expect("items").clone()
}

/// Waits until `n` requests of `kind` reached the stand-in.
async fn calls(lever: &LeverApi, kind: &str, n: usize) {
    eventually(&format!("{n} {kind} call(s) reached Lever"), || async {
        lever.calls_of(kind).len() >= n
    })
    .await;
}

/// The state of the write-back of `action` for `event`.
async fn state_of(w: &Wb, event_prefix: &str, action: &str) -> Value {
    writebacks(w, "")
        .await
        .into_iter()
        .find(|r| {
            r["action"] == action
                && r["event"]
                    .as_str()
                    .is_some_and(|e| e.starts_with(event_prefix))
        })
        .unwrap_or(Value::Null)
}

/// Lets the worker run a few passes (real time) so that a call that
/// should not happen would have.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(800)).await;
}

fn value_of(call: &crate::lever_api::Call) -> String {
    call.body["value"].as_str().expect("note value").to_string()
}

crate::both_backends_with!(
    a_note_and_a_tag_after_review_and_a_stage_move_after_the_decision,
    start,
    |w: Wb| async move {
        let (p, lever) = (&w.p, &w.lever);
        let id = lever_interview(p, OPP).await;
        let one = p.reviewer_on("Rev One", &id).await;
        let two = p.reviewer_on("Rev Two", &id).await;
        submit(p, one, [4, 3]).await;
        settle().await;
        assert!(lever.calls().is_empty(), "{:?}", lever.calls());
        submit(p, two, [4, 4]).await;
        calls(lever, "tags", 1).await;

        let all = lever.calls();
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(
            (all[0].kind.as_str(), all[0].method.as_str()),
            ("note", "POST")
        );
        assert_eq!(all[0].opportunity, OPP);
        assert_eq!(
            all[0].query.get("perform_as").map(String::as_str),
            Some(USER)
        );
        let text = value_of(&all[0]);
        assert!(
            text.contains("Overall mean: 3.75 on a 1–5 scale, from 2 reviewers."),
            "{text}"
        );
        assert!(
            text.contains("Q1 Tell us about A (Ownership): 4.00"),
            "{text}"
        );
        assert!(
            text.contains("Q2 Tell us about B (Ownership): 3.50"),
            "{text}"
        );
        assert_eq!(
            all[0].body.as_object().map(|o| o.len()),
            Some(1),
            "{:?}",
            all[0].body
        );
        assert_eq!(all[1].body, json!({"tags": ["async-screen:reviewed"]}));
        // The results link opens for someone in Lever, without a token.
        let link = text
            .split("Results: ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("results link");
        assert!(
            link.starts_with(&format!("{}/results/sl_", p.base)),
            "{link}"
        );
        let page = reqwest::get(link).await.expect("results page");
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/html")));

        decide(&w, &id, "advance").await;
        calls(lever, "stage", 1).await;
        assert_eq!(lever.stage(OPP).as_deref(), Some(ONSITE));
        assert_eq!(
            lever.tags(OPP),
            vec![
                "async-screen:reviewed".to_string(),
                "async-screen:advance".to_string()
            ]
        );
        let stage = lever.calls_of("stage");
        assert_eq!(stage[0].method, "PUT");
        assert_eq!(stage[0].body, json!({"stage": ONSITE}));
        // The tag is applied before the move.
        let kinds: Vec<String> = lever.calls().into_iter().map(|c| c.kind).collect();
        assert_eq!(kinds, ["note", "tags", "tags", "stage"]);

        eventually("Lever's answers are recorded", || async {
            writebacks(&w, "?state=delivered").await.len() == 4
        })
        .await;
        let rows = writebacks(&w, "").await;
        assert_eq!(rows.len(), 4, "{rows:?}");
        for r in &rows {
            assert_eq!(r["state"], "delivered", "{r}");
            assert_eq!(r["attempts"], 1, "{r}");
            assert_eq!(r["interview_id"], id.as_str(), "{r}");
            assert_eq!(r["opportunity_id"], OPP, "{r}");
        }
        settle().await;
        assert_eq!(lever.calls().len(), 4, "nothing is sent twice");
        assert_eq!(lever.notes(OPP).len(), 1);
        assert!(lever.violations().is_empty(), "{:?}", lever.violations());
    }
);

crate::both_backends_with!(
    an_unmapped_decision_moves_nothing,
    start,
    |w: Wb| async move {
        let (p, lever) = (&w.p, &w.lever);
        let id = lever_interview(p, OPP).await;
        review(p, &id, "Rev One", [2, 2]).await;
        calls(lever, "tags", 1).await;
        // Hold: no tag configured, no stage mapped: nothing at all.
        decide(&w, &id, "hold").await;
        settle().await;
        assert_eq!(lever.calls().len(), 2, "{:?}", lever.calls());
        // Reject: its tag, but no stage mapped: no move.
        decide(&w, &id, "reject").await;
        calls(lever, "tags", 2).await;
        settle().await;
        assert!(lever.calls_of("stage").is_empty(), "{:?}", lever.calls());
        assert_eq!(lever.stage(OPP), None);
        assert_eq!(
            lever.tags(OPP),
            vec![
                "async-screen:reviewed".to_string(),
                "async-screen:reject".to_string()
            ]
        );
        // An interview that did not come from Lever owes Lever nothing.
        let other = {
            let (s, b) = p
                .call(
                    p.http
                        .post(p.url("/v1/invitations"))
                        .bearer_auth(&w.admin)
                        .json(
                            &json!({"role_id": p.roles.support, "candidate_name": "Not Lever",
                                      "candidate_email": "nl@example.com"}),
                        ),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            b["id"].as_str().expect("interview").to_string()
        };
        p.complete(&other).await;
        review(p, &other, "Rev Two", [5, 5]).await;
        decide(&w, &other, "advance").await;
        settle().await;
        assert_eq!(lever.calls().len(), 3, "{:?}", lever.calls());
        assert_eq!(writebacks(&w, "").await.len(), 3);
        assert!(lever.violations().is_empty(), "{:?}", lever.violations());
    }
);

crate::both_backends_with!(
    a_500_is_retried_and_a_429_waits_for_retry_after,
    start,
    |w: Wb| async move {
        let (p, lever) = (&w.p, &w.lever);
        lever.script("note", &[Reply::Status(500)]);
        lever.script("tags", &[Reply::RateLimited(120)]);
        let id = lever_interview(p, OPP).await;
        review(p, &id, "Rev One", [3, 4]).await;
        calls(lever, "note", 1).await;
        eventually("the 500 is recorded", || async {
            state_of(&w, "reviewed:", "note").await["last_status"] == 500
        })
        .await;
        let note = state_of(&w, "reviewed:", "note").await;
        assert_eq!(note["state"], "pending", "{note}");
        assert!(
            note["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("500")),
            "{note}"
        );
        // The tag waits behind the note.
        settle().await;
        assert!(lever.calls_of("tags").is_empty());
        // The first retry is due ~5 s later (the Standard Webhooks schedule).
        p.clock.advance(6 * SECOND);
        calls(lever, "note", 2).await;
        // A 500 may have been carried out: Lever was asked first.
        assert_eq!(lever.calls_of("list_notes").len(), 1);
        calls(lever, "tags", 1).await;
        eventually("the 429 is recorded", || async {
            state_of(&w, "reviewed:", "tags").await["last_status"] == 429
        })
        .await;
        let tags = state_of(&w, "reviewed:", "tags").await;
        assert_eq!(tags["state"], "pending", "{tags}");
        assert_eq!(
            state_of(&w, "reviewed:", "note").await["state"],
            "delivered"
        );
        // Retry-After: 120 s, longer than the schedule's 5 s.
        p.clock.advance(60 * SECOND);
        settle().await;
        assert_eq!(lever.calls_of("tags").len(), 1, "sent before Retry-After");
        p.clock.advance(61 * SECOND);
        calls(lever, "tags", 2).await;
        eventually("the tag is delivered", || async {
            state_of(&w, "reviewed:", "tags").await["state"] == "delivered"
        })
        .await;
        assert_eq!(lever.notes(OPP).len(), 1);
        assert_eq!(lever.tags(OPP), vec!["async-screen:reviewed".to_string()]);
        assert!(lever.violations().is_empty(), "{:?}", lever.violations());
    }
);

crate::both_backends_with!(
    a_404_is_not_retried_shown_to_admins_and_retried_by_one,
    start,
    |w: Wb| async move {
        let (p, lever) = (&w.p, &w.lever);
        // An opportunity Lever does not know (deleted, or another account).
        let gone = "opp-unknown";
        let id = lever_interview(p, gone).await;
        review(p, &id, "Rev One", [3, 3]).await;
        eventually("both calls failed", || async {
            let rows = writebacks(&w, "?state=failed").await;
            rows.len() == 2
        })
        .await;
        let failed = writebacks(&w, "?state=failed").await;
        for r in &failed {
            assert_eq!(r["last_status"], 404, "{r}");
            assert_eq!(r["attempts"], 1, "{r}");
            assert_eq!(r["next_attempt_at"], Value::Null, "{r}");
            let e = r["last_error"].as_str().unwrap_or_default();
            assert!(
                e.contains("404") && e.contains("Opportunity not found"),
                "{r}"
            );
        }
        // Not retried, however long.
        p.clock.advance(3 * 86_400 * SECOND);
        settle().await;
        assert_eq!(lever.calls().len(), 2, "{:?}", lever.calls());
        assert!(writebacks(&w, "?state=pending").await.is_empty());

        // Only admins see or retry them.
        let (rev, _) = p.reviewer_on("Rev Two", &id).await;
        let (s, b) = p
            .call(
                p.http
                    .get(p.url("/v1/ats/lever/writebacks"))
                    .bearer_auth(&rev),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, b) = p
            .call(
                p.http
                    .get(p.url("/v1/ats/lever/writebacks?state=lost"))
                    .bearer_auth(&w.admin),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["field"], "state");

        // The cause is fixed in Lever; an admin retries the note.
        lever.know(gone);
        let note_id = failed
            .iter()
            .find(|r| r["action"] == "note")
            .and_then(|r| r["id"].as_str())
            .expect("note row")
            .to_string();
        let (s, b) = retry(&w, &note_id).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["state"], "pending");
        assert_eq!(b["attempts"], 0);
        eventually("the note is delivered", || async {
            lever.notes(gone).len() == 1
        })
        .await;
        eventually("the row says so", || async {
            state_of(&w, "reviewed:", "note").await["state"] == "delivered"
        })
        .await;
        // A delivered one is not retried; an unknown one is 404.
        let (s, b) = retry(&w, &note_id).await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        let (s, b) = retry(&w, "no-such").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        assert_eq!(b["field"], "id");
        // The tag stays failed until someone retries it too.
        assert_eq!(state_of(&w, "reviewed:", "tags").await["state"], "failed");
        assert!(lever.violations().is_empty(), "{:?}", lever.violations());
    }
);

crate::both_backends_with!(
    a_restart_mid_delivery_sends_the_note_once,
    start,
    |w: Wb| async move {
        let (p, lever) = (&w.p, &w.lever);
        // Lever keeps the note, but its answer never comes: to the server
        // this is dying after sending and before recording.
        lever.script("note", &[Reply::Hang]);
        let id = lever_interview(p, OPP).await;
        review(p, &id, "Rev One", [5, 4]).await;
        calls(lever, "note", 1).await;
        assert_eq!(lever.notes(OPP).len(), 1);
        // Another server process on the same database takes over once the
        // dead one's lease has run out.
        let second = takes_platform::start(p.state.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("second server");
        p.clock
            .advance(takes_platform::ats::lever::worker::LEASE + SECOND);
        eventually("the tag is delivered after the note", || async {
            state_of(&w, "reviewed:", "tags").await["state"] == "delivered"
        })
        .await;
        let note = state_of(&w, "reviewed:", "note").await;
        assert_eq!(note["state"], "delivered", "{note}");
        assert_eq!(note["attempts"], 2, "{note}");
        // Found in Lever, not sent again.
        assert_eq!(lever.calls_of("note").len(), 1, "{:?}", lever.calls());
        assert_eq!(lever.notes(OPP).len(), 1);
        assert!(!lever.calls_of("list_notes").is_empty());
        settle().await;
        assert_eq!(lever.calls_of("note").len(), 1);
        assert_eq!(lever.calls_of("tags").len(), 1);
        assert!(lever.violations().is_empty(), "{:?}", lever.violations());
        second.stop().await.expect("stop");
    }
);

#[test]
fn the_contract_fixture_documents_each_request_we_send() {
    let c = crate::lever_api::contract();
    for (kind, method, path, field) in [
        (
            "note",
            "POST",
            "/v1/opportunities/:opportunity/notes",
            "value",
        ),
        (
            "tags",
            "POST",
            "/v1/opportunities/:opportunity/addTags",
            "tags",
        ),
        (
            "stage",
            "PUT",
            "/v1/opportunities/:opportunity/stage",
            "stage",
        ),
    ] {
        let r = &c["requests"][kind];
        assert_eq!(r["method"], method, "{kind}");
        assert_eq!(r["path"], path, "{kind}");
        assert_eq!(r["body"][field]["required"], true, "{kind}");
        assert!(
            r["query"]
                .as_array()
                .is_some_and(|q| q.contains(&json!("perform_as"))),
            "{kind}"
        );
        // The documented example has only documented fields.
        for k in r["example"].as_object().expect("example").keys() {
            assert!(r["body"].get(k).is_some(), "{kind}: {k}");
        }
    }
    assert_eq!(c["auth"]["scheme"], "Basic");
    assert_eq!(c["auth"]["password"], "");
}
