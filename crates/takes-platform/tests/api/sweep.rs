//! The authorization sweep, generated from the OpenAPI document: every
//! documented operation is called by every kind of caller, and the status
//! must be the one `TABLE` names. The operations come from the served
//! `/v1/openapi.json`, not from a list kept here, so a new route without a
//! row fails the test until someone decides who may call it.
//!
//! Write operations are sent an empty JSON object: an authorized caller
//! then gets a validation error (or a conflict) and nothing changes, while
//! an unauthorized one must be refused before the body matters. Deletions
//! run last so that the other operations still find their resources.
//!
//! Every answer must also be one the document describes (its status listed
//! for the operation, errors as `application/problem+json`): schemathesis
//! (`scripts/schemathesis.sh`) found that errors were documented as
//! `application/json` and the extractors' 400/413/415/422 were missing.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Value};

use crate::authz::{calibration_session, webhook_setup, Calibration, Hooks};
use crate::both_backends;
use crate::support::TestPlatform;

/// The callers, in the order of a row's statuses. Two more are swept
/// without a column of their own: a revoked token, an expired one and one of
/// a deactivated user must be answered exactly as no token at all (the
/// `none` column).
const CALLERS: [&str; 6] = [
    "none",
    "candidate secret",
    "reviewer who owns it",
    "reviewer who does not",
    "recruiter",
    "admin",
];

/// "METHOD /path" -> the status for each of `CALLERS`.
///
/// Notes on the less obvious cells:
/// - a reviewer who does not own an assignment, and staff who do not review
///   it, get 404 (its existence is not disclosed), not 403;
/// - the ATS inbound endpoints authenticate by signature, not by token, and
///   are not configured in the fixture: 404 for everyone;
/// - a candidate secret is not an API token: 401 everywhere but the
///   candidate routes, which in turn refuse API tokens;
/// - 422 for a caller whose role may not use the operation at all (e.g. a
///   reviewer deciding an interview): those handlers validate the JSON body
///   before the role, so the empty body is refused first. Nothing is
///   disclosed or changed either way; a valid body gets 403 (see the
///   hand-written matrix in `authz.rs`);
/// - a role's intro video and its captions are public (candidates' players
///   fetch them by link),
///   so even no token gets 404 for the made-up id here, not 401;
/// - a recruiter may change only the roles they own (`role_recruiters`);
///   the recruiter here owns the fixture's role (set up for the board), so
///   changing it is 200 (`process_api.rs` covers a recruiter who does not);
/// - a panel is 403 to its owner until the review is submitted, calibration
///   results 403 until revealed, and the webhook event replay 409 because
///   the delivery replay above it already queued one;
/// - the candidate has not agreed to being recorded, so an upload is a 409
///   naming consent before its body matters (creating a resumable upload
///   still checks its headers first: 422);
/// - an empty accommodation grant is a valid one (it grants nothing), so
///   the role's recruiter and the admin get 200.
#[rustfmt::skip]
const TABLE: &[(&str, [u16; 6])] = &[
    //                                                         none cand  own  not  rec  adm
    ("GET /v1/assignments/{id}",                              [401, 401, 200, 404, 404, 404]),
    ("GET /v1/assignments/{id}/panel",                        [401, 401, 403, 404, 404, 404]),
    ("PUT /v1/assignments/{id}/scores/{question_id}",         [401, 401, 422, 422, 422, 422]),
    ("POST /v1/assignments/{id}/submit",                      [401, 401, 409, 404, 404, 404]),
    ("GET /v1/ats/greenhouse/list_tests",                     [404, 404, 404, 404, 404, 404]),
    ("GET /v1/ats/greenhouse/notices",                        [401, 401, 403, 403, 403, 200]),
    ("POST /v1/ats/greenhouse/response_error",                [404, 404, 404, 404, 404, 404]),
    ("POST /v1/ats/greenhouse/send_test",                     [404, 404, 404, 404, 404, 404]),
    ("GET /v1/ats/greenhouse/test_status",                    [404, 404, 404, 404, 404, 404]),
    ("POST /v1/ats/inbound",                                  [404, 404, 404, 404, 404, 404]),
    ("POST /v1/ats/lever/webhook",                            [404, 404, 404, 404, 404, 404]),
    ("GET /v1/ats/lever/writebacks",                          [401, 401, 403, 403, 403, 200]),
    ("POST /v1/ats/lever/writebacks/{id}/retry",              [401, 401, 403, 403, 403, 404]),
    ("GET /v1/board",                                         [401, 401, 403, 403, 200, 200]),
    ("POST /v1/board/decisions",                              [401, 401, 422, 422, 422, 422]),
    ("GET /v1/board/{id}",                                    [401, 401, 403, 403, 200, 200]),
    ("GET /v1/board/sync",                                    [401, 401, 403, 403, 422, 422]),
    ("POST /v1/board/{id}/reassign",                          [401, 401, 422, 422, 422, 422]),
    ("POST /v1/board/{id}/remind",                            [401, 401, 403, 403, 409, 409]),
    ("POST /v1/board/{id}/retry-sync",                        [401, 401, 403, 403, 409, 409]),
    ("GET /v1/calibration",                                   [401, 401, 200, 200, 200, 200]),
    ("POST /v1/calibration",                                  [401, 401, 422, 422, 422, 422]),
    ("GET /v1/calibration/{id}",                              [401, 401, 200, 404, 404, 200]),
    ("POST /v1/calibration/{id}/items/{item_id}/notes",       [401, 401, 422, 422, 422, 422]),
    ("PUT /v1/calibration/{id}/items/{item_id}/score",        [401, 401, 422, 422, 422, 422]),
    ("GET /v1/calibration/{id}/results",                      [401, 401, 403, 404, 404, 403]),
    ("POST /v1/calibration/{id}/reveal",                      [401, 401, 403, 404, 404, 409]),
    ("POST /v1/calibration/{id}/submit",                      [401, 401, 409, 404, 404, 403]),
    ("GET /v1/candidate/interview",                           [401, 200, 401, 401, 401, 401]),
    ("PUT /v1/candidate/responses/{question_id}",             [401, 409, 401, 401, 401, 401]),
    ("PUT /v1/candidate/consent",                             [401, 422, 401, 401, 401, 401]),
    ("POST /v1/candidate/speed-test",                         [401, 200, 401, 401, 401, 401]),
    ("POST /v1/candidate/responses/{question_id}/uploads",    [401, 422, 401, 401, 401, 401]),
    ("POST /v1/candidate/responses/{question_id}/takes",      [401, 409, 401, 401, 401, 401]),
    ("PATCH /v1/candidate/responses/{question_id}/uploads/{upload_id}", [401, 415, 401, 401, 401, 401]),
    ("GET /v1/health",                                        [200, 200, 200, 200, 200, 200]),
    ("GET /candidate",                                        [200, 200, 200, 200, 200, 200]),
    ("GET /candidate/assets/{name}",                          [200, 200, 200, 200, 200, 200]),
    ("GET /v1/interviews",                                    [401, 401, 403, 403, 200, 200]),
    ("POST /v1/interviews/{id}/decision",                     [401, 401, 422, 422, 422, 422]),
    ("GET /v1/interviews/{id}/scorecard",                     [401, 401, 403, 403, 200, 200]),
    ("POST /v1/interviews/{id}/share-links",                  [401, 401, 403, 403, 201, 201]),
    ("GET /v1/interviews/{id}/share-links",                   [401, 401, 403, 403, 200, 200]),
    ("DELETE /v1/share-links/{id}",                           [401, 401, 403, 403, 204, 204]),
    ("GET /results/{token}",                                  [200, 200, 200, 200, 200, 200]),
    ("POST /v1/invitations",                                  [401, 401, 422, 422, 422, 422]),
    ("GET /v1/invitations/{id}",                              [401, 401, 403, 403, 200, 200]),
    ("GET /v1/invitations/{id}/accommodations",               [401, 401, 403, 403, 200, 200]),
    ("PUT /v1/invitations/{id}/accommodations",               [401, 401, 403, 403, 200, 200]),
    ("GET /v1/me",                                            [401, 401, 200, 200, 200, 200]),
    ("GET /v1/media/{response_id}",                           [401, 401, 200, 404, 200, 200]),
    ("GET /v1/openapi.json",                                  [200, 200, 200, 200, 200, 200]),
    ("GET /v1/queue",                                         [401, 401, 200, 200, 200, 200]),
    ("GET /v1/reliability",                                   [401, 401, 403, 403, 200, 200]),
    // Process insights (issue 15): organisation-wide figures are staff only.
    ("GET /v1/insights/funnel",                               [401, 401, 403, 403, 200, 200]),
    ("GET /v1/insights/turnaround",                           [401, 401, 403, 403, 200, 200]),
    ("GET /v1/insights/scores",                               [401, 401, 403, 403, 200, 200]),
    ("GET /v1/insights/shift",                                [401, 401, 403, 403, 200, 200]),
    ("GET /v1/insights/reliability",                          [401, 401, 403, 403, 200, 200]),
    ("GET /v1/insights/me",                                   [401, 401, 200, 200, 200, 200]),
    ("GET /v1/insights/alerts",                               [401, 401, 403, 403, 200, 200]),
    ("GET /v1/insights/validity",                             [401, 401, 403, 403, 200, 200]),
    // Adverse impact (issue 15 point 8): never to a reviewer.
    ("GET /v1/insights/adverse-impact",                       [401, 401, 403, 403, 200, 200]),
    ("PUT /v1/candidate/self-identification",                 [401, 422, 401, 401, 401, 401]),
    ("PUT /v1/outcomes/{id}",                                 [401, 401, 422, 422, 422, 422]),
    ("POST /v1/outcomes/import",                              [401, 401, 422, 422, 422, 422]),
    ("GET /v1/responses/{response_id}/transcript",            [401, 401, 200, 404, 200, 200]),
    ("GET /v1/transcripts/failures",                          [401, 401, 403, 403, 200, 200]),
    ("GET /v1/roles/{id}/invitation-settings",                [401, 401, 403, 403, 200, 200]),
    ("PATCH /v1/roles/{id}/invitation-settings",              [401, 401, 403, 403, 200, 200]),
    ("GET /v1/webhooks/deliveries",                           [401, 401, 403, 403, 403, 200]),
    ("GET /v1/webhooks/deliveries/{id}",                      [401, 401, 403, 403, 403, 200]),
    ("POST /v1/webhooks/deliveries/{id}/replay",              [401, 401, 403, 403, 403, 202]),
    ("GET /v1/webhooks/endpoints",                            [401, 401, 403, 403, 403, 200]),
    ("POST /v1/webhooks/endpoints",                           [401, 401, 422, 422, 422, 422]),
    ("GET /v1/webhooks/endpoints/{id}",                       [401, 401, 403, 403, 403, 200]),
    ("PATCH /v1/webhooks/endpoints/{id}",                     [401, 401, 403, 403, 403, 200]),
    ("POST /v1/webhooks/endpoints/{id}/rotate-secret",        [401, 401, 403, 403, 403, 200]),
    ("POST /v1/webhooks/events/{id}/replay",                  [401, 401, 403, 403, 403, 409]),
    ("DELETE /v1/webhooks/endpoints/{id}",                    [401, 401, 403, 403, 403, 204]),
    ("GET /v1/media/intro-videos/{id}",                       [404, 404, 404, 404, 404, 404]),
    ("GET /v1/media/intro-captions/{id}",                     [404, 404, 404, 404, 404, 404]),
    ("GET /v1/process",                                       [401, 401, 403, 403, 403, 200]),
    ("PUT /v1/process",                                       [401, 401, 403, 403, 403, 422]),
    ("PUT /v1/process/intro-videos",                          [401, 401, 403, 403, 422, 422]),
    ("PUT /v1/process/intro-captions",                        [401, 401, 403, 403, 422, 422]),
    ("POST /v1/process/plan",                                 [401, 401, 403, 403, 403, 422]),
    ("GET /v1/roles",                                         [401, 401, 200, 200, 200, 200]),
    ("POST /v1/roles",                                        [401, 401, 422, 422, 422, 422]),
    ("GET /v1/roles/{id}",                                    [401, 401, 403, 403, 200, 200]),
    ("PATCH /v1/roles/{id}",                                  [401, 401, 403, 403, 200, 200]),
    ("POST /v1/roles/{id}/question-sets",                     [401, 401, 422, 422, 422, 422]),
    ("PUT /v1/roles/{id}/recruiters",                         [401, 401, 422, 422, 422, 422]),
    ("PUT /v1/roles/{id}/reviewers",                          [401, 401, 422, 422, 422, 422]),
    ("GET /v1/users",                                         [401, 401, 403, 403, 403, 200]),
    ("POST /v1/users",                                        [401, 401, 422, 422, 422, 422]),
    ("PATCH /v1/users/{id}",                                  [401, 401, 403, 403, 403, 200]),
    ("POST /v1/users/{id}/tokens",                            [401, 401, 403, 403, 403, 201]),
    ("GET /v1/tokens",                                        [401, 401, 200, 200, 200, 200]),
    ("DELETE /v1/tokens/{id}",                                [401, 401, 204, 404, 404, 204]),
];

/// Ids of the fixture's resources, to fill a documented path's parameters.
struct Ids {
    cal: Calibration,
    hooks: Hooks,
    role: String,
    /// The fixture's second interview: undecided, nothing overdue.
    board_interview: String,
    invitation: String,
    secret: String,
    /// A second token of the owning reviewer, for `DELETE /v1/tokens/{id}`.
    victim_token: String,
    revoked: String,
    expired: String,
    /// A token of a user who was deactivated.
    deactivated: String,
    /// A user for `/v1/users/{id}`.
    user: String,
    /// A share link of the fixture's interview and its token.
    share_link: String,
    share_token: String,
}

/// A token of `user_id` stored directly: `expires_at` may be in the past.
async fn stored_token(
    p: &TestPlatform,
    user_id: &str,
    expires_at: Option<i64>,
) -> (String, String) {
    let id = takes_platform::ids::new_id();
    let token = format!("tk_sweep_{}", takes_platform::ids::new_id());
    let mut conn = p.state.db.pool.acquire().await.expect("connection");
    takes_platform::store::users::insert_token(
        &mut conn,
        &id,
        user_id,
        &takes_platform::ids::hash_token(&token),
        "sweep",
        p.state.clock.now(),
        expires_at,
    )
    .await
    .expect("token");
    (id, token)
}

async fn ids(p: &TestPlatform) -> Ids {
    use sqlx::Row;
    let cal = calibration_session(p).await;
    let hooks = webhook_setup(p).await;
    let role: String = sqlx::query("SELECT job_role_id FROM interviews WHERE id = $1")
        .bind(&p.f.interview)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("role")
        .get(0);
    let board_interview: String = sqlx::query("SELECT interview_id FROM assignments WHERE id = $1")
        .bind(&p.f.other_assignment)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("second interview")
        .get(0);
    plant_self_identification(p).await;
    let (_, me) = p.get("/v1/me", &p.f.recruiter).await;
    let mut conn = p.state.db.pool.acquire().await.expect("connection");
    takes_platform::store::board::writes::add_recruiter(
        &mut conn,
        p.state.clock.now(),
        &role,
        me["id"].as_str().expect("recruiter id"),
    )
    .await
    .expect("recruiter of the role");
    drop(conn);
    let (s, inv) = p
        .call(
            p.request(Method::POST, "/v1/invitations", Some(&p.f.recruiter))
                .json(&json!({
                    "role_id": role,
                    "candidate_name": "Mary Jackson",
                    "candidate_email": "mary@example.org",
                })),
        )
        .await;
    assert!(s.is_success(), "invitation: {s} {inv}");
    let owner = &p.f.reviewer_ids[0];
    let (victim_token, _) = stored_token(p, owner, None).await;
    let (revoked_id, revoked) = stored_token(p, owner, None).await;
    takes_platform::auth::revoke_token(&p.state.db, p.state.clock.now(), &revoked_id)
        .await
        .expect("revoke");
    let (_, expired) = stored_token(p, owner, Some(p.state.clock.now() - 1)).await;
    let gone = takes_platform::ids::new_id();
    {
        let mut conn = p.state.db.pool.acquire().await.expect("connection");
        let now = p.state.clock.now();
        takes_platform::store::users::insert_with_email(
            &mut conn,
            &gone,
            "Gone Reviewer",
            "reviewer",
            "gone@example.com",
            now,
        )
        .await
        .expect("user");
        takes_platform::store::users::set_deactivated(&mut conn, &gone, Some(now))
            .await
            .expect("deactivate");
    }
    let (_, deactivated) = stored_token(p, &gone, None).await;
    let (s, link) = p
        .call(p.request(
            Method::POST,
            &format!("/v1/interviews/{}/share-links", p.f.interview),
            Some(&p.f.admin),
        ))
        .await;
    assert!(s.is_success(), "share link: {s} {link}");
    let share_token = link["url"]
        .as_str()
        .and_then(|u| u.rsplit_once("/results/"))
        .map(|(_, t)| t.to_string())
        .expect("share link url");
    Ids {
        share_link: link["id"].as_str().expect("share link id").to_string(),
        share_token,
        deactivated,
        user: p.f.reviewer_ids[2].clone(),
        victim_token,
        revoked,
        expired,
        cal,
        hooks,
        role,
        board_interview,
        invitation: inv["id"].as_str().expect("invitation id").to_string(),
        secret: inv["access_secret"]
            .as_str()
            .expect("access secret")
            .to_string(),
    }
}

/// Self-identification planted on the fixture's reviewed interview, with
/// values found nowhere else: no answer of the sweep may contain them.
const SELF_ID_MARKERS: [&str; 3] = [
    "selfid-sweep-marker-5f1e",
    "native_hawaiian_or_pacific_islander",
    "non_binary",
];

async fn plant_self_identification(p: &TestPlatform) {
    let mut w = p.state.db.begin_write().await.expect("begin");
    takes_platform::store::self_identification::replace(
        &mut w.tx,
        &p.f.interview,
        SELF_ID_MARKERS[0],
        &[
            ("gender".into(), SELF_ID_MARKERS[2].into()),
            ("ethnicity".into(), SELF_ID_MARKERS[1].into()),
            ("veteran".into(), "yes".into()),
        ],
        p.state.clock.now(),
    )
    .await
    .expect("self-identification");
    w.commit().await.expect("commit");
}

/// Answers that may name the categories and their answers because they
/// document them (the OpenAPI document, the candidate page's assets).
fn documents_the_answers(path: &str) -> bool {
    path == "/v1/openapi.json" || path.starts_with("/candidate")
}

/// The documented path with its parameters replaced by fixture ids; a
/// parameter this function does not know fails the test, so that a new
/// resource gets a deliberate filler.
fn concrete(p: &TestPlatform, ids: &Ids, path: &str) -> String {
    let id = if path.starts_with("/v1/assignments/") {
        p.f.assignments[0].as_str()
    } else if path.starts_with("/v1/board/") {
        ids.board_interview.as_str()
    } else if path.starts_with("/v1/interviews/") || path.starts_with("/v1/outcomes/") {
        p.f.interview.as_str()
    } else if path.starts_with("/v1/calibration/") {
        ids.cal.session.as_str()
    } else if path.starts_with("/v1/webhooks/endpoints/") {
        ids.hooks.endpoint.as_str()
    } else if path.starts_with("/v1/webhooks/deliveries/") {
        ids.hooks.delivery.as_str()
    } else if path.starts_with("/v1/webhooks/events/") {
        ids.hooks.event.as_str()
    } else if path.starts_with("/v1/invitations/") {
        ids.invitation.as_str()
    } else if path.starts_with("/v1/roles/") {
        ids.role.as_str()
    } else if path.starts_with("/v1/tokens/") {
        ids.victim_token.as_str()
    } else if path.starts_with("/v1/share-links/") {
        ids.share_link.as_str()
    } else if path.starts_with("/v1/users/") {
        ids.user.as_str()
    } else if path.starts_with("/v1/media/intro-videos/") {
        "no-such-video"
    } else if path.starts_with("/v1/media/intro-captions/") {
        "no-such-captions"
    } else if path.starts_with("/v1/ats/lever/writebacks/") {
        "no-such-writeback"
    } else {
        ""
    };
    let filled = path
        .replace("{id}", id)
        .replace("{question_id}", &p.f.questions[0])
        .replace("{response_id}", &p.f.responses[0])
        .replace("{item_id}", &ids.cal.item)
        .replace("{name}", "app.js")
        .replace("{token}", &ids.share_token)
        .replace("{upload_id}", "0123456789abcdef0123456789abcdef");
    assert!(
        !filled.contains('{') && !filled.contains("//"),
        "{path}: no fixture id for its parameters; teach `concrete` about it"
    );
    filled
}

fn token<'a>(p: &'a TestPlatform, ids: &'a Ids, caller: usize) -> Option<&'a str> {
    match caller {
        0 => None,
        1 => Some(&ids.secret),
        2 => Some(&p.f.reviewers[0]),
        3 => Some(&p.f.outsider),
        4 => Some(&p.f.recruiter),
        _ => Some(&p.f.admin),
    }
}

/// Every (method, path, operation) of the document; deletions last.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                ops.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    ops.sort_by_key(|(m, _, _)| m == "DELETE");
    ops
}

/// Why the document does not describe this answer, if it does not: an
/// undocumented status, or an error whose documented content type is not
/// `application/problem+json` (what every error is).
fn undocumented(op: &Value, status: u16) -> Option<String> {
    let Some(documented) = op["responses"].get(status.to_string()) else {
        let known: Vec<&String> = op["responses"]
            .as_object()
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        return Some(format!(
            "status {status} is not documented (documented: {known:?})"
        ));
    };
    if status >= 400
        && documented["content"]
            .get("application/problem+json")
            .is_none()
    {
        return Some(format!(
            "error {status} is documented as {}",
            documented["content"]
        ));
    }
    None
}

both_backends!(
    every_documented_operation_for_every_caller,
    |p: TestPlatform| async move {
        let ids = ids(&p).await;
        let (_, doc) = p.get("/v1/openapi.json", &p.f.admin).await;
        let table: BTreeMap<&str, [u16; 6]> = TABLE.iter().copied().collect();
        let mut wrong = Vec::new();
        let mut missing = Vec::new();
        let mut seen = Vec::new();
        let mut outside_document = Vec::new();
        for (method, path, op) in operations(&doc) {
            let has_body = op.get("requestBody").is_some();
            let key = format!("{method} {path}");
            let url = concrete(&p, &ids, &path);
            let mut got = [0u16; 6];
            for (caller, cell) in got.iter_mut().enumerate() {
                let m = Method::from_bytes(method.as_bytes()).expect("method");
                let mut rb = p.request(m, &url, token(&p, &ids, caller));
                if has_body {
                    rb = rb.json(&json!({}));
                }
                let resp = rb.send().await.expect("request reached the server");
                *cell = resp.status().as_u16();
                if let Some(why) = undocumented(&op, *cell) {
                    outside_document.push(format!("{key} as {}: {why}", CALLERS[caller]));
                }
                let text = resp.text().await.unwrap_or_default();
                assert!(*cell < 500, "{key} as {}: {cell} {text}", CALLERS[caller]);
                if !documents_the_answers(&path) {
                    for marker in SELF_ID_MARKERS {
                        assert!(
                            !text.contains(marker),
                            "{key} as {} returned self-identification ({marker}): {text}",
                            CALLERS[caller]
                        );
                    }
                }
            }
            for (who, dead) in [
                ("a revoked token", &ids.revoked),
                ("an expired token", &ids.expired),
                ("a deactivated user's token", &ids.deactivated),
            ] {
                let m = Method::from_bytes(method.as_bytes()).expect("method");
                let mut rb = p.request(m, &url, Some(dead));
                if has_body {
                    rb = rb.json(&json!({}));
                }
                let status = rb
                    .send()
                    .await
                    .expect("request reached the server")
                    .status();
                if status.as_u16() != got[0] {
                    wrong.push(format!(
                        "{key}: {who} got {status}, not what no token gets ({})",
                        got[0]
                    ));
                }
            }
            match table.get(key.as_str()) {
                None => missing.push(format!("    (\"{key}\", {got:?}),")),
                Some(want) if *want != got => {
                    let who: Vec<String> = (0..6)
                        .filter(|&c| want[c] != got[c])
                        .map(|c| format!("{}: want {} got {}", CALLERS[c], want[c], got[c]))
                        .collect();
                    wrong.push(format!("{key}: {}", who.join(", ")));
                }
                Some(_) => {}
            }
            seen.push(key);
        }
        let stale: Vec<&&str> = table
            .keys()
            .filter(|k| !seen.iter().any(|s| s == *k))
            .collect();
        assert!(
            outside_document.is_empty(),
            "answers the OpenAPI document does not describe:\n{}",
            outside_document.join("\n")
        );
        assert!(
            missing.is_empty() && wrong.is_empty() && stale.is_empty(),
            "authorization sweep (callers: {CALLERS:?})\n\
             operations without a row (decide who may call them, then add):\n{}\n\
             wrong statuses:\n{}\n\
             rows for operations no longer documented: {stale:?}",
            missing.join("\n"),
            wrong.join("\n"),
        );
    }
);
