//! One concept for "what a reviewer scores": a [`Sheet`] is a set of items
//! scored independently and then submitted (locked) as a whole. An
//! assignment's questions and a calibration session's sample responses are
//! the two kinds; what differs between them is data on [`SheetKind`], not a
//! second code path.

use serde::{Deserialize, Serialize};

use crate::{CalibrationScoreWrite, ScoreWrite};

/// The kind of scoresheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    /// An interview assigned for review: `/v1/assignments/{id}`, items are
    /// its questions.
    #[default]
    Assignment,
    /// A calibration session: `/v1/calibration/{id}`, items are its sample
    /// responses.
    Calibration,
}

impl SheetKind {
    /// Whether a rating from the muted (video-only) first pass is kept.
    pub fn has_muted_pass(self) -> bool {
        matches!(self, SheetKind::Assignment)
    }

    /// Whether transcript cues can be attached as evidence.
    pub fn has_evidence(self) -> bool {
        matches!(self, SheetKind::Assignment)
    }

    /// The audit and event vocabulary's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            SheetKind::Assignment => "assignment",
            SheetKind::Calibration => "calibration",
        }
    }
}

/// A scoresheet: its kind and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sheet {
    pub kind: SheetKind,
    pub id: String,
}

impl Sheet {
    pub fn assignment(id: impl Into<String>) -> Self {
        Sheet {
            kind: SheetKind::Assignment,
            id: id.into(),
        }
    }

    pub fn calibration(id: impl Into<String>) -> Self {
        Sheet {
            kind: SheetKind::Calibration,
            id: id.into(),
        }
    }

    /// `POST` here locks the caller's scores. `encode` escapes a path
    /// segment (the client percent-encodes; the server passes ids through).
    pub fn submit_path(&self, encode: impl Fn(&str) -> String) -> String {
        match self.kind {
            SheetKind::Assignment => format!("/v1/assignments/{}/submit", encode(&self.id)),
            SheetKind::Calibration => format!("/v1/calibration/{}/submit", encode(&self.id)),
        }
    }

    /// `PUT` here writes the caller's score for one item.
    pub fn score_path(&self, item_id: &str, encode: impl Fn(&str) -> String) -> String {
        match self.kind {
            SheetKind::Assignment => format!(
                "/v1/assignments/{}/scores/{}",
                encode(&self.id),
                encode(item_id)
            ),
            SheetKind::Calibration => format!(
                "/v1/calibration/{}/items/{}/score",
                encode(&self.id),
                encode(item_id)
            ),
        }
    }

    /// The request body for a score on this kind of sheet: the fields the
    /// kind does not keep (muted pass, evidence) are left out.
    pub fn score_body(&self, write: &ScoreWrite) -> serde_json::Value {
        let value = match self.kind {
            SheetKind::Assignment => serde_json::to_value(write),
            SheetKind::Calibration => serde_json::to_value(CalibrationScoreWrite {
                rating: write.rating,
                note: write.note.clone(),
            }),
        };
        // Both are plain structs of numbers, strings and arrays.
        value.unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> String {
        s.replace('/', "%2F")
    }

    #[test]
    fn paths_follow_the_contract() {
        let a = Sheet::assignment("a/1");
        assert_eq!(a.submit_path(id), "/v1/assignments/a%2F1/submit");
        assert_eq!(a.score_path("q1", id), "/v1/assignments/a%2F1/scores/q1");
        let c = Sheet::calibration("s1");
        assert_eq!(c.submit_path(id), "/v1/calibration/s1/submit");
        assert_eq!(c.score_path("i1", id), "/v1/calibration/s1/items/i1/score");
    }

    #[test]
    fn calibration_bodies_carry_only_what_calibration_keeps() {
        let w = ScoreWrite {
            rating: 4,
            muted_rating: Some(3),
            note: Some("clear".into()),
            evidence: Some(vec![]),
        };
        let c = Sheet::calibration("s").score_body(&w);
        assert_eq!(c, serde_json::json!({"rating": 4, "note": "clear"}));
        let a = Sheet::assignment("a").score_body(&w);
        assert_eq!(a["muted_rating"], 3);
        assert!(!SheetKind::Calibration.has_muted_pass());
        assert!(SheetKind::Assignment.has_evidence());
    }
}
