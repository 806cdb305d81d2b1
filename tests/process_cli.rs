//! `takes process plan|apply|export` as an organisation runs them: the real
//! binary, and for everything past the file checks a real `takes serve` on
//! a new SQLite or PostgreSQL database.

mod cli_support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cli_support::{fresh_database, takes};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/process.toml")
}

/// `takes ARGS` with no ambient server, token or config (a home of its own).
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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn status(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Nothing listens on port 1.
const NOWHERE: &[&str] = &["--server", "http://127.0.0.1:1", "--token", "tk_unused"];

const INVALID: &str = r#"[[user]]
email = "riley@example"

[[role]]
key = "backend-2027"
titel = "Backend Engineer"

[[role.question]]
prompt = "Describe a time when you had to deliver under pressure."
competency = "Delivery"

[role.question.rubric]
scale = [1, 5]
pass = 7
"#;

#[test]
fn an_invalid_file_is_exit_2_naming_file_line_and_key_and_sends_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, INVALID).expect("write");
    let file = path.to_string_lossy().to_string();
    let out = run(
        dir.path(),
        &[&["process", "plan", &file][..], NOWHERE].concat(),
    );
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{file}:4:1: role[0]: missing `title` (it is required)"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:6:1: unknown key `titel` in role[0]; did you mean `title`?"
        )),
        "{err}"
    );
    // Nothing was sent: an unreachable server was never contacted.
    assert!(!err.contains("cannot reach"), "{err}");
    assert_eq!(stdout(&out), "");

    // Once the shape is right, every validation error at its line.
    std::fs::write(&path, INVALID.replace("titel", "title")).expect("write");
    let out = run(
        dir.path(),
        &[&["process", "apply", &file][..], NOWHERE].concat(),
    );
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{file}:2:1: user[0].email: \"riley@example\" is not an email address"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:14:1: role[0].question[0].rubric.pass: 7 is outside the scale [1, 5]"
        )),
        "{err}"
    );
    assert!(!err.contains("cannot reach"), "{err}");
}

#[test]
fn strict_refuses_a_file_with_warnings_with_exit_2() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("p.toml");
    let text = std::fs::read_to_string(example())
        .expect("example")
        .replacen("retakes = 1", "retakes = 0", 1);
    std::fs::write(&path, text).expect("write");
    let file = path.to_string_lossy().to_string();
    let out = run(
        dir.path(),
        &[&["process", "plan", &file, "--strict"][..], NOWHERE].concat(),
    );
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{file}:55:1: warning: role[0].retakes: no retake")),
        "{err}"
    );
    assert!(err.contains("--strict: nothing sent"), "{err}");
    assert!(!err.contains("cannot reach"), "{err}");

    // Without --strict the warning is printed and the plan goes on (to a
    // server that is not there: exit 1, saying so).
    let out = run(
        dir.path(),
        &[&["process", "plan", &file][..], NOWHERE].concat(),
    );
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: role[0].retakes"), "{err}");
    assert!(
        err.contains("cannot reach the server at http://127.0.0.1:1"),
        "{err}"
    );
}

#[test]
fn the_example_is_valid_and_clean_even_under_strict() {
    let dir = tempfile::tempdir().expect("dir");
    let file = example().to_string_lossy().to_string();
    let out = run(
        dir.path(),
        &[&["process", "plan", &file, "--strict"][..], NOWHERE].concat(),
    );
    let err = stderr(&out);
    // Past every check, stopped only by the missing server.
    assert_eq!(status(&out), 1, "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(err.contains("cannot reach the server"), "{err}");
}

#[test]
fn no_token_is_exit_1_saying_how_to_give_one() {
    let dir = tempfile::tempdir().expect("dir");
    let file = example().to_string_lossy().to_string();
    let out = run(
        dir.path(),
        &["process", "plan", &file, "--server", "http://127.0.0.1:1"],
    );
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("no API token"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn tokens_out_is_made_private_before_anything_is_sent() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let tokens = dir.path().join("tokens.txt");
    std::fs::write(&tokens, "old").expect("write");
    std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let file = example().to_string_lossy().to_string();
    let out = run(
        dir.path(),
        &[
            &[
                "process",
                "apply",
                &file,
                "--tokens-out",
                &tokens.to_string_lossy(),
            ][..],
            NOWHERE,
        ]
        .concat(),
    );
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    let mode = std::fs::metadata(&tokens)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}

// ---------------------------------------------------------------------
// Against a real `takes serve` (needs the server side of issue 11).
// ---------------------------------------------------------------------

struct Serve {
    child: Child,
    url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `takes serve` on a free port of a new database, and an admin's token.
async fn serve(postgres: bool, dir: &Path) -> (Serve, String) {
    let db = fresh_database(postgres, dir, "process.db").await;
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
    assert!(out.status.success(), "{}", stderr(&out));
    let token = stdout(&out).trim().to_string();
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
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let up = reqwest::get(format!("{}/v1/health", srv.url))
            .await
            .is_ok_and(|r| r.status().is_success());
        if up {
            break;
        }
        assert!(Instant::now() < deadline, "takes serve did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (srv, token)
}

fn with_server<'a>(args: &[&'a str], srv: &'a Serve, token: &'a str) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend(["--server", &srv.url, "--token", token]);
    v
}

async fn http(
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<serde_json::Value>,
    if_match: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    if let Some(m) = if_match {
        req = req.header("If-Match", m);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let json = resp.json().await.unwrap_or(serde_json::Value::Null);
    (status, json)
}

async fn plan_apply_export_invite(postgres: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let home = dir.path();
    let (srv, admin) = serve(postgres, home).await;
    let file = example().to_string_lossy().to_string();

    // Plan against the empty server: every user and role to create.
    let out = run(
        home,
        &with_server(&["process", "plan", &file], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let plan = stdout(&out);
    assert!(plan.contains("+ priya@example.com"), "{plan}");
    assert!(plan.contains("+ backend-2027"), "{plan}");
    let last = plan.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Plan: ") && last.ends_with(" 0 to deactivate, 0 to archive."),
        "{plan}"
    );

    // The same file with an intro video beside it: apply uploads it.
    let clip =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/takes-platform/demo/clips/c01-q1.webm");
    std::fs::copy(&clip, home.join("intro-backend.webm")).expect("clip");
    let with_video = std::fs::read_to_string(example())
        .expect("example")
        .replacen(
            "invitation_message = \"\"\"",
            "intro_video = \"intro-backend.webm\"\ninvitation_message = \"\"\"",
            1,
        );
    let file = home.join("process.toml").to_string_lossy().to_string();
    std::fs::write(&file, with_video).expect("write");

    // Plan hashes the new video without uploading it, and plans it.
    let out = run(
        home,
        &with_server(&["process", "plan", &file], &srv, &admin),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+ backend-2027"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Apply: tokens to a private file, never printed.
    let tokens = home.join("tokens.txt");
    let tokens_arg = tokens.to_string_lossy().to_string();
    let out = run(
        home,
        &with_server(
            &["process", "apply", &file, "--tokens-out", &tokens_arg],
            &srv,
            &admin,
        ),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("uploaded "), "{}", stderr(&out));
    assert!(stdout(&out).contains("Applied: "), "{}", stdout(&out));
    assert!(!stdout(&out).contains("tk_"), "{}", stdout(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&tokens)
            .expect("tokens")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let written = std::fs::read_to_string(&tokens).expect("tokens");
    let token_of = |email: &str| {
        written
            .lines()
            .find(|l| l.starts_with(&format!("{email} ")))
            .and_then(|l| l.split(' ').nth(2))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no token for {email} in {written}"))
    };
    // The admin made by `token create` has no email: the file's admins are new.
    let priya = token_of("priya@example.com");
    assert!(priya.starts_with("tk_"), "{written}");

    // Idempotent: applying or planning again changes nothing.
    let out = run(
        home,
        &with_server(&["process", "apply", &file], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "No changes.");
    let out = run(
        home,
        &with_server(&["process", "plan", &file], &srv, &admin),
    );
    assert_eq!(stdout(&out).trim(), "No changes.", "{}", stderr(&out));

    // Export, then plan the export: no changes (the round trip). The intro
    // video is saved beside the exported file.
    std::fs::create_dir(home.join("ex")).expect("dir");
    let exported = home.join("ex/exported.toml");
    let exported_arg = exported.to_string_lossy().to_string();
    let out = run(
        home,
        &with_server(&["process", "export", &exported_arg], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let out = run(
        home,
        &with_server(&["process", "plan", &exported_arg], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "No changes.", "{}", stderr(&out));
    assert_eq!(
        std::fs::read(home.join("ex/intro-backend.webm")).expect("the downloaded intro video"),
        std::fs::read(&clip).expect("clip")
    );

    // A changed title is one update, at its role.
    let edited = home.join("edited.toml");
    let text = std::fs::read_to_string(&exported).expect("exported");
    std::fs::write(
        &edited,
        text.replacen("\"Backend Engineer\"", "\"Senior Backend Engineer\"", 1),
    )
    .expect("write");
    let edited_arg = edited.to_string_lossy().to_string();
    let out = run(
        home,
        &with_server(&["process", "plan", &edited_arg], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let plan = stdout(&out);
    assert!(
        plan.lines().any(|l| l.starts_with("~ backend-2027")),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to create, 1 to update, 0 new versions"),
        "{plan}"
    );

    // A plan made before someone else's apply is refused (412) and changes
    // nothing.
    let (code, doc) = http(
        reqwest::Method::GET,
        format!("{}/v1/process", srv.url),
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(code, 200, "{doc}");
    let body = serde_json::json!({ "document": doc, "prune": false });
    let (code, stale) = http(
        reqwest::Method::POST,
        format!("{}/v1/process/plan", srv.url),
        &admin,
        Some(body.clone()),
        None,
    )
    .await;
    assert_eq!(code, 200, "{stale}");
    let out = run(
        home,
        &with_server(&["process", "apply", &edited_arg], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let etag = stale["etag"].as_str().expect("etag").to_string();
    let (code, problem) = http(
        reqwest::Method::PUT,
        format!("{}/v1/process", srv.url),
        &admin,
        Some(body),
        Some(&etag),
    )
    .await;
    assert_eq!(code, 412, "{problem}");
    let out = run(
        home,
        &with_server(&["process", "plan", &edited_arg], &srv, &admin),
    );
    assert_eq!(
        stdout(&out).trim(),
        "No changes.",
        "the stale apply changed nothing"
    );

    // The server refuses what only it can check: exit 1 with its detail.
    let unknown = home.join("unknown.toml");
    std::fs::write(
        &unknown,
        text.replacen("reviewers = [", "reviewers = [\"nobody@example.com\", ", 1),
    )
    .expect("write");
    let out = run(
        home,
        &with_server(
            &["process", "plan", &unknown.to_string_lossy()],
            &srv,
            &admin,
        ),
    );
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nobody@example.com"),
        "{}",
        stderr(&out)
    );

    // A recruiter of the file invites a candidate to the file's role.
    let (code, roles) = http(
        reqwest::Method::GET,
        format!("{}/v1/roles", srv.url),
        &priya,
        None,
        None,
    )
    .await;
    assert_eq!(code, 200, "{roles}");
    let role_id = roles["items"]
        .as_array()
        .and_then(|items| items.iter().find(|r| r["key"] == "backend-2027"))
        .and_then(|r| r["id"].as_str())
        .unwrap_or_else(|| panic!("backend-2027 in {roles}"))
        .to_string();
    let (code, invitation) = http(
        reqwest::Method::POST,
        format!("{}/v1/invitations", srv.url),
        &priya,
        Some(serde_json::json!({
            "role_id": role_id,
            "candidate_name": "Alex Candidate",
            "candidate_email": "alex@example.org",
        })),
        None,
    )
    .await;
    assert!(code == 200 || code == 201, "{code} {invitation}");
    assert_eq!(
        invitation["role"]["title"], "Senior Backend Engineer",
        "{invitation}"
    );
    assert_eq!(invitation["question_count"], 4, "{invitation}");

    // The candidate answers every question; the completed interview lands
    // in the queues of `reviewers_per_interview` (2) of the role's pool, and
    // nobody else's.
    let interview = invitation["id"].as_str().expect("interview id").to_string();
    let secret = invitation["access_secret"]
        .as_str()
        .expect("secret")
        .to_string();
    let (code, view) = http(
        reqwest::Method::GET,
        format!("{}/v1/candidate/interview", srv.url),
        &secret,
        None,
        None,
    )
    .await;
    assert_eq!(code, 200, "{view}");
    let questions: Vec<String> = view["questions"]
        .as_array()
        .map(|qs| {
            qs.iter()
                .filter_map(|q| q["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(questions.len(), 4, "{view}");
    let clips = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/takes-platform/demo/clips");
    let consent = reqwest::Client::new()
        .put(format!("{}/v1/candidate/consent", srv.url))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"decision": "agreed", "text_version": "test-1"}))
        .send()
        .await
        .expect("consent");
    assert_eq!(consent.status().as_u16(), 200, "{:?}", consent.text().await);
    for (i, q) in questions.iter().enumerate() {
        let bytes = std::fs::read(clips.join(format!("c01-q{}.webm", i + 1))).expect("clip");
        let resp = reqwest::Client::new()
            .put(format!("{}/v1/candidate/responses/{q}", srv.url))
            .bearer_auth(&secret)
            .header("content-type", "video/webm")
            .body(bytes)
            .send()
            .await
            .expect("upload");
        assert_eq!(resp.status().as_u16(), 201, "{:?}", resp.text().await);
    }
    let mut reviewing = Vec::new();
    for email in ["riley@example.com", "sam@example.com", "noor@example.com"] {
        let (code, queue) = http(
            reqwest::Method::GET,
            format!("{}/v1/queue", srv.url),
            &token_of(email),
            None,
            None,
        )
        .await;
        assert_eq!(code, 200, "{queue}");
        let has = queue["items"].as_array().is_some_and(|items| {
            items
                .iter()
                .any(|a| a["interview_id"] == interview.as_str())
        });
        if has {
            reviewing.push(email);
        }
    }
    assert_eq!(reviewing.len(), 2, "assigned to {reviewing:?}");
    let (code, queue) = http(
        reqwest::Method::GET,
        format!("{}/v1/queue", srv.url),
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(code, 200, "{queue}");
    assert!(
        !queue.to_string().contains(&interview),
        "the admin is not in the pool: {queue}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_plan_apply_export_invite_sqlite() {
    plan_apply_export_invite(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_plan_apply_export_invite_postgres() {
    plan_apply_export_invite(true).await;
}

/// Intro video captions named by a path beside the process file: a bad
/// cue stops `apply` before anything is sent (exit 2, naming the file's
/// key and the captions file's line); a good file is checked, uploaded
/// and named in the stored process.
async fn intro_captions_by_path(postgres: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let home = dir.path();
    let (srv, admin) = serve(postgres, home).await;
    let clip =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/takes-platform/demo/clips/c01-q1.webm");
    std::fs::copy(&clip, home.join("intro.webm")).expect("clip");
    let text = std::fs::read_to_string(example()).expect("example").replacen(
        "invitation_message = \"\"\"",
        "intro_video = { path = \"intro.webm\", captions = { path = \"captions/intro.vtt\", language = \"en\" } }\ninvitation_message = \"\"\"",
        1,
    );
    let line = text
        .lines()
        .position(|l| l.starts_with("intro_video = "))
        .expect("the intro video line")
        + 1;
    let file = home.join("process.toml").to_string_lossy().to_string();
    std::fs::write(&file, text).expect("write");
    std::fs::create_dir(home.join("captions")).expect("dir");
    let vtt = home.join("captions/intro.vtt");
    let stored_process = || async {
        http(
            reqwest::Method::GET,
            format!("{}/v1/process", srv.url),
            &admin,
            None,
            None,
        )
        .await
    };
    let (_, before) = stored_process().await;

    // Cue 2's timing is malformed (line 6 of the captions file).
    std::fs::write(
        &vtt,
        "WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n\n00:02.000 --> 00:0x.000\nWelcome.\n",
    )
    .expect("vtt");
    let out = run(
        home,
        &with_server(&["process", "apply", &file], &srv, &admin),
    );
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("process.toml:{line}:"))
            && err.contains("role[0].intro_video.captions")
            && err.contains("intro.vtt")
            && err.contains("line 6: malformed cue timing"),
        "{err}"
    );
    assert!(!err.contains("uploaded "), "{err}");
    let (_, after) = stored_process().await;
    assert_eq!(after, before, "a refused file changed the server");

    // A good file: checked, uploaded, and the role's intro video names it.
    let good = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n\n00:02.000 --> 00:04.000\nWelcome.\n";
    std::fs::write(&vtt, good).expect("vtt");
    let out = run(
        home,
        &with_server(&["process", "apply", &file], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("intro.vtt (") && stderr(&out).contains("2 cues"),
        "{}",
        stderr(&out)
    );
    let (_, doc) = stored_process().await;
    let role = doc["roles"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["key"] == "backend-2027"))
        .unwrap_or_else(|| panic!("no backend role in {doc}"));
    let sha = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(good.as_bytes()))
    };
    assert_eq!(
        role["intro_video"]["captions"]["sha256"],
        sha.as_str(),
        "{role}"
    );
    assert_eq!(role["intro_video"]["captions"]["language"], "en", "{role}");
    assert_eq!(
        role["intro_video"]["captions"]["file_name"], "intro.vtt",
        "{role}"
    );

    // Again: nothing to change.
    let out = run(
        home,
        &with_server(&["process", "apply", &file], &srv, &admin),
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "No changes.", "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intro_captions_by_path_sqlite() {
    intro_captions_by_path(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intro_captions_by_path_postgres() {
    intro_captions_by_path(true).await;
}
