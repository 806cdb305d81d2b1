//! What an interview that came from Lever owes Lever, decided inside the
//! transaction that makes it owed, so it is committed with its cause:
//!
//! * the last assigned review submitted: a note with each question's
//!   mean, the overall mean, the number of reviewers and a results link
//!   (a share link made then), and the `reviewed_tag`;
//! * a decision: its tag, and a move to the stage `[ats.lever.stages]`
//!   maps it to (none when unmapped).
//!
//! Each call is a row of `lever_writebacks`, unique per event and action;
//! `worker` sends them. Nothing is owed while `[ats.lever.writeback]` is
//! not configured, or for interviews that did not come from Lever.

use serde_json::json;
use sqlx::AnyConnection;
use takes_api::{DecisionAction, QuestionAggregate};

use crate::api::share_links;
use crate::ats::config::{LeverConfig, LeverWriteback};
use crate::clock::{rfc3339, Millis};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::audit;
use crate::store::lever_writeback::{self as store, NewWriteback};
use crate::webhooks::events;

/// The configuration, when write-back is on.
fn configured(state: &AppState) -> Option<(&LeverConfig, &LeverWriteback)> {
    let cfg = state.config.ats.lever.as_ref()?;
    Some((cfg, cfg.writeback.as_ref()?))
}

/// Call in the submitting transaction, after `review.submitted` is raised
/// (which takes the interview's stream lock, so of two last reviews
/// submitted at once exactly one sees them all).
pub async fn after_review(
    conn: &mut AnyConnection,
    state: &AppState,
    now: Millis,
    interview_id: &str,
) -> ApiResult<()> {
    let Some((_, wb)) = configured(state) else {
        return Ok(());
    };
    let Some(opportunity) = store::opportunity_of(conn, interview_id).await? else {
        return Ok(());
    };
    let (assigned, submitted) =
        crate::store::webhooks::events::review_counts(conn, interview_id).await?;
    let event_key = format!("reviewed:{interview_id}");
    if assigned == 0 || submitted < assigned || store::event_known(conn, &event_key).await? {
        return Ok(());
    }
    let subject = events::subject(conn, interview_id).await?;
    let (reviewers, questions, overall) =
        events::aggregate(conn, interview_id, &subject.question_set_id).await?;
    let days = share_links::DEFAULT_DAYS;
    let (link_id, token, expires_at) =
        share_links::issue(conn, interview_id, None, now, days).await?;
    audit::record(
        conn,
        now,
        audit::Entry {
            actor_id: None,
            action: "share_link.created",
            entity_type: "share_link",
            entity_id: &link_id,
            detail: json!({"interview_id": interview_id, "days": days, "for": "lever_writeback"}),
        },
    )
    .await?;
    let link = share_links::url(state, &token);
    let text = note_text(&Summary {
        role: &subject.role.title,
        questions: &questions,
        overall,
        reviewers: reviewers.len(),
        link: &link,
        expires_at,
    });
    // The link is the note's marker: unique, so the note can be found in
    // Lever after an attempt whose answer was lost.
    let mut calls = vec![("note", json!({ "value": text }).to_string(), Some(link))];
    if !wb.reviewed_tag.is_empty() {
        calls.push((
            "tags",
            json!({ "tags": [wb.reviewed_tag] }).to_string(),
            None,
        ));
    }
    owe_all(conn, now, interview_id, &opportunity, &event_key, calls).await
}

/// Call in the deciding transaction, after the decision is inserted.
pub async fn after_decision(
    conn: &mut AnyConnection,
    state: &AppState,
    now: Millis,
    interview_id: &str,
    decision_id: &str,
    action: DecisionAction,
) -> ApiResult<()> {
    let Some((cfg, wb)) = configured(state) else {
        return Ok(());
    };
    let Some(opportunity) = store::opportunity_of(conn, interview_id).await? else {
        return Ok(());
    };
    let (tag, stage) = match action {
        DecisionAction::Advance => (&wb.decision_tags.advance, &cfg.stages.advance),
        DecisionAction::Reject => (&wb.decision_tags.reject, &cfg.stages.reject),
        DecisionAction::Hold => (&wb.decision_tags.hold, &cfg.stages.hold),
    };
    let mut calls = Vec::new();
    if !tag.is_empty() {
        calls.push(("tags", json!({ "tags": [tag] }).to_string(), None));
    }
    if let Some(stage) = stage {
        calls.push(("stage", json!({ "stage": stage }).to_string(), None));
    }
    let event_key = format!("decision:{decision_id}");
    owe_all(conn, now, interview_id, &opportunity, &event_key, calls).await
}

async fn owe_all(
    conn: &mut AnyConnection,
    now: Millis,
    interview_id: &str,
    opportunity: &str,
    event_key: &str,
    calls: Vec<(&str, String, Option<String>)>,
) -> ApiResult<()> {
    for (action, body, marker) in calls {
        store::owe(
            conn,
            NewWriteback {
                interview_id,
                opportunity_id: opportunity,
                event_key,
                action,
                body: &body,
                marker: marker.as_deref(),
                at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// What the note says.
pub struct Summary<'a> {
    pub role: &'a str,
    pub questions: &'a [QuestionAggregate],
    pub overall: Option<f64>,
    pub reviewers: usize,
    pub link: &'a str,
    pub expires_at: Millis,
}

/// The note: plain text, as Lever shows notes.
pub fn note_text(s: &Summary<'_>) -> String {
    let mean = |m: Option<f64>| m.map_or_else(|| "–".to_string(), |m| format!("{m:.2}"));
    let scale = match (
        s.questions.iter().map(|q| q.scale_min).min(),
        s.questions.iter().map(|q| q.scale_max).max(),
    ) {
        (Some(lo), Some(hi)) => format!(" on a {lo}–{hi} scale"),
        _ => String::new(),
    };
    let mut out = format!(
        "Async video screen reviewed ({}).\nOverall mean: {}{scale}, from {} reviewer{}.\n",
        s.role,
        mean(s.overall),
        s.reviewers,
        if s.reviewers == 1 { "" } else { "s" }
    );
    for q in s.questions {
        out.push_str(&format!(
            "Q{} {} ({}): {}\n",
            q.position,
            one_line(&q.prompt, 80),
            q.competency,
            mean(q.mean)
        ));
    }
    let until = rfc3339(s.expires_at);
    out.push_str(&format!(
        "Results: {} (link works until {})",
        s.link,
        until.get(..10).unwrap_or(&until)
    ));
    out
}

/// A prompt on one line, cut at `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(position: i64, prompt: &str, mean: Option<f64>) -> QuestionAggregate {
        QuestionAggregate {
            question_id: format!("q{position}"),
            position,
            prompt: prompt.into(),
            competency: "Ownership".into(),
            scale_min: 1,
            scale_max: 5,
            pass_score: 3,
            ratings: vec![],
            mean,
            median: None,
            min: None,
            max: None,
            spread: None,
            passes: 0,
        }
    }

    #[test]
    fn the_note_has_every_mean_the_reviewers_and_the_link() {
        let qs = [
            q(1, "Tell us\nabout A", Some(4.0)),
            q(2, &"long ".repeat(40), Some(3.5)),
        ];
        let text = note_text(&Summary {
            role: "Support Engineer",
            questions: &qs,
            overall: Some(3.75),
            reviewers: 2,
            link: "https://t.example/results/sl_x",
            expires_at: 0,
        });
        assert!(
            text.contains("Overall mean: 3.75 on a 1–5 scale, from 2 reviewers."),
            "{text}"
        );
        assert!(
            text.contains("Q1 Tell us about A (Ownership): 4.00"),
            "{text}"
        );
        assert!(text.contains("long… (Ownership): 3.50"), "{text}");
        assert!(
            text.ends_with("Results: https://t.example/results/sl_x (link works until 1970-01-01)"),
            "{text}"
        );
    }
}
