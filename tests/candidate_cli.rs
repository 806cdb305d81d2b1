//! `takes candidate invite|accommodate` as a recruiter runs them: the real
//! binary against a real `takes serve` on a new SQLite or PostgreSQL
//! database. The printed link answers with the candidate page; bad input
//! is a clear error naming what is wrong, and stores nothing.

mod cli_support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cli_support::{fresh_database, takes};
use sqlx::Connection;

fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_takes"))
        .args(args)
        .env_remove("TAKES_SERVER")
        .env_remove("TAKES_TOKEN")
        .env_remove("TAKES_CONFIG")
        .env_remove("TAKES_DATABASE")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .output()
        .expect("run takes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Serve {
    child: Child,
    url: String,
    db: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `takes serve` on a free port of a new database, and an admin's token.
async fn serve(postgres: bool, dir: &Path) -> (Serve, String) {
    let db = fresh_database(postgres, dir, "candidate.db").await;
    let out = takes(&[
        "token",
        "create",
        "--name",
        "Ines Okafor",
        "--role",
        "admin",
        "--database",
        &db,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let bind = format!("127.0.0.1:{port}");
    let log = std::fs::File::create(dir.join("serve.log")).expect("log");
    let child = Command::new(env!("CARGO_BIN_EXE_takes"))
        .args(["serve", "--bind", &bind, "--database", &db, "--media-dir"])
        .arg(dir.join("media"))
        .env_remove("TAKES_SERVER_CONFIG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("takes serve");
    let srv = Serve {
        child,
        url: format!("http://{bind}"),
        db,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reqwest::get(format!("{}/v1/health", srv.url))
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(Instant::now() < deadline, "takes serve did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (srv, token)
}

async fn count(srv: &Serve, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&srv.db)
        .await
        .expect("database");
    sqlx::query_scalar(sql)
        .fetch_one(&mut conn)
        .await
        .expect("count")
}

async fn invite_and_accommodate(postgres: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let home = dir.path();
    let (srv, admin) = serve(postgres, home).await;
    let with = |args: &[&str]| -> Output {
        // `candidate` takes the connection before the subcommand;
        // `process` takes it after.
        let connection = ["--server", srv.url.as_str(), "--token", admin.as_str()];
        let v: Vec<&str> = if args[0] == "candidate" {
            connection.iter().chain(args).copied().collect()
        } else {
            args.iter().chain(&connection).copied().collect()
        };
        run(home, &v)
    };
    // A role to invite to, made the way an organisation makes them.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/process.toml");
    let out = with(&["process", "apply", &example.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let roles: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/v1/roles", srv.url))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("roles")
        .json()
        .await
        .expect("json");
    let role = roles["items"][0]["id"]
        .as_str()
        .expect("a role")
        .to_string();
    let stored = "SELECT (SELECT COUNT(*) FROM interviews) + (SELECT COUNT(*) FROM invitations) \
                  + (SELECT COUNT(*) FROM candidate_accommodations)";

    // Bad input: a clear error naming what is wrong; nothing stored.
    for (args, says) in [
        (
            vec![
                "candidate",
                "invite",
                "--role",
                "no-such-role",
                "--name",
                "Ada Lovelace",
                "--email",
                "ada@example.org",
            ],
            "role",
        ),
        (
            vec![
                "candidate",
                "invite",
                "--role",
                &role,
                "--name",
                "Ada Lovelace",
                "--email",
                "ada-at-example.org",
            ],
            "candidate_email",
        ),
    ] {
        let out = with(&args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stdout)
        );
        let err = text(&out.stderr);
        assert!(
            err.starts_with("takes candidate: ") && err.contains(says),
            "{args:?}: {err}"
        );
        assert!(
            !text(&out.stdout).contains("/candidate#"),
            "{}",
            text(&out.stdout)
        );
    }
    assert_eq!(count(&srv, stored).await, 0);

    // The link is printed, and it opens the candidate page.
    let out = with(&[
        "candidate",
        "invite",
        "--role",
        &role,
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let link = printed
        .lines()
        .find_map(|l| l.strip_prefix("Candidate link (shown once): "))
        .unwrap_or_else(|| panic!("no link in {printed}"))
        .to_string();
    let interview = printed
        .split("(interview ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| panic!("no interview id in {printed}"))
        .to_string();
    let (page, secret) = link.split_once('#').expect("a secret after #");
    assert!(
        page.starts_with(&srv.url) && page.ends_with("/candidate"),
        "{link}"
    );
    let resp = reqwest::get(page).await.expect("the page");
    assert_eq!(resp.status().as_u16(), 200);
    let kind = resp.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(resp.text().await.expect("html").contains("<html"));
    // The secret opens the candidate's interview.
    let view = reqwest::Client::new()
        .get(format!("{}/v1/candidate/interview", srv.url))
        .bearer_auth(secret)
        .send()
        .await
        .expect("interview");
    assert_eq!(view.status().as_u16(), 200);

    // Accommodations: negative hours and an unknown interview are refused.
    let before = count(&srv, "SELECT COUNT(*) FROM candidate_accommodations").await;
    for (args, says) in [
        (
            vec![
                "candidate",
                "accommodate",
                &interview,
                "--extra-window-hours=-5",
            ],
            "extra_window_hours",
        ),
        (
            vec![
                "candidate",
                "accommodate",
                "no-such-interview",
                "--extra-retakes",
                "1",
            ],
            "no-such-interview",
        ),
    ] {
        let out = with(&args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stdout)
        );
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(
        count(&srv, "SELECT COUNT(*) FROM candidate_accommodations").await,
        before
    );
    let out = with(&[
        "candidate",
        "accommodate",
        &interview,
        "--extra-window-hours",
        "24",
        "--extra-retakes",
        "1",
        "--audio-only",
        "--note",
        "test",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("+24 h window")
            && said.contains("+1 retakes")
            && said.contains("audio only: yes"),
        "{said}"
    );
    assert_eq!(
        count(&srv, "SELECT COUNT(*) FROM candidate_accommodations").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candidate_invite_and_accommodate_sqlite() {
    invite_and_accommodate(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candidate_invite_and_accommodate_postgres() {
    invite_and_accommodate(true).await;
}
