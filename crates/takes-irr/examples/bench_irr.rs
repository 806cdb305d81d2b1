//! Times alpha (ordinal, interval) and the ICCs on 10,000 units × 10 raters
//! with 10% of ratings missing, generated from a fixed seed.
//!
//! ```text
//! cargo run --release -p takes-irr --example bench_irr [-- OPTIONS]
//!   --continuous     scores on 0–100 with two decimals instead of a 1–7 scale
//!   --csv PATH       also write the data set as a wide CSV (empty = missing),
//!                    for scripts/irr-fixtures/bench_krippendorff.py
//!   --runs N         timed runs per statistic (default 7; the median is shown)
//! ```

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use takes_irr::{alpha, alpha_bootstrap_ci, icc, report, Metric, Ratings};

const UNITS: usize = 10_000;
const RATERS: usize = 10;
const MISSING: f64 = 0.10;
const SEED: u64 = 20_240_601;

/// SplitMix64, the same generator the library uses for its bootstrap.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1) from the top 53 bits.
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal(0, 1): a sum of 12 uniforms, minus 6.
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

fn generate(continuous: bool) -> Vec<Vec<Option<f64>>> {
    let mut rng = Rng(SEED);
    let (lo, hi, noise, bias_sd) = if continuous {
        (0.0, 100.0, 8.0, 4.0)
    } else {
        (1.0, 7.0, 0.9, 0.4)
    };
    let bias: Vec<f64> = (0..RATERS).map(|_| bias_sd * rng.normal()).collect();
    (0..UNITS)
        .map(|_| {
            let truth = lo + (hi - lo) * rng.uniform();
            bias.iter()
                .map(|b| {
                    let x = truth + b + noise * rng.normal();
                    let x = if continuous {
                        (x * 100.0).round() / 100.0
                    } else {
                        x.round()
                    };
                    let keep = rng.uniform() >= MISSING;
                    keep.then_some(x.clamp(lo, hi))
                })
                .collect()
        })
        .collect()
}

fn write_wide_csv(path: &str, rows: &[Vec<Option<f64>>]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(out, "unit")?;
    for r in 1..=RATERS {
        write!(out, ",r{r}")?;
    }
    writeln!(out)?;
    for (u, row) in rows.iter().enumerate() {
        write!(out, "u{}", u + 1)?;
        for cell in row {
            match cell {
                Some(x) => write!(out, ",{x}")?,
                None => write!(out, ",")?,
            }
        }
        writeln!(out)?;
    }
    out.flush()
}

fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm-up: page in code and data
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let continuous = args.iter().any(|a| a == "--continuous");
    let value_after = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let runs: usize = value_after("--runs")
        .map(|r| r.parse().expect("--runs takes a number"))
        .unwrap_or(7)
        .max(1);

    let rows = generate(continuous);
    if let Some(path) = value_after("--csv") {
        write_wide_csv(&path, &rows).expect("write CSV");
        eprintln!("wrote {path}");
    }
    let data = Ratings::from_rows(&rows);
    println!(
        "{} units x {} raters, {} ratings ({:.1}% missing), {} scores, seed {SEED}; median of {runs} runs",
        data.n_units(),
        data.n_raters(),
        data.n_ratings(),
        100.0 * (1.0 - data.n_ratings() as f64 / (UNITS * RATERS) as f64),
        if continuous { "continuous 0-100" } else { "1-7 scale" },
    );

    let show = |name: &str, value: String, t: Duration| {
        println!("{name:<28} {value:>10}  {:>9.3} ms", t.as_secs_f64() * 1e3);
    };
    for (name, metric) in [
        ("alpha ordinal", Metric::Ordinal),
        ("alpha interval", Metric::Interval),
        ("alpha nominal", Metric::Nominal),
    ] {
        let v = alpha(&data, metric).expect("alpha defined");
        let t = median_time(runs, || {
            black_box(alpha(black_box(&data), metric).ok());
        });
        show(name, format!("{v:.6}"), t);
    }
    let i = icc(&data).expect("icc defined");
    let t = median_time(runs, || {
        black_box(icc(black_box(&data)).ok());
    });
    show(
        &format!("ICC, all six ({} units)", i.n_units),
        format!("{:.6}", i.icc2_1.unwrap_or(f64::NAN)),
        t,
    );
    let t = median_time(runs.min(3), || {
        black_box(alpha(black_box(&data), Metric::Ratio).ok());
    });
    show("alpha ratio", String::new(), t);
    let t = median_time(runs.min(3), || {
        black_box(report(black_box(&data)));
    });
    show("full report", String::new(), t);
    let t = median_time(1, || {
        black_box(alpha_bootstrap_ci(black_box(&data), Metric::Ordinal, 1000, 1).ok());
    });
    let (lo, hi) = alpha_bootstrap_ci(&data, Metric::Ordinal, 1000, 1).expect("ci");
    show(
        "bootstrap ordinal, 1000 it.",
        format!("{lo:.3}..{hi:.3}"),
        t,
    );
}
