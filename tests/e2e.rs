//! End-to-end: the real `takes` binary inside tmux against a real platform
//! server (in-process, demo data).

mod common;

use common::{colour_sgrs, Home, Server, Tmux};

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
    let t = Tmux::signed_in(&home, &srv, &token, 120, 40);
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Not rated yet", 10);
    assert!(t.capture().contains(&format!("{pseudonym} (pseudonym)")));
    for i in 0..n {
        // Muted first (the default): a rating without sound, then one with.
        t.keys(&["3"]);
        t.wait_for("Muted rating 3 saved", 10);
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
    assert!(
        scores.iter().all(|s| s["muted_rating"] == 3),
        "the muted pass's rating reached the server: {scores:?}"
    );
    assert!(detail["candidate"]["revealed"].as_bool().unwrap_or(false));
    // Exactly one write per question.
    assert_eq!(srv.score_writes(&id).len(), n);
    t.keys(&["q"]);
    t.wait_for("showing", 5);
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
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
    let t = Tmux::signed_in(&home, &srv, &token, 120, 40);
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Transcript", 10);
    t.keys(&["D"]);
    // The dialog's own line, which a reviewer must never see (below).
    t.wait_for("Reason (optional)", 5);
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
    let t = Tmux::signed_in(&home, &srv, &token, 100, 30);
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Transcript", 10);
    t.keys(&["D"]);
    let s = t.wait_for("Decisions are made by recruiters", 5);
    // The recruiter's test waits for this same line in the dialog.
    assert!(!s.contains("Reason (optional)"), "{s}");
    assert!(s.contains("Transcript"), "still on the review screen: {s}");
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
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
    let t = Tmux::signed_in(&home, &srv, &token, 120, 40);
    let s = t.wait_for("Problems in your files", 10);
    assert!(s.contains("keymap.toml:4:"), "{s}");
    assert!(s.contains("unknown action `explode`"), "{s}");
    t.keys(&["Space"]);
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait_for("Not rated yet", 10);
    t.keys(&["?"]);
    let help = t.wait_for("Rate three (my key)", 5);
    assert!(help.contains("Help —"), "the overlay's title: {help}");
    assert!(
        help.contains("Rate the current question"),
        "defaults stay: {help}"
    );
    t.keys(&["Escape"]);
    t.wait("help closed", 5, |s| !s.contains("Help —"));
    t.keys(&["x"]);
    t.wait_for("Muted rating 3 saved", 5);
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
    t.assert_exits_cleanly(5);
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
    // The same screen with colours first, so that the check below looks at
    // a screen that would have them.
    let home = Home::new();
    let coloured = Tmux::signed_in(&home, &srv, &token, 100, 30);
    coloured.wait_queue();
    let styled = coloured.capture_styled();
    assert!(
        !colour_sgrs(&styled).is_empty(),
        "the queue has colours without NO_COLOR"
    );
    drop(coloured);

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
    let small = t.capture_styled();
    assert_eq!(colour_sgrs(&small), Vec::<String>::new(), "{small}");
    t.resize(100, 30);
    t.wait_queue();
    let styled = t.capture_styled();
    assert_eq!(
        colour_sgrs(&styled),
        Vec::<String>::new(),
        "NO_COLOR: no colour escapes; screen:\n{styled}"
    );
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
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
    let t = Tmux::signed_in(&home, &srv, &token, 160, 45);
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
    // A discussion note on the first listed item, written from the results.
    t.keys(&["i"]);
    t.wait_for("Esc sends", 5);
    t.text("Anchor 3 reads two ways");
    t.keys(&["Escape"]);
    t.wait_for("Note added to the discussion", 10);
    t.wait_for("Anchor 3 reads two ways", 10);
    let results = srv.get_json(&token, &format!("/v1/calibration/{id}/results"));
    let notes: Vec<&serde_json::Value> = results["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|i| i["notes"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(notes.len(), 1, "{results}");
    assert_eq!(notes[0]["text"], "Anchor 3 reads two ways");
}

/// The `m:ss / m:ss` position in the video pane's status line, in seconds.
fn position_s(screen: &str) -> Option<u32> {
    let line = screen
        .lines()
        .find(|l| l.contains(" / ") && l.contains("x ·"))?;
    let at = line.find(" / ")?;
    let t = line[..at].rsplit(' ').next()?;
    let (m, s) = t.split_once(':')?;
    Some(m.trim().parse::<u32>().ok()? * 60 + s.parse::<u32>().ok()?)
}

/// Cue texts of a WebVTT document, in order.
fn vtt_texts(vtt: &str) -> Vec<String> {
    let lines: Vec<&str> = vtt.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("-->"))
        .filter_map(|(i, _)| lines.get(i + 1).map(|t| t.trim().to_string()))
        .collect()
}

#[test]
fn reviewer_watches_a_demo_response_in_the_pane_muted_first() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let first = first_open_assignment(&srv, &token);
    let id = first["id"].as_str().expect("id").to_string();
    let detail = srv.get_json(&token, &format!("/v1/assignments/{id}"));
    let q1 = &detail["questions"][0];
    let transcript_url = q1["response"]["transcript_url"].as_str().expect("vtt");
    let vtt = srv.get_text(&token, transcript_url);
    let cues = vtt_texts(&vtt);
    assert!(cues.len() >= 2, "{vtt}");

    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &token, 120, 40);
    t.wait_queue();
    t.keys(&["Enter"]);
    // libmpv streams the response from the platform and it plays.
    let s = t.wait("playback under way", 20, |s| {
        s.contains("▶") && position_s(s).is_some_and(|p| p >= 1)
    });
    assert!(s.contains("sound off · muted pass"), "{s}");
    // The picture: half-block cells in colour fill the video pane.
    let styled = t.capture_styled();
    let blocks = styled.matches('▀').count();
    assert!(blocks > 500, "{blocks} half-block cells:\n{s}");
    assert!(styled.contains("38;2;"), "truecolor cells");
    // Sound stays off under enforce until the muted pass.
    t.keys(&["m"]);
    t.wait_for("Sound unlocks after a muted pass", 5);
    // 1.5x, and the transcript and caption follow playback.
    t.keys(&["]", "]"]);
    t.wait_for("1.50x", 5);
    t.keys(&["."]);
    let want: String = cues[1].chars().take(30).collect();
    // In the transcript from the start; under the picture once it is spoken.
    let s = t.wait("the caption of the second cue", 10, |s| {
        s.matches(want.as_str()).count() >= 2
    });
    // Seeking moves the position (Range requests on the media endpoint).
    let before = position_s(&s).unwrap_or(0);
    t.keys(&["l"]);
    t.wait("seeked forward", 10, |s| {
        position_s(s).is_some_and(|p| p >= before + 4)
    });
    // Rating without sound unlocks it, restarts with sound, then the final rating.
    t.keys(&["2"]);
    t.wait_for("Muted rating 2 saved", 5);
    let s = t.wait("the pass with sound", 10, |s| {
        s.contains("sound on · pass with sound")
    });
    assert!(s.contains("▶"), "{s}");
    t.keys(&["4"]);
    t.wait("Q1 rated", 10, |s| s.contains("Q1 4✓"));
    let detail = srv.get_json(&token, &format!("/v1/assignments/{id}"));
    let mine = detail["my_scores"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["question_id"] == q1["id"]).cloned())
        .expect("Q1 score on the server");
    assert_eq!(
        (mine["muted_rating"].as_i64(), mine["rating"].as_i64()),
        (Some(2), Some(4))
    );
    // Content only: the video pane goes, sound and transcript stay.
    assert!(
        t.capture().contains("Video (v hides"),
        "the pane's title, before it goes"
    );
    t.keys(&["v"]);
    let s = t.wait("video hidden", 5, |s| !s.contains("Video (v hides"));
    assert!(s.contains("Transcript"), "{s}");
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}
