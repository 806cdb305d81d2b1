//! The workstation's modules form no import cycle: `app` (state, router,
//! moves between screens), `screens` (the frame), `features` (one module
//! per feature) and the helpers they share only ever import downwards. One
//! file is one node; `mod` declarations are ownership, not imports (see
//! `takes-archtest`).

use std::path::Path;

use takes_archtest::{cycles, import_graph, report};

#[test]
fn the_workstation_has_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = import_graph(&src);
    // The graph is really read: these imports exist.
    for (from, to) in [
        ("app/update.rs", "features/queue/mod.rs"),
        ("app/update.rs", "app/navigate.rs"),
        ("features/queue/mod.rs", "app/state.rs"),
        ("features/review/mod.rs", "features/submit/mod.rs"),
        ("screens/mod.rs", "features/review/view.rs"),
        ("features/review/view.rs", "screens/widgets.rs"),
        ("app/state.rs", "features/queue/state.rs"),
        ("app/run.rs", "app/effects.rs"),
        ("journal/sync.rs", "client/mod.rs"),
    ] {
        assert!(
            g.get(from).is_some_and(|e| e.contains(to)),
            "expected {from} -> {to}; {from} imports {:?}",
            g.get(from)
        );
    }
    let found = cycles(&g);
    assert!(found.is_empty(), "{}", report(&g, &found));
}
