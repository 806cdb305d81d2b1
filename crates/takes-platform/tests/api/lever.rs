//! Lever's `candidateStageChange` webhook over a real socket, with a
//! stand-in Lever API (a real HTTP server on loopback) answering who the
//! candidate is.

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use takes_platform::config::ServerConfig;

use crate::ats_support::{basic, AtsPlatform, StandIn};
use crate::support::Backend;

const SIGNATURE_TOKEN: &str = "lever-signature-token-1";
const API_KEY: &str = "lever-api-key-1";
const SCREEN: &str = "stage-phone-screen";

struct Lv {
    p: AtsPlatform,
    lever: StandIn,
}

/// The stand-in Lever API: two opportunities, Basic auth required.
async fn lever_api() -> StandIn {
    StandIn::start("127.0.0.1:0".parse().expect("addr"), |_, path| {
        let opp = |id: &str, name: &str, email: &str, posting: &str| {
            json!({"data": {
                "id": id, "name": name, "emails": [email], "contact": "contact-1",
                "applications": [{"id": "app-1", "posting": posting, "type": "posting"}],
                "stage": SCREEN,
            }})
        };
        match path.split('?').next().unwrap_or_default() {
            "/v1/opportunities/opp-1" => (
                200,
                opp("opp-1", "Grace Hopper", "grace@example.com", "posting-x"),
            ),
            "/v1/opportunities/opp-2" => (
                200,
                opp(
                    "opp-2",
                    "Alan Turing",
                    "alan@example.com",
                    "posting-analyst",
                ),
            ),
            // Moved on in Lever since: a replayed "entered screening" body
            // must not invite.
            "/v1/opportunities/opp-3" => {
                let mut o = opp("opp-3", "Edsger Dijkstra", "ewd@example.com", "posting-x");
                o["data"]["stage"] = json!("stage-onsite");
                (200, o)
            }
            _ => (
                404,
                json!({"code": "ResourceNotFound", "message": "no such opportunity"}),
            ),
        }
    })
    .await
}

async fn start(backend: Backend) -> Lv {
    let lever = lever_api().await;
    let api = format!("http://{}", lever.addr);
    let p = AtsPlatform::start(backend, move |roles| {
        let text = format!(
            "[ats.lever]\nsignature_token = \"{SIGNATURE_TOKEN}\"\napi_key = \"{API_KEY}\"\n\
             api_base = \"{api}\"\nscreening_stage = \"{SCREEN}\"\nrole_id = \"{}\"\n\
             [ats.lever.postings]\n\"posting-analyst\" = \"{}\"\n",
            roles.support, roles.analyst
        );
        ServerConfig::parse(std::path::Path::new("test.toml"), &text).expect("config")
    })
    .await;
    Lv { p, lever }
}

/// A webhook as Lever sends it now (by the platform's clock), signed with
/// `signature_token`.
fn hook(
    p: &AtsPlatform,
    signature_token: &str,
    event: &str,
    opportunity: &str,
    to_stage: &str,
) -> Value {
    hook_at(signature_token, event, opportunity, to_stage, p.clock.now())
}

fn hook_at(
    signature_token: &str,
    event: &str,
    opportunity: &str,
    to_stage: &str,
    triggered_at: i64,
) -> Value {
    let token = format!("tok-{event}-{opportunity}-{to_stage}-{triggered_at}");
    let mut mac = Hmac::<Sha256>::new_from_slice(signature_token.as_bytes()).expect("key");
    mac.update(format!("{token}{triggered_at}").as_bytes());
    json!({
        "triggeredAt": triggered_at,
        "event": event,
        "signature": hex::encode(mac.finalize().into_bytes()),
        "token": token,
        "data": {
            "candidateId": "cand-1", "contactId": "contact-1", "opportunityId": opportunity,
            "fromStageId": "stage-new", "toStageId": to_stage,
        },
    })
}

async fn send(p: &AtsPlatform, body: &Value) -> (StatusCode, Value) {
    p.call(p.http.post(p.url("/v1/ats/lever/webhook")).json(body))
        .await
}

crate::both_backends_with!(
    stage_change_invites_once_with_name_and_email_from_lever,
    start,
    |l: Lv| async move {
        let p = &l.p;
        let before = p.fingerprint().await;
        let body = hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN);
        let (s, first) = send(p, &body).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["status"], "created", "{first}");
        let id = first["interview_id"]
            .as_str()
            .expect("interview")
            .to_string();
        let (name, email, role) = p.interview(&id).await;
        assert_eq!(
            (name.as_str(), email.as_str()),
            ("Grace Hopper", "grace@example.com")
        );
        // posting-x is not mapped: the default role.
        assert_eq!(role, p.roles.support);
        let calls = l.lever.received();
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert!(
            calls[0].path.starts_with("/v1/opportunities/opp-1"),
            "{calls:?}"
        );
        assert_eq!(calls[0].authorization, basic(API_KEY));
        let after = p.fingerprint().await;
        assert_eq!(after[2], before[2] + 1);

        // Lever retrying the same delivery: the first answer again,
        // without asking Lever.
        let (s, again) = send(p, &body).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(again["status"], "created", "{again}");
        assert_eq!(again["replayed"], true, "{again}");
        assert_eq!(again["interview_id"], id.as_str());
        assert_eq!(p.fingerprint().await, after);
        assert_eq!(l.lever.received().len(), 1);
        // A new delivery about the same opportunity (it moved back into
        // the stage): the existing invitation.
        p.clock.advance(1000);
        let (s, later) = send(
            p,
            &hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{later}");
        assert_eq!(later["status"], "existing", "{later}");
        assert_eq!(later["interview_id"], id.as_str());
        assert_eq!(p.fingerprint().await, after);

        // A mapped posting picks its role.
        let (s, other) = send(
            p,
            &hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-2", SCREEN),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{other}");
        let (name, _, role) = p
            .interview(other["interview_id"].as_str().expect("id"))
            .await;
        assert_eq!(
            (name.as_str(), role.as_str()),
            ("Alan Turing", p.roles.analyst.as_str())
        );
    }
);

crate::both_backends_with!(
    bad_signatures_and_other_events_create_nothing,
    start,
    |l: Lv| async move {
        let p = &l.p;
        let before = p.fingerprint().await;
        let forged = hook(p, "not-the-token", "candidateStageChange", "opp-1", SCREEN);
        let (s, problem) = send(p, &forged).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{problem}");
        assert_eq!(problem["field"], "signature");
        // A genuine signature moved onto another body (the signature covers
        // token and time only, so the token must change with it).
        let mut swapped = hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN);
        swapped["token"] = json!("tok-other");
        let (s, _) = send(p, &swapped).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let mut late = hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN);
        late["triggeredAt"] = json!(p.clock.now() + 1);
        let (s, _) = send(p, &late).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        for (event, stage) in [
            ("candidateStageChange", "stage-onsite"),
            ("candidateHired", SCREEN),
        ] {
            let (s, r) = send(p, &hook(p, SIGNATURE_TOKEN, event, "opp-1", stage)).await;
            assert_eq!(s, StatusCode::OK, "{r}");
            assert_eq!(r["status"], "ignored", "{r}");
        }
        // An opportunity Lever does not know: 502, and nothing created.
        let (s, problem) = send(
            p,
            &hook(
                p,
                SIGNATURE_TOKEN,
                "candidateStageChange",
                "opp-404",
                SCREEN,
            ),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_GATEWAY, "{problem}");
        // A stage change without an opportunity id.
        let mut no_opp = hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN);
        if let Some(d) = no_opp["data"].as_object_mut() {
            d.remove("opportunityId");
        }
        let (s, problem) = send(p, &no_opp).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "data.opportunityId");
        let (s, _) = send(p, &json!({"event": "candidateStageChange"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        assert_eq!(p.fingerprint().await, before);
        // Only the unknown opportunity was looked up.
        let calls = l.lever.received();
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert!(
            calls[0].path.starts_with("/v1/opportunities/opp-404"),
            "{calls:?}"
        );
    }
);

crate::both_backends_with!(
    replayed_stale_or_outdated_deliveries_invite_nobody,
    start,
    |l: Lv| async move {
        let p = &l.p;
        let before = p.fingerprint().await;
        let now = p.clock.now();
        // Correctly signed, but more than five minutes old or ahead.
        for at in [
            now - 5 * 60 * 1000 - 1,
            now + 5 * 60 * 1000 + 1,
            now - 86_400_000,
        ] {
            let old = hook_at(SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN, at);
            let (s, problem) = send(p, &old).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{at}: {problem}");
            assert_eq!(problem["field"], "triggeredAt", "{problem}");
        }
        assert_eq!(p.fingerprint().await, before);
        assert!(l.lever.received().is_empty());

        // The body says "entered screening", Lever says the opportunity is
        // in another stage: Lever wins.
        let (s, r) = send(
            p,
            &hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-3", SCREEN),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "ignored", "{r}");
        assert!(
            r["reason"]
                .as_str()
                .is_some_and(|m| m.contains("stage-onsite")),
            "{r}"
        );
        assert_eq!(p.fingerprint().await, before);

        // A genuine delivery, then its token, time and signature replayed
        // with another opportunity (and another stage) in the body.
        let genuine = hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN);
        let (s, first) = send(p, &genuine).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["status"], "created", "{first}");
        let after = p.fingerprint().await;
        let calls = l.lever.received().len();
        p.clock.advance(60_000);
        for data in [
            json!({"opportunityId": "opp-2", "toStageId": SCREEN}),
            json!({"opportunityId": "opp-1", "toStageId": "stage-offer"}),
        ] {
            let mut replay = genuine.clone();
            replay["data"] = data;
            let (s, r) = send(p, &replay).await;
            assert_eq!(s, StatusCode::OK, "{r}");
            assert_eq!(r["replayed"], true, "{r}");
            assert_eq!(r["interview_id"], first["interview_id"], "{r}");
        }
        assert_eq!(p.fingerprint().await, after, "a replay invited someone");
        assert_eq!(l.lever.received().len(), calls, "a replay reached Lever");
    }
);

const SECOND_TOKEN: &str = "lever-signature-token-2";

/// Two Lever webhooks, each with its own token: the first serves every
/// posting, the second only `posting-analyst`.
async fn start_two(backend: Backend) -> Lv {
    let lever = lever_api().await;
    let api = format!("http://{}", lever.addr);
    let p = AtsPlatform::start(backend, move |roles| {
        let text = format!(
            "[ats.lever]\napi_key = \"{API_KEY}\"\n\
             api_base = \"{api}\"\nscreening_stage = \"{SCREEN}\"\nrole_id = \"{}\"\n\
             [ats.lever.postings]\n\"posting-analyst\" = \"{}\"\n\
             [[ats.lever.webhooks]]\nsignature_token = \"{SIGNATURE_TOKEN}\"\n\
             [[ats.lever.webhooks]]\nsignature_token = \"{SECOND_TOKEN}\"\npostings = [\"posting-analyst\"]\n",
            roles.support, roles.analyst
        );
        ServerConfig::parse(std::path::Path::new("test.toml"), &text).expect("config")
    })
    .await;
    Lv { p, lever }
}

crate::both_backends_with!(
    each_lever_webhook_signs_with_its_own_token,
    start_two,
    |l: Lv| async move {
        let p = &l.p;
        // Held here, so the stand-in Lever API lives as long as the test.
        let lever = &l.lever;
        // The second webhook's token is accepted (it used to be 401 forever).
        let (s, second) = send(
            p,
            &hook(p, SECOND_TOKEN, "candidateStageChange", "opp-2", SCREEN),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{second}");
        assert_eq!(second["status"], "created", "{second}");
        let (_, _, role) = p
            .interview(second["interview_id"].as_str().expect("id"))
            .await;
        assert_eq!(role, p.roles.analyst);
        // The first webhook's token still works.
        let (s, first) = send(
            p,
            &hook(p, SIGNATURE_TOKEN, "candidateStageChange", "opp-1", SCREEN),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["status"], "created", "{first}");
        // The second webhook does not serve posting-x: nothing is created.
        let before = p.fingerprint().await;
        p.clock.advance(1000);
        let (s, other) = send(
            p,
            &hook(p, SECOND_TOKEN, "candidateStageChange", "opp-1", SCREEN),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{other}");
        assert_eq!(other["status"], "ignored", "{other}");
        assert!(other.to_string().contains("posting-analyst"), "{other}");
        assert_eq!(p.fingerprint().await, before);
        // A token of neither webhook: 401, naming the signature.
        let (s, problem) = send(
            p,
            &hook(
                p,
                "lever-signature-token-3",
                "candidateStageChange",
                "opp-2",
                SCREEN,
            ),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{problem}");
        assert_eq!(problem["field"], "signature");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("2 webhook")),
            "{problem}"
        );
        assert_eq!(
            lever.received().len(),
            3,
            "the forged delivery asked Lever nothing"
        );
    }
);
