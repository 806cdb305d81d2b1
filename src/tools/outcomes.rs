//! `takes outcomes import FILE`: what became of hired candidates, from a
//! CSV file, for downstream validity (docs/INSIGHTS.md §7). The file is
//! checked here first, then sent in one request that the server records
//! whole or not at all; every error names the file, the line and the
//! field. Importing the same file again changes nothing.
//!
//! Exit status: 0 recorded; 2 the file is wrong (nothing recorded); 1 the
//! server refused or could not be reached.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use takes_api::insights::{OutcomeImport, OutcomeImportItem};

use crate::client::ClientError;
use crate::tools::candidates::{client, Connection};

#[derive(Subcommand)]
pub enum OutcomesCommand {
    /// Record outcomes after hire from a CSV file, all rows or none. Header:
    /// `candidate` (the candidate's email) or `interview_id`, then `hired`
    /// (yes/no), and optionally `rating_6m`, `rating_12m` (numbers) and
    /// `employed_12m` (yes/no); an empty cell is "not known yet".
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

const COLUMNS: [&str; 6] = [
    "candidate",
    "interview_id",
    "hired",
    "rating_6m",
    "rating_12m",
    "employed_12m",
];

/// A problem of the file: exit 2.
struct FileError(String);

fn at(file: &Path, line: u64, msg: impl std::fmt::Display) -> FileError {
    FileError(format!("{}:{line}: {msg}", file.display()))
}

fn yes_no(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// The items of the file, each with its line.
fn parse(file: &Path, text: &str) -> Result<Vec<(u64, OutcomeImportItem)>, FileError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| at(file, 1, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(at(
                file,
                1,
                format!("unknown column `{h}` (columns: {})", COLUMNS.join(", ")),
            ));
        }
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    if col("hired").is_none() {
        return Err(at(file, 1, "the header has no `hired` column"));
    }
    if col("candidate").is_none() && col("interview_id").is_none() {
        return Err(at(
            file,
            1,
            "the header needs a `candidate` (email) or an `interview_id` column",
        ));
    }
    let mut items = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            at(file, line, format!("not valid CSV: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |name: &str| {
            col(name)
                .and_then(|i| rec.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let flag = |name: &str| -> Result<Option<bool>, FileError> {
            cell(name)
                .map(|v| {
                    yes_no(&v).ok_or_else(|| {
                        at(
                            file,
                            line,
                            format!("field `{name}`: {v:?} is not yes or no"),
                        )
                    })
                })
                .transpose()
        };
        let rating = |name: &str| -> Result<Option<f64>, FileError> {
            cell(name)
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| {
                            at(file, line, format!("field `{name}`: {v:?} is not a number"))
                        })
                })
                .transpose()
        };
        let (interview_id, candidate) = (cell("interview_id"), cell("candidate"));
        if interview_id.is_some() == candidate.is_some() {
            return Err(at(
                file,
                line,
                "give exactly one of the fields `candidate` and `interview_id`",
            ));
        }
        let hired =
            flag("hired")?.ok_or_else(|| at(file, line, "field `hired`: empty (yes or no)"))?;
        items.push((
            line,
            OutcomeImportItem {
                interview_id,
                candidate,
                hired,
                performance_6m: rating("rating_6m")?,
                performance_12m: rating("rating_12m")?,
                employed_12m: flag("employed_12m")?,
            },
        ));
    }
    if items.is_empty() {
        return Err(FileError(format!(
            "{}: no outcomes in the file",
            file.display()
        )));
    }
    Ok(items)
}

/// The server names a bad item as `items[i].field`: put it back in the
/// file's terms (line, column).
fn locate(file: &Path, lines: &[u64], detail: &str) -> Option<FileError> {
    let rest = detail.strip_prefix("items[")?;
    let (index, rest) = rest.split_once(']')?;
    let line = *lines.get(index.parse::<usize>().ok()?)?;
    let (field, msg) = match rest.strip_prefix('.') {
        Some(r) => {
            let (f, m) = r.split_once(':').unwrap_or((r, ""));
            let f = match f {
                "performance_6m" => "rating_6m",
                "performance_12m" => "rating_12m",
                f => f,
            };
            (Some(f), m.trim())
        }
        None => (None, rest.trim_start_matches(':').trim()),
    };
    Some(match field {
        Some(f) => at(file, line, format!("field `{f}`: {msg}")),
        None => at(file, line, msg),
    })
}

pub async fn run(cmd: OutcomesCommand, conn: Connection) -> ExitCode {
    let OutcomesCommand::Import { file } = cmd;
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("takes outcomes: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let items = match parse(&file, &text) {
        Ok(items) => items,
        Err(FileError(e)) => {
            eprintln!("takes outcomes: {e}\nNothing was recorded.");
            return ExitCode::from(2);
        }
    };
    let api = match client(&conn) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("takes outcomes: {e}");
            return ExitCode::from(1);
        }
    };
    let (lines, items): (Vec<u64>, Vec<OutcomeImportItem>) = items.into_iter().unzip();
    let n = items.len();
    match api.import_outcomes(&OutcomeImport { items }).await {
        Ok(r) => {
            println!(
                "Recorded {n} outcomes from {} ({} new or changed, {} unchanged).",
                file.display(),
                r.changed,
                r.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(ClientError::Invalid { detail, .. } | ClientError::Forbidden(detail)) => {
            match locate(&file, &lines, &detail) {
                Some(FileError(e)) => {
                    eprintln!("takes outcomes: {e}\nNothing was recorded.");
                    ExitCode::from(2)
                }
                None => {
                    eprintln!("takes outcomes: the server refused the file: {detail}\nNothing was recorded.");
                    ExitCode::from(1)
                }
            }
        }
        Err(e) => {
            eprintln!("takes outcomes: {e}\nNothing was recorded.");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_items_with_their_lines() {
        let f = Path::new("o.csv");
        let items = parse(
            f,
            "candidate,hired,rating_6m,rating_12m,employed_12m\n\
             ann@example.com,yes,3.5,,no\n\
             \"b,c\"@example.com,No,,,\n",
        )
        .unwrap_or_else(|e| panic!("{}", e.0));
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].0, 2);
        assert_eq!(items[0].1.performance_6m, Some(3.5));
        assert_eq!(items[0].1.employed_12m, Some(false));
        assert_eq!(items[1].1.candidate.as_deref(), Some("b,c@example.com"));
        assert!(!items[1].1.hired);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let f = Path::new("o.csv");
        let err = |t: &str| parse(f, t).err().map(|e| e.0).unwrap_or_default();
        assert_eq!(
            err("interview_id,hired\ni1,yes\ni2,maybe\n"),
            "o.csv:3: field `hired`: \"maybe\" is not yes or no"
        );
        assert_eq!(
            err("interview_id,hired,rating_6m\ni1,yes,good\n"),
            "o.csv:2: field `rating_6m`: \"good\" is not a number"
        );
        assert!(err("interview_id,hired,bonus\n").starts_with("o.csv:1: unknown column `bonus`"));
        assert_eq!(
            err("candidate,rating_6m\n"),
            "o.csv:1: the header has no `hired` column"
        );
        assert_eq!(
            locate(f, &[2, 5], "items[1].performance_6m: must be finite").map(|e| e.0),
            Some("o.csv:5: field `rating_6m`: must be finite".to_string())
        );
    }
}
