//! A check that the platform's modules import each other without a cycle:
//! each source file is a node, and a file that names an item of another
//! (`use crate::…`, `crate::…::f(…)`, `super::…`, or a child module's path)
//! depends on it. Tests are left out: they may look anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`""` for the crate root, `"api::roles"`) to source text,
/// without its `#[cfg(test)]` tail.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).expect("read src");
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(src)
                .expect("under src")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).expect("read file");
            let code = match text.find("#[cfg(test)]") {
                Some(i) => &text[..i],
                None => &text,
            };
            // Comments name modules too ("see `api::…`") without using them.
            let text: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(|l| format!("{l}\n"))
                .collect();
            out.insert(parts.join("::"), text);
        }
    }
    out
}

/// The longest known module that `path` (e.g. `api::roles::load`) lies in.
fn resolve<'a>(known: &'a BTreeMap<String, String>, path: &str) -> Option<&'a str> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find_map(|m| known.get_key_value(&m).map(|(k, _)| k.as_str()))
}

/// Flattens `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return vec![tree.to_string()];
    };
    let prefix = &tree[..open];
    let inner = tree[open + 1..]
        .strip_suffix('}')
        .unwrap_or(&tree[open + 1..]);
    let (mut items, mut depth, mut current) = (Vec::new(), 0, String::new());
    for c in inner.chars() {
        match c {
            ',' if depth == 0 => items.push(std::mem::take(&mut current)),
            '{' => {
                depth += 1;
                current.push(c);
            }
            '}' => {
                depth -= 1;
                current.push(c);
            }
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .iter()
        .filter(|i| !i.is_empty())
        .flat_map(|i| expand(&format!("{prefix}{i}")))
        .collect()
}

/// Paths of the form `word::word::…` starting right after `marker`.
fn paths_after<'t>(text: &'t str, marker: &str) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let before = rest[..i].chars().last();
        let tail = &rest[i + marker.len()..];
        rest = tail;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let end = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        out.push(tail[..end].trim_end_matches(':'));
    }
    out
}

fn edges(known: &BTreeMap<String, String>) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, text) in known {
        let mut targets: Vec<String> = Vec::new();
        let join = |base: &str, path: &str| {
            if base.is_empty() {
                path.to_string()
            } else {
                format!("{base}::{path}")
            }
        };
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
        for (marker, base) in [("use crate::", ""), ("use super::", parent)] {
            if marker == "use super::" && module.is_empty() {
                continue;
            }
            let mut rest = text.as_str();
            while let Some(i) = rest.find(marker) {
                let tail = &rest[i + marker.len()..];
                let end = tail.find(';').unwrap_or(tail.len());
                let tree: String = tail[..end]
                    .replace(" as ", "@")
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                for path in expand(&tree) {
                    let path = path.split('@').next().unwrap_or_default();
                    targets.push(join(base, &path.replace("::self", "")));
                }
                rest = &tail[end..];
            }
        }
        targets.extend(paths_after(text, "crate::").into_iter().map(str::to_string));
        if !module.is_empty() {
            targets.extend(
                paths_after(text, "super::")
                    .into_iter()
                    .map(|p| join(parent, p)),
            );
        }
        for child in known.keys().filter(|k| {
            k.strip_prefix(module.as_str())
                .and_then(|r| {
                    if module.is_empty() {
                        Some(r)
                    } else {
                        r.strip_prefix("::")
                    }
                })
                .is_some_and(|r| !r.is_empty() && !r.contains("::"))
        }) {
            let name = child.rsplit("::").next().unwrap_or(child);
            if !paths_after(text, &format!("{name}::")).is_empty() {
                targets.push(child.clone());
            }
        }
        let from = graph.entry(module.as_str()).or_default();
        for target in targets {
            if let Some(to) = resolve(known, &target) {
                // A module naming its own ancestor's items through a path
                // is an edge; naming itself is not.
                if to != module {
                    from.insert(to);
                }
            }
        }
    }
    graph
}

/// Every cycle's modules (strongly connected components of two or more).
fn cycles<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    // Two passes of reachability are plenty for a graph of ~100 nodes.
    let reach = |from: &'a str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(n) = todo.pop() {
            for &m in graph.get(n).into_iter().flatten() {
                if seen.insert(m) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&str, BTreeSet<&str>> = graph.keys().map(|&n| (n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for &n in graph.keys() {
        if done.contains(n) || !reaches[n].contains(n) {
            continue;
        }
        let component: Vec<&str> = graph
            .keys()
            .copied()
            .filter(|&m| reaches[n].contains(m) && reaches[m].contains(n))
            .collect();
        done.extend(component.iter().copied());
        out.push(component);
    }
    out
}

#[test]
fn the_platform_has_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    let graph = edges(&known);
    assert!(
        graph.get("state").is_some_and(|e| e.contains("config")),
        "the check must see `state` importing `config`: {:?}",
        graph.get("state")
    );
    let found = cycles(&graph);
    assert!(found.is_empty(), "import cycles: {found:?}");
}

#[test]
fn a_cycle_is_found() {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    graph.insert("a", ["b"].into());
    graph.insert("b", ["c"].into());
    graph.insert("c", ["a"].into());
    graph.insert("d", ["a"].into());
    assert_eq!(cycles(&graph), [vec!["a", "b", "c"]]);
}

#[test]
fn use_trees_are_flattened() {
    assert_eq!(
        expand("a::{b,c::{d,e}}"),
        ["a::b", "a::c::d", "a::c::e"].map(String::from)
    );
    assert_eq!(
        paths_after("x crate::api::roles::load(y)", "crate::"),
        ["api::roles::load"]
    );
}
