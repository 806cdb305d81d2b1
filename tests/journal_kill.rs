//! The journal under SIGKILL: the real binary in tmux rates questions against
//! a real server and is killed at random points (mid-write, mid-sync, idle).
//! After a final restart every rating that was shown as saved has reached
//! the server, none twice, and the final scores are the last ones shown.

mod common;

use std::collections::HashMap;

use common::{Home, Server, Tmux};
use rand::{Rng, SeedableRng};

/// `(rating, glyph)` per question from the score strip (` Q2 3● `).
fn strip(screen: &str, n: usize) -> HashMap<usize, (Option<i64>, char)> {
    let mut out = HashMap::new();
    let Some(line) = screen.lines().find(|l| l.starts_with(" Scores ")) else {
        return out;
    };
    for q in 1..=n {
        let tag = format!(" Q{q} ");
        if let Some(i) = line.find(&tag) {
            let mut rest = line[i + tag.len()..].chars();
            let r = rest.next().and_then(|c| c.to_digit(10)).map(i64::from);
            let g = rest.next().unwrap_or(' ');
            out.insert(q - 1, (r, g));
        }
    }
    out
}

/// The current question (0-based) from the title line (`· Q2/4 ·`).
fn current(screen: &str) -> Option<usize> {
    let line = screen.lines().nth(1)?;
    let i = line.find("· Q")?;
    let rest = &line[i + 4..];
    let end = rest.find('/')?;
    rest[..end].parse::<usize>().ok().map(|q| q - 1)
}

fn kill9(t: &Tmux) {
    if let Some(pid) = t.pid() {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    assert!(t.wait_gone(5), "takes did not die");
}

#[test]
fn sigkill_at_random_points_loses_and_duplicates_nothing() {
    let seed: u64 = std::env::var("TAKES_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261127);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let queue = srv.get_json(&token, "/v1/queue?limit=50");
    let first = queue["items"][0].clone();
    let id = first["id"].as_str().expect("id").to_string();
    let n = first["question_count"].as_i64().expect("n") as usize;
    let home = Home::new();
    home.write_config(
        "config.toml",
        "[review]\nauto_advance = false\nmuted_first = \"off\"\n[video]\naudio = false\n",
    );
    let args = ["--server", srv.url.as_str(), "--token", token.as_str()];

    // Every rating typed, in order: (question, rating, observed as saved).
    let mut typed: Vec<(usize, i64, bool)> = Vec::new();
    for round in 0..8 {
        let t = Tmux::start(&home, &args, &[], 120, 40);
        t.wait_queue();
        t.keys(&["Enter"]);
        let mut screen = t.wait("review loaded", 10, |s| {
            current(s).is_some() && s.contains(" Scores ")
        });
        let steps = rng.gen_range(1..=4);
        for step in 0..steps {
            let target = rng.gen_range(0..n);
            while current(&screen) != Some(target) {
                let before = current(&screen);
                t.keys(&["n"]);
                screen = t.wait("next question", 5, |s| {
                    current(s).is_some() && current(s) != before
                });
            }
            let shown = strip(&screen, n).get(&target).and_then(|(r, _)| *r);
            // A different rating than shown, so its appearance is unambiguous.
            let mut r = rng.gen_range(1..=5);
            if Some(r) == shown {
                r = r % 5 + 1;
            }
            t.keys(&[&r.to_string()]);
            typed.push((target, r, false));
            let last = step + 1 == steps;
            if last && rng.gen_bool(0.5) {
                // Kill without waiting: mid-write or mid-sync.
                std::thread::sleep(std::time::Duration::from_millis(rng.gen_range(0..40)));
                break;
            }
            let saved =
                |s: &str| matches!(strip(s, n).get(&target), Some((Some(v), '●' | '✓')) if *v == r);
            screen = t.wait("rating shown saved", 10, saved);
            if let Some(e) = typed.last_mut() {
                e.2 = true;
            }
        }
        if round % 3 == 2 {
            std::thread::sleep(std::time::Duration::from_millis(rng.gen_range(0..300)));
        }
        kill9(&t);
    }

    // A last, clean run sends whatever is left.
    let t = Tmux::start(&home, &args, &[], 120, 40);
    t.wait_queue();
    t.wait("everything synced", 20, |s| {
        s.contains("● online") && !s.contains("unsynced")
    });
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);

    let writes = srv.score_writes(&id);
    let keys: Vec<&String> = writes.iter().filter_map(|w| w.2.as_ref()).collect();
    assert_eq!(
        keys.len(),
        writes.len(),
        "every write carries an Idempotency-Key"
    );
    let mut dedup = keys.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(
        dedup.len(),
        keys.len(),
        "a journal entry reached the server twice: {writes:?}"
    );
    assert!(
        writes.len() <= typed.len(),
        "more writes ({}) than ratings typed ({})",
        writes.len(),
        typed.len()
    );
    let qids: Vec<String> = srv.get_json(&token, &format!("/v1/assignments/{id}"))["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["id"].as_str().unwrap_or_default().to_string())
        .collect();
    for (q, r, seen) in &typed {
        if *seen {
            assert!(
                writes.iter().any(|w| w.0 == qids[*q] && w.1 == *r),
                "Q{} = {r} was shown as saved but never reached the server; typed {typed:?}, writes {writes:?}",
                q + 1
            );
        }
    }
    // Final state: the last rating shown saved, or one typed after it.
    let detail = srv.get_json(&token, &format!("/v1/assignments/{id}"));
    for (qi, qid) in qids.iter().enumerate() {
        let mine: Vec<&(usize, i64, bool)> = typed.iter().filter(|t| t.0 == qi).collect();
        let Some(last_seen) = mine.iter().rposition(|t| t.2) else {
            continue;
        };
        let allowed: Vec<i64> = mine[last_seen..].iter().map(|t| t.1).collect();
        let server = detail["my_scores"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["question_id"] == qid.as_str()))
            .and_then(|s| s["rating"].as_i64());
        assert!(
            server.is_some_and(|v| allowed.contains(&v)),
            "Q{}: server has {server:?}, allowed {allowed:?} (seed {seed})",
            qi + 1
        );
    }
    eprintln!(
        "seed {seed}: {} ratings typed, {} shown saved, {} writes",
        typed.len(),
        typed.iter().filter(|t| t.2).count(),
        writes.len()
    );
}
