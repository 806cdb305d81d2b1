//! Command-line entry: parses arguments and dispatches to the workstation,
//! the platform server, or a tool.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use takes_api::UserRole;
use takes_platform::{Clock, StorageOptions};

#[derive(Parser)]
#[command(
    name = "takes",
    version,
    about = "Review one-way video interviews from the keyboard"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    ws: WorkstationArgs,
}

/// Options of the workstation (`takes` with no subcommand, and `takes demo`).
#[derive(Args, Clone)]
struct WorkstationArgs {
    /// The platform server (default: from the config, else http://127.0.0.1:8420).
    #[arg(long, env = "TAKES_SERVER")]
    server: Option<String>,
    /// API token (prefer `token_command` in the config).
    #[arg(long, env = "TAKES_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Configuration file (default: config.toml in the config directory).
    #[arg(long, env = "TAKES_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Measure start-up: quit right after the queue is first painted and
    /// print the time to stderr.
    #[arg(long, hide = true, global = true)]
    exit_after_first_paint: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Start an embedded platform with demo data and open the workstation.
    Demo {
        /// Who to sign in as.
        #[arg(long = "as", value_enum, default_value = "reviewer")]
        role: RoleArg,
    },
    /// Run the platform API server.
    Serve(ServeArgs),
    /// Load a data set into the platform's database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The platform's audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Outbound webhooks: endpoints, deliveries, replay (reads the platform's database).
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Play one video in the terminal with the workstation's renderer.
    Play {
        /// A file path or an http(s) URL (platform media needs --token).
        source: String,
        /// Print one JSON line of playback figures to stderr at exit.
        #[arg(long)]
        stats: bool,
        /// auto, kitty, sixel, iterm2, halfblocks or off (default: `video.output`
        /// of the config, else auto).
        #[arg(long)]
        output: Option<takes_player::OutputSetting>,
        /// Cap on frames per second drawn (default: `video.max_fps` of the config).
        #[arg(long)]
        max_fps: Option<f64>,
    },
    /// Check terminal graphics, colours, synchronized output, libmpv and the server.
    Doctor {
        /// auto, kitty, sixel, iterm2, halfblocks or off (default: `video.output`
        /// of the config, else auto).
        #[arg(long)]
        output: Option<takes_player::OutputSetting>,
    },
    /// A local SMTP server that prints and keeps every message it is sent
    /// (point the server's `[email]` at it for demos).
    Mailbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:2525")]
        bind: SocketAddr,
        /// Also save each message here as an `.eml` file.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The hiring process as a file: people, roles, question sets, rubrics,
    /// reviewer pools (docs/PROCESS.md). Exit 2 for an invalid file.
    #[command(subcommand)]
    Process(ProcessCommand),
    /// Candidates: invite one (prints their link), grant accommodations.
    #[command(subcommand)]
    Candidate(crate::tools::candidates::CandidateCommand),
    /// Inter-rater reliability of a ratings file: Krippendorff's alpha, ICC,
    /// Cohen's and Fleiss' kappa.
    Irr {
        /// CSV with a header `unit,rater,score`, one row per rating (a missing
        /// rating is an absent row).
        file: PathBuf,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Read one column per rater (header: unit, then rater names); an
        /// empty cell is a missing rating.
        #[arg(long)]
        wide: bool,
    },
    /// The process figures (funnel, turnaround, scores, shift, reliability,
    /// validity, drop alerts) as text, JSON, CSV or one self-contained HTML
    /// page, for recruiters and admins.
    Report(crate::tools::report::ReportArgs),
    /// Outcomes after hire (for downstream validity).
    #[command(subcommand)]
    Outcomes(crate::tools::outcomes::OutcomesCommand),
}

#[derive(Args)]
struct StorageArgs {
    /// `sqlite://PATH` (created when missing) or `postgres://USER@HOST/DB`;
    /// default: a SQLite file in the platform's data directory.
    #[arg(long, env = "TAKES_DATABASE")]
    database: Option<String>,
    /// Directory of media files; default: beside the default database.
    #[arg(long, env = "TAKES_MEDIA_DIR")]
    media_dir: Option<PathBuf>,
}

impl StorageArgs {
    fn options(&self) -> StorageOptions {
        StorageOptions {
            database_url: self.database.clone(),
            media_dir: self.media_dir.clone(),
        }
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8420", env = "TAKES_BIND")]
    bind: SocketAddr,
    #[command(flatten)]
    storage: StorageArgs,
    /// The server's TOML configuration (email, invitations, ATS integrations).
    #[arg(long, env = "TAKES_SERVER_CONFIG")]
    config: Option<PathBuf>,
}

/// The server and token of `takes process` (else those of the workstation:
/// `--server`/`--token` before the subcommand, the environment, the config).
#[derive(Args)]
struct ServerArgs {
    /// The platform server (default: from the config, else http://127.0.0.1:8420).
    #[arg(long, env = "TAKES_SERVER")]
    server: Option<String>,
    /// An admin's API token (prefer `token_command` in the config).
    #[arg(long, env = "TAKES_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

#[derive(Args)]
struct PlanArgs {
    /// The process file (TOML).
    file: PathBuf,
    /// Refuse (exit 2) when the file has any warning.
    #[arg(long)]
    strict: bool,
    /// Deactivate users and archive roles missing from the file.
    #[arg(long)]
    prune: bool,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Subcommand)]
enum ProcessCommand {
    /// Print what `apply` would change, one line per change.
    Plan(PlanArgs),
    /// Apply the file in one transaction and print new users' tokens once.
    Apply {
        #[command(flatten)]
        plan: PlanArgs,
        /// Write new users' tokens to this file (mode 0600) instead of printing them.
        #[arg(long)]
        tokens_out: Option<PathBuf>,
    },
    /// Write the server's process as a file (to FILE, else stdout); intro
    /// videos are saved beside it.
    Export {
        file: Option<PathBuf>,
        #[command(flatten)]
        server: ServerArgs,
    },
}

#[derive(Subcommand)]
enum SeedCommand {
    /// Roles, question sets, candidates, real clips, reviewers and queues.
    Demo {
        #[command(flatten)]
        storage: StorageArgs,
        /// Print `{"users":[{"name","role","token"}]}`.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Reviewer,
    Recruiter,
    Admin,
}

impl From<RoleArg> for UserRole {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Reviewer => UserRole::Reviewer,
            RoleArg::Recruiter => UserRole::Recruiter,
            RoleArg::Admin => UserRole::Admin,
        }
    }
}

#[derive(Subcommand)]
enum WebhooksCommand {
    /// Registered endpoints.
    List {
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Deliveries, newest first: what was sent, what failed and why.
    Deliveries {
        /// pending, delivered, dead (the dead letters) or cancelled.
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        endpoint: Option<String>,
        #[arg(long)]
        event: Option<String>,
        #[arg(long)]
        interview: Option<String>,
        #[arg(long)]
        limit: Option<i64>,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Send an event again, with the same webhook-id.
    Replay {
        /// Replay this delivery's event to its endpoint.
        #[arg(long)]
        delivery: Option<String>,
        /// Replay this event (to --endpoint, or to every subscribed endpoint).
        #[arg(long)]
        event: Option<String>,
        #[arg(long)]
        endpoint: Option<String>,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Give an endpoint a new signing secret; the old one keeps signing
    /// alongside it for --overlap-hours (default 24).
    RotateSecret {
        /// The endpoint id.
        endpoint: String,
        /// Hours the old secret keeps signing (0 to 168).
        #[arg(long)]
        overlap_hours: Option<i64>,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain: exit 0 with the entry count when
    /// intact, 1 naming the first broken entry (id, position, what differs),
    /// 2 when the check cannot run.
    Verify {
        /// `sqlite://PATH` or `postgres://USER@HOST/DB`; default: the SQLite
        /// file in the platform's data directory.
        #[arg(long, env = "TAKES_DATABASE")]
        database: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a user (if missing) and print a new token for them, once.
    Create {
        /// The user's name.
        #[arg(long)]
        name: String,
        /// The user's role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Lifetime, e.g. `90d`, `12h`, `2w` (default: never expires).
        #[arg(long)]
        expires: Option<String>,
        /// The user's email: process files name people by it.
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Tokens with their state, expiry and when each was last used.
    List {
        /// Only this user's tokens (by name).
        #[arg(long)]
        user: Option<String>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Revoke a token (by the id `list` shows): refused from its next request.
    Revoke {
        /// The token's id.
        id: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

pub fn run() -> ExitCode {
    let started = Instant::now();
    // Read the local offset while single-threaded (the only time it is safe).
    let utc_offset_s = time::UtcOffset::current_local_offset()
        .map(|o| o.whole_seconds() as i64)
        .unwrap_or(0);
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("takes: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli, started, utc_offset_s)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("takes: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli, started: Instant, utc_offset_s: i64) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => {
            let ws = Workstation::prepare(&cli.ws, None, started, utc_offset_s)?;
            ws.run(None).await
        }
        Some(Command::Audit(AuditCommand::Verify { database })) => {
            Ok(crate::tools::audit::verify(database).await)
        }
        Some(Command::Webhooks(cmd)) => {
            use crate::tools::webhooks as w;
            match cmd {
                WebhooksCommand::List { storage } => {
                    w::list(&storage.options().open(Clock::System).await?).await?
                }
                WebhooksCommand::Deliveries {
                    state,
                    endpoint,
                    event,
                    interview,
                    limit,
                    storage,
                } => {
                    let app = storage.options().open(Clock::System).await?;
                    w::deliveries(&app, state, endpoint, event, interview, limit).await?
                }
                WebhooksCommand::Replay {
                    delivery,
                    event,
                    endpoint,
                    storage,
                } => {
                    let app = storage.options().open(Clock::System).await?;
                    w::replay(&app, delivery, event, endpoint).await?
                }
                WebhooksCommand::RotateSecret {
                    endpoint,
                    overlap_hours,
                    storage,
                } => {
                    let app = storage.options().open(Clock::System).await?;
                    w::rotate_secret(&app, &endpoint, overlap_hours).await?
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Play {
            source,
            stats,
            output,
            max_fps,
        }) => {
            let video = video_settings(&cli.ws);
            let output = output.unwrap_or(video.video_output);
            let max_fps = max_fps.or(video.max_fps);
            let args = crate::tools::play::PlayArgs {
                source,
                stats,
                output,
                max_fps,
                token: cli.ws.token.clone(),
            };
            Ok(tokio::task::spawn_blocking(move || crate::tools::play::run(args)).await?)
        }
        Some(Command::Doctor { output }) => {
            let output = output.unwrap_or(video_settings(&cli.ws).video_output);
            Ok(crate::tools::doctor::run(output, cli.ws.server.clone()).await)
        }
        Some(Command::Mailbox { bind, dir }) => crate::tools::mailbox::run(bind, dir).await,
        Some(Command::Process(cmd)) => Ok(process(&cli.ws, cmd).await),
        Some(Command::Candidate(cmd)) => {
            let conn = (cli.ws.server, cli.ws.token, cli.ws.config);
            Ok(crate::tools::candidates::run(cmd, conn.into()).await)
        }
        Some(Command::Irr { file, json, wide }) => Ok(crate::tools::irr::run(&file, json, wide)),
        Some(Command::Report(args)) => {
            let conn = (cli.ws.server, cli.ws.token, cli.ws.config);
            Ok(crate::tools::report::run(args, conn.into()).await)
        }
        Some(Command::Outcomes(cmd)) => {
            let conn = (cli.ws.server, cli.ws.token, cli.ws.config);
            Ok(crate::tools::outcomes::run(cmd, conn.into()).await)
        }
        Some(Command::Demo { role }) => demo(&cli.ws, role, started, utc_offset_s).await,
        Some(Command::Serve(args)) => {
            init_server_logging();
            let config = match &args.config {
                Some(path) => takes_platform::config::ServerConfig::load(path)?,
                None => Default::default(),
            };
            let state = args
                .storage
                .options()
                .open(Clock::System)
                .await?
                .with_config(config);
            takes_platform::serve(state, args.bind).await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Seed(SeedCommand::Demo { storage, json })) => {
            let state = storage.options().open(Clock::System).await?;
            let report = takes_platform::seed::demo::load(&state).await?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("Demo data loaded. Tokens (shown once):");
                for u in &report.users {
                    println!("  {:<16} {:<10} {}", u.name, u.role, u.token);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Token(cmd)) => {
            use crate::tools::token;
            match cmd {
                TokenCommand::Create {
                    name,
                    role,
                    expires,
                    email,
                    storage,
                } => {
                    let state = storage.options().open(Clock::System).await?;
                    let who = takes_platform::auth::NewTokenUser {
                        name: &name,
                        role: role.into(),
                        email: email.as_deref(),
                    };
                    token::create(&state, who, expires.as_deref()).await
                }
                TokenCommand::List {
                    user,
                    json,
                    storage,
                } => {
                    let state = storage.options().open(Clock::System).await?;
                    token::list(&state, user.as_deref(), json).await
                }
                TokenCommand::Revoke { id, storage } => {
                    let state = storage.options().open(Clock::System).await?;
                    token::revoke(&state, &id).await
                }
            }
        }
    }
}

/// `takes process …`, with the server and token resolved as the
/// workstation resolves them.
async fn process(ws: &WorkstationArgs, cmd: ProcessCommand) -> ExitCode {
    use crate::tools::process::{self as p, Options};
    let connect = |s: &ServerArgs| {
        let dirs = crate::config::Dirs::discover();
        let (config, problems) = crate::config::Config::load(ws.config.as_deref(), &dirs);
        for p in &problems {
            eprintln!("takes: {p}");
        }
        let token = match config.resolve_token(s.token.as_deref().or(ws.token.as_deref())) {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Err("no API token: set TAKES_TOKEN, --token, or token_command in the config (an admin's token, e.g. from `takes token create --role admin`)".to_string()),
            Err(e) => Err(e),
        };
        p::Connection {
            server: s
                .server
                .clone()
                .or(ws.server.clone())
                .or(config.server.clone())
                .unwrap_or_else(|| crate::config::DEFAULT_SERVER.to_string()),
            token,
            // A whole process and its videos, not one screen's worth.
            timeout_secs: config.request_timeout_secs.max(300),
        }
    };
    let opts = |a: &PlanArgs| Options {
        strict: a.strict,
        prune: a.prune,
    };
    match cmd {
        ProcessCommand::Plan(a) => p::plan(&connect(&a.server), &a.file, opts(&a)).await,
        ProcessCommand::Apply { plan, tokens_out } => {
            p::apply(
                &connect(&plan.server),
                &plan.file,
                opts(&plan),
                tokens_out.as_deref(),
            )
            .await
        }
        ProcessCommand::Export { file, server } => {
            p::export(&connect(&server), file.as_deref()).await
        }
    }
}

/// The server logs to stderr (it has no TUI); `RUST_LOG` overrides the level.
/// The `[video]` and `[review]` settings of the config, for the tools that
/// play video outside the workstation (problems in the file: defaults).
fn video_settings(ws: &WorkstationArgs) -> crate::config::Settings {
    let dirs = crate::config::Dirs::discover();
    let (config, _) = crate::config::Config::load(ws.config.as_deref(), &dirs);
    config.settings
}

fn init_server_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Everything the workstation needs, resolved before the terminal is taken.
struct Workstation {
    cfg: crate::app::run::RunConfig,
    log_path: PathBuf,
}

impl Workstation {
    /// Loads config, keymap and theme; `demo` overrides server, token and
    /// the data directory.
    fn prepare(
        args: &WorkstationArgs,
        demo: Option<(String, String, PathBuf)>,
        started: Instant,
        utc_offset_s: i64,
    ) -> anyhow::Result<Workstation> {
        use crate::config::{theme, ColorDepth, Config, Dirs, Keymap};
        let dirs = Dirs::discover();
        let (config, mut problems) = Config::load(args.config.as_deref(), &dirs);
        let (keymap, kd) = Keymap::load(Some(&config.keymap));
        problems.extend(kd);
        let depth = config.color.unwrap_or_else(ColorDepth::detect);
        let depth = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            ColorDepth::None
        } else {
            depth
        };
        let (theme, td) = theme::load(
            &config.theme,
            &theme::ThemeSource {
                user_dir: Some(config.themes_dir.clone()),
            },
            depth,
        );
        problems.extend(td);
        let (server, token, data_dir, log_dir) = match demo {
            Some((server, token, dir)) => (server, Ok(token), dir.join("data"), dir.clone()),
            None => {
                let server = args
                    .server
                    .clone()
                    .or(config.server.clone())
                    .unwrap_or_else(|| crate::config::DEFAULT_SERVER.to_string());
                let token = match config.resolve_token(args.token.as_deref()) {
                    Ok(Some(t)) => Ok(t),
                    Ok(None) => Err("No API token: set TAKES_TOKEN, --token, or token_command in the config (or try `takes demo`)".to_string()),
                    Err(e) => Err(e),
                };
                (
                    server,
                    token,
                    config.data_dir.clone(),
                    config.log_dir.clone(),
                )
            }
        };
        let log_path = init_file_logging(&log_dir, &config.log_level);
        crate::app::run::phase(started, "config, keymap, theme and token read");
        for p in &problems {
            tracing::warn!(problem = %p, "configuration problem");
        }
        Ok(Workstation {
            cfg: crate::app::run::RunConfig {
                server,
                token,
                keymap,
                theme,
                settings: config.settings.clone(),
                problems,
                journal_dir: data_dir.join("journal"),
                timeout_secs: config.request_timeout_secs,
                utc_offset_s,
                exit_after_first_paint: args.exit_after_first_paint,
                started,
            },
            log_path,
        })
    }

    async fn run(self, note: Option<&str>) -> anyhow::Result<ExitCode> {
        let log_path = self.log_path.clone();
        let summary = crate::app::run::run(self.cfg).await?;
        if let Some(d) = summary.first_paint {
            eprintln!("first queue paint after {} ms", d.as_millis());
        }
        if summary.unsynced > 0 {
            eprintln!(
                "takes: {} score(s) are saved locally and not yet on the server; they are sent at the next start{}",
                summary.unsynced,
                note.unwrap_or("")
            );
        }
        tracing::info!(log = %log_path.display(), "workstation closed");
        Ok(ExitCode::SUCCESS)
    }
}

/// `takes demo`: platform in-process on a free loopback port, SQLite in a
/// fresh temporary directory, the demo data, signed in as a demo user.
async fn demo(
    args: &WorkstationArgs,
    role: RoleArg,
    started: Instant,
    utc_offset_s: i64,
) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("takes-demo-")
        .tempdir()
        .context("creating a temporary directory for the demo")?;
    let storage = StorageOptions {
        database_url: Some(takes_platform::db::sqlite_url(&dir.path().join("takes.db"))),
        media_dir: Some(dir.path().join("media")),
    };
    let state = storage.open(Clock::System).await?;
    let report = takes_platform::seed::demo::load(&state).await?;
    let role: UserRole = role.into();
    let user = report
        .users
        .iter()
        .find(|u| u.role == role.as_str())
        .context("the demo data has no user with that role")?;
    // A local ATS stand-in, so a demo decision is really delivered.
    let (state, receiver) = takes_platform::seed::demo_receiver::start(state).await?;
    let server = takes_platform::start(state.clone(), "127.0.0.1:0".parse()?).await?;
    takes_platform::seed::candidate_link::announce(&state, &server.base_url(), dir.path()).await?;
    let ws = Workstation::prepare(
        args,
        Some((
            server.base_url(),
            user.token.clone(),
            dir.path().to_path_buf(),
        )),
        started,
        utc_offset_s,
    )?;
    let code = ws.run(Some(" (demo data is discarded on exit)")).await;
    let _ = server.stop().await;
    receiver.stop().await;
    code
}

/// The workstation logs to a file (never to the TUI's terminal).
fn init_file_logging(dir: &Path, level: &str) -> PathBuf {
    let path = dir.join("takes.log");
    if std::fs::create_dir_all(dir).is_err() {
        return path;
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return path;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    path
}
