//! How a role lets candidates record (issue 12): captions on the intro
//! video (checked cue by cue, served as `text/vtt`, named in the process
//! document with their language) and the per-role switches for sound only
//! and a lower resolution, with sound only enforced by the server.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::accommodations::sound_only;
use crate::both_backends;
use crate::process::{apply, document, plan};
use crate::support::TestPlatform;

const CAPTIONS: &str = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nHello, and thank you for applying.\n\n00:00:01.500 --> 00:00:03.000\nHere is how the interview works.\n";

/// The 6th line's end time has a comma, as SRT files do.
const MALFORMED: &str =
    "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello.\n\n00:00:01.500 --> 00:00:03,000\nBroken.\n";

fn video() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/clips/c01-q1.webm"))
        .expect("demo clip")
}

async fn put(
    p: &TestPlatform,
    path: &str,
    token: &str,
    kind: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    p.call(
        p.request(Method::PUT, path, Some(token))
            .header("content-type", kind)
            .body(body),
    )
    .await
}

/// The exported role `key`.
fn exported_role<'a>(doc: &'a Value, key: &str) -> &'a Value {
    doc["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["key"] == key)
        .expect("exported role")
}

async fn role_id(p: &TestPlatform, key: &str) -> String {
    let (_, page) = p.get("/v1/roles", &p.f.admin).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["key"] == key)
        .and_then(|r| r["id"].as_str())
        .expect("role")
        .to_string()
}

/// Invites a candidate to `role` who agrees to being recorded; `(secret,
/// first question id)`.
async fn candidate(p: &TestPlatform, role: &str) -> (String, String) {
    let (s, inv) = p
        .call(
            p.request(Method::POST, "/v1/invitations", Some(&p.f.recruiter))
                .json(&json!({"role_id": role, "candidate_name": "Ada Lovelace",
                    "candidate_email": "ada@example.org"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    let secret = inv["access_secret"].as_str().expect("secret").to_string();
    let (s, c) = p
        .call(
            p.request(Method::PUT, "/v1/candidate/consent", Some(&secret))
                .json(&json!({"decision": "agreed", "text_version": "test-1"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (_, view) = p.get("/v1/candidate/interview", &secret).await;
    let q = view["questions"][0]["id"]
        .as_str()
        .expect("question")
        .to_string();
    (secret, q)
}

both_backends!(
    intro_captions_are_checked_stored_served_and_shown,
    |p: TestPlatform| async move {
        let stored =
            "SELECT (SELECT COUNT(*) FROM intro_captions) + (SELECT COUNT(*) FROM media_objects)";
        let (s, v) = put(
            &p,
            "/v1/process/intro-videos",
            &p.f.admin,
            "video/webm",
            video(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let before = p.count(stored).await;

        // A malformed cue: the line is named and nothing is stored.
        let (s, problem) = put(
            &p,
            "/v1/process/intro-captions",
            &p.f.admin,
            "text/vtt",
            MALFORMED.into(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "body");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(
            detail.starts_with("line 6: malformed cue timing"),
            "{detail}"
        );
        for junk in [
            &b"not captions"[..],
            &b"WEBVTT\n\nNOTE only a note\n"[..],
            &[0xff, 0xfe][..],
        ] {
            let (s, problem) = put(
                &p,
                "/v1/process/intro-captions",
                &p.f.admin,
                "text/vtt",
                junk.to_vec(),
            )
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        }
        let (s, _) = put(
            &p,
            "/v1/process/intro-captions",
            &p.f.admin,
            "text/vtt",
            vec![b'x'; 2 << 20],
        )
        .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(p.count(stored).await, before, "a refused file was stored");

        // Reviewers may not upload; staff may, once per content.
        let (s, _) = put(
            &p,
            "/v1/process/intro-captions",
            &p.f.reviewers[0],
            "text/vtt",
            CAPTIONS.into(),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, up) = put(
            &p,
            "/v1/process/intro-captions",
            &p.f.admin,
            "text/vtt",
            CAPTIONS.into(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{up}");
        assert_eq!(up["cues"], 2);
        let sha = takes_platform::ids::sha256_hex(CAPTIONS.as_bytes());
        assert_eq!(up["sha256"], sha.as_str());
        let (s, again) = put(
            &p,
            "/v1/process/intro-captions",
            &p.f.recruiter,
            "text/vtt",
            CAPTIONS.into(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again["media_id"], up["media_id"]);

        // Named in the document: unknown captions are refused by an apply.
        let mut doc = document();
        doc["roles"][0]["intro_video"] = json!({"sha256": v["sha256"], "file_name": "intro.webm",
            "captions": {"sha256": "cd".repeat(32), "file_name": "intro.de.vtt", "language": "de"}});
        let (s, problem) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "role[0].intro_video.captions");
        doc["roles"][0]["intro_video"]["captions"]["language"] = json!("deutsch");
        let (s, problem) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem
                .to_string()
                .contains("role[0].intro_video.captions.language"),
            "{problem}"
        );
        doc["roles"][0]["intro_video"]["captions"] =
            json!({"sha256": sha, "file_name": "intro.de.vtt", "language": "de"});
        let (s, applied) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK, "{applied}");

        // The candidate's page is told where they are and in what language.
        let role = role_id(&p, "backend-2027").await;
        let (secret, _) = candidate(&p, &role).await;
        let (_, view) = p.get("/v1/candidate/interview", &secret).await;
        let url = format!(
            "/v1/media/intro-captions/{}",
            up["media_id"].as_str().expect("id")
        );
        assert_eq!(
            view["intro_captions"],
            json!({"url": url, "language": "de"}),
            "{view}"
        );
        let served = p.http.get(p.url(&url)).send().await.expect("captions");
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(
            served.headers()["content-type"].to_str().expect("type"),
            "text/vtt; charset=utf-8"
        );
        assert_eq!(served.text().await.expect("body"), CAPTIONS);
        let missing = p
            .http
            .get(p.url("/v1/media/intro-captions/nope"))
            .send()
            .await
            .expect("404");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);

        // Export names them; it plans to no changes; a new language is one.
        let (_, exported) = p.get("/v1/process", &p.f.admin).await;
        let captions = &exported_role(&exported, "backend-2027")["intro_video"]["captions"];
        assert_eq!(captions["language"], "de", "{exported}");
        assert_eq!(captions["sha256"], sha.as_str());
        let (_, round) = plan(&p, &p.f.admin, &exported, false).await;
        assert_eq!(round["changes"], json!([]), "{round}");
        doc["roles"][0]["intro_video"]["captions"]["language"] = json!("en");
        let (_, changed) = plan(&p, &p.f.admin, &doc, false).await;
        assert!(
            changed.to_string().contains("intro_video.captions"),
            "{changed}"
        );
    }
);

both_backends!(
    the_role_decides_sound_only_and_low_resolution,
    |p: TestPlatform| async move {
        let (s, applied) = apply(&p, &p.f.admin, &document(), false, None).await;
        assert_eq!(s, StatusCode::OK, "{applied}");
        let role = role_id(&p, "backend-2027").await;
        let (secret, q) = candidate(&p, &role).await;
        let (_, view) = p.get("/v1/candidate/interview", &secret).await;
        assert_eq!(view["options"]["audio_only"], false, "{view}");
        assert_eq!(view["options"]["low_resolution"], true, "{view}");

        // The defaults: no sound-only answers, refused by the server.
        let answers =
            "SELECT (SELECT COUNT(*) FROM responses) + (SELECT COUNT(*) FROM media_objects)";
        let before = p.count(answers).await;
        let path = format!("/v1/candidate/responses/{q}");
        let (s, problem) = put(&p, &path, &secret, "audio/webm", sound_only(1)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "body");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("sound only")),
            "{problem}"
        );
        assert_eq!(p.count(answers).await, before, "a refused take was stored");

        // Switched by the document: planned, applied, exported.
        let mut doc = document();
        doc["roles"][0]["allow_audio_only"] = json!(true);
        doc["roles"][0]["allow_low_resolution"] = json!(false);
        let (_, planned) = plan(&p, &p.f.admin, &doc, false).await;
        let text = planned["changes"].to_string();
        assert!(
            text.contains("allow_audio_only, allow_low_resolution"),
            "{planned}"
        );
        let (s, applied) = apply(&p, &p.f.admin, &doc, false, None).await;
        assert_eq!(s, StatusCode::OK, "{applied}");
        let (_, exported) = p.get("/v1/process", &p.f.admin).await;
        let exported_role = exported_role(&exported, "backend-2027");
        assert_eq!(exported_role["allow_audio_only"], true, "{exported}");
        assert_eq!(exported_role["allow_low_resolution"], false);
        let (_, round) = plan(&p, &p.f.admin, &exported, false).await;
        assert_eq!(round["changes"], json!([]), "{round}");

        let (_, view) = p.get("/v1/candidate/interview", &secret).await;
        assert_eq!(view["options"]["audio_only"], true, "{view}");
        assert_eq!(view["options"]["low_resolution"], false, "{view}");
        let (s, a) = put(&p, &path, &secret, "audio/webm", sound_only(1)).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");

        // A value of the wrong type names its field.
        let mut bad = document();
        bad["roles"][0]["allow_audio_only"] = json!("yes");
        let (s, problem) = apply(&p, &p.f.admin, &bad, false, None).await;
        assert!(s.is_client_error(), "{problem}");
        assert!(
            problem.to_string().contains("allow_audio_only"),
            "{problem}"
        );
    }
);
