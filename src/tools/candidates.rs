//! `takes candidate invite|accommodate`: inviting one candidate (the link
//! they record at is printed, so a recruiter can send it themselves or
//! try it) and granting a candidate accommodations, through the API as
//! the token's user: the server decides who may.
//!
//! Exit status: 0 done; 1 the server refused or could not be reached.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use takes_api::accommodations::AccommodationRequest;
use takes_api::InvitationRequest;

use crate::client::Client;

#[derive(Subcommand)]
pub enum CandidateCommand {
    /// Invite a candidate to a role's recorded interview; prints the
    /// candidate's link (shown this once) and queues the invitation email.
    Invite {
        /// The role's id (`takes` shows it in the role browser, R).
        #[arg(long)]
        role: String,
        /// The candidate's full name.
        #[arg(long)]
        name: String,
        /// The candidate's email address.
        #[arg(long)]
        email: String,
    },
    /// Grant accommodations to one candidate, replacing the previous grant
    /// (recruiters of the role and admins; audited).
    Accommodate {
        /// The interview id (the invitation's id).
        interview: String,
        /// Hours added to the completion window.
        #[arg(long, default_value_t = 0)]
        extra_window_hours: i64,
        /// Seconds added to every question's time limit.
        #[arg(long, default_value_t = 0)]
        extra_seconds: i64,
        /// Retakes added to every question.
        #[arg(long, default_value_t = 0)]
        extra_retakes: i64,
        /// Let the candidate answer with sound only (no camera).
        #[arg(long)]
        audio_only: bool,
        /// Why, for the audit log.
        #[arg(long)]
        note: Option<String>,
    },
}

/// Where the server is and who signs in: flags, else the config, as the
/// workstation resolves them.
pub struct Connection {
    pub server: Option<String>,
    pub token: Option<String>,
    pub config: Option<PathBuf>,
}

impl From<(Option<String>, Option<String>, Option<PathBuf>)> for Connection {
    fn from((server, token, config): (Option<String>, Option<String>, Option<PathBuf>)) -> Self {
        Connection {
            server,
            token,
            config,
        }
    }
}

pub(crate) fn client(c: &Connection) -> Result<Client, String> {
    let dirs = crate::config::Dirs::discover();
    let (config, problems) = crate::config::Config::load(c.config.as_deref(), &dirs);
    for p in &problems {
        eprintln!("takes: {p}");
    }
    let token = config
        .resolve_token(c.token.as_deref())?
        .ok_or("no API token: set TAKES_TOKEN, --token, or token_command in the config (a recruiter's or admin's token)")?;
    let server = c
        .server
        .clone()
        .or(config.server.clone())
        .unwrap_or_else(|| crate::config::DEFAULT_SERVER.to_string());
    Client::new(&server, &token, config.request_timeout_secs)
}

pub async fn run(cmd: CandidateCommand, conn: Connection) -> ExitCode {
    match act(cmd, &conn).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("takes candidate: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn act(cmd: CandidateCommand, conn: &Connection) -> Result<(), String> {
    let api = client(conn)?;
    match cmd {
        CandidateCommand::Invite { role, name, email } => {
            let inv = api
                .invite(&InvitationRequest {
                    role_id: role,
                    candidate_name: name,
                    candidate_email: email,
                })
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Invited {} to {} (interview {}).",
                inv.candidate.name, inv.role.title, inv.id
            );
            println!("Deadline: {}", inv.expires_at);
            match (&inv.candidate_url, &inv.access_secret) {
                (Some(url), _) => println!("Candidate link (shown once): {url}"),
                (None, Some(secret)) => println!(
                    "Candidate link (shown once): {}/candidate#{secret}",
                    api.base()
                ),
                (None, None) => println!(
                    "This candidate was already invited: the link was shown then and is in the invitation email."
                ),
            }
        }
        CandidateCommand::Accommodate {
            interview,
            extra_window_hours,
            extra_seconds,
            extra_retakes,
            audio_only,
            note,
        } => {
            let a = api
                .accommodate(
                    &interview,
                    &AccommodationRequest {
                        extra_window_hours,
                        extra_seconds_per_question: extra_seconds,
                        extra_retakes,
                        audio_only,
                        note,
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Interview {}: +{} h window (deadline {}), +{} s per question, +{} retakes, audio only: {}.",
                a.interview_id,
                a.extra_window_hours,
                a.expires_at,
                a.extra_seconds_per_question,
                a.extra_retakes,
                if a.audio_only { "yes" } else { "no" }
            );
        }
    }
    Ok(())
}
