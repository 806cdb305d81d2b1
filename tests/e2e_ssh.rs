//! End-to-end over "SSH" without sound: the real binary in tmux, with the
//! environment an SSH session on a host without any audio device has. The
//! muted-first flow must complete, and nothing may claim that sound played.

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
fn muted_first_completes_over_ssh_without_an_audio_device() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let first = first_open_assignment(&srv, &token);
    let id = first["id"].as_str().expect("id").to_string();
    let detail = srv.get_json(&token, &format!("/v1/assignments/{id}"));
    let q1 = detail["questions"][0]["id"].clone();

    let home = Home::new();
    // Sound wanted (the default), but the host has none to give.
    home.write_config("config.toml", "[video]\naudio = true\n");
    let empty = home.config_dir().join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let empty = empty.display().to_string();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[
            ("SSH_CONNECTION", "10.99.0.1 50122 10.99.0.2 22"),
            ("SSH_TTY", "/dev/pts/9"),
            ("XDG_RUNTIME_DIR", &empty),
            ("TAKES_SND_DIR", &empty),
            ("PULSE_SERVER", ""),
        ],
        120,
        40,
    );
    t.wait_queue();
    t.keys(&["Enter"]);
    let s = t.wait("playback under way", 20, |s| s.contains("▶"));
    assert!(s.contains("no sound here · muted pass"), "{s}");
    assert!(!s.contains("sound on"), "{s}");
    // The muted rating, then the pass "with sound" that cannot have any.
    t.keys(&["2"]);
    t.wait_for("no sound can play here", 5);
    let s = t.wait("the pass with sound, captions instead", 10, |s| {
        s.contains("no sound here · pass with sound")
    });
    assert!(!s.contains("sound on"), "nothing claims sound: {s}");
    // Asking for sound says why there is none and where to look.
    t.keys(&["m"]);
    t.keys(&["m"]);
    t.wait_for("takes doctor", 5);
    t.keys(&["4"]);
    t.wait("Q1 rated", 10, |s| {
        s.contains("Q1 4✓") || s.contains("Q1 4●")
    });
    t.wait("Q1 synced", 10, |_| {
        let d = srv.get_json(&token, &format!("/v1/assignments/{id}"));
        d["my_scores"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["question_id"] == q1).cloned())
            .is_some_and(|m| m["muted_rating"] == 2 && m["rating"] == 4)
    });
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

/// `takes doctor` in a terminal over "SSH": the link is measured through
/// the terminal's own answers (tmux answers the cursor query here).
#[test]
fn doctor_in_a_terminal_measures_the_link_and_says_what_video_will_do() {
    let home = Home::new();
    let empty = home.config_dir().join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let empty = empty.display().to_string();
    let t = Tmux::start(
        &home,
        &["doctor"],
        &[
            ("SSH_CONNECTION", "10.99.0.1 50122 10.99.0.2 22"),
            ("XDG_RUNTIME_DIR", &empty),
            ("TAKES_SND_DIR", &empty),
            ("PULSE_SERVER", ""),
            ("TAKES_SERVER", "http://127.0.0.1:9"),
        ],
        200,
        50,
    );
    let s = t.wait("the doctor's report", 20, |s| s.contains("server"));
    let link = s
        .lines()
        .find(|l| l.starts_with("link:"))
        .unwrap_or_else(|| panic!("a link line: {s}"));
    assert!(link.contains("round trip "), "{link}");
    assert!(
        link.contains("KB burst timed by the terminal's answer"),
        "{link}"
    );
    assert!(link.contains("bit/s") || link.contains("fast"), "{link}");
    assert!(
        link.contains("-> video") || link.contains("-> a still"),
        "{link}"
    );
    assert!(s.contains("session:     over SSH from 10.99.0.1"), "{s}");
    // No such connection on this host: said, not guessed.
    assert!(
        s.contains("connection:  not found (no TCP socket of this host matches SSH_CONNECTION)"),
        "{s}"
    );
    assert!(s.contains("audio:       no audio device"), "{s}");
}
