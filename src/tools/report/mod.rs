//! `takes report`: the process figures of docs/INSIGHTS.md as one document
//! a recruiter can send to a hiring manager. One data model ([`Report`]),
//! fetched from the API with the user's token (the server decides what the
//! token may see), and one renderer per format.
//!
//! Exit status: 0 written; 2 a bad flag (unknown role, bad date); 1 the
//! server refused or could not be reached, or the file could not be written.

mod csv;
mod html;
mod model;
mod svg;
mod text;

pub use model::{Report, RoleRef, RoleWeeks};

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};

use crate::client::insights::InsightsQuery;
use crate::client::Client;
use crate::tools::candidates::Connection;

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
pub enum Format {
    /// Aligned tables for a terminal.
    Text,
    /// The whole data model, as the API serves it.
    Json,
    /// One row per figure: section,group,label,measure,value.
    Csv,
    /// One self-contained page with inline SVG charts (no scripts).
    Html,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Only this role: its id, process-file key or title.
    #[arg(long)]
    role: Option<String>,
    /// From this day (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long)]
    since: Option<String>,
    /// Up to and including this day (YYYY-MM-DD, UTC), or before this RFC
    /// 3339 time.
    #[arg(long)]
    until: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write here instead of to standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// A bad flag, named.
fn bad(msg: String) -> (u8, String) {
    (2, msg)
}

/// `YYYY-MM-DD` (UTC midnight; `end` moves to the next midnight so the day
/// is included) or an RFC 3339 time, as RFC 3339.
pub fn parse_date(flag: &str, value: &str, end: bool) -> Result<String, String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(value, &fmt) {
        let d = if end { d.next_day() } else { Some(d) };
        let at = d
            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
            .ok_or_else(|| format!("--{flag} {value:?} is out of range"))?;
        return at
            .format(&Rfc3339)
            .map_err(|e| format!("--{flag} {value:?}: {e}"));
    }
    match OffsetDateTime::parse(value, &Rfc3339) {
        Ok(t) => t.format(&Rfc3339).map_err(|e| format!("--{flag} {value:?}: {e}")),
        Err(_) => Err(format!(
            "--{flag} {value:?} is not a date such as 2026-11-30 or an RFC 3339 time such as 2026-11-30T09:00:00Z"
        )),
    }
}

async fn resolve_role(api: &Client, wanted: &str) -> Result<RoleRef, (u8, String)> {
    let roles = api.roles().await.map_err(|e| (1, e.to_string()))?;
    let found = roles.items.iter().find(|r| {
        r.id == wanted || r.key.as_deref() == Some(wanted) || r.title.eq_ignore_ascii_case(wanted)
    });
    match found {
        Some(r) => Ok(RoleRef {
            id: r.id.clone(),
            title: r.title.clone(),
        }),
        None => {
            let known: Vec<&str> = roles.items.iter().map(|r| r.title.as_str()).collect();
            Err(bad(format!(
                "--role {wanted:?} is not a role you can see (by id, key or title); known: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )))
        }
    }
}

fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Fetches every figure with the same filters.
pub async fn fetch(
    api: &Client,
    role: Option<RoleRef>,
    since: Option<String>,
    until: Option<String>,
) -> Result<Report, String> {
    let q = InsightsQuery {
        role: role.as_ref().map(|r| r.id.clone()),
        department: None,
        since: since.clone(),
        until: until.clone(),
    };
    let e = |e: crate::client::ClientError| e.to_string();
    let funnel = api.insights_funnel(&q).await.map_err(e)?;
    let mut weekly_by_role = Vec::new();
    for g in &funnel.by_role {
        let q = InsightsQuery {
            role: Some(g.key.clone()),
            ..q.clone()
        };
        weekly_by_role.push(RoleWeeks {
            role_id: g.key.clone(),
            title: g.label.clone(),
            weeks: api.insights_funnel(&q).await.map_err(e)?.by_week,
        });
    }
    Ok(Report {
        generated_at: now_rfc3339(),
        server: api.base().to_string(),
        since,
        until,
        weekly_by_role,
        turnaround: api.insights_turnaround(&q).await.map_err(e)?,
        scores: api.insights_scores(&q).await.map_err(e)?,
        shift: api.insights_shift(&q).await.map_err(e)?,
        reliability: api.insights_reliability(&q).await.map_err(e)?,
        validity: api.insights_validity(&q).await.map_err(e)?,
        alerts: api.insights_alerts(q.role.as_deref()).await.map_err(e)?,
        adverse_impact: api.insights_adverse_impact(&q).await.map_err(e)?,
        funnel,
        role,
    })
}

pub fn render(report: &Report, format: Format) -> Result<String, String> {
    Ok(match format {
        Format::Text => text::render(report),
        Format::Json => serde_json::to_string_pretty(report).map_err(|e| e.to_string())? + "\n",
        Format::Csv => csv::render(report),
        Format::Html => html::render(report),
    })
}

pub async fn run(args: ReportArgs, conn: Connection) -> ExitCode {
    match act(args, &conn).await {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("takes report: {e}");
            ExitCode::from(code)
        }
    }
}

async fn act(args: ReportArgs, conn: &Connection) -> Result<(), (u8, String)> {
    // Flags are checked before anything is asked of the server.
    let since = args
        .since
        .as_deref()
        .map(|v| parse_date("since", v, false))
        .transpose()
        .map_err(bad)?;
    let until = args
        .until
        .as_deref()
        .map(|v| parse_date("until", v, true))
        .transpose()
        .map_err(bad)?;
    if let (Some(s), Some(u)) = (&since, &until) {
        let t = |v: &str| OffsetDateTime::parse(v, &Rfc3339).ok();
        if t(s) >= t(u) {
            return Err(bad(format!("--until {u} is not after --since {s}")));
        }
    }
    let api = crate::tools::candidates::client(conn).map_err(|e| (1, e))?;
    let role = match args.role.as_deref() {
        Some(r) if r.trim().is_empty() => return Err(bad("--role is empty".into())),
        Some(r) => Some(resolve_role(&api, r).await?),
        None => None,
    };
    let report = fetch(&api, role, since, until).await.map_err(|e| (1, e))?;
    let out = render(&report, args.format).map_err(|e| (1, e))?;
    match &args.output {
        Some(path) => std::fs::write(path, out)
            .map_err(|e| (1, format!("cannot write {}: {e}", path.display())))?,
        None => {
            use std::io::Write as _;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| (1, format!("cannot write to standard output: {e}")))?;
        }
    }
    Ok(())
}
