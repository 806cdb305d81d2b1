//! Board rows from the stored rows: stage, panel aggregates (submitted
//! scores only), flags and the ATS sync state. Pure, so the rules are
//! tested without a database.

use std::collections::HashMap;

use takes_api::board::{BoardItem, BoardReviewer, BoardStage, SyncState, SyncStatus};
use takes_api::{Decision, DecisionAction, InterviewStatus};

use crate::calibration::item_stats;
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::store::board::{DecisionRow, DeliveryRow, Rows, ScoreRow};

/// Every interview of `rows` as the board shows it at `now`.
pub fn items(rows: Rows, now: Millis) -> ApiResult<Vec<(BoardItem, Millis)>> {
    let mut reviewers: HashMap<&str, Vec<BoardReviewer>> = HashMap::new();
    for a in &rows.assignments {
        reviewers
            .entry(a.interview_id.as_str())
            .or_default()
            .push(BoardReviewer {
                assignment_id: a.id.clone(),
                reviewer_id: a.reviewer_id.clone(),
                name: a.name.clone(),
                submitted: a.submitted,
                due_at: rfc3339(a.due_at),
                overdue: !a.submitted && a.due_at < now,
            });
    }
    // interview -> position -> its summed-up ratings; and the shift flag.
    let mut ratings: HashMap<&str, HashMap<i64, &ScoreRow>> = HashMap::new();
    let mut shifted: HashMap<&str, bool> = HashMap::new();
    for s in &rows.scores {
        ratings
            .entry(s.interview_id.as_str())
            .or_default()
            .insert(s.position, s);
        if s.shifted > 0 {
            shifted.insert(s.interview_id.as_str(), true);
        }
    }
    let counts: HashMap<&str, i64> = rows
        .question_counts
        .iter()
        .map(|(set, n)| (set.as_str(), *n))
        .collect();
    let mut latest: HashMap<&str, &DecisionRow> = HashMap::new();
    for d in &rows.decisions {
        latest.insert(d.interview_id.as_str(), d);
    }
    let sync = sync_states(&rows.deliveries);
    let reminders: HashMap<&str, i64> = rows
        .reminders
        .iter()
        .map(|(i, n)| (i.as_str(), *n))
        .collect();

    let mut out = Vec::with_capacity(rows.interviews.len());
    for i in &rows.interviews {
        let status = InterviewStatus::parse(&i.status).ok_or_else(|| {
            ApiError::internal(format!("stored interview status {:?} is unknown", i.status))
        })?;
        let panel = reviewers.remove(i.id.as_str()).unwrap_or_default();
        let assigned = panel.len() as i64;
        let submitted = panel.iter().filter(|r| r.submitted).count() as i64;
        let per_q = ratings.get(i.id.as_str());
        let n_questions = counts.get(i.question_set_id.as_str()).copied().unwrap_or(0);
        let mut question_means = Vec::new();
        let (mut sum, mut n) = (0i64, 0i64);
        let mut disagreement = false;
        for pos in 1..=n_questions {
            match per_q.and_then(|m| m.get(&pos)) {
                Some(q) if q.count > 0 => {
                    disagreement |= flagged(q);
                    question_means.push(Some(q.total as f64 / q.count as f64));
                    sum += q.total;
                    n += q.count;
                }
                _ => question_means.push(None),
            }
        }
        let mean_score = (n > 0).then(|| sum as f64 / n as f64);
        let decision = latest.get(i.id.as_str()).map(|d| decision(d)).transpose()?;
        let sync_state = latest.get(i.id.as_str()).map(|d| {
            d.event_id
                .as_deref()
                .and_then(|e| sync.get(e).cloned())
                .unwrap_or(SyncState {
                    status: SyncStatus::NotConfigured,
                    reason: None,
                })
        });
        let stage = if decision.is_some() {
            BoardStage::Decided
        } else if status != InterviewStatus::Completed {
            BoardStage::Invited
        } else if assigned > 0 && submitted == assigned {
            BoardStage::ReadyToDecide
        } else {
            BoardStage::AwaitingReviews
        };
        let sort_time = i.completed_at.unwrap_or(i.invited_at);
        out.push((
            BoardItem {
                id: i.id.clone(),
                candidate_name: i.candidate_name.clone(),
                role_id: i.role_id.clone(),
                role_title: i.role_title.clone(),
                stage,
                status,
                invited_at: rfc3339(i.invited_at),
                expires_at: rfc3339(i.expires_at),
                completed_at: i.completed_at.map(rfc3339),
                reminders_sent: reminders.get(i.id.as_str()).copied().unwrap_or(0),
                reviewers: panel,
                reviewers_assigned: assigned,
                reviewers_submitted: submitted,
                mean_score,
                question_means,
                disagreement,
                shift: shifted.get(i.id.as_str()).copied().unwrap_or(false),
                decision,
                sync: sync_state,
            },
            sort_time,
        ));
    }
    Ok(out)
}

/// The calibration rule on one question's ratings: its flags depend only
/// on the lowest and highest rating, and one rating never disagrees.
fn flagged(q: &ScoreRow) -> bool {
    q.count >= 2 && item_stats(&[q.lowest, q.highest], q.pass_score).flagged()
}

fn decision(d: &DecisionRow) -> ApiResult<Decision> {
    Ok(Decision {
        id: d.id.clone(),
        interview_id: d.interview_id.clone(),
        action: DecisionAction::parse(&d.action).ok_or_else(|| {
            ApiError::internal(format!("stored decision {:?} is unknown", d.action))
        })?,
        reason: d.reason.clone(),
        decided_by: d.decided_by.clone(),
        decided_at: rfc3339(d.decided_at),
    })
}

/// Each decision's sync state from the newest delivery of each of its
/// events to each endpoint: one that gave up fails it, one still trying
/// keeps it queued.
pub fn sync_states(deliveries: &[DeliveryRow]) -> HashMap<String, SyncState> {
    let mut newest: HashMap<(&str, &str), &DeliveryRow> = HashMap::new();
    for d in deliveries {
        newest.insert((d.delivered_event.as_str(), d.endpoint_id.as_str()), d);
    }
    let mut out: HashMap<String, SyncState> = HashMap::new();
    for d in newest.into_values() {
        let event = d.event_id.as_str();
        let this = match d.state.as_str() {
            "delivered" => SyncState {
                status: SyncStatus::Delivered,
                reason: None,
            },
            "pending" => SyncState {
                status: SyncStatus::Queued,
                reason: None,
            },
            // Dead, or cancelled because its endpoint was deleted.
            other => SyncState {
                status: SyncStatus::Failed,
                reason: Some(
                    d.last_error
                        .clone()
                        .unwrap_or_else(|| format!("delivery {other}")),
                ),
            },
        };
        let rank = |s: &SyncState| match s.status {
            SyncStatus::Failed => 3,
            SyncStatus::Queued => 2,
            SyncStatus::Delivered => 1,
            SyncStatus::NotConfigured => 0,
        };
        match out.get(event) {
            Some(prev) if rank(prev) >= rank(&this) => {}
            _ => {
                out.insert(event.to_string(), this);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(event: &str, endpoint: &str, state: &str) -> DeliveryRow {
        DeliveryRow {
            event_id: event.into(),
            delivered_event: event.into(),
            endpoint_id: endpoint.into(),
            state: state.into(),
            last_error: (state == "dead").then(|| "HTTP 500".to_string()),
        }
    }

    fn summed(count: i64, lowest: i64, highest: i64) -> ScoreRow {
        ScoreRow {
            interview_id: "i".into(),
            position: 1,
            pass_score: 3,
            count,
            total: lowest + highest,
            lowest,
            highest,
            shifted: 0,
        }
    }

    #[test]
    fn the_flag_is_calibrations_rule_on_the_summed_ratings() {
        assert!(flagged(&summed(3, 2, 4)), "two apart");
        assert!(flagged(&summed(2, 2, 3)), "straddles the pass line");
        assert!(!flagged(&summed(2, 3, 4)), "one apart, both passing");
        assert!(!flagged(&summed(1, 1, 1)), "one rating cannot disagree");
    }

    #[test]
    fn the_newest_delivery_per_endpoint_decides_and_a_failure_wins() {
        let s = sync_states(&[
            delivery("e1", "a", "dead"),
            delivery("e1", "a", "delivered"),
            delivery("e2", "a", "delivered"),
            delivery("e2", "b", "dead"),
            delivery("e3", "a", "pending"),
        ]);
        assert_eq!(s["e1"].status, SyncStatus::Delivered);
        assert_eq!(s["e2"].status, SyncStatus::Failed);
        assert_eq!(s["e2"].reason.as_deref(), Some("HTTP 500"));
        assert_eq!(s["e3"].status, SyncStatus::Queued);
    }

    #[test]
    fn a_decisions_two_events_both_count() {
        let made = |endpoint: &str, state: &str| DeliveryRow {
            delivered_event: "m1".into(),
            ..delivery("e1", endpoint, state)
        };
        // The decision.made delivery was queued after candidate.*'s to the
        // same endpoint; neither hides the other.
        let s = sync_states(&[delivery("e1", "a", "delivered"), made("a", "dead")]);
        assert_eq!(s["e1"].status, SyncStatus::Failed);
        let s = sync_states(&[made("a", "delivered"), delivery("e1", "a", "pending")]);
        assert_eq!(s["e1"].status, SyncStatus::Queued);
        let s = sync_states(&[delivery("e1", "a", "delivered"), made("b", "delivered")]);
        assert_eq!(s["e1"].status, SyncStatus::Delivered);
    }
}
