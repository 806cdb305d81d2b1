//! Resident memory of a running `takes`, read from `/proc` (shared by the
//! launch benchmarks: `#[path = "common/rss.rs"] mod rss;`).

/// `VmRSS` and `VmHWM` of `pid`, as `/proc/PID/status` says them.
pub fn vm(pid: &str) -> (String, String) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Whether `pid` has libmpv mapped.
pub fn maps_libmpv(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/maps")).is_ok_and(|m| m.contains("libmpv"))
}

/// What holds the resident memory, by mapping (`/proc/PID/smaps`), as a
/// table by cause: the binary, libmpv with the libraries it pulls in
/// (every shared library but the C runtime's), the C runtime, the heap and
/// anonymous mappings (malloc arenas of other threads, thread stacks,
/// libmpv's own buffers); then the largest mappings by name.
pub fn print_rss_by_mapping(pid: &str) {
    const RUNTIME: [&str; 4] = ["libc.so", "libm.so", "libgcc_s.so", "ld-linux"];
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    // name -> (rss, pss, private dirty, mappings), in kB.
    let mut by: std::collections::BTreeMap<String, [u64; 4]> = Default::default();
    let mut causes: std::collections::BTreeMap<&str, [u64; 4]> = Default::default();
    let (mut name, mut cause) = (String::new(), "");
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let kb = || -> u64 {
            line.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let slot = match first {
            "Rss:" => 0,
            "Pss:" => 1,
            "Private_Dirty:" => 2,
            _ if first.contains('-') && !first.ends_with(':') => {
                let path = line.split_whitespace().nth(5).unwrap_or("[anonymous]");
                name = path.rsplit('/').next().unwrap_or(path).to_string();
                cause = if path == "[heap]" {
                    "heap"
                } else if path.starts_with('[') {
                    "anonymous, stacks, vdso"
                } else if path.ends_with("/takes") {
                    "the takes binary"
                } else if RUNTIME.iter().any(|r| name.starts_with(r)) {
                    "C runtime (libc, libm, libgcc_s, ld.so)"
                } else if name.contains(".so") {
                    "shared libraries (libmpv and what it pulls in, when loaded)"
                } else {
                    "other files"
                };
                by.entry(name.clone()).or_default()[3] += 1;
                causes.entry(cause).or_default()[3] += 1;
                continue;
            }
            _ => continue,
        };
        let v = kb();
        by.entry(name.clone()).or_default()[slot] += v;
        causes.entry(cause).or_default()[slot] += v;
    }
    let libs = by
        .keys()
        .filter(|n| n.contains(".so") && !RUNTIME.iter().any(|r| n.starts_with(r)))
        .count();
    println!("resident memory by cause (kB: Rss, Pss, Private_Dirty, mappings); {libs} libraries besides the C runtime:");
    let mut rows: Vec<_> = causes.into_iter().collect();
    rows.sort_by(|a, b| b.1[0].cmp(&a.1[0]));
    for (cause, [rss, pss, dirty, n]) in &rows {
        println!("  {rss:>8} {pss:>8} {dirty:>8} {n:>5}  {cause}");
    }
    let mut rows: Vec<_> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1[0].cmp(&a.1[0]));
    println!("largest mappings by name (kB: Rss, Pss, Private_Dirty):");
    for (name, [rss, pss, dirty, _]) in rows.iter().take(12) {
        println!("  {rss:>8} {pss:>8} {dirty:>8}  {name}");
    }
}
