//! The insights benchmark (issue 15): builds an organisation of N
//! interviews (default 100,000) with `seed::insights_org` through the bulk
//! path, timing the build, then asks every `/v1/insights/...` GET over
//! real HTTP (no filter, one role, one department, a date range) and
//! prints p50 and max per request as a Markdown table. The target is under
//! 1 s per request on SQLite and on PostgreSQL.
//!
//! Run through `cargo xtask bench insights [--interviews N] [--db
//! sqlite|postgres|both] [--rounds N]`, which builds this in release and
//! passes the PostgreSQL server (`TAKES_BENCH_POSTGRES_URL`).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sqlx::{Connection, Executor};
use takes_platform::clock::{rfc3339, DAY};
use takes_platform::seed::insights_org;
use takes_platform::{Clock, StorageOptions};

struct Options {
    interviews: usize,
    rounds: usize,
    backends: Vec<&'static str>,
}

fn options() -> Result<Options> {
    let mut o = Options {
        interviews: 100_000,
        rounds: 5,
        backends: vec!["sqlite", "postgres"],
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args
            .get(i + 1)
            .with_context(|| format!("{} needs a value", args[i]))?;
        match args[i].as_str() {
            "--interviews" => o.interviews = value.parse().context("--interviews")?,
            "--rounds" => o.rounds = value.parse::<usize>().context("--rounds")?.max(1),
            "--db" => {
                o.backends = match value.as_str() {
                    "sqlite" => vec!["sqlite"],
                    "postgres" => vec!["postgres"],
                    "both" => vec!["sqlite", "postgres"],
                    other => bail!("--db {other:?}: use sqlite, postgres or both"),
                }
            }
            other => bail!("unknown option {other}"),
        }
        i += 2;
    }
    Ok(o)
}

/// A fresh database: a SQLite file in `dir`, or a new database on the
/// PostgreSQL server (returned so it can be dropped afterwards).
async fn database(
    backend: &str,
    dir: &std::path::Path,
) -> Result<(String, Option<(String, String)>)> {
    if backend == "sqlite" {
        return Ok((format!("sqlite://{}", dir.join("bench.db").display()), None));
    }
    let admin = std::env::var("TAKES_BENCH_POSTGRES_URL")
        .context("TAKES_BENCH_POSTGRES_URL is not set (cargo xtask bench insights sets it)")?;
    sqlx::any::install_default_drivers();
    let name = format!("bench_insights_{}", std::process::id());
    let mut conn = sqlx::AnyConnection::connect(&admin).await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Ok((format!("{base}/{name}"), Some((admin.clone(), name))))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

async fn run(backend: &str, o: &Options) -> Result<bool> {
    let dir = tempfile::tempdir()?;
    let (url, dropped) = database(backend, dir.path()).await?;
    let state = StorageOptions {
        database_url: Some(url),
        media_dir: Some(dir.path().join("media")),
    }
    .open(Clock::System)
    .await?;
    let t = Instant::now();
    let org = insights_org::build(&state, o.interviews, 15).await?;
    let built = t.elapsed();
    let c = &org.counts;
    println!(
        "\n### {backend}: {} interviews, {} responses, {} scores, {} assignments, {} decisions, \
         {} outcomes, {} invitations, {} self-identification answers, {} calibration sessions \
         over {} weeks, built in {:.1} s\n",
        c.interviews,
        c.responses,
        c.scores,
        c.assignments,
        c.decisions,
        c.outcomes,
        c.invitations,
        c.self_identifications,
        c.calibration_sessions,
        org.weeks,
        built.as_secs_f64()
    );
    let t = Instant::now();
    takes_platform::api::insights::notifier::evaluate(&state).await?;
    println!(
        "Drop-alert evaluation (the background worker's pass): {} ms\n",
        ms(t.elapsed())
    );

    let server = takes_platform::start(state.clone(), ([127, 0, 0, 1], 0).into()).await?;
    let http = reqwest::Client::new();
    let now = state.clock.now();
    let since = rfc3339(now - 90 * DAY);
    let until = rfc3339(now - 30 * DAY);
    let role = org.role_ids.first().cloned().unwrap_or_default();
    let department = org.departments.first().cloned().unwrap_or_default();
    let filters: Vec<(&str, String)> = vec![
        ("none", String::new()),
        ("role", format!("role={role}")),
        ("department", format!("department={department}")),
        ("date range", format!("since={since}&until={until}")),
    ];
    let paths = [
        "funnel",
        "turnaround",
        "scores",
        "shift",
        "reliability",
        "validity",
        "adverse-impact",
        "alerts",
        "me",
    ];
    println!("| request | filter | p50 ms | max ms |");
    println!("|---|---|---:|---:|");
    let mut all_under = true;
    // TAKES_BENCH_PATHS=scores,shift: only those requests.
    let only = std::env::var("TAKES_BENCH_PATHS").unwrap_or_default();
    for path in paths
        .into_iter()
        .filter(|p| only.is_empty() || only.split(',').any(|o| o == *p))
    {
        let token = if path == "me" {
            &org.reviewer_token
        } else {
            &org.recruiter_token
        };
        for (label, query) in &filters {
            // The alerts list has no period filter.
            if path == "alerts" && *label == "date range" {
                continue;
            }
            let url = format!(
                "{}/v1/insights/{path}?{}",
                server.base_url(),
                query.replace('+', "%2B").replace(':', "%3A")
            );
            let mut times = Vec::new();
            // One unmeasured request first: connection and caches.
            for round in 0..=o.rounds {
                let t = Instant::now();
                let r = http.get(&url).bearer_auth(token).send().await?;
                let status = r.status();
                let body = r.bytes().await?;
                let took = t.elapsed();
                if !status.is_success() {
                    bail!("{url}: {status}: {}", String::from_utf8_lossy(&body));
                }
                if round > 0 {
                    times.push(took);
                }
            }
            times.sort();
            let (p50, max) = (percentile(&times, 0.5), percentile(&times, 1.0));
            all_under &= max < Duration::from_secs(1);
            println!(
                "| `/v1/insights/{path}` | {label} | {} | {} |",
                ms(p50),
                ms(max)
            );
        }
    }
    let _ = server.stop().await;
    state.db.pool.close().await;
    if let Some((admin, name)) = dropped {
        let mut conn = sqlx::AnyConnection::connect(&admin).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await?;
    }
    Ok(all_under)
}

#[tokio::main]
async fn main() -> Result<()> {
    let o = options()?;
    let mut missed = Vec::new();
    for backend in &o.backends {
        if !run(backend, &o).await? {
            missed.push(*backend);
        }
    }
    if missed.is_empty() {
        println!("\nEvery request under 1 s.");
    } else {
        println!("\nSome requests took 1 s or more on: {}", missed.join(", "));
    }
    Ok(())
}
