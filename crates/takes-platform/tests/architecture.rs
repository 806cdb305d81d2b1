//! The platform's shape, checked: every SQL statement lives in `store/`
//! (and `db.rs`, which sets up connections and runs migrations), and no two
//! source files import each other, directly or around a loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, relative to it, with `/` separators.
fn rust_files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                if let Ok(rel) = p.strip_prefix(root) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A file's module path: `api/mod.rs` -> `["api"]`, `store/page.rs` ->
/// `["store", "page"]`, `lib.rs` -> `[]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without its unit tests (which may import anything)
/// and without comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
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

/// Module paths a file refers to: `crate::a::b::C`, `super::x`, `self::y`,
/// and `use` trees with braces, expanded.
fn referenced_paths(code: &str, here: &[String], children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    // `use` statements, braces expanded.
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before_ok = i == 0
            || !rest.as_bytes()[i - 1].is_ascii_alphanumeric() && rest.as_bytes()[i - 1] != b'_';
        rest = &rest[i + 4..];
        if !before_ok {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let tree: String = rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
        for p in expand(&tree) {
            out.push(p);
        }
        rest = &rest[end..];
    }
    // Paths written inline.
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let ok = i == 0 || {
                let b = rest.as_bytes()[i - 1];
                !(b.is_ascii_alphanumeric() || b == b'_' || b == b':')
            };
            let tail = &rest[i..];
            let len = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if ok {
                out.push(
                    tail[..len]
                        .split("::")
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                );
            }
            rest = &rest[i + start.len()..];
        }
    }
    // Resolve `crate`, `super`, `self` and child modules to absolute paths.
    out.into_iter()
        .filter_map(|segs: Vec<String>| {
            let first = segs.first()?.as_str();
            let mut abs: Vec<String> = match first {
                "crate" => Vec::new(),
                "self" => here.to_vec(),
                "super" => {
                    let mut p = here.to_vec();
                    p.pop();
                    p
                }
                c if children.contains(c) => {
                    let mut p = here.to_vec();
                    p.push(c.to_string());
                    p
                }
                _ => return None,
            };
            let skip = usize::from(matches!(first, "crate" | "self" | "super"));
            let mut segs = segs.into_iter().skip(skip).peekable();
            while segs.peek().is_some_and(|s| s == "super") {
                abs.pop();
                segs.next();
            }
            abs.extend(segs);
            Some(abs)
        })
        .collect()
}

/// `a::{b,c::{d,e}}` -> `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let Some(open) = tree.find('{') else {
        return vec![tree
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()];
    };
    let prefix: Vec<String> = tree[..open]
        .split("::")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[from..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            expand(p).into_iter().map(|tail| {
                let mut full = prefix.clone();
                full.extend(tail.into_iter().filter(|s| s != "self"));
                full
            })
        })
        .collect()
}

/// file -> the files it imports from.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(src);
    let by_module: BTreeMap<Vec<String>, String> =
        files.iter().map(|f| (module_of(f), f.clone())).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(src.join(file)).unwrap_or_default();
        let code = code(&text);
        let here = module_of(file);
        let children: BTreeSet<String> = code
            .lines()
            .filter_map(|l| {
                let l = l
                    .trim()
                    .trim_start_matches("pub(crate) ")
                    .trim_start_matches("pub ");
                l.strip_prefix("mod ")?
                    .strip_suffix(';')
                    .map(str::to_string)
            })
            .collect();
        let mut targets = BTreeSet::new();
        for path in referenced_paths(&code, &here, &children) {
            // The longest prefix that is a module file.
            let target = (1..=path.len())
                .rev()
                .find_map(|n| by_module.get(&path[..n]))
                .or_else(|| by_module.get(&Vec::new()).filter(|_| path.is_empty()));
            if let Some(t) = target {
                if t != file {
                    targets.insert(t.clone());
                }
            }
        }
        graph.insert(file.clone(), targets);
    }
    graph
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct S<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut S<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        if let Some(ws) = s.g.get(v) {
            for w in ws {
                let w = w.as_str();
                if !s.g.contains_key(w) {
                    continue;
                }
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
    let mut s = S {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
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
    let found = cycles(&graph);
    let mut report = String::new();
    for c in &found {
        report.push_str(&format!("cycle of {} files:\n", c.len()));
        for f in c {
            let into: Vec<&String> = graph[f].iter().filter(|t| c.contains(t)).collect();
            report.push_str(&format!("  {f} -> {into:?}\n"));
        }
    }
    assert!(found.is_empty(), "{report}");
}

#[test]
fn the_checker_sees_a_loop_and_a_brace_tree() {
    let mut g = BTreeMap::new();
    g.insert("a.rs".to_string(), BTreeSet::from(["b.rs".to_string()]));
    g.insert("b.rs".to_string(), BTreeSet::from(["c.rs".to_string()]));
    g.insert("c.rs".to_string(), BTreeSet::from(["a.rs".to_string()]));
    g.insert("d.rs".to_string(), BTreeSet::from(["a.rs".to_string()]));
    assert_eq!(cycles(&g), vec![vec!["a.rs", "b.rs", "c.rs"]]);
    assert_eq!(
        expand("crate::{a::{b,c},d}"),
        vec![
            vec!["crate", "a", "b"],
            vec!["crate", "a", "c"],
            vec!["crate", "d"]
        ]
    );
    let here = vec!["api".to_string(), "calibration".to_string()];
    let paths = referenced_paths(
        "use super::BODY_LIMIT;\nlet x = crate::store::page::PageRequest::x();",
        &here,
        &BTreeSet::new(),
    );
    assert!(
        paths.contains(&vec!["api".to_string(), "BODY_LIMIT".to_string()]),
        "{paths:?}"
    );
    assert!(
        paths.contains(&vec![
            "store".into(),
            "page".into(),
            "PageRequest".into(),
            "x".into()
        ]),
        "{paths:?}"
    );
}
