//! End-to-end: the role browser of the real `takes` binary inside tmux
//! against a real platform server (in-process, demo data).

mod common;

use common::{Home, Server, Tmux};

#[test]
fn a_recruiter_browses_a_role_its_questions_and_rubric_anchors() {
    let srv = Server::start();
    let token = srv.token_of_role("recruiter");
    // What the screen must show, as the server has it.
    let list = srv.get_json(&token, "/v1/roles");
    let first = list["items"]
        .as_array()
        .and_then(|a| a.first().cloned())
        .unwrap_or_else(|| panic!("GET /v1/roles lists the demo roles: {list}"));
    let id = first["id"].as_str().expect("role id").to_string();
    let title = first["title"].as_str().expect("title").to_string();
    let role = srv.get_json(&token, &format!("/v1/roles/{id}"));
    let current = role["versions"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["current"] == true).cloned())
        .unwrap_or_else(|| panic!("a current version: {role}"));
    let q1 = &current["questions"][0];
    let competency = q1["competency"].as_str().expect("competency").to_string();
    let anchor = &q1["rubric"]["anchors"][0];
    let anchor_text = format!(
        "{} — {}",
        anchor["label"].as_str().expect("label"),
        anchor["description"]
            .as_str()
            .expect("description")
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &token, 160, 50);
    t.wait_queue();
    t.keys(&["o"]);
    let s = t.wait("the role list", 10, |s| {
        s.contains("Roles (") && s.contains(&title)
    });
    assert!(!s.contains("Loading the roles"), "{s}");
    t.keys(&["Enter"]);
    let s = t.wait("the role's questions", 10, |s| {
        s.contains(&format!("Q1 · {competency}"))
    });
    assert!(s.contains(&format!("Role — {title}")), "{s}");
    assert!(s.contains("Completion window"), "{s}");
    assert!(s.contains(&anchor_text), "{anchor_text}\n{s}");
    // The history and the pool are further down.
    t.keys(&["G"]);
    t.wait("the version history and the pool", 5, |s| {
        s.contains("Version history") && s.contains("Reviewer pool")
    });
    t.keys(&["q"]);
    t.wait_for("Roles (", 5);
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

#[test]
fn a_reviewer_is_told_the_browser_is_for_recruiters_and_admins() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &token, 120, 30);
    t.wait_queue();
    t.keys(&["o"]);
    let s = t.wait_for("The role browser is for recruiters and admins", 5);
    assert!(!s.contains("Roles ("), "still on the queue: {s}");
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}
