//! The insights benchmark (issue 15): builds an organisation of N
//! interviews (default 100,000) with `seed::insights_org` through the bulk
//! path, timing the build, then asks every `/v1/insights/...` GET over
//! real HTTP (no filter, one role, one department, a date range) and
//! prints p50 and max per request as a Markdown table. The target is under
//! 1 s per request on SQLite and on PostgreSQL. Two more figures: the
//! first request after the server starts (it waits for the ratings rollup
//! the server loads at start), and, per path, one unfiltered request right
//! after one new submitted sheet (what a live system pays).
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
    /// Keep the built databases (SQLite file and `org` notes in this
    /// directory, PostgreSQL database `bench_insights_keep`) and reuse them
    /// on the next run, so a query change is measured without a rebuild.
    keep: Option<std::path::PathBuf>,
    /// Only these insights paths (comma-separated), all when empty.
    only: Vec<String>,
}

fn options() -> Result<Options> {
    let mut o = Options {
        interviews: 100_000,
        rounds: 5,
        backends: vec!["sqlite", "postgres"],
        keep: None,
        only: Vec::new(),
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
            "--keep" => o.keep = Some(value.into()),
            "--only" => o.only = value.split(',').map(str::to_string).collect(),
            other => bail!("unknown option {other}"),
        }
        i += 2;
    }
    Ok(o)
}

/// The database to build or reuse: a SQLite file in `dir`, or a database
/// on the PostgreSQL server (returned with the server's URL so a
/// throwaway one can be dropped afterwards; a kept one is not). The flag
/// says whether a kept database already holds an organisation.
async fn database(
    backend: &str,
    dir: &std::path::Path,
    keep: bool,
) -> Result<(String, Option<(String, String)>, bool)> {
    let built = keep && dir.join(format!("org-{backend}.txt")).exists();
    if backend == "sqlite" {
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        return Ok((url, None, built));
    }
    let admin = std::env::var("TAKES_BENCH_POSTGRES_URL")
        .context("TAKES_BENCH_POSTGRES_URL is not set (cargo xtask bench insights sets it)")?;
    sqlx::any::install_default_drivers();
    let name = if keep {
        "bench_insights_keep".to_string()
    } else {
        format!("bench_insights_{}", std::process::id())
    };
    let mut conn = sqlx::AnyConnection::connect(&admin).await?;
    if !built {
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await?;
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await?;
    }
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Ok((format!("{base}/{name}"), Some((admin.clone(), name)), built))
}

/// What the requests need from a built organisation, kept next to a kept
/// database: one value a line.
struct Kept {
    recruiter_token: String,
    reviewer_token: String,
    role: String,
    department: String,
    summary: String,
}

impl Kept {
    fn of(org: &insights_org::Organisation, summary: String) -> Kept {
        Kept {
            recruiter_token: org.recruiter_token.clone(),
            reviewer_token: org.reviewer_token.clone(),
            role: org.role_ids.first().cloned().unwrap_or_default(),
            department: org.departments.first().cloned().unwrap_or_default(),
            summary,
        }
    }

    fn save(&self, path: &std::path::Path) -> Result<()> {
        let text = [
            &self.recruiter_token,
            &self.reviewer_token,
            &self.role,
            &self.department,
            &self.summary,
        ]
        .map(|s| s.as_str())
        .join("\n");
        std::fs::write(path, text).with_context(|| path.display().to_string())
    }

    fn load(path: &std::path::Path) -> Result<Kept> {
        let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let mut lines = text.lines().map(str::to_string);
        let mut next = || lines.next().unwrap_or_default();
        Ok(Kept {
            recruiter_token: next(),
            reviewer_token: next(),
            role: next(),
            department: next(),
            summary: next(),
        })
    }
}

/// One GET, tried again once when the connection was reset (a server may
/// close a keep-alive connection after a long answer).
async fn get(http: &reqwest::Client, url: &str, token: &str) -> Result<(Duration, bool, String)> {
    let mut tries = 0;
    loop {
        tries += 1;
        let t = Instant::now();
        let sent = match http.get(url).bearer_auth(token).send().await {
            Ok(r) => r,
            Err(e) if tries < 3 && (e.is_connect() || e.is_request()) => continue,
            Err(e) => return Err(e.into()),
        };
        let status = sent.status();
        let body = match sent.bytes().await {
            Ok(b) => b,
            Err(_) if tries < 3 => continue,
            Err(e) => return Err(e.into()),
        };
        let took = t.elapsed();
        let text = if status.is_success() {
            String::new()
        } else {
            format!("{status}: {}", String::from_utf8_lossy(&body))
        };
        return Ok((took, status.is_success(), text));
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

async fn run(backend: &str, o: &Options) -> Result<bool> {
    let temp = tempfile::tempdir()?;
    let dir = match &o.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let (url, dropped, reuse) = database(backend, &dir, o.keep.is_some()).await?;
    let notes = dir.join(format!("org-{backend}.txt"));
    if !reuse && backend == "sqlite" {
        let _ = std::fs::remove_file(dir.join("bench.db"));
    }
    let state = StorageOptions {
        database_url: Some(url),
        media_dir: Some(dir.join("media")),
    }
    .open(Clock::System)
    .await?;
    let kept = if reuse {
        let kept = Kept::load(&notes)?;
        println!("\n### {backend} (kept database): {}\n", kept.summary);
        kept
    } else {
        let t = Instant::now();
        let org = insights_org::build(&state, o.interviews, 15).await?;
        let built = t.elapsed();
        let summary = summary(&org, built);
        println!("\n### {backend}: {summary}\n");
        let kept = Kept::of(&org, summary);
        if o.keep.is_some() {
            kept.save(&notes)?;
        }
        kept
    };
    let t = Instant::now();
    takes_platform::api::insights::notifier::evaluate(&state).await?;
    println!(
        "Drop-alert evaluation (the background worker's pass): {} ms\n",
        ms(t.elapsed())
    );
    let all_under = requests(&state, &kept, o).await?;
    state.db.pool.close().await;
    if let (Some((admin, name)), None) = (dropped, &o.keep) {
        let mut conn = sqlx::AnyConnection::connect(&admin).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await?;
    }
    Ok(all_under)
}

fn summary(org: &insights_org::Organisation, built: Duration) -> String {
    let c = &org.counts;
    format!(
        "{} interviews, {} responses, {} scores, {} assignments, {} decisions, \
         {} outcomes, {} invitations, {} self-identification answers, {} calibration sessions \
         over {} weeks, built in {:.1} s",
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
    )
}

/// One new submitted sheet, as a reviewer's submit leaves it: a new
/// assignment of a completed interview to a user not yet on it, a rating
/// for each of its questions, submitted now. False when none can be made.
async fn submit_one(state: &takes_platform::AppState) -> Result<bool> {
    use sqlx::Row;
    use takes_platform::store::assignments::{self, NewScore};
    let mut w = state.db.begin_write().await?;
    let Some(pick) = sqlx::query(
        "SELECT i.id, i.question_set_id, u.id FROM interviews i CROSS JOIN users u \
         WHERE i.completed_at IS NOT NULL AND NOT EXISTS \
           (SELECT 1 FROM assignments a WHERE a.interview_id = i.id AND a.reviewer_id = u.id) LIMIT 1",
    )
    .fetch_optional(&mut *w.tx)
    .await?
    else {
        return Ok(false);
    };
    let (interview, set, user): (String, String, String) =
        (pick.try_get(0)?, pick.try_get(1)?, pick.try_get(2)?);
    let questions = sqlx::query("SELECT id FROM questions WHERE question_set_id = $1")
        .bind(&set)
        .fetch_all(&mut *w.tx)
        .await?;
    let now = state.clock.now();
    let id =
        assignments::assignment(&mut w.tx, &interview, &user, now, now + DAY, Some(now)).await?;
    for q in &questions {
        let question: String = q.try_get(0)?;
        let score = NewScore {
            assignment_id: &id,
            question_id: &question,
            rating: 3,
            muted_rating: Some(2),
            note: None,
            at: now,
        };
        assignments::score(&mut w.tx, score).await?;
    }
    w.commit().await?;
    Ok(true)
}

/// Times every insights GET; true when every one took under 1 s.
async fn requests(state: &takes_platform::AppState, org: &Kept, o: &Options) -> Result<bool> {
    let started = Instant::now();
    let server = takes_platform::start(state.clone(), ([127, 0, 0, 1], 0).into()).await?;
    let http = reqwest::Client::new();
    let now = state.clock.now();
    let since = rfc3339(now - 90 * DAY);
    let until = rfc3339(now - 30 * DAY);
    let (role, department) = (&org.role, &org.department);
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
    let mut all_under = true;
    // The first request after start waits for the rollup the server began
    // loading when it started.
    if let Some(path) = paths
        .iter()
        .find(|p| o.only.is_empty() || o.only.iter().any(|x| x == *p))
    {
        let token = if *path == "me" {
            &org.reviewer_token
        } else {
            &org.recruiter_token
        };
        let url = format!("{}/v1/insights/{path}", server.base_url());
        let (took, ok, problem) = get(&http, &url, token).await?;
        if !ok {
            bail!("{url}: {problem}");
        }
        all_under &= took < Duration::from_secs(1);
        println!(
            "First request after start (`/v1/insights/{path}`, cold): {} ms\n",
            ms(took)
        );
    }
    // At start the server loads the ratings rollup and draws the
    // organisation's validity in the background; the table is what it
    // answers once both passes are done (a request during them shares the
    // two cores with them).
    for (name, what) in [
        ("insights-rollup", "ratings rollup load"),
        ("insights-validity-warm", "validity draw"),
    ] {
        loop {
            let worker = server.workers().into_iter().find(|w| w.name == name);
            match worker {
                Some(w) if w.ticks > 0 => {
                    if let Some(e) = w.last_error {
                        bail!("the background {what} failed: {e}");
                    }
                    println!(
                        "Background {what} at start: done {} ms after the server started\n",
                        ms(started.elapsed())
                    );
                    break;
                }
                Some(_) if started.elapsed() < Duration::from_secs(300) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ => bail!("the background {what} did not finish"),
            }
        }
    }
    println!("| request | filter | p50 ms | max ms |");
    println!("|---|---|---:|---:|");
    let mut after_write = Vec::new();
    for path in paths {
        if !o.only.is_empty() && !o.only.iter().any(|p| p == path) {
            continue;
        }
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
                let (took, ok, problem) = get(&http, &url, token).await?;
                if !ok {
                    bail!("{url}: {problem}");
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
        if submit_one(state).await? {
            let url = format!("{}/v1/insights/{path}", server.base_url());
            let (took, ok, problem) = get(&http, &url, token).await?;
            if !ok {
                bail!("{url}: {problem}");
            }
            all_under &= took < Duration::from_secs(1);
            after_write.push(format!(
                "| `/v1/insights/{path}` | none, right after one new submission | {} | {} |",
                ms(took),
                ms(took)
            ));
        }
    }
    for line in after_write {
        println!("{line}");
    }
    let _ = server.stop().await;
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
