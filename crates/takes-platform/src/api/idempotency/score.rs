//! The one idempotent score write, for every kind of scoresheet
//! ([`Sheet`]): an assignment's questions and a calibration session's
//! items. A handler [`begin`]s the write (a retry is answered from the
//! stored answer here), finds and authorizes the item on its own terms
//! (what is locked when differs by kind), then [`ScorePut::finish`]es it:
//! validation, the store write, the audit entry and the stored answer are
//! the same path for both, with the differences (muted pass, evidence,
//! names in messages and the audit log) read from the kind.

use axum::http::HeaderMap;
use axum::response::Response;
use takes_api::{Sheet, SheetKind};

use super::{key, request_hash, respond};
use crate::auth::Caller;
use crate::clock::Millis;
use crate::db::WriteTx;
use crate::error::{ApiError, ApiResult};
use crate::extract::check_text;
use crate::state::AppState;
use crate::store::idempotency::{self as stored, Claim};
use crate::store::{assignments, audit, calibration};

pub(in crate::api) const NOTE_MAX_CHARS: usize = 10_000;
const EVIDENCE_MAX: usize = 100;

/// The kind's names, as messages and the audit log have always used them.
struct Vocabulary {
    item: &'static str,
    item_field: &'static str,
    action: &'static str,
    entity_type: &'static str,
}

fn vocabulary(kind: SheetKind) -> Vocabulary {
    match kind {
        SheetKind::Assignment => Vocabulary {
            item: "question",
            item_field: "question_id",
            action: "score.written",
            entity_type: "assignment",
        },
        SheetKind::Calibration => Vocabulary {
            item: "item",
            item_field: "item_id",
            action: "calibration.score_written",
            entity_type: "calibration_session",
        },
    }
}

/// What the item being scored accepts, found by the sheet's own handler.
pub(in crate::api) struct Slot {
    pub scale: (i64, i64),
    /// How long the response runs, when evidence must fall inside it.
    pub duration_s: Option<f64>,
    /// The sheet has no score yet and moves to in progress with this one.
    pub pending: bool,
}

/// How a score write starts: answered from an earlier request with the same
/// key, or a fresh write to finish.
pub(in crate::api) enum Begun<'a> {
    Replay(Response),
    Fresh(ScorePut<'a>),
}

/// A score write under way, inside its transaction.
pub(in crate::api) struct ScorePut<'a> {
    state: &'a AppState,
    caller_id: String,
    sheet: Sheet,
    item_id: String,
    key: Option<String>,
    request_hash: String,
    pub now: Millis,
    pub w: WriteTx,
}

/// Starts the caller's write of `item_id` on `sheet`; `body` is the
/// request body as received (what a retry must repeat).
pub(in crate::api) async fn begin<'a>(
    state: &'a AppState,
    caller: &Caller,
    sheet: Sheet,
    item_id: &str,
    headers: &HeaderMap,
    body: &impl serde::Serialize,
) -> ApiResult<Begun<'a>> {
    let key = key(headers)?;
    let route = format!("PUT {}", sheet.score_path(item_id, str::to_string));
    let request_hash = request_hash(&route, body)?;
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let claim = Claim {
        user_id: &caller.id,
        key: key.as_deref(),
        request_hash: &request_hash,
    };
    if let Some(answer) = stored::stored(&mut w.tx, claim).await? {
        return Ok(Begun::Replay(respond(answer)));
    }
    Ok(Begun::Fresh(ScorePut {
        state,
        caller_id: caller.id.clone(),
        sheet,
        item_id: item_id.to_string(),
        key,
        request_hash,
        now,
        w,
    }))
}

impl ScorePut<'_> {
    /// Validates `write` against `slot`, stores it, records it and commits,
    /// answering with the stored score.
    pub async fn finish(mut self, slot: Slot, write: takes_api::ScoreWrite) -> ApiResult<Response> {
        let kind = self.sheet.kind;
        let words = vocabulary(kind);
        validate(kind, &write, &slot)?;
        let note = write.note.clone().filter(|n| !n.trim().is_empty());
        let (sheet_id, item_id, user_id, now) =
            (&self.sheet.id, &self.item_id, &self.caller_id, self.now);
        let conn = &mut *self.w.tx;
        match kind {
            SheetKind::Assignment => {
                assignments::put_score(
                    conn,
                    sheet_id,
                    item_id,
                    &write,
                    note.as_deref(),
                    slot.pending,
                    now,
                )
                .await?
            }
            SheetKind::Calibration => {
                let written = calibration::put_score(
                    conn,
                    sheet_id,
                    item_id,
                    user_id,
                    write.rating,
                    note.as_deref(),
                    now,
                )
                .await?;
                if !written {
                    return Err(ApiError::conflict(format!(
                        "you submitted calibration session {sheet_id} meanwhile; your scores are locked"
                    )));
                }
            }
        }
        let mut detail = serde_json::json!({
            words.item_field: item_id, "rating": write.rating, "note": note,
            "idempotency_key": self.key,
        });
        if kind.has_muted_pass() {
            detail["muted_rating"] = serde_json::json!(write.muted_rating);
        }
        if kind.has_evidence() {
            detail["evidence"] = serde_json::json!(write.evidence);
        }
        audit::record_by(
            conn,
            now,
            user_id,
            words.action,
            (words.entity_type, sheet_id),
            detail,
        )
        .await?;
        let body = match kind {
            SheetKind::Assignment => {
                serde_json::to_string(&assignments::score_of(conn, sheet_id, item_id).await?)?
            }
            SheetKind::Calibration => {
                serde_json::to_string(&calibration::score_of(conn, item_id, user_id).await?)?
            }
        };
        let claim = Claim {
            user_id: &self.caller_id,
            key: self.key.as_deref(),
            request_hash: &self.request_hash,
        };
        let answer = stored::commit(&self.state.db, self.w, claim, body, now).await?;
        Ok(respond(answer))
    }
}

fn validate(kind: SheetKind, write: &takes_api::ScoreWrite, slot: &Slot) -> ApiResult<()> {
    let item = vocabulary(kind).item;
    let (min, max) = slot.scale;
    if !(min..=max).contains(&write.rating) {
        return Err(ApiError::invalid(
            "rating",
            format!(
                "rating {} is outside this {item}'s scale {min}..={max}",
                write.rating
            ),
        ));
    }
    if let Some(m) = write.muted_rating.filter(|_| kind.has_muted_pass()) {
        if !(min..=max).contains(&m) {
            return Err(ApiError::invalid(
                "muted_rating",
                format!("muted_rating {m} is outside this {item}'s scale {min}..={max}"),
            ));
        }
    }
    if let Some(note) = &write.note {
        check_note("note", note)?;
    }
    if let Some(evidence) = write.evidence.as_ref().filter(|_| kind.has_evidence()) {
        check_evidence(evidence, slot.duration_s)?;
    }
    Ok(())
}

/// A note's text: no control characters, at most [`NOTE_MAX_CHARS`].
pub(in crate::api) fn check_note(field: &str, note: &str) -> ApiResult<()> {
    check_text(field, note)?;
    let n = note.chars().count();
    if n > NOTE_MAX_CHARS {
        return Err(ApiError::invalid(
            field,
            format!("{field} has {n} characters; the limit is {NOTE_MAX_CHARS}"),
        ));
    }
    Ok(())
}

fn check_evidence(evidence: &[takes_api::Evidence], duration_s: Option<f64>) -> ApiResult<()> {
    if evidence.len() > EVIDENCE_MAX {
        return Err(ApiError::invalid(
            "evidence",
            format!(
                "{} evidence ranges; the limit is {EVIDENCE_MAX}",
                evidence.len()
            ),
        ));
    }
    let limit = duration_s.map(|d| d + 1.0).unwrap_or(f64::MAX);
    for (i, e) in evidence.iter().enumerate() {
        if !e.start_s.is_finite() || !e.end_s.is_finite() || e.start_s < 0.0 || e.end_s < e.start_s
        {
            return Err(ApiError::invalid(
                &format!("evidence[{i}]"),
                format!(
                    "evidence[{i}] must have 0 <= start_s <= end_s, got {}..{}",
                    e.start_s, e.end_s
                ),
            ));
        }
        if e.end_s > limit {
            return Err(ApiError::invalid(
                &format!("evidence[{i}].end_s"),
                format!(
                    "evidence[{i}].end_s {} is past the end of the response",
                    e.end_s
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use takes_api::{Evidence, ScoreWrite};

    use super::*;

    fn slot() -> Slot {
        Slot {
            scale: (1, 5),
            duration_s: Some(10.0),
            pending: false,
        }
    }

    fn write(rating: i64) -> ScoreWrite {
        ScoreWrite {
            rating,
            muted_rating: None,
            note: None,
            evidence: None,
        }
    }

    #[test]
    fn messages_name_the_kinds_item() {
        let a = validate(SheetKind::Assignment, &write(9), &slot()).unwrap_err();
        assert_eq!(a.detail, "rating 9 is outside this question's scale 1..=5");
        let c = validate(SheetKind::Calibration, &write(0), &slot()).unwrap_err();
        assert_eq!(c.detail, "rating 0 is outside this item's scale 1..=5");
    }

    #[test]
    fn only_a_kind_with_a_muted_pass_and_evidence_checks_them() {
        let w = ScoreWrite {
            muted_rating: Some(7),
            evidence: Some(vec![Evidence {
                start_s: 3.0,
                end_s: 60.0,
            }]),
            ..write(3)
        };
        let a = validate(SheetKind::Assignment, &w, &slot()).unwrap_err();
        assert_eq!(
            a.detail,
            "muted_rating 7 is outside this question's scale 1..=5"
        );
        let past = ScoreWrite {
            muted_rating: Some(2),
            ..w.clone()
        };
        let a = validate(SheetKind::Assignment, &past, &slot()).unwrap_err();
        assert_eq!(
            a.detail,
            "evidence[0].end_s 60 is past the end of the response"
        );
        assert!(validate(SheetKind::Calibration, &w, &slot()).is_ok());
    }

    #[test]
    fn notes_are_checked_for_every_kind() {
        let long = ScoreWrite {
            note: Some("x".repeat(NOTE_MAX_CHARS + 1)),
            ..write(3)
        };
        for kind in [SheetKind::Assignment, SheetKind::Calibration] {
            let e = validate(kind, &long, &slot()).unwrap_err();
            assert_eq!(e.detail, "note has 10001 characters; the limit is 10000");
        }
    }
}
