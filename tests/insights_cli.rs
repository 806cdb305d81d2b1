//! `takes report` and `takes outcomes import` as a recruiter runs them: the real binary against a real
//! `takes-platform` on a loopback socket, on SQLite and on PostgreSQL,
//! loaded with the insights tests' hand-built data set
//! (`crates/takes-platform/tests/api/insights_data.rs`: one role, four
//! interviews, three score sheets, one decision). Every format is written;
//! the JSON report must equal what the API serves; the HTML report is
//! opened in headless Chromium (Playwright, `tests/browser/report_view.py`)
//! and its screenshots are kept under `target/report-artifacts/`.

mod cli_support;

#[path = "common/insights.rs"]
mod insights_env;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use takes_platform::clock::DAY;
use takes_platform::Clock;

/// The data set's server and a home directory of the CLI's own.
struct Env {
    inner: insights_env::Env,
    home: PathBuf,
    base: String,
    admin: String,
    reviewer: String,
    role: String,
    interviews: Vec<String>,
}

async fn start(postgres: bool) -> Env {
    let inner = insights_env::start(postgres, Clock::System, "report.db").await;
    let home = inner.dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    Env {
        home,
        base: inner.base.clone(),
        admin: inner.admin.clone(),
        reviewer: inner.data.a.clone(),
        role: inner.data.role.clone(),
        interviews: inner.data.interviews.clone(),
        inner,
    }
}

impl Env {
    /// `takes --server … --token TOKEN ARGS` with a home of its own.
    async fn takes(&self, token: &str, args: &[&str]) -> Output {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_takes"))
            .args(["--server", &self.base, "--token", token])
            .args(args)
            .env_remove("TAKES_SERVER")
            .env_remove("TAKES_TOKEN")
            .env_remove("TAKES_CONFIG")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CACHE_HOME", self.home.join("cache"))
            .output()
            .await
            .expect("run takes")
    }

    async fn api(&self, path: &str) -> Value {
        let resp = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.admin)
            .send()
            .await
            .expect("api");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.expect("json")
    }
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

async fn every_format(postgres: bool) {
    let env = start(postgres).await;
    // A calibration session on the data set's questions, closed 10 days
    // ago: Ann 1, 2, 3 and Ben 2, 3, 4 give ICC(2,1) 2/3
    // (tests/common/insights.rs), shown beside the live quarters.
    let state = &env.inner.state;
    insights_env::plant_calibration(state, "Autumn panel", state.clock.now() - 10 * DAY).await;
    let backend = if postgres { "postgres" } else { "sqlite" };
    // Every day of the data set: T0 is 30 days ago, so a window from 60
    // days ago to tomorrow holds it all.
    let day = |offset: i64| {
        (time::OffsetDateTime::now_utc() + time::Duration::days(offset))
            .date()
            .to_string()
    };
    let (since, until) = (day(-60), day(1));
    let period = ["--since", &since, "--until", &until];
    let role = ["--role", "data analyst"];

    // JSON: the same figures the API serves for the same filters (the
    // --until day is included, so the API is asked up to the day after).
    let out = env
        .takes(
            &env.admin,
            &[&["report", "--format", "json"][..], &role, &period].concat(),
        )
        .await;
    let json: Value = serde_json::from_str(&ok(&out)).expect("json report");
    let q = format!(
        "?role={}&since={since}T00:00:00Z&until={}T00:00:00Z",
        env.role,
        day(2)
    );
    for figure in [
        "funnel",
        "turnaround",
        "scores",
        "shift",
        "reliability",
        "validity",
        "adverse-impact",
    ] {
        let api = env.api(&format!("/v1/insights/{figure}{q}")).await;
        assert_eq!(json[figure], api, "{figure} differs from the API");
    }
    // The drop check looks back from "now", which moves between the two
    // requests: its checks must agree, its period bounds cannot.
    let alerts = env
        .api(&format!("/v1/insights/alerts?role={}", env.role))
        .await;
    for k in ["days", "alerts", "checked"] {
        assert_eq!(json["alerts"][k], alerts[k], "alerts.{k}");
    }
    assert_eq!(json["role"]["id"], env.role.as_str());
    let cal = &json["reliability"]["question_sets"][0]["calibration"][0];
    assert_eq!(cal["title"], "Autumn panel", "{json}");
    assert_eq!(cal["items"], 3, "{cal}");
    assert!(
        cal["reliability"]["icc2_1"]
            .as_f64()
            .is_some_and(|v| (v - 2.0 / 3.0).abs() < 1e-9),
        "{cal}"
    );
    // The data set's funnel (worked out in insights_data.rs): invited 4,
    // started 3, completed 2, reviewed 2, decided 1.
    let counts: Vec<i64> = json["funnel"]["total"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|s| s["count"].as_i64())
        .collect();
    assert_eq!(counts, [4, 3, 2, 2, 1]);
    // The role's own weekly funnel: one invitation week, 2 of 4 completed.
    let weeks = &json["weekly_by_role"][0]["weeks"];
    assert_eq!(weeks.as_array().map(Vec::len), Some(1), "{weeks}");

    // Text: the funnel's counts, the reviewers, and the plain small-n note
    // (each question has 3 ratings: I3 by Ann and Ben, I4 by Ann).
    let text = ok(&env
        .takes(&env.admin, &[&["report"][..], &role, &period].concat())
        .await);
    assert!(text.contains("Role: Data Analyst"), "{text}");
    assert!(text.contains("invited         4"), "{text}");
    assert!(
        text.contains("Ann Analyst: 2 assignments, 0 overdue"),
        "{text}"
    );
    assert!(text.contains("n = 3: too few to read"), "{text}");
    assert!(text.contains("too few hires"), "{text}");
    // Nobody in the data set self-identified: the adverse-impact section
    // says so plainly and names the minimum cell size.
    assert!(text.contains("Adverse impact"), "{text}");
    assert!(text.contains("No group is large enough to show."), "{text}");
    assert!(text.contains("fewer than 5 candidates"), "{text}");
    // The calibration session under its question set's quarters.
    assert!(
        text.contains("calibration \"Autumn panel\": alpha "),
        "{text}"
    );
    assert!(text.contains("ICC(2,1) 0.67 (3 items, 2 raters)"), "{text}");

    // CSV: one row per number.
    let csv = ok(&env
        .takes(
            &env.admin,
            &[&["report", "--format", "csv"][..], &role, &period].concat(),
        )
        .await);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "section,group,label,measure,value");
    for row in [
        "funnel,total,All,invited_count,4",
        "funnel,total,All,completed_count,2",
        "funnel,total,All,completed_rate_from_invited,0.5",
    ] {
        assert!(rows.contains(&row), "missing {row:?} in\n{csv}");
    }
    for row in [
        "reliability_calibration,Data Analyst v1,Autumn panel,items,3",
        "reliability_calibration,Data Analyst v1,Autumn panel,raters,2",
    ] {
        assert!(rows.contains(&row), "missing {row:?} in\n{csv}");
    }
    assert!(
        rows.iter()
            .any(|r| r
                .starts_with("reliability_calibration,Data Analyst v1,Autumn panel,icc2_1,0.666")),
        "{csv}"
    );
    // Ann's submissions took 4 h and 2 h: median 3 (the group is her id).
    assert!(
        rows.iter().any(|r| r.starts_with("turnaround_by_reviewer,")
            && r.ends_with(",Ann Analyst,to_submitted_h_p50,3")),
        "{csv}"
    );

    // HTML to a file: self-contained, then drawn by Chromium.
    let artifacts = target_dir().join("report-artifacts").join(backend);
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let file = artifacts.join("report.html");
    let path = file.to_string_lossy().to_string();
    let out = env
        .takes(
            &env.admin,
            &[
                &["report", "--format", "html", "--output", &path][..],
                &role,
                &period,
            ]
            .concat(),
        )
        .await;
    assert_eq!(ok(&out), "", "--output writes nothing to stdout");
    let html = std::fs::read_to_string(&file).expect("html written");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(r#"name="viewport""#));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("http://") || !html.contains("src="),
        "nothing fetched"
    );
    assert!(html.contains("too few to read"), "small n said plainly");
    // The session in the reliability table, beside the live quarter.
    let at = html
        .find("<td>Calibration “Autumn panel”, deadline ")
        .expect("the calibration session's row");
    let live = html.find("<td>Live reviewing</td>").expect("a live row");
    assert!(live < at, "live figures first, the session beside them");
    assert!(
        html[at..].contains(r#"<td class="n" data-label="ICC(2,1)">0.67</td><td class="n" data-label="Interviews or items">3 items</td>"#),
        "{}",
        &html[at..]
    );
    browser_check(&file, &artifacts).await;
}

/// Skipped, with a message, only when Chromium is missing (`cargo xtask
/// setup` installs it), as the candidate page's browser tests are.
async fn browser_check(file: &Path, artifacts: &Path) {
    if !Path::new("/usr/bin/chromium").exists() {
        eprintln!("SKIPPED the browser check: /usr/bin/chromium is missing");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/report_view.py");
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .arg(file)
        .arg(artifacts)
        .output()
        .await
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "report_view.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    for view in ["desktop", "phone"] {
        let v = &seen[view];
        let n = |k: &str| v[k].as_i64().unwrap_or(-1);
        // Charts: the funnel, one week, two question histograms, the shift.
        assert!(n("svgs") >= 5, "{view}: {v}");
        assert_eq!(
            n("svgs_drawn"),
            n("svgs"),
            "{view}: every chart has a size: {v}"
        );
        assert!(n("rects_drawn") > 0 && n("bars_drawn") > 0, "{view}: {v}");
        assert_eq!(n("scripts"), 0, "{v}");
        // Readable on a phone: nothing wider than the screen.
        assert!(
            n("scroll_width") <= n("inner_width"),
            "{view} scrolls sideways: {v}"
        );
        // No table scrolls sideways either: on a phone rows become cards.
        assert!(n("tables") > 3, "{view}: {v}");
        assert_eq!(n("tables_overflowing"), 0, "{view}: a table scrolls: {v}");
        assert!(n("labelled_cells") > 10, "{view}: {v}");
        if view == "phone" {
            assert_eq!(
                n("labelled_cells_shown"),
                n("labelled_cells"),
                "phone: every number shows its column's name: {v}"
            );
        } else {
            assert_eq!(
                n("labelled_cells_shown"),
                0,
                "desktop keeps its table head: {v}"
            );
        }
        assert!(artifacts.join(format!("report-{view}.png")).exists());
    }
}

async fn bad_flags(postgres: bool) {
    let env = start(postgres).await;
    for (args, expected) in [
        (
            &["report", "--role", "Astronaut"][..],
            "--role \"Astronaut\" is not a role",
        ),
        (
            &["report", "--since", "2026-02-30"][..],
            "--since \"2026-02-30\" is not a date",
        ),
        (
            &["report", "--until", "yesterday"][..],
            "--until \"yesterday\" is not a date",
        ),
        (
            &["report", "--since", "2026-11-02", "--until", "2026-11-01"][..],
            "is not after --since",
        ),
    ] {
        let out = env.takes(&env.admin, args).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    // A reviewer's token: the server refuses organisation-wide figures.
    let out = env.takes(&env.reviewer, &["report"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("403"));
    // A token the server does not know: refused, exit 1, nothing written.
    let out = env.takes("tk_not_a_token", &["report"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));
}

/// The outcomes of I3 and I4 (the completed interviews) from a file:
/// recorded, recorded again without change, and a bad file (a row naming a
/// candidate with two completed interviews) records nothing.
async fn outcomes_import(postgres: bool) {
    let env = start(postgres).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("outcomes.csv");
    let path = file.to_string_lossy().to_string();
    let (i3, i4) = (&env.interviews[2], &env.interviews[3]);
    std::fs::write(
        &file,
        format!(
            "interview_id,hired,rating_6m,rating_12m,employed_12m\n{i3},yes,4,,yes\n{i4},no,,,\n"
        ),
    )
    .expect("write");
    let out = env.takes(&env.admin, &["outcomes", "import", &path]).await;
    assert!(
        ok(&out).contains("Recorded 2 outcomes from")
            && ok(&out).contains("(2 new or changed, 0 unchanged)"),
        "{}",
        ok(&out)
    );
    let q = format!("/v1/insights/validity?role={}", env.role);
    // Both hires are counted: n = 2 for "hired" (one yes, one no).
    let n_hired = |v: &Value| {
        v["figures"]
            .as_array()
            .and_then(|f| {
                f.iter()
                    .find(|x| x["key"] == "total" && x["outcome"] == "hired")
            })
            .map(|x| x["n"].clone())
            .unwrap_or(Value::Null)
    };
    let before = env.api(&q).await;
    assert_eq!(n_hired(&before), 2, "{before}");
    let again = ok(&env.takes(&env.admin, &["outcomes", "import", &path]).await);
    assert!(again.contains("(0 new or changed, 2 unchanged)"), "{again}");

    // Line 3 names x@example.com, whose candidates have two completed
    // interviews: the whole file is refused, I3's change is not recorded.
    std::fs::write(
        &file,
        format!("candidate,interview_id,hired\n,{i3},no\nX@example.com,,yes\n"),
    )
    .expect("write");
    let out = env.takes(&env.admin, &["outcomes", "import", &path]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{path}:3: field `candidate`")),
        "{err}"
    );
    assert!(err.contains("2 completed interviews"), "{err}");
    assert!(err.contains("Nothing was recorded."), "{err}");
    assert_eq!(
        env.api(&q).await["figures"],
        before["figures"],
        "nothing changed"
    );

    // A local error: named with its line and field, nothing sent.
    std::fs::write(&file, format!("interview_id,hired\n{i3},perhaps\n")).expect("write");
    let out = env.takes(&env.admin, &["outcomes", "import", &path]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{path}:2: field `hired`: \"perhaps\" is not yes or no"
        )),
        "{err}"
    );
    // A reviewer may not record outcomes.
    std::fs::write(&file, format!("interview_id,hired\n{i3},yes\n")).expect("write");
    let out = env
        .takes(&env.reviewer, &["outcomes", "import", &path])
        .await;
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Nothing was recorded."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_import_sqlite() {
    outcomes_import(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_import_postgres() {
    outcomes_import(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_sqlite() {
    every_format(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_postgres() {
    every_format(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_sqlite() {
    bad_flags(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_postgres() {
    bad_flags(true).await;
}
