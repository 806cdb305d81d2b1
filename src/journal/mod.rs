//! The local journal: every rating and note is appended here and fsynced
//! before the UI calls it saved, then sent with its `Idempotency-Key` by
//! [`sync`]. Unsent entries survive crashes and are resent at the next start.
//!
//! The file is JSON lines, one [`Record`] a line, per server:
//! `<data dir>/journal/<server>.jsonl`. A torn last line (a crash mid-write)
//! is skipped: that entry was never reported as saved.

pub mod sync;

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use takes_api::{Evidence, ScoreWrite, Sheet, SheetKind};

fn is_assignment(kind: &SheetKind) -> bool {
    *kind == SheetKind::Assignment
}

/// A rating and note for one item of a sheet, as the reviewer left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreEntry {
    /// The kind of sheet `assignment_id` names. Written as `target` (the
    /// journal's word for it before sheets); absent in journals written
    /// before calibration, which only held assignments.
    #[serde(rename = "target", default, skip_serializing_if = "is_assignment")]
    pub kind: SheetKind,
    /// Also the `Idempotency-Key` it is sent with.
    pub key: String,
    pub user_id: String,
    /// The sheet's id: an assignment or a calibration session.
    pub assignment_id: String,
    /// The item's id: a question or a calibration item.
    pub question_id: String,
    /// `None`: a note without a rating yet (kept locally, sent with the rating).
    pub rating: Option<i64>,
    /// The muted-first pass's rating; sent with `rating`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted_rating: Option<i64>,
    pub note: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub at_ms: i64,
}

impl ScoreEntry {
    /// The sheet this score belongs to.
    pub fn sheet(&self) -> Sheet {
        Sheet {
            kind: self.kind,
            id: self.assignment_id.clone(),
        }
    }

    /// What is sent, once there is a rating. The sheet's kind decides which
    /// fields reach the server ([`Sheet::score_body`]).
    pub fn body(&self) -> Option<ScoreWrite> {
        Some(ScoreWrite {
            rating: self.rating?,
            muted_rating: self.muted_rating,
            note: self.note.clone().filter(|n| !n.trim().is_empty()),
            evidence: Some(self.evidence.clone()),
        })
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Record {
    Score(ScoreEntry),
    /// The server stored the entry with this key.
    Ack {
        key: String,
    },
    /// The server refused it for good (e.g. 409 after submit); not resent.
    Fail {
        key: String,
        reason: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub struct Journal {
    path: PathBuf,
    file: File,
}

/// The file name for a server URL: readable, filesystem-safe.
pub fn file_name(server: &str) -> String {
    let mut s: String = server
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.truncate(120);
    format!("{s}.jsonl")
}

impl Journal {
    /// Opens (creating) the journal, returns the entries still to send (in
    /// order) and compacts the file down to them.
    pub fn open(path: &Path) -> Result<(Journal, Vec<ScoreEntry>), JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let pending = match File::open(path) {
            Ok(f) => pending_of(BufReader::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(e)),
        };
        // Compact: write the pending entries to a new file, then rename over.
        let tmp = path.with_extension("jsonl.tmp");
        {
            let mut f = File::create(&tmp).map_err(io)?;
            for e in &pending {
                let line = serde_json::to_string(&Record::Score(e.clone())).unwrap_or_default();
                writeln!(f, "{line}").map_err(io)?;
            }
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)?;
        if let Some(dir) = path.parent() {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
            },
            pending,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record; with `durable`, returns only after fsync.
    pub fn append(&mut self, rec: &Record, durable: bool) -> Result<(), JournalError> {
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_string(rec).map_err(|e| io(std::io::Error::other(e)))?;
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(io)?;
        if durable {
            self.file.sync_data().map_err(io)?;
        }
        Ok(())
    }
}

/// Score entries neither acknowledged nor failed, in file order. A draft
/// (no rating) only survives while it is the latest entry of its question.
pub fn pending_of(reader: impl BufRead) -> Vec<ScoreEntry> {
    let mut entries: Vec<ScoreEntry> = Vec::new();
    let mut done: HashSet<String> = HashSet::new();
    for line in reader.lines() {
        let Ok(line) = line else { break };
        match serde_json::from_str::<Record>(&line) {
            Ok(Record::Score(e)) => entries.push(e),
            Ok(Record::Ack { key }) | Ok(Record::Fail { key, .. }) => {
                done.insert(key);
            }
            Err(_) => continue, // a torn or foreign line
        }
    }
    let mut out: Vec<ScoreEntry> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if done.contains(&e.key) {
            continue;
        }
        if e.rating.is_none() {
            let superseded = entries[i + 1..]
                .iter()
                .any(|l| l.assignment_id == e.assignment_id && l.question_id == e.question_id);
            if superseded {
                continue;
            }
        }
        out.push(e.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, q: &str, rating: Option<i64>) -> ScoreEntry {
        ScoreEntry {
            muted_rating: None,
            kind: SheetKind::Assignment,
            key: key.into(),
            user_id: "u".into(),
            assignment_id: "a".into(),
            question_id: q.into(),
            rating,
            note: None,
            evidence: vec![],
            at_ms: 0,
        }
    }

    #[test]
    fn pending_survives_reopen_and_acks_drop_out() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j/x.jsonl");
        let (mut j, pending) = Journal::open(&p).unwrap();
        assert!(pending.is_empty());
        j.append(&Record::Score(entry("k1", "q1", Some(3))), true)
            .unwrap();
        j.append(&Record::Score(entry("k2", "q2", Some(4))), true)
            .unwrap();
        j.append(&Record::Score(entry("k3", "q3", None)), true)
            .unwrap();
        j.append(&Record::Ack { key: "k1".into() }, false).unwrap();
        drop(j);
        // A torn line from a crash mid-write.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"t\":\"score\",\"key\":\"k4\",\"us")
            .unwrap();
        drop(f);
        let (_j, pending) = Journal::open(&p).unwrap();
        let keys: Vec<&str> = pending.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["k2", "k3"]);
        // Compacted: the file now holds exactly those.
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn drafts_are_superseded_rated_entries_are_not() {
        let text = [
            Record::Score(entry("d1", "q1", None)),
            Record::Score(entry("r1", "q1", Some(2))),
            Record::Score(entry("r2", "q1", Some(5))),
            Record::Fail {
                key: "r9".into(),
                reason: "x".into(),
            },
        ]
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
        let pending = pending_of(text.as_bytes());
        let keys: Vec<&str> = pending.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["r1", "r2"]);
    }

    #[test]
    fn journals_written_before_sheets_still_load() {
        // Lines exactly as earlier versions wrote them: an assignment score
        // from before calibration (no target), then a calibration score.
        let old = concat!(
            r#"{"t":"score","key":"k1","user_id":"u","assignment_id":"a","question_id":"q","rating":3,"note":null,"at_ms":0}"#,
            "\n",
            r#"{"t":"score","target":"calibration","key":"k2","user_id":"u","assignment_id":"cal-1","question_id":"item-2","rating":4,"note":"ok","evidence":[],"at_ms":5}"#,
            "\n",
        );
        let pending = pending_of(old.as_bytes());
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[0].kind, SheetKind::Assignment);
        assert_eq!(pending[0].sheet(), Sheet::assignment("a"));
        assert_eq!(pending[1].kind, SheetKind::Calibration);
        assert_eq!(pending[1].sheet(), Sheet::calibration("cal-1"));
        assert_eq!(pending[1].question_id, "item-2");
        // Resent as a calibration score: rating and note only.
        let body = pending[1].body().map(|w| pending[1].sheet().score_body(&w));
        assert_eq!(body, Some(serde_json::json!({"rating": 4, "note": "ok"})));
    }

    #[test]
    fn the_sheet_kind_is_written_as_the_old_target_field() {
        let a = entry("k", "q", Some(2));
        let line = serde_json::to_string(&Record::Score(a.clone())).unwrap();
        assert!(!line.contains("target"), "{line}");
        let mut c = a;
        c.kind = SheetKind::Calibration;
        let line = serde_json::to_string(&Record::Score(c.clone())).unwrap();
        assert!(line.contains("\"target\":\"calibration\""), "{line}");
        assert_eq!(
            serde_json::from_str::<Record>(&line).unwrap(),
            Record::Score(c)
        );
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            file_name("http://127.0.0.1:8420/"),
            "http___127.0.0.1_8420.jsonl"
        );
    }
}
