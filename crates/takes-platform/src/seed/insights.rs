//! Process history for the insights (issue 15): months of invitations,
//! answers, panel reviews with muted and final ratings, decisions and
//! outcomes after hire, generated from a seeded RNG so every figure of
//! docs/INSIGHTS.md has something to show. The demo plants a completion
//! drop on one role and evaluates the drop alert once, so the alert is
//! there when the demo starts; the 100,000-interview benchmark
//! (`cargo xtask bench insights`) uses the same generator at scale.
//!
//! History is finished work: every window has closed, every completed
//! interview was reviewed by a panel of two and decided. The panel are
//! hiring-team members outside the demo reviewers' pools, so the demo
//! reviewers' queues stay as they were.

use std::collections::HashMap;

use anyhow::Context;

use crate::clock::{Millis, DAY, HOUR};
use crate::ids::new_id;
use crate::insights::inference::SplitMix64;
use crate::state::AppState;
use crate::store::insights::bulk::{self, Cell, Table};
use crate::store::interviews;

/// One role the history is generated for.
#[derive(Debug, Clone)]
pub struct RolePlan {
    pub role_id: String,
    pub set_id: String,
    pub question_ids: Vec<String>,
    /// Invitations per week over the last 12 weeks, and before that.
    pub recent_per_week: usize,
    pub older_per_week: usize,
    /// The completion rate drops to this for invitations of the last 16
    /// days, whose window is also cut from 72 h to 48 h.
    pub planted_drop: Option<f64>,
    /// Only these weeks of the history `[from, to)` (a question-set
    /// version in use for part of it); `None` for every week.
    pub active: Option<(i64, i64)>,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub now: Millis,
    /// Weeks of history, the most recent ending a week before `now`.
    pub weeks: i64,
    pub roles: Vec<RolePlan>,
    /// The panel; each completed interview is reviewed by two of them.
    /// Index 0 is severe, 1 lenient, 2 slow, 3 moved by sound (the muted-
    /// first shift stands out).
    pub panel: Vec<String>,
    pub decider: String,
    pub media_object_id: String,
}

/// Generated rows, in insert order.
#[derive(Default)]
pub struct Rows {
    pub candidates: Vec<(String, String)>,
    pub interviews: Vec<Vec<Cell>>,
    pub responses: Vec<Vec<Cell>>,
    pub assignments: Vec<Vec<Cell>>,
    pub scores: Vec<Vec<Cell>>,
    pub decisions: Vec<Vec<Cell>>,
    pub outcomes: Vec<Vec<Cell>>,
}

const FIRST: [&str; 12] = [
    "Avery", "Blake", "Carmen", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ines", "Jonas",
    "Keiko", "Lucia",
];
const LAST: [&str; 12] = [
    "Adeyemi",
    "Berg",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gomez",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
];

/// Roughly normal, mean 0, sd 1 (Irwin-Hall of 12).
fn normal(rng: &mut SplitMix64) -> f64 {
    (0..12).map(|_| rng.uniform()).sum::<f64>() - 6.0
}

fn between(rng: &mut SplitMix64, lo: Millis, hi: Millis) -> Millis {
    lo + (rng.uniform() * (hi - lo) as f64) as Millis
}

/// Generates the plan's history (pure: the same plan gives the same rows
/// up to ids).
pub fn generate(plan: &Plan) -> Rows {
    let mut rng = SplitMix64(plan.seed);
    let mut rows = Rows::default();
    let now = plan.now;
    let end = now - 7 * DAY;
    let start = end - plan.weeks * 7 * DAY;
    let bias = [-0.35, 0.35, 0.0, 0.0];
    for role in &plan.roles {
        let q_effect: Vec<f64> = role
            .question_ids
            .iter()
            .map(|_| normal(&mut rng) * 0.3)
            .collect();
        let (mut acc_recent, mut acc_base) = (0.0, 0.0);
        for week in 0..plan.weeks {
            if role.active.is_some_and(|(a, b)| week < a || week >= b) {
                continue;
            }
            let from = start + week * 7 * DAY;
            let recent_weeks = week >= plan.weeks - 12;
            let n = if recent_weeks {
                role.recent_per_week
            } else {
                role.older_per_week
            };
            // The usual rate wanders a little from week to week.
            let usual = 0.66 + (rng.uniform() - 0.5) * 0.08;
            for k in 0..n {
                let invited = from + (7 * DAY) * (2 * k as i64 + 1) / (2 * n.max(1) as i64);
                let planted = role.planted_drop.filter(|_| invited >= now - 16 * DAY);
                let window = if planted.is_some() { 48 } else { 72 } * HOUR;
                let expires = invited + window;
                let done = match planted {
                    Some(rate) => {
                        acc_recent += rate;
                        acc_recent >= 1.0
                    }
                    None => {
                        acc_base += usual;
                        acc_base >= 1.0
                    }
                };
                if done {
                    if planted.is_some() {
                        acc_recent -= 1.0;
                    } else {
                        acc_base -= 1.0;
                    }
                }
                let cand = new_id();
                let f = FIRST[rng.below(FIRST.len())];
                let l = LAST[rng.below(LAST.len())];
                rows.candidates.push((
                    format!("{f} {l}"),
                    format!(
                        "{}.{}.{}@example.net",
                        f.to_lowercase(),
                        l.to_lowercase(),
                        rows.candidates.len()
                    ),
                ));
                let interview = new_id();
                let nq = role.question_ids.len();
                // The last 10% of the window draws one completion in six.
                let frac = if rng.below(6) == 0 {
                    0.9 + rng.uniform() * 0.09
                } else {
                    0.05 + rng.uniform() * 0.8
                };
                let completed = done.then(|| invited + (window as f64 * frac) as Millis);
                let started = match completed {
                    Some(c) => Some(c - between(&mut rng, 20 * 60_000, 60 * 60_000)),
                    None => (rng.below(2) == 0)
                        .then(|| invited + (window as f64 * rng.uniform() * 0.8) as Millis),
                };
                let answered = match (completed, started) {
                    (Some(_), _) => nq,
                    (None, Some(_)) => rng.below(nq.max(1)),
                    _ => 0,
                };
                rows.interviews.push(vec![
                    Cell::Text(interview.clone()),
                    Cell::Text(cand),
                    Cell::Text(role.role_id.clone()),
                    Cell::Text(role.set_id.clone()),
                    Cell::Text(if done { "completed" } else { "expired" }.into()),
                    Cell::Int(invited),
                    Cell::Int(expires),
                    Cell::MaybeInt(started),
                    Cell::MaybeInt(completed),
                ]);
                for (qi, q) in role.question_ids.iter().take(answered).enumerate() {
                    let at = started.unwrap_or(invited) + (qi as i64 + 1) * 5 * 60_000;
                    rows.responses.push(vec![
                        Cell::Text(new_id()),
                        Cell::Text(interview.clone()),
                        Cell::Text(q.clone()),
                        Cell::Text(plan.media_object_id.clone()),
                        Cell::Int(60_000 + rng.below(90_000) as i64),
                        Cell::Text("[]".into()),
                        Cell::Int(rng.below(2) as i64),
                        Cell::Int(at),
                    ]);
                }
                let Some(completed) = completed else {
                    continue;
                };
                let ability = normal(&mut rng);
                let a = rng.below(plan.panel.len());
                let b = (a + 1 + rng.below(plan.panel.len() - 1)) % plan.panel.len();
                // One interview in eight goes to the whole panel, so the
                // ICCs (which need units every rater rated) have units.
                let reviewers: Vec<usize> = if rng.below(8) == 0 {
                    (0..plan.panel.len()).collect()
                } else {
                    vec![a, b]
                };
                let mut last_submit = completed;
                let mut total = 0.0;
                for &who in &reviewers {
                    let slow = if who == 2 { 3 } else { 1 };
                    let first = completed + between(&mut rng, 2 * HOUR, 40 * HOUR * slow);
                    let submitted =
                        (first + between(&mut rng, 30 * 60_000, 4 * HOUR)).min(now - 2 * HOUR);
                    let first = first.min(submitted);
                    last_submit = last_submit.max(submitted);
                    let assignment = new_id();
                    rows.assignments.push(vec![
                        Cell::Text(assignment.clone()),
                        Cell::Text(interview.clone()),
                        Cell::Text(plan.panel[who].clone()),
                        Cell::Text("submitted".into()),
                        Cell::Int(completed),
                        Cell::Int(completed + 48 * HOUR),
                        Cell::MaybeInt(Some(submitted)),
                    ]);
                    for (qi, q) in role.question_ids.iter().enumerate() {
                        let quality = 3.0
                            + 1.1 * ability
                            + q_effect[qi]
                            + bias.get(who).copied().unwrap_or(0.0)
                            + normal(&mut rng) * 0.4;
                        let muted = (quality.round() as i64).clamp(1, 5);
                        let shift = if who == 3 {
                            i64::from(rng.uniform() < 0.45)
                        } else if rng.uniform() < 0.08 {
                            if rng.below(2) == 0 {
                                1
                            } else {
                                -1
                            }
                        } else {
                            0
                        };
                        let rating = (muted + shift).clamp(1, 5);
                        total += rating as f64;
                        rows.scores.push(vec![
                            Cell::Text(assignment.clone()),
                            Cell::Text(q.clone()),
                            Cell::Int(rating),
                            Cell::MaybeInt(Some(muted)),
                            Cell::Text("[]".into()),
                            Cell::Int(first + qi as i64 * 60_000),
                            Cell::Int(first + qi as i64 * 60_000),
                        ]);
                    }
                }
                let mean = total / (reviewers.len() * role.question_ids.len()).max(1) as f64;
                let decided =
                    (last_submit + between(&mut rng, 2 * HOUR, 48 * HOUR)).min(now - HOUR);
                let action = if mean >= 3.4 {
                    "advance"
                } else if mean >= 3.0 && rng.below(3) == 0 {
                    "hold"
                } else {
                    "reject"
                };
                rows.decisions.push(vec![
                    Cell::Text(new_id()),
                    Cell::Text(interview.clone()),
                    Cell::Text(action.into()),
                    Cell::Text(
                        match action {
                            "advance" => "Clear, specific examples",
                            "hold" => "Borderline; compare with the next candidates",
                            _ => "Below the bar on most questions",
                        }
                        .into(),
                    ),
                    Cell::Text(plan.decider.clone()),
                    Cell::Int(decided),
                ]);
                if action != "advance" || decided > now - 8 * 7 * DAY {
                    continue;
                }
                // Performance follows the interview score loosely; 6-month
                // ratings exist half a year after the decision, 12-month
                // ratings a year after.
                let hired = rng.uniform() < 0.75;
                let perf = |rng: &mut SplitMix64| {
                    ((3.2 + 0.9 * (mean - 3.6) + normal(rng) * 0.5).clamp(1.0, 5.0) * 2.0).round()
                        / 2.0
                };
                let p6 = (hired && decided < now - 26 * 7 * DAY).then(|| perf(&mut rng));
                let p12 = (hired && decided < now - 52 * 7 * DAY).then(|| perf(&mut rng));
                let employed = p12.map(|p| i64::from(p >= 2.5 || rng.uniform() < 0.5));
                rows.outcomes.push(vec![
                    Cell::Text(interview),
                    Cell::Int(i64::from(hired)),
                    Cell::MaybeReal(p6),
                    Cell::MaybeReal(p12),
                    Cell::MaybeInt(employed),
                    Cell::Int(decided),
                ]);
            }
        }
    }
    rows
}

/// Writes generated rows in one transaction, many rows per statement.
pub async fn write(state: &AppState, now: Millis, rows: &Rows) -> anyhow::Result<()> {
    let mut w = state.db.begin_write().await?;
    let people: Vec<(&str, &str)> = rows
        .candidates
        .iter()
        .map(|(n, e)| (n.as_str(), e.as_str()))
        .collect();
    let ids = interviews::candidates(&mut w.tx, now, &people).await?;
    // Generated interviews name their candidate by position; the stored
    // ids replace those placeholders.
    let mut interviews = rows.interviews.clone();
    for (row, id) in interviews.iter_mut().zip(ids) {
        row[1] = Cell::Text(id);
    }
    for (table, rows) in [
        (Table::Interviews, &interviews),
        (Table::Responses, &rows.responses),
        (Table::Assignments, &rows.assignments),
        (Table::Scores, &rows.scores),
        (Table::Decisions, &rows.decisions),
        (Table::Outcomes, &rows.outcomes),
    ] {
        bulk::insert(&mut w.tx, table, rows)
            .await
            .map_err(|e| anyhow::anyhow!("writing generated {table:?}: {e:?}"))?;
    }
    w.commit().await?;
    Ok(())
}

/// The hiring panel of the demo's history.
const PANEL: [&str; 4] = ["Morgan Lee", "Priya Nair", "Tomas Silva", "Ada Mensah"];

/// The demo's history: a year and a bit of it on every role, a completion
/// drop planted on `planted` (a role key), then the drop alert evaluated
/// once so it is listed (and sent) when the demo starts.
pub async fn demo(
    state: &AppState,
    roles: &HashMap<String, (String, String, Vec<String>)>,
    decider: &str,
) -> anyhow::Result<()> {
    let now = state.clock.now();
    let media = {
        let mut conn = state.db.pool.acquire().await?;
        bulk::any_media_object(&mut conn)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .context("the demo history needs a stored clip")?
    };
    let mut panel = Vec::new();
    {
        let mut w = state.db.begin_write().await?;
        for name in PANEL {
            let id = new_id();
            crate::store::users::insert_with_email(
                &mut w.tx,
                &id,
                name,
                "recruiter",
                &super::demo_email(name),
                now,
            )
            .await?;
            panel.push(id);
        }
        w.commit().await?;
    }
    let mut keys: Vec<&String> = roles.keys().collect();
    keys.sort();
    let plan = Plan {
        seed: 15,
        now,
        weeks: 60,
        roles: keys
            .into_iter()
            .filter_map(|k| {
                let (role_id, set_id, question_ids) = roles.get(k)?;
                let planted = k == PLANTED;
                Some(RolePlan {
                    role_id: role_id.clone(),
                    set_id: set_id.clone(),
                    question_ids: question_ids.clone(),
                    recent_per_week: if planted { 40 } else { 20 },
                    older_per_week: 4,
                    planted_drop: planted.then_some(0.30),
                    active: None,
                })
            })
            .collect(),
        panel,
        decider: decider.to_string(),
        media_object_id: media,
    };
    let rows = generate(&plan);
    write(state, now, &rows).await?;
    // The history's candidates answer the voluntary questions too, so the
    // adverse-impact figure has groups large enough to show.
    let self_ids = super::self_identification::generated_rows(&rows.interviews, &mut 0);
    let mut w = state.db.begin_write().await?;
    bulk::insert(&mut w.tx, Table::SelfIdentifications, &self_ids)
        .await
        .map_err(|e| anyhow::anyhow!("writing the history's self-identification: {e:?}"))?;
    w.commit().await?;
    crate::api::insights::notifier::evaluate(state).await?;
    Ok(())
}

/// The demo role whose completion drops.
pub const PLANTED: &str = "cse";
