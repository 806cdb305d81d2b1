//! A crate's source read as a graph: one node per `.rs` file, an edge where a
//! file names an item of another (`use crate::…` trees with braces expanded,
//! inline `crate::…` and `super::…` paths, and paths through a child module
//! it declares). `mod` declarations are ownership, not edges; unit tests at
//! the end of a file (`#[cfg(test)]`) and comments are left out. Tests of the
//! workstation and the platform use it to fail on import cycles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// File -> the files it imports from.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every `.rs` file under `dir`, relative to it, with `/` separators.
pub fn rust_files(dir: &Path) -> Vec<String> {
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
        .map(|l| {
            let l = match l.find("//") {
                Some(i) => &l[..i],
                None => l,
            };
            // `pub(in crate::api)` limits who may see an item; it imports
            // nothing.
            match (l.find("pub(in "), l.find(')')) {
                (Some(a), Some(b)) if b > a => format!("{}pub{}", &l[..a], &l[b + 1..]),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module paths a file refers to, made absolute: `use` trees (braces
/// expanded, `as` renames followed), inline `crate::…`, `self::…` and
/// `super::…` paths, and paths through a name the file imported or a child
/// module it declares (`use crate::store; store::page::f()` names
/// `store/page.rs`).
fn referenced_paths(code: &str, here: &[String], children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut aliases: BTreeMap<String, Vec<String>> = children
        .iter()
        .map(|c| {
            let mut p = here.to_vec();
            p.push(c.clone());
            (c.clone(), p)
        })
        .collect();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before_ok = i == 0 || {
            let b = rest.as_bytes()[i - 1];
            !(b.is_ascii_alphanumeric() || b == b'_')
        };
        rest = &rest[i + 4..];
        if !before_ok {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let tree = rest[..end].replace(" as ", "@");
        let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
        for (path, alias) in expand(&tree) {
            if let Some(abs) = absolute(&path, here) {
                if alias != "*" && alias != "_" && !alias.is_empty() {
                    aliases.insert(alias, abs.clone());
                }
                out.push(abs);
            }
        }
        rest = &rest[end..];
    }
    // Paths written inline: an identifier that starts a `::` path.
    let bytes = code.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if !word(bytes[i]) || (i > 0 && (word(bytes[i - 1]) || bytes[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let len = code[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(code.len() - i);
        let text = &code[i..i + len];
        i += len.max(1);
        if !text.contains("::") {
            continue;
        }
        let segs: Vec<String> = text
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let Some(first) = segs.first() else { continue };
        if let Some(abs) = absolute(&segs, here) {
            out.push(abs);
        } else if let Some(base) = aliases.get(first) {
            let mut abs = base.clone();
            abs.extend(segs.into_iter().skip(1));
            out.push(abs);
        }
    }
    out
}

/// `crate::…`, `self::…` and `super::…` paths made absolute (module path
/// segments from the crate root); `None` for anything else.
fn absolute(segs: &[String], here: &[String]) -> Option<Vec<String>> {
    let first = segs.first()?.as_str();
    let mut abs: Vec<String> = match first {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut p = here.to_vec();
            p.pop();
            p
        }
        _ => return None,
    };
    let mut rest = segs.iter().skip(1).peekable();
    while rest.peek().is_some_and(|s| *s == "super") {
        abs.pop();
        rest.next();
    }
    abs.extend(rest.cloned());
    Some(abs)
}

/// `a::{b,c::{d@e,self}}` (whitespace removed, ` as ` written `@`) ->
/// `(a::b, "b")`, `(a::c::d, "e")`, `(a::c, "c")`: each path with the name
/// it is known by in the file.
fn expand(tree: &str) -> Vec<(Vec<String>, String)> {
    let segments = |s: &str| -> Vec<String> {
        s.split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let Some(open) = tree.find('{') else {
        let mut path = segments(tree);
        let last = path.pop().unwrap_or_default();
        let (name, alias) = match last.split_once('@') {
            Some((n, a)) => (n.to_string(), Some(a.to_string())),
            None => (last.clone(), None),
        };
        if name == "self" {
            let alias = alias.unwrap_or_else(|| path.last().cloned().unwrap_or_default());
            return vec![(path, alias)];
        }
        let alias = alias.unwrap_or_else(|| name.clone());
        path.push(name);
        return vec![(path, alias)];
    };
    let prefix = tree[..open].trim_end_matches("::").to_string();
    let close = tree.rfind('}').filter(|c| *c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
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
            let joined = if prefix.is_empty() {
                p.to_string()
            } else {
                format!("{prefix}::{p}")
            };
            expand(&joined)
        })
        .collect()
}

/// file -> the files it imports from, paths relative to `src`.
pub fn import_graph(src: &Path) -> Graph {
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
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
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

/// Each cycle with the edges that close it, for a test's failure message.
pub fn report(graph: &Graph, found: &[Vec<String>]) -> String {
    let mut out = String::new();
    for c in found {
        out.push_str(&format!("cycle of {} files:\n", c.len()));
        for f in c {
            let into: Vec<&String> = graph[f].iter().filter(|t| c.contains(t)).collect();
            out.push_str(&format!("  {f} -> {into:?}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_sees_a_loop() {
        let mut g = Graph::new();
        g.insert("a.rs".to_string(), BTreeSet::from(["b.rs".to_string()]));
        g.insert("b.rs".to_string(), BTreeSet::from(["c.rs".to_string()]));
        g.insert("c.rs".to_string(), BTreeSet::from(["a.rs".to_string()]));
        g.insert("d.rs".to_string(), BTreeSet::from(["a.rs".to_string()]));
        assert_eq!(cycles(&g), vec![vec!["a.rs", "b.rs", "c.rs"]]);
        assert!(report(&g, &cycles(&g)).contains("c.rs -> [\"a.rs\"]"));
    }

    #[test]
    fn use_trees_expand_with_the_names_they_bind() {
        let p = |v: &[&str], alias: &str| {
            (
                v.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                alias.to_string(),
            )
        };
        assert_eq!(
            expand("crate::{a::{b,c@x},d::{self,e}}"),
            vec![
                p(&["crate", "a", "b"], "b"),
                p(&["crate", "a", "c"], "x"),
                p(&["crate", "d"], "d"),
                p(&["crate", "d", "e"], "e"),
            ]
        );
    }

    #[test]
    fn paths_resolve_through_super_and_aliases() {
        let here = vec!["api".to_string(), "calibration".to_string()];
        let code = "use super::BODY_LIMIT;\nuse crate::store::{self as db};\n\
                    let x = crate::store::page::PageRequest::x();\nlet y = db::audit::record();\n\
                    let z = takes_api::Me::default();";
        let paths = referenced_paths(code, &here, &BTreeSet::new());
        let has = |p: &[&str]| paths.contains(&p.iter().map(|s| s.to_string()).collect());
        assert!(has(&["api", "BODY_LIMIT"]), "{paths:?}");
        assert!(has(&["store", "page", "PageRequest", "x"]), "{paths:?}");
        assert!(
            has(&["store", "audit", "record"]),
            "an alias is followed: {paths:?}"
        );
        assert!(
            !paths.iter().any(|p| p.contains(&"Me".to_string())),
            "{paths:?}"
        );
    }
}
