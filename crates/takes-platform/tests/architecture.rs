//! The platform's shape, checked: every SQL statement lives in `store/`
//! (and `db.rs`, which sets up connections and runs migrations), and no two
//! source files import each other, directly or around a loop.

use std::path::{Path, PathBuf};

use takes_archtest::{cycles, import_graph, report, rust_files};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn sql_lives_in_the_store() {
    let src = src();
    let mut outside = Vec::new();
    for file in rust_files(&src) {
        if file.starts_with("store/") || file == "db.rs" {
            continue;
        }
        let text = std::fs::read_to_string(src.join(&file)).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.contains("sqlx::query") {
                outside.push(format!("src/{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "SQL outside store/ (move it into the store module of its aggregate):\n{}",
        outside.join("\n")
    );
}

#[test]
fn no_import_cycles() {
    let graph = import_graph(&src());
    assert!(
        graph.len() > 40,
        "the walk found the sources: {}",
        graph.len()
    );
    // The graph is really read: these imports exist.
    for (from, to) in [
        ("api/assignments.rs", "store/assignments/mod.rs"),
        ("api/calibration/sessions.rs", "api/calibration/access.rs"),
        ("seed/demo.rs", "store/roles.rs"),
        ("lib.rs", "worker.rs"),
    ] {
        assert!(
            graph.get(from).is_some_and(|e| e.contains(to)),
            "expected {from} -> {to}; {from} imports {:?}",
            graph.get(from)
        );
    }
    let found = cycles(&graph);
    assert!(found.is_empty(), "{}", report(&graph, &found));
}
