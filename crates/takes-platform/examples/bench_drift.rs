//! Times the reliability-drift computation (`drift_from`, the work behind
//! `GET /v1/insights/reliability` once the ratings are in memory) on a
//! synthetic rating set shaped like the issue-15 organisation, without a
//! database: 100,000 interviews over 24 question sets of 4 or 5 questions
//! (about 430,000 units), each interview rated by 2 or 3 reviewers of its
//! set's panel of 6, on a 1–5 scale, over 8 quarters (about 1.07 million
//! ratings). Generated from a fixed seed, so every run sees the same data.
//!
//! ```text
//! cargo build --release --locked -p takes-platform --example bench_drift
//! target/release/examples/bench_drift [--runs N] [--dump FILE]
//!   --runs N     timed runs (default 5; median and minimum are shown)
//!   --dump FILE  write the report as JSON, to compare two builds' figures
//! ```

use std::time::{Duration, Instant};

use takes_platform::api::insights::figures::drift_from;
use takes_platform::api::insights::Period;
use takes_platform::store::insights::reviewing::{QuestionInfo, Rated, RatingSet};

const INTERVIEWS: u32 = 100_000;
const SETS: u32 = 24;
const PANEL: u32 = 6;
const SEED: u64 = 15;
/// 2024-01-01T00:00:00Z; eight quarters follow.
const START_MS: i64 = 1_704_067_200_000;
const TWO_YEARS_MS: i64 = 731 * 86_400_000;

/// SplitMix64: the data must not depend on a random crate's version.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

fn synthetic() -> RatingSet {
    let mut rng = Rng(SEED);
    let mut set = RatingSet::default();
    // Reviewers in id order: set s's panel is reviewers 6s..6s+5, with a
    // leniency of −1, 0 or +1 half a point at a time.
    for r in 0..SETS * PANEL {
        set.reviewers
            .push((format!("user-{r:04}"), format!("Reviewer {r:04}")));
    }
    let bias: Vec<i64> = (0..SETS * PANEL).map(|_| rng.below(3) as i64 - 1).collect();
    let mut first_question = Vec::new();
    for s in 0..SETS {
        first_question.push(set.questions.len() as u32);
        let count = 4 + (s % 2) as i64 * (s % 3 != 0) as i64;
        for position in 1..=count {
            set.questions.push(QuestionInfo {
                id: format!("q-{s:02}-{position}"),
                position,
                prompt: format!("Question {position}"),
                competency: format!("competency {position}"),
                scale_min: 1,
                scale_max: 5,
                question_set_id: format!("set-{s:02}"),
                version: 1,
                role_id: format!("role-{s:02}"),
                title: format!("Role {s:02}"),
            });
        }
    }
    first_question.push(set.questions.len() as u32);
    for i in 0..INTERVIEWS {
        set.interviews.push(format!("iv-{i:06}"));
        let s = rng.below(u64::from(SETS)) as u32;
        let (q0, q1) = (first_question[s as usize], first_question[s as usize + 1]);
        let reviewed_at = START_MS + rng.below(TWO_YEARS_MS as u64) as i64;
        let raters = 2 + rng.below(2) as u32;
        // `raters` distinct panel members, by name (= id) order.
        let mut panel: Vec<u32> = (0..PANEL).collect();
        for k in 0..raters {
            let j = k + rng.below(u64::from(PANEL - k)) as u32;
            panel.swap(k as usize, j as usize);
        }
        let mut chosen: Vec<u32> = panel[..raters as usize]
            .iter()
            .map(|p| s * PANEL + p)
            .collect();
        chosen.sort_unstable();
        let delays: Vec<i64> = chosen
            .iter()
            .map(|_| rng.below(5 * 86_400_000) as i64)
            .collect();
        for q in q0..q1 {
            let truth = 1 + rng.below(5) as i64;
            for (&reviewer, &delay) in chosen.iter().zip(&delays) {
                let noise = match rng.below(10) {
                    0 => -1,
                    1 => 1,
                    _ => 0,
                };
                let rating =
                    (truth + noise + bias[reviewer as usize] * (rng.below(2) as i64)).clamp(1, 5);
                set.rows.push(Rated {
                    reviewer,
                    interview: i,
                    question: q,
                    rating,
                    muted_rating: None,
                    submitted_at: reviewed_at + delay,
                });
            }
        }
    }
    set
}

fn main() {
    let mut runs = 5usize;
    let mut dump: Option<String> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--runs" => runs = value.parse().unwrap_or(runs).max(1),
            "--dump" => dump = Some(value),
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    let started = Instant::now();
    let set = synthetic();
    let units: std::collections::BTreeSet<(u32, u32)> =
        set.rows.iter().map(|r| (r.interview, r.question)).collect();
    eprintln!(
        "{} ratings, {} units, generated in {:.2?}",
        set.rows.len(),
        units.len(),
        started.elapsed()
    );
    let period = || Period {
        since: None,
        until: None,
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut report = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = drift_from(&set, &[], period(), &Default::default());
        times.push(t.elapsed());
        report = Some(r);
    }
    times.sort();
    println!(
        "drift_from: median {:.3?}, min {:.3?} over {runs} runs",
        times[times.len() / 2],
        times[0]
    );
    if let (Some(path), Some(report)) = (dump, report) {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        if let Err(e) = std::fs::write(&path, json) {
            eprintln!("{path}: {e}");
        }
    }
}
