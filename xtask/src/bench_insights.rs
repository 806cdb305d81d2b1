//! `cargo xtask bench insights [--interviews N] [--db sqlite|postgres|both]
//! [--rounds N]`: the issue-15 performance target. A release build of the
//! platform's `bench_insights` example builds an organisation of N
//! interviews (default 100,000) through the platform's bulk path, serves
//! it, and times every `/v1/insights/...` GET over HTTP; the Markdown
//! tables it prints go to docs/BENCHMARKS.md. PostgreSQL is the server in
//! `TAKES_BENCH_POSTGRES_URL` when set (the benchmark creates and drops its
//! own database there), else a throwaway one.

use anyhow::{bail, Result};

pub fn run(args: &[&str]) -> Result<()> {
    for pair in args.chunks(2) {
        match pair {
            ["--interviews" | "--db" | "--rounds" | "--keep" | "--only", _] => {}
            _ => bail!(
                "usage: cargo xtask bench insights [--interviews N] [--db sqlite|postgres|both] [--rounds N] [--keep DIR] [--only funnel,turnaround,...]"
            ),
        }
    }
    let wants_postgres = !args.windows(2).any(|w| w == ["--db", "sqlite"]);
    let given = std::env::var("TAKES_BENCH_POSTGRES_URL").ok();
    // Kept alive until the run ends: dropping it stops the server.
    let mut throwaway = None;
    let url = match (&given, wants_postgres) {
        (Some(url), _) => url.clone(),
        (None, true) => {
            crate::setup::ensure()?;
            let pg = crate::postgres::Throwaway::start()?;
            let url = pg.url();
            throwaway = Some(pg);
            url
        }
        (None, false) => String::new(),
    };
    let run = [
        "run",
        "--release",
        "--locked",
        "-p",
        "takes-platform",
        "--example",
        "bench_insights",
        "--",
    ];
    let result = crate::cargo(&run, args, &[("TAKES_BENCH_POSTGRES_URL", url.as_str())]);
    drop(throwaway);
    result
}
