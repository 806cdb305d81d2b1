//! Command-line entry: parses arguments and dispatches to the workstation,
//! the platform server, or a tool.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
}

#[derive(Subcommand)]
enum Command {
    /// Run the platform API server.
    Serve(ServeArgs),
    /// Load a data set into the platform's database.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
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
enum TokenCommand {
    /// Create a user (if missing) and print a new token for them, once.
    Create {
        /// The user's name.
        #[arg(long)]
        name: String,
        /// The user's role.
        #[arg(long, value_enum)]
        role: RoleArg,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("takes: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("takes: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => {
            eprintln!(
                "takes: the workstation is not built yet; try `takes serve` or `takes --help`"
            );
            Ok(ExitCode::from(2))
        }
        Some(Command::Serve(args)) => {
            init_server_logging();
            let state = args.storage.options().open(Clock::System).await?;
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
        Some(Command::Token(TokenCommand::Create {
            name,
            role,
            storage,
        })) => {
            let state = storage.options().open(Clock::System).await?;
            let (_, token) = takes_platform::auth::issue_token(
                &state.db,
                state.clock.now(),
                &name,
                role.into(),
                "cli",
            )
            .await
            .context("creating the token")?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The server logs to stderr (it has no TUI); `RUST_LOG` overrides the level.
fn init_server_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
