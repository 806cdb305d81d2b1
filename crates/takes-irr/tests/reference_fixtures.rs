//! Cross-checks every `Report` figure against established Python packages
//! (krippendorff, pingouin, scikit-learn, statsmodels). The fixtures, and
//! the exact command and package versions that made them, are in
//! `tests/fixtures/*.json`; regenerate with
//! `python3 scripts/irr-fixtures/make_fixtures.py`.

use std::path::Path;

use serde_json::Value;
use takes_irr::{report, Ratings};

const TOLERANCE: f64 = 1e-9;

fn fixtures() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read fixture");
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&text).expect("fixture is JSON"))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn ratings(fixture: &Value) -> Ratings {
    let rows: Vec<Vec<Option<f64>>> = fixture["scores"]
        .as_array()
        .expect("scores array")
        .iter()
        .map(|row| {
            row.as_array()
                .expect("row array")
                .iter()
                .map(Value::as_f64)
                .collect()
        })
        .collect();
    Ratings::from_rows(&rows)
}

#[test]
fn there_are_enough_fixtures() {
    // Guards against the comparison below passing vacuously.
    assert!(fixtures().len() >= 7);
}

#[test]
fn report_matches_reference_implementations() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for (name, fixture) in fixtures() {
        let data = ratings(&fixture);
        let got = serde_json::to_value(report(&data)).expect("report serialises");
        let expected = fixture["expected"].as_object().expect("expected object");
        let got_keys: Vec<&String> = got.as_object().unwrap().keys().collect();
        let expected_keys: Vec<&String> = expected.keys().collect();
        assert_eq!(
            {
                let mut k = got_keys.clone();
                k.sort();
                k
            },
            {
                let mut k = expected_keys.clone();
                k.sort();
                k
            },
            "{name}: report keys differ from the reference keys"
        );
        for (key, want) in expected {
            let have = &got[key];
            match (want.as_f64(), have.as_f64()) {
                (None, None) if want.is_null() && have.is_null() => {}
                (Some(w), Some(h)) if (w - h).abs() <= TOLERANCE => compared += 1,
                _ => failures.push(format!("{name}: {key}: expected {want}, got {have}")),
            }
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    assert!(compared > 80, "only {compared} figures compared");
}
