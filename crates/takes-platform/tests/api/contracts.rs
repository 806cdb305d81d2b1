//! Our outbound webhooks against the Standard Webhooks documents kept in
//! `tests/contracts/` (the specification's example and the reference
//! library's test vectors, plus vectors the reference Python library
//! produced): signatures, unpadded secrets, rotation headers, the retry
//! schedule, timeouts and the statuses that slow us down.

use serde_json::Value;
use takes_platform::clock::SECOND;
use takes_platform::webhooks::{backoff, signing, WorkerConfig};

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/contracts/standard_webhooks.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

#[test]
fn signatures_match_the_reference_vectors() {
    let v = vectors();
    for case in v["sign"].as_array().expect("sign") {
        let key = signing::key_of(s(case, "secret")).expect("secret decodes");
        let ts = case["timestamp"].as_i64().expect("ts");
        let sig = signing::sign(&key, s(case, "msg_id"), ts, s(case, "payload"));
        assert_eq!(sig, s(case, "signature"), "{}", s(case, "name"));
    }
    let bad = &v["invalid_signature"];
    let key = signing::key_of(s(bad, "secret")).expect("secret");
    let sig = signing::sign(
        &key,
        s(bad, "msg_id"),
        bad["timestamp"].as_i64().expect("ts"),
        s(bad, "payload"),
    );
    assert_ne!(sig, s(bad, "signature"));
}

#[test]
fn a_rotation_header_carries_both_signatures_space_separated() {
    let v = vectors();
    let r = &v["rotation"];
    let keys: Vec<Vec<u8>> = r["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .map(|k| signing::key_of(k.as_str().expect("secret")).expect("key"))
        .collect();
    let header = signing::sign_all(
        &keys,
        s(r, "msg_id"),
        r["timestamp"].as_i64().expect("ts"),
        s(r, "payload"),
    );
    assert_eq!(header, s(r, "header"));
    assert_eq!(header.split(' ').count(), 2);
    assert!(header.split(' ').all(|p| p.starts_with("v1,")));
}

#[test]
fn delivery_policy_follows_the_specification() {
    let v = vectors();
    let schedule: Vec<i64> = v["retry_schedule_seconds"]
        .as_array()
        .expect("schedule")
        .iter()
        .map(|x| x.as_i64().expect("seconds") * SECOND)
        .collect();
    assert_eq!(backoff::SCHEDULE.to_vec(), schedule);
    for (i, &step) in schedule.iter().enumerate() {
        assert_eq!(backoff::retry_delay(i as i64 + 1, 0.5), Some(step));
    }
    assert_eq!(backoff::retry_delay(schedule.len() as i64 + 1, 0.5), None);
    let t = WorkerConfig::default().timeout.as_secs();
    let bounds = &v["timeout_seconds"];
    assert!(
        t >= bounds["min"].as_u64().expect("min") && t <= bounds["max"].as_u64().expect("max"),
        "{t}"
    );
    for status in v["throttle_statuses"].as_array().expect("statuses") {
        let code = status.as_u64().expect("code") as u16;
        assert!(backoff::is_slow_down(code), "{code}");
    }
}
