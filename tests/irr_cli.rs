//! `takes irr` as a user runs it: the real binary on real files.

use std::process::Command;

/// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4
/// observers x 12 units, 0 = missing. Published: alpha nominal .743,
/// ordinal .815, interval .849, ratio .797.
const RATERS_BY_UNITS: [[u8; 12]; 4] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
    [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
];

fn long_csv() -> String {
    let mut s = String::from("unit,rater,score\n");
    for (r, row) in RATERS_BY_UNITS.iter().enumerate() {
        for (u, v) in row.iter().enumerate() {
            if *v != 0 {
                s.push_str(&format!("u{u},r{r},{v}\n"));
            }
        }
    }
    s
}

fn takes(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_takes"))
        .args(args)
        .output()
        .expect("run takes")
}

#[test]
fn reproduces_krippendorffs_published_figures() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("k.csv");
    std::fs::write(&file, long_csv()).expect("write");
    let out = takes(&["irr", file.to_str().expect("path"), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let close = |key: &str, want: f64| {
        let got = v[key].as_f64().unwrap_or(f64::NAN);
        assert!(
            (got - want).abs() < 5e-4,
            "{key}: {got} vs published {want}"
        );
    };
    close("alpha_nominal", 0.743);
    close("alpha_ordinal", 0.815);
    close("alpha_interval", 0.849);
    close("alpha_ratio", 0.797);
    assert_eq!(v["n_units"], 12);
    assert_eq!(v["n_raters"], 4);
    assert_eq!(v["n_ratings"], 41);
    // Four raters: Cohen's kappa does not apply; missing cells: no Fleiss.
    assert!(v["cohen_kappa"].is_null() && v["fleiss_kappa"].is_null());
    for key in [
        "icc1_1",
        "icc2_1",
        "icc3_1",
        "icc1_k",
        "icc2_k",
        "icc3_k",
        "icc_units",
    ] {
        assert!(v.get(key).is_some(), "{key} missing");
    }

    // The readable table names the figures.
    let table = takes(&["irr", file.to_str().expect("path")]);
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("0.815") || text.contains(".815"), "{text}");
}

#[test]
fn malformed_files_name_the_line_and_exit_2() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, content, needle) in [
        ("empty.csv", "", "empty"),
        ("noheader.csv", "u1,r1,3\nu1,r2,4\n", "line 1"),
        (
            "nonnumeric.csv",
            "unit,rater,score\nu1,r1,3\nu1,r2,four\n",
            "line 3",
        ),
        (
            "duplicate.csv",
            "unit,rater,score\nu1,r1,3\nu1,r2,4\nu1,r1,5\n",
            "line 4",
        ),
        (
            "onerater.csv",
            "unit,rater,score\nu1,r1,3\nu2,r1,4\n",
            "one rater",
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, content).expect("write");
        let out = takes(&["irr", file.to_str().expect("path"), "--json"]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    }
    let out = takes(&["irr", "/nonexistent/file.csv"]);
    assert_eq!(out.status.code(), Some(2));
}
