//! The workstation's journal reader. A journal is valid entries followed by
//! damage (a torn last line, or garbage written over the tail): reading it
//! never panics and never loses a valid pending entry written before the
//! damage.
#![no_main]

use libfuzzer_sys::fuzz_target;
use takes::journal::{pending_of, Record, ScoreEntry};
use takes_api::SheetKind;

fuzz_target!(|data: &[u8]| {
    // Anything at all: no panic.
    let _ = pending_of(data);

    // Structured: the first byte says how many valid records the fuzzer's
    // bytes describe; the rest after them is the damage.
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 16);
    let (spec, damage) = rest.split_at(rest.len().min(n * 3));
    let mut journal = Vec::new();
    for (i, c) in spec.chunks(3).enumerate() {
        let key = format!("k{}", c[0] % 8);
        let record = match c.get(1).copied().unwrap_or(0) % 4 {
            0 => Record::Ack { key },
            1 => Record::Fail {
                key,
                reason: "refused".into(),
            },
            r => Record::Score(ScoreEntry {
                kind: if r == 2 {
                    SheetKind::Assignment
                } else {
                    SheetKind::Calibration
                },
                key,
                user_id: "u".into(),
                assignment_id: format!("a{}", c.get(2).copied().unwrap_or(0) % 3),
                question_id: "q".into(),
                rating: (c.get(2).copied().unwrap_or(0) % 2 == 0).then_some(i as i64),
                muted_rating: None,
                note: Some(format!("note {i} \u{e9}\n\"")),
                evidence: Vec::new(),
                at_ms: i as i64,
            }),
        };
        journal.extend(serde_json::to_vec(&record).expect("serialise"));
        journal.push(b'\n');
    }
    let before = pending_of(journal.as_slice());
    // The damage is one torn line: no newline in it, so it cannot be read
    // as records of its own (unless it is a whole valid record by chance).
    let torn: Vec<u8> = damage.iter().copied().filter(|b| *b != b'\n').collect();
    if serde_json::from_slice::<Record>(&torn).is_ok() {
        return;
    }
    let mut damaged = journal.clone();
    damaged.extend(&torn);
    let after = pending_of(damaged.as_slice());
    assert_eq!(
        before, after,
        "a torn last line changed the pending entries"
    );
});
