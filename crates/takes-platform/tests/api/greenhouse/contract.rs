//! Our Greenhouse endpoints against the published examples kept in
//! `tests/contracts/greenhouse.json` (assessment docs and Harvest's
//! scorecard object): field names, JSON types, allowed values, statuses.

use super::*;

fn published() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/contracts/greenhouse.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("examples")).expect("JSON")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every field of `example` is in `ours` with the same JSON type, except
/// where the example has `null` (either is fine) and the `as_string`
/// paths (Harvest's integer ids are our UUID strings).
fn same_shape(path: &str, example: &Value, ours: &Value, as_string: &[&str]) {
    let Value::Object(fields) = example else {
        return;
    };
    for (k, ex) in fields {
        let p = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        let got = ours
            .get(k)
            .unwrap_or_else(|| panic!("{p} is missing: {ours}"));
        if as_string.contains(&p.as_str()) {
            assert_eq!(kind(got), "string", "{p}: {got}");
            continue;
        }
        if ex.is_null() || (got.is_null() && p.ends_with("id")) {
            continue;
        }
        assert_eq!(kind(got), kind(ex), "{p}: ours {got}, published {ex}");
        if let (Value::Array(e), Value::Array(o)) = (ex, got) {
            if let (Some(e0), Some(o0)) = (e.first(), o.first()) {
                same_shape(&p, e0, o0, as_string);
            }
        } else {
            same_shape(&p, ex, got, as_string);
        }
    }
}

crate::both_backends_with!(the_published_examples_hold, start, |g: Gh| async move {
    let p = &g.p;
    let doc = published();
    let mut request = doc["send_test_request"].clone();
    request["partner_test_id"] = json!(p.roles.support);
    request["url"] = json!(g.patch_url(12345));
    let (s, sent) = g
        .gh(
            Method::POST,
            "/v1/ats/greenhouse/send_test",
            Some(KEY),
            Some(request),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{sent}");
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&sent), keys(&doc["send_test_response"]));
    same_shape("", &doc["send_test_response"], &sent, &[]);
    let id = sent["partner_interview_id"]
        .as_str()
        .expect("id")
        .to_string();

    p.complete(&id).await;
    g.review(&id, "Rev Contract", [5, 4], Some("clear")).await;
    let status = g.status(KEY, &id).await;
    let example = &doc["test_status_response"];
    for k in status.as_object().expect("object").keys() {
        assert!(example.get(k).is_some(), "{k} is not a test_status field");
    }
    same_shape(
        "",
        &json!({"partner_status": "", "partner_profile_url": "", "partner_score": 1, "metadata": {}}),
        &status,
        &[],
    );
    assert_eq!(status["partner_status"], "complete");
    for (k, v) in status["metadata"].as_object().expect("metadata") {
        assert!(
            !v.is_object() && !v.is_array(),
            "metadata {k} must be a primitive"
        );
    }

    // Harvest's scorecard object, field by field.
    let admin = g.admin().await;
    let (s, export) = p
        .call(
            p.http
                .get(p.url(&format!("/v1/interviews/{id}/scorecard?format=greenhouse")))
                .bearer_auth(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{export}");
    let card = &export["scorecards"][0];
    let as_string: Vec<&str> = doc["integer_ids_we_send_as_uuid_strings"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    same_shape("", &doc["harvest_scorecard"], card, &as_string);
    let allowed = |k: &str| -> Vec<Value> { doc[k].as_array().expect("values").clone() };
    assert!(
        allowed("overall_recommendation_values").contains(&card["overall_recommendation"]),
        "{card}"
    );
    assert_eq!(card["overall_recommendation"], "strong_yes", "{card}");
    for a in card["attributes"].as_array().expect("attributes") {
        assert!(
            allowed("attribute_rating_values").contains(&a["rating"]),
            "{a}"
        );
    }
    for t in ["created_at", "updated_at", "submitted_at"] {
        assert!(
            takes_platform::clock::parse_rfc3339(card[t].as_str().expect("time")).is_some(),
            "{t}: {card}"
        );
    }
});
