//! End-to-end: the real `takes` binary inside tmux against a real platform
//! server (in-process, demo data).

mod common;

use common::{Home, Server, Tmux};

fn first_open_assignment(srv: &Server, token: &str) -> serde_json::Value {
    let q = srv.get_json(token, "/v1/queue?limit=50");
    q["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["status"] != "submitted").cloned())
        .expect("an open assignment")
}

#[test]
fn reviewer_rates_every_question_submits_and_sees_the_panel() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let first = first_open_assignment(&srv, &token);
    let id = first["id"].as_str().expect("id").to_string();
    let n = first["question_count"].as_i64().expect("count") as usize;
    let pseudonym = first["candidate"]["display_name"]
        .as_str()
        .expect("name")
        .to_string();

    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[],
        120,
        40,
    );
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Not rated yet", 10);
    assert!(t.capture().contains(&format!("{pseudonym} (pseudonym)")));
    for i in 0..n {
        t.keys(&["4"]);
        // Shown saved (●) or synced (✓) in the score strip.
        t.wait(&format!("Q{} rated", i + 1), 10, |s| {
            s.contains(&format!("Q{} 4●", i + 1)) || s.contains(&format!("Q{} 4✓", i + 1))
        });
    }
    t.keys(&["S"]);
    t.wait_for("y  submit", 5);
    t.keys(&["y"]);
    // The panel's frame can draw before its data arrives; wait for the data.
    let panel = t.wait("the panel with my row", 15, |s| {
        s.contains("Panel") && s.contains("(you)")
    });
    assert!(panel.contains("(you)"), "{panel}");
    // The candidate is revealed after submitting.
    let detail = srv.get_json(&token, &format!("/v1/assignments/{id}"));
    assert_eq!(detail["status"], "submitted");
    let scores = detail["my_scores"].as_array().expect("scores");
    assert_eq!(scores.len(), n);
    assert!(scores.iter().all(|s| s["rating"] == 4), "{scores:?}");
    assert!(detail["candidate"]["revealed"].as_bool().unwrap_or(false));
    // Exactly one write per question.
    assert_eq!(srv.score_writes(&id).len(), n);
    t.keys(&["q"]);
    t.wait_for("showing", 5);
    t.keys(&["q"]);
    assert!(t.wait_gone(5), "q on the queue quits");
}

#[test]
fn recruiter_makes_a_decision() {
    let srv = Server::start();
    let token = srv.token_of_role("recruiter");
    let first = first_open_assignment(&srv, &token);
    let interview = first["interview_id"]
        .as_str()
        .expect("interview")
        .to_string();
    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[],
        120,
        40,
    );
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Transcript", 10);
    t.keys(&["D"]);
    t.wait_for("Decision", 5);
    t.keys(&["h"]);
    t.text("need a second look");
    t.keys(&["Enter"]);
    t.wait_for("y sends", 5);
    t.keys(&["y"]);
    t.wait_for("Decision recorded: hold", 10);
    let list = srv.get_json(&token, "/v1/interviews?limit=200");
    let item = list["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == interview.as_str()).cloned())
        .expect("interview listed");
    assert_eq!(item["decision"]["action"], "hold");
    assert_eq!(item["decision"]["reason"], "need a second look");
}

#[test]
fn reviewer_gets_no_decision_dialog() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[],
        100,
        30,
    );
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Transcript", 10);
    t.keys(&["D"]);
    let s = t.wait_for("Decisions are made by recruiters", 5);
    assert!(!s.contains("Reason (optional)"));
}

#[test]
fn help_lists_a_user_keymap_override_and_bad_entries_are_reported() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    home.write_config(
        "keymap.toml",
        "[review]\nkeymap = [\n  { on = \"x\", run = \"rate 3\", desc = \"Rate three (my key)\" },\n  { on = \"z\", run = \"explode\" },\n]\n",
    );
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[],
        120,
        40,
    );
    let s = t.wait_for("Problems in your files", 10);
    assert!(s.contains("keymap.toml:4:"), "{s}");
    assert!(s.contains("unknown action `explode`"), "{s}");
    t.keys(&["Space"]);
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Not rated yet", 10);
    t.keys(&["?"]);
    let help = t.wait_for("Rate three (my key)", 5);
    assert!(
        help.contains("Rate the current question"),
        "defaults stay: {help}"
    );
    t.keys(&["Escape"]);
    t.wait("help closed", 5, |s| !s.contains("Help —"));
    t.keys(&["x"]);
    t.wait("Q1 rated 3", 5, |s| {
        s.contains("Q1 3●") || s.contains("Q1 3✓")
    });
}

#[test]
fn unreachable_server_and_bad_config_still_start() {
    let home = Home::new();
    let cfg = home.write_config(
        "config.toml",
        "theme = \"light\"\n[queue]\npage_size = \"many\"\n",
    );
    let cfg = cfg.display().to_string();
    let t = Tmux::start(
        &home,
        &[
            "--server",
            "http://127.0.0.1:9",
            "--token",
            "tk_nothing",
            "--config",
            &cfg,
        ],
        &[],
        100,
        30,
    );
    let s = t.wait_for("Problems in your files", 10);
    assert!(s.contains("config.toml:3:"), "{s}");
    t.keys(&["Space"]);
    let s = t.wait_for("offline", 15);
    assert!(
        s.contains("Signing in failed") || s.contains("cannot reach"),
        "{s}"
    );
    t.keys(&["q"]);
    assert!(t.wait_gone(5));
}

#[test]
fn expired_token_is_explained() {
    let srv = Server::start();
    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", "tk_revoked_or_wrong"],
        &[],
        100,
        30,
    );
    let s = t.wait_for("token rejected", 10);
    assert!(s.contains("401"), "{s}");
}

#[test]
fn no_color_and_small_terminal() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[("NO_COLOR", "1")],
        30,
        8,
    );
    t.wait_for("too small", 10);
    assert!(t.alive());
}

#[test]
fn reviewer_scores_a_calibration_session_and_unlocks_the_results() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let list = srv.get_json(&token, "/v1/calibration");
    let session = list["items"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["my_status"] != "submitted").cloned())
        .expect("an open calibration session in the demo");
    let id = session["id"].as_str().expect("id").to_string();
    let n = session["item_count"].as_i64().expect("item_count") as usize;
    let title = session["title"].as_str().expect("title").to_string();

    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[],
        160,
        45,
    );
    t.wait_queue();
    t.keys(&["C"]);
    t.wait_for(&title, 10);
    t.keys(&["Enter"]);
    t.wait_for("Transcript", 10);
    t.keys(&["V"]);
    // The title can draw before the counts arrive; wait for the counts.
    let lock = t.wait("the lock with its counts", 10, |s| {
        s.contains("Results locked") && s.contains("items scored")
    });
    assert!(lock.contains(&format!("0 of {n} items scored")), "{lock}");
    t.keys(&["q"]);
    t.wait_for("Transcript", 5);
    for i in 0..n {
        t.keys(&["4"]);
        t.wait(&format!("item {} rated", i + 1), 10, |s| {
            s.contains(&format!("Q{} 4●", i + 1)) || s.contains(&format!("Q{} 4✓", i + 1))
        });
    }
    t.keys(&["S"]);
    t.wait_for("y  submit", 5);
    t.keys(&["y"]);
    let res = t.wait("the results with my row and the figures", 15, |s| {
        s.contains("Your deviation") && s.contains("(you)") && s.contains("3 raters")
    });
    assert!(res.contains("(you)"), "{res}");
    assert!(res.contains("Krippendorff"), "{res}");
    // Three raters in the heat map and the reliability line.
    assert!(res.contains("3 reviewers"), "{res}");
    assert!(res.contains("3 raters"), "{res}");
    // Stored on the server.
    let detail = srv.get_json(&token, &format!("/v1/calibration/{id}"));
    assert_eq!(detail["my_status"], "submitted", "{detail}");
    let scores = detail["my_scores"].as_array().expect("scores");
    assert_eq!(scores.len(), n);
    assert!(scores.iter().all(|s| s["rating"] == 4), "{scores:?}");
    let results = srv.get_json(&token, &format!("/v1/calibration/{id}/results"));
    assert_eq!(results["reliability"]["raters"], 3, "{results}");
}
