//! Shared helpers of the end-to-end tests: a real platform server running
//! in-process with the demo data, and the real `takes` binary inside tmux.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use takes_platform::{AppState, Clock, RunningServer, StorageOptions};

pub const BIN: &str = env!("CARGO_BIN_EXE_takes");

pub struct Server {
    pub rt: tokio::runtime::Runtime,
    pub server: Option<RunningServer>,
    pub state: AppState,
    pub url: String,
    /// name → (role, token)
    pub users: HashMap<String, (String, String)>,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(None)
    }

    /// A server with this configuration (TOML, as in `server.toml`).
    pub fn start_with_config(toml: &str) -> Server {
        let config = takes_platform::config::ServerConfig::parse(Path::new("e2e.toml"), toml)
            .expect("config");
        Self::start_with(Some(config))
    }

    fn start_with(config: Option<takes_platform::config::ServerConfig>) -> Server {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let (state, report, server) = rt.block_on(async {
            let opts = StorageOptions {
                database_url: Some(takes_platform::db::sqlite_url(
                    &dir.path().join("db.sqlite"),
                )),
                media_dir: Some(dir.path().join("media")),
            };
            let mut state = opts.open(Clock::System).await.expect("storage");
            if let Some(c) = config {
                state = state.with_config(c);
            }
            let report = takes_platform::seed::demo::load(&state)
                .await
                .expect("seed");
            let server = takes_platform::start(state.clone(), "127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("server");
            (state, report, server)
        });
        let users = report
            .users
            .iter()
            .map(|u| (u.name.clone(), (u.role.clone(), u.token.clone())))
            .collect();
        Server {
            url: server.base_url(),
            rt,
            server: Some(server),
            state,
            users,
            dir,
        }
    }

    pub fn token_of_role(&self, role: &str) -> String {
        let mut v: Vec<_> = self.users.iter().filter(|(_, (r, _))| r == role).collect();
        v.sort_by_key(|(n, _)| n.as_str());
        // The first demo reviewer is Riley Chen.
        if role == "reviewer" {
            if let Some((_, t)) = self.users.get("Riley Chen") {
                return t.clone();
            }
        }
        v.first()
            .map(|(_, (_, t))| t.clone())
            .expect("a user with that role")
    }

    pub fn get_json(&self, token: &str, path: &str) -> serde_json::Value {
        let url = format!("{}{}", self.url, path);
        let token = token.to_string();
        self.rt.block_on(async move {
            let resp = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            resp.json::<serde_json::Value>().await.expect("json")
        })
    }

    /// Sends `method path` with a JSON body; (status, JSON answer or Null).
    pub fn send_json(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let url = format!("{}{}", self.url, path);
        let token = token.to_string();
        self.rt.block_on(async move {
            let mut rb = reqwest::Client::new()
                .request(method, url)
                .bearer_auth(token);
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            let resp = rb.send().await.expect("request");
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
        })
    }

    pub fn get_text(&self, token: &str, path: &str) -> String {
        let url = format!("{}{}", self.url, path);
        let token = token.to_string();
        self.rt.block_on(async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request")
                .text()
                .await
                .expect("text")
        })
    }

    /// Rows of the audit log for score writes of one assignment:
    /// (question_id, rating, idempotency_key).
    pub fn score_writes(&self, assignment_id: &str) -> Vec<(String, i64, Option<String>)> {
        use sqlx::Row;
        let pool = self.state.db.pool.clone();
        let id = assignment_id.to_string();
        self.rt.block_on(async move {
            let rows = sqlx::query(
                "SELECT detail_json FROM audit_log WHERE action = 'score.written' AND entity_id = $1 ORDER BY at",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .expect("audit query");
            rows.iter()
                .map(|r| {
                    let d: String = r.try_get("detail_json").expect("detail");
                    let v: serde_json::Value = serde_json::from_str(&d).expect("json");
                    (
                        v["question_id"].as_str().unwrap_or_default().to_string(),
                        v["rating"].as_i64().unwrap_or(-1),
                        v["idempotency_key"].as_str().map(str::to_string),
                    )
                })
                .collect()
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            let _ = self.rt.block_on(s.stop());
        }
    }
}

static N: AtomicUsize = AtomicUsize::new(0);

/// A tmux server of our own (its own socket), so tests never touch the
/// user's tmux and can run in parallel.
pub struct Tmux {
    pub socket: String,
    pub session: String,
    /// The shell around `takes` writes its exit status here: tmux's own
    /// `pane_dead_status` is lost when the terminal closes before tmux reaps
    /// the process.
    exit_file: PathBuf,
}

/// How the program in a pane ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Status(i32),
}

/// tmux's configuration for the tests: a pane whose program ended stays,
/// dead, so its last screen (a panic message, say) can be read.
fn tmux_conf() -> PathBuf {
    static CONF: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CONF.get_or_init(|| {
        let p = std::env::temp_dir().join(format!("takes-test-tmux-{}.conf", std::process::id()));
        std::fs::write(&p, "set-option -g remain-on-exit on\n").expect("write tmux.conf");
        p
    })
    .clone()
}

/// Isolated XDG directories for one workstation run.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    /// With a config that plays without a sound device (CI machines have
    /// none); everything else is the default, muted-first enforced.
    pub fn new() -> Home {
        let home = Home {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        home.write_config("config.toml", "[video]\naudio = false\n");
        home
    }
    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config/takes")
    }
    pub fn env(&self) -> Vec<(String, String)> {
        let p = self.dir.path();
        vec![
            ("HOME".into(), p.display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                p.join("config").display().to_string(),
            ),
            ("XDG_DATA_HOME".into(), p.join("data").display().to_string()),
            (
                "XDG_CACHE_HOME".into(),
                p.join("cache").display().to_string(),
            ),
        ]
    }
    pub fn write_config(&self, name: &str, text: &str) -> PathBuf {
        let d = self.config_dir();
        std::fs::create_dir_all(&d).expect("config dir");
        let p = d.join(name);
        std::fs::write(&p, text).expect("write config");
        p
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Tmux {
    /// Starts `takes ARGS` in a new `w`x`h` session with `env`.
    pub fn start(home: &Home, args: &[&str], extra_env: &[(&str, &str)], w: u16, h: u16) -> Tmux {
        let n = N.fetch_add(1, Ordering::SeqCst);
        let socket = format!("takes-test-{}-{n}", std::process::id());
        let session = format!("s{n}");
        let mut cmd = String::from("env -u TAKES_TOKEN -u TAKES_SERVER -u TAKES_CONFIG -u NO_COLOR TERM=xterm-256color COLORTERM=truecolor");
        for (k, v) in home.env() {
            cmd.push_str(&format!(" {k}={}", shell_quote(&v)));
        }
        for (k, v) in extra_env {
            cmd.push_str(&format!(" {k}={}", shell_quote(v)));
        }
        cmd.push(' ');
        cmd.push_str(&shell_quote(BIN));
        for a in args {
            cmd.push(' ');
            cmd.push_str(&shell_quote(a));
        }
        let exit_file = std::env::temp_dir().join(format!("{socket}.exit"));
        let _ = std::fs::remove_file(&exit_file);
        cmd.push_str(&format!(
            "; echo $? > {}",
            shell_quote(&exit_file.display().to_string())
        ));
        let st = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                &tmux_conf().display().to_string(),
                "new-session",
                "-d",
                "-s",
                &session,
            ])
            .args(["-x", &w.to_string(), "-y", &h.to_string(), &cmd])
            .status()
            .expect("tmux must be installed");
        assert!(st.success(), "tmux new-session failed");
        Tmux {
            socket,
            session,
            exit_file,
        }
    }

    /// `takes --server URL --token TOKEN` against `srv`.
    pub fn signed_in(home: &Home, srv: &Server, token: &str, w: u16, h: u16) -> Tmux {
        Tmux::start(home, &["--server", &srv.url, "--token", token], &[], w, h)
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// Keys in tmux's names (`Enter`, `Escape`, `j`).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let _ = self
                .tmux()
                .args(["send-keys", "-t", &self.session, k])
                .status();
        }
    }

    pub fn text(&self, s: &str) {
        let _ = self
            .tmux()
            .args(["send-keys", "-t", &self.session, "-l", s])
            .status();
    }

    pub fn capture(&self) -> String {
        self.tmux()
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// The screen with colours, as SGR escape sequences.
    pub fn capture_styled(&self) -> String {
        self.tmux()
            .args(["capture-pane", "-p", "-e", "-t", &self.session])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Whether the program in the pane still runs.
    pub fn alive(&self) -> bool {
        self.has_session() && self.exit().is_none()
    }

    fn has_session(&self) -> bool {
        self.tmux()
            .args(["has-session", "-t", &self.session])
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// How the program ended, once it has (a signal shows as 128 + N, as
    /// the shell reports it).
    pub fn exit(&self) -> Option<Exit> {
        let text = std::fs::read_to_string(&self.exit_file).ok()?;
        text.trim().parse().ok().map(Exit::Status)
    }

    /// Waits for the program to end and asserts that it ended cleanly (exit
    /// status 0); a panic or an error exit fails with the last screen.
    pub fn assert_exits_cleanly(&self, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(exit) = self.exit() {
                assert_eq!(
                    exit,
                    Exit::Status(0),
                    "takes did not exit cleanly; last screen:\n{}",
                    self.capture()
                );
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "takes still runs after {secs} s; screen:\n{}",
                    self.capture()
                );
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Polls the screen until `pred` holds; panics with the screen after `secs`.
    pub fn wait(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.capture();
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Waits until the queue shows at least one row.
    pub fn wait_queue(&self) -> String {
        self.wait("queue rows", 15, |s| {
            s.lines()
                .any(|l| l.contains("showing ") && !l.contains("showing 0"))
        })
    }

    pub fn wait_for(&self, needle: &str, secs: u64) -> String {
        self.wait(needle, secs, |s| s.contains(needle))
    }

    /// The pid of `takes`: the one child of the shell in the pane.
    pub fn pid(&self) -> Option<i32> {
        let out = self
            .tmux()
            .args(["display-message", "-p", "-t", &self.session, "#{pane_pid}"])
            .output()
            .ok()?;
        let shell: i32 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
        let children =
            std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// Waits until the program has ended, however it ended.
    pub fn wait_gone(&self, secs: u64) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if !self.alive() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(40));
        }
        false
    }

    /// Resizes the terminal the program runs in.
    pub fn resize(&self, w: u16, h: u16) {
        let _ = self
            .tmux()
            .args(["resize-window", "-t", &self.session])
            .args(["-x", &w.to_string(), "-y", &h.to_string()])
            .status();
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.exit_file);
        let _ = self
            .tmux()
            .arg("kill-server")
            .stderr(std::process::Stdio::null())
            .status();
    }
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// The SGR sequences of `styled` (a `capture_styled` screen) that set a
/// foreground or background colour; resets to the default colour (39, 49)
/// do not count.
pub fn colour_sgrs(styled: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = styled;
    while let Some(i) = rest.find("\u{1b}[") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':')) else {
            break;
        };
        let (params, after) = rest.split_at(end);
        rest = after;
        if !after.starts_with('m') {
            continue;
        }
        let colour = params.split([';', ':']).any(|p| {
            matches!(
                p.parse::<u16>(),
                Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
            )
        });
        if colour {
            found.push(format!("ESC[{params}m"));
        }
    }
    found
}
