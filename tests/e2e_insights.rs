//! End-to-end: the Insights screen of the real `takes` binary inside tmux
//! against a real platform server (in-process, the demo data `takes demo`
//! serves): a recruiter sees the funnel's numbers as the API has them, a
//! reviewer pressing the same key sees "my reviewing", never a 403.

mod common;

use common::{Home, Server, Tmux};

#[test]
fn a_recruiter_opens_insights_and_sees_the_funnel_numbers() {
    let srv = Server::start();
    let token = srv.token_of_role("recruiter");
    let funnel = srv.get_json(&token, "/v1/insights/funnel");
    let invited = funnel["total"][0]["count"]
        .as_i64()
        .unwrap_or_else(|| panic!("the funnel's first stage: {funnel}"));
    let completed = funnel["total"][2]["count"].as_i64().expect("completed");
    assert!(invited > 0, "the demo invites candidates: {funnel}");

    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &token, 160, 50);
    t.wait_queue();
    t.keys(&["I"]);
    let s = t.wait("the funnel", 15, |s| {
        s.contains("Completion funnel") && !s.contains("loading…")
    });
    assert!(s.contains(" Insights "), "{s}");
    let row = |stage: &str, n: i64| format!("{stage:<10} {n:>7}");
    assert!(
        s.contains(&row("invited", invited)),
        "{}\n{s}",
        row("invited", invited)
    );
    assert!(
        s.contains(&row("completed", completed)),
        "{}\n{s}",
        row("completed", completed)
    );
    assert!(!s.contains("could not be loaded"), "{s}");
    // The other sections are a key away, and the filters ask again.
    t.keys(&["Tab"]);
    t.wait_for("Completion to decision", 5);
    t.keys(&["t"]);
    t.wait("the period filter", 10, |s| {
        s.contains("Period: last 28 days") && !s.contains("loading…")
    });
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

#[test]
fn a_reviewer_pressing_the_insights_key_sees_my_reviewing() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let me = srv.get_json(&token, "/v1/insights/me");
    let assignments = me["turnaround"]["assignments"]
        .as_i64()
        .unwrap_or_else(|| panic!("my turnaround: {me}"));
    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &token, 120, 30);
    t.wait_queue();
    t.keys(&["I"]);
    let s = t.wait("my reviewing", 15, |s| {
        s.contains("My turnaround") && !s.contains("loading…")
    });
    assert!(s.contains(" My reviewing "), "{s}");
    assert!(s.contains(&format!("{assignments} assignments")), "{s}");
    assert!(s.contains("My leniency"), "{s}");
    assert!(!s.contains("403") && !s.contains("not allowed"), "{s}");
    assert!(!s.contains("Completion funnel"), "{s}");
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}
