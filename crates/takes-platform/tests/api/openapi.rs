//! The OpenAPI document: valid, 3.1, and listing the contract's routes.

use reqwest::{Method, StatusCode};

use crate::both_backends;
use crate::support::TestPlatform;

/// The routes DESIGN.md fixes.
const CONTRACT: &[(&str, &str)] = &[
    ("get", "/v1/health"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/me"),
    ("get", "/v1/queue"),
    ("get", "/v1/assignments/{id}"),
    ("put", "/v1/assignments/{id}/scores/{question_id}"),
    ("post", "/v1/assignments/{id}/submit"),
    ("get", "/v1/assignments/{id}/panel"),
    ("post", "/v1/interviews/{id}/decision"),
    ("get", "/v1/media/{response_id}"),
    ("get", "/v1/responses/{response_id}/transcript"),
    ("get", "/v1/calibration"),
    ("get", "/v1/calibration/{id}"),
    ("put", "/v1/calibration/{id}/items/{item_id}/score"),
    ("post", "/v1/calibration/{id}/submit"),
    ("get", "/v1/calibration/{id}/results"),
    // Issue 6: outbound webhooks and the scorecard export.
    ("post", "/v1/webhooks/endpoints"),
    ("get", "/v1/webhooks/endpoints"),
    ("patch", "/v1/webhooks/endpoints/{id}"),
    ("delete", "/v1/webhooks/endpoints/{id}"),
    ("get", "/v1/webhooks/deliveries"),
    ("get", "/v1/webhooks/deliveries/{id}"),
    ("post", "/v1/webhooks/deliveries/{id}/replay"),
    ("post", "/v1/webhooks/events/{id}/replay"),
    ("get", "/v1/interviews/{id}/scorecard"),
];

both_backends!(
    document_is_valid_and_complete,
    |p: TestPlatform| async move {
        let resp = p
            .request(Method::GET, "/v1/openapi.json", None)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), StatusCode::OK);
        let text = resp.text().await.expect("text");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1")),
            "{}",
            doc["openapi"]
        );
        for (method, path) in CONTRACT {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} missing from the document"
            );
        }
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        // Issue 13: the `decision.made` event, subscribable and described.
        let made = &doc["components"]["schemas"]["DecisionMadeData"]["properties"];
        for field in [
            "interview_id",
            "candidate",
            "role",
            "decision",
            "reason",
            "decided_by",
            "decided_at",
            "scores",
        ] {
            assert!(made[field].is_object(), "DecisionMadeData.{field}: {made}");
        }
        assert!(
            doc["components"]["schemas"]["WebhookEventType"]
                .to_string()
                .contains("decision.made"),
            "{}",
            doc["components"]["schemas"]["WebhookEventType"]
        );

        // Every documented route answers (401/200/…), never the router's 404.
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("item").keys() {
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let concrete = path
                    .replace("{id}", "x")
                    .replace("{question_id}", "y")
                    .replace("{response_id}", "z");
                let r = p.request(m, &concrete, None).send().await.expect("send");
                let body = r.text().await.unwrap_or_default();
                assert!(
                    !body.contains("no endpoint at"),
                    "{method} {path} is documented but not routed"
                );
            }
        }

        // An independent validator.
        let file = p.dir.path().join("openapi.json");
        std::fs::write(&file, &text).expect("write");
        let out = std::process::Command::new("python3")
            .args(["-m", "openapi_spec_validator"])
            .arg(&file)
            .output()
            .expect("python3");
        assert!(
        out.status.success(),
        "openapi-spec-validator (installed by `cargo xtask setup`) rejected the document:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    }
);
