//! End-to-end: a question set edited while interviews are in flight. The
//! admin applies a process with a changed question (a new version); a
//! reviewer whose interview was invited with the old version still reviews
//! it against the old question and rubric, in the API and in the real
//! workstation under tmux.

mod common;

use common::{Home, Server, Tmux};
use serde_json::Value;

fn put_process(srv: &Server, token: &str, doc: &Value) -> (u16, Value) {
    let url = format!("{}/v1/process", srv.url);
    let body = serde_json::json!({ "document": doc });
    let token = token.to_string();
    srv.rt.block_on(async move {
        let resp = reqwest::Client::new()
            .put(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json::<Value>().await.expect("json"))
    })
}

#[test]
fn an_interview_in_flight_keeps_its_question_set_version_in_the_workstation() {
    let srv = Server::start();
    let reviewer = srv.token_of_role("reviewer");
    let admin = srv.token_of_role("admin");

    // The reviewer's first open assignment and the question it asks.
    let queue = srv.get_json(&reviewer, "/v1/queue");
    let first = queue["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["status"] != "submitted").cloned())
        .unwrap_or_else(|| panic!("an open assignment: {queue}"));
    let assignment = first["id"].as_str().expect("id").to_string();
    let title = first["role"]["title"].as_str().expect("title").to_string();
    let before = srv.get_json(&reviewer, &format!("/v1/assignments/{assignment}"));
    assert_eq!(before["question_set_version"], 1, "{before}");
    let old_prompt = before["questions"][0]["prompt"]
        .as_str()
        .expect("prompt")
        .to_string();

    // The admin rewrites that role's first question.
    let mut doc = srv.get_json(&admin, "/v1/process");
    let roles = doc["roles"].as_array_mut().expect("roles");
    let role = roles
        .iter_mut()
        .find(|r| r["title"] == title.as_str())
        .unwrap_or_else(|| panic!("the role {title:?} in the export"));
    let new_prompt = "Walk us through the last production incident you owned end to end.";
    role["questions"][0]["prompt"] = Value::from(new_prompt);
    role["questions"][0]["rubric"]["anchors"][0]["description"] =
        Value::from("Cannot name what they did themselves.");
    let (status, applied) = put_process(&srv, &admin, &doc);
    assert_eq!(status, 200, "{applied}");
    let line = applied["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["op"] == "new_version").cloned())
        .unwrap_or_else(|| panic!("a new version: {applied}"));
    assert!(
        line["description"]
            .as_str()
            .unwrap_or_default()
            .contains("question set v2"),
        "{line}"
    );

    // The API still serves the old question and version for this interview.
    let after = srv.get_json(&reviewer, &format!("/v1/assignments/{assignment}"));
    assert_eq!(after["question_set_version"], 1, "{after}");
    assert_eq!(after["questions"][0]["prompt"], old_prompt.as_str());
    assert_eq!(
        after["questions"][0]["rubric"],
        before["questions"][0]["rubric"]
    );

    // And so does the workstation.
    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &reviewer, 160, 48);
    t.wait_queue();
    // Put the assignment at the top: filter by its role.
    t.keys(&["/"]);
    t.text(&title);
    t.keys(&["Enter", "Enter"]);
    let words: Vec<&str> = old_prompt.split_whitespace().take(4).collect();
    let shown = t.wait("the old prompt and rubric v1", 20, |s| {
        s.contains(&words.join(" ")) && s.contains("rubric v1")
    });
    assert!(!shown.contains("last production incident"), "{shown}");
    // Back to the queue, clear the filter, quit.
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.wait_for("Filter cleared", 5);
    t.keys(&["q"]);
    t.assert_exits_cleanly(10);
}
