//! The workstation's modules form no import cycle: `app` (state, router,
//! moves between screens), `screens` (the frame), `features` (one module
//! per feature) and the helpers they share only ever import downwards.
//!
//! The graph is read from the source: every `use crate::…` / `use super::…`
//! (braces expanded) and every inline `crate::…` path, each resolved to the
//! longest module (file) it names. One file is one node, as `cargo modules`
//! counts them; `mod` declarations are ownership, not imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The tree's roots whose modules must not be in a cycle.
const CHECKED: [&str; 4] = ["app", "screens", "features", "format"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/app/state.rs` → `app::state`; `src/features/queue/mod.rs` →
/// `features::queue`; `src/lib.rs` → `` (the crate root).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The code without comments (doc links name modules too) and without the
/// unit tests at the end of a file (their `super` is the file itself).
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.len().saturating_sub(1)];
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .filter(|s| !s.is_empty())
        .flat_map(|s| expand(s).into_iter().map(move |e| format!("{prefix}{e}")))
        .collect()
}

/// The absolute path (`app::state::App`) of a path written in `module`,
/// or `None` when it is outside the crate.
fn absolute(module: &str, path: &str, is_mod_rs: bool) -> Option<String> {
    let path = path
        .trim_end_matches("::*")
        .split(" as ")
        .next()?
        .to_string();
    if let Some(rest) = path.strip_prefix("crate::") {
        return Some(rest.to_string());
    }
    let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let mut rest = path.as_str();
    if rest.starts_with("super::") && !is_mod_rs {
        // In `a/b.rs` (module a::b), `super` is `a`.
        base.pop();
        rest = &rest["super::".len()..];
    } else if rest.starts_with("super::") {
        // In `a/b/mod.rs` (module a::b), `super` is `a` too.
        base.pop();
        rest = &rest["super::".len()..];
    } else if let Some(r) = rest.strip_prefix("self::") {
        rest = r;
    } else {
        return None;
    }
    while let Some(r) = rest.strip_prefix("super::") {
        base.pop();
        rest = r;
    }
    let mut parts: Vec<&str> = base;
    parts.extend(rest.split("::"));
    Some(parts.join("::"))
}

/// The longest known module a path names (`app::state::App` → `app::state`).
fn resolve(modules: &BTreeSet<String>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.retain(|f| !f.ends_with("main.rs"));
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut g = Graph::new();
    for f in &files {
        let module = module_of(src, f);
        let is_mod_rs = f.ends_with("mod.rs") || f.ends_with("lib.rs");
        let text = code(&std::fs::read_to_string(f).expect("read"));
        let mut paths = Vec::new();
        // `use` items, braces expanded.
        for item in text.split(';') {
            let item = item.trim();
            let Some(i) = item.find("use ") else { continue };
            let head = item[..i].trim();
            if !(head.is_empty() || head.ends_with("pub") || head.ends_with(')')) {
                continue;
            }
            for p in expand(&item[i + 4..]) {
                match absolute(&module, &p, is_mod_rs) {
                    Some(a) => paths.push(a),
                    // `use state::X` in a mod.rs: a child module.
                    None => {
                        let child = format!("{module}::{p}");
                        if is_mod_rs && resolve(&modules, &child).is_some_and(|m| m != module) {
                            paths.push(child);
                        }
                    }
                }
            }
        }
        // Paths through an imported module: `review::view::draw` after
        // `use crate::features::review`.
        let aliases: BTreeMap<String, String> = paths
            .iter()
            .filter_map(|p| Some((p.rsplit("::").next()?.to_string(), p.clone())))
            .collect();
        for (i, _) in text.match_indices("::") {
            let head: String = text[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let before = &text[..i - head.len()];
            if head.is_empty() || before.ends_with(':') {
                continue;
            }
            let Some(base) = aliases.get(&head) else {
                continue;
            };
            let tail: String = text[i + 2..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(format!("{base}::{}", tail.trim_end_matches(':')));
        }
        // Inline `crate::a::b` and `super::a` paths.
        for (i, _) in text
            .match_indices("crate::")
            .chain(text.match_indices("super::"))
        {
            if i > 0 && text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let p: String = text[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.extend(absolute(&module, p.trim_end_matches(':'), is_mod_rs));
        }
        let edges = g.entry(module.clone()).or_default();
        for p in paths {
            if let Some(target) = resolve(&modules, &p) {
                // The crate root and the module itself are no imports.
                if target != module && !target.is_empty() {
                    edges.insert(target);
                }
            }
        }
    }
    g
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(g: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        let g = s.g;
        for w in g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn checked(m: &str) -> bool {
    CHECKED
        .iter()
        .any(|r| m == *r || m.starts_with(&format!("{r}::")))
}

#[test]
fn app_screens_and_features_have_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = graph(&src);
    // The graph is really read: these imports exist.
    for (from, to) in [
        ("app::update", "features::queue"),
        ("app::update", "app::navigate"),
        ("features::queue", "app::state"),
        ("features::review", "features::submit"),
        ("screens", "features::review"),
        ("screens", "features::review::view"),
        ("features::review::view", "screens::widgets"),
        ("app::state", "features::queue::state"),
        ("features::queue", "features::queue::state"),
        ("features::queue", "features"),
    ] {
        assert!(
            g.get(from).is_some_and(|e| e.contains(to)),
            "expected {from} -> {to}; {from} imports {:?}",
            g.get(from)
        );
    }
    let bad: Vec<Vec<String>> = cycles(&g)
        .into_iter()
        .filter(|c| c.iter().any(|m| checked(m)))
        .collect();
    assert!(bad.is_empty(), "import cycles: {bad:#?}");
}

#[test]
fn the_cycle_check_finds_cycles() {
    let mut g = Graph::new();
    let edge = |g: &mut Graph, a: &str, b: &str| {
        g.entry(a.into()).or_default().insert(b.into());
    };
    // The loop issue 9 found: update -> playback -> screens -> update.
    edge(&mut g, "app::update", "app::playback");
    edge(&mut g, "app::playback", "screens");
    edge(&mut g, "screens", "app::update");
    edge(&mut g, "screens", "format");
    assert_eq!(
        cycles(&g),
        vec![vec![
            "app::playback".to_string(),
            "app::update".into(),
            "screens".into()
        ]]
    );
}

#[test]
fn paths_resolve_like_rustc() {
    assert_eq!(
        expand("crate::features::{queue, review::{self, note}}"),
        vec![
            "crate::features::queue",
            "crate::features::review::self",
            "crate::features::review::note"
        ]
    );
    assert_eq!(
        absolute("features::review::note", "super::rating::record", false).as_deref(),
        Some("features::review::rating::record")
    );
    assert_eq!(
        absolute("features::review", "super::submit", true).as_deref(),
        Some("features::submit")
    );
    assert_eq!(absolute("app::state", "takes_api::Me", false), None);
}
