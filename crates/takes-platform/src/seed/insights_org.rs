//! An organisation of any size for the insights benchmark (`cargo xtask
//! bench insights`, issue 15: 100,000 interviews answer every insights
//! request in under a second): twelve roles in four departments, each with
//! two question-set versions (the second in use for the later half of the
//! history), about two years of history from the same seeded generator as
//! the demo (`seed::insights::generate`), plus invitations, voluntary
//! self-identification and a calibration session per question set, all
//! written through the bulk path.

use anyhow::Context;
use takes_api::{Anchor, Rubric, UserRole};

use super::insights::{generate, write, Plan, RolePlan, Rows};
use crate::auth::issue_token;
use crate::clock::{Millis, DAY, HOUR};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::calibration::{self as calibration, NewSession};
use crate::store::insights::bulk::{self, Cell, Table};
use crate::store::{interviews, roles};

const DEPARTMENTS: [&str; 4] = ["Engineering", "Sales", "Support", "Operations"];
const ROLES: [&str; 12] = [
    "Backend Engineer",
    "Frontend Engineer",
    "Site Reliability Engineer",
    "Account Executive",
    "Sales Development Representative",
    "Solutions Consultant",
    "Support Specialist",
    "Customer Success Engineer",
    "Technical Writer",
    "Operations Analyst",
    "Recruiting Coordinator",
    "Finance Associate",
];
/// One question per competency: six answers per completed interview give
/// the promised ~400,000 responses at 100,000 interviews.
const COMPETENCIES: [&str; 6] = [
    "Problem solving",
    "Communication",
    "Ownership",
    "Collaboration",
    "Craft",
    "Learning",
];
const PANEL: [&str; 6] = [
    "Morgan Lee",
    "Priya Nair",
    "Tomas Silva",
    "Ada Mensah",
    "Noor Haddad",
    "Lena Vogel",
];
/// The history is at most two years long; smaller organisations get fewer
/// weeks so that every (role, week) still has an interview.
const MAX_WEEKS: i64 = 104;

/// What was written: the counts the generator promises, read back by its
/// test against the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub interviews: usize,
    pub responses: usize,
    pub assignments: usize,
    pub scores: usize,
    pub decisions: usize,
    pub outcomes: usize,
    pub invitations: usize,
    pub self_identifications: usize,
    pub calibration_sessions: usize,
}

/// The organisation and who can read its insights.
pub struct Organisation {
    pub admin_token: String,
    pub recruiter_token: String,
    /// A member of the reviewing panel, for `/v1/insights/me`.
    pub reviewer_token: String,
    pub role_ids: Vec<String>,
    pub departments: Vec<String>,
    pub weeks: i64,
    pub counts: Counts,
}

fn add(c: &mut Counts, rows: &Rows) {
    c.interviews += rows.interviews.len();
    c.responses += rows.responses.len();
    c.assignments += rows.assignments.len();
    c.scores += rows.scores.len();
    c.decisions += rows.decisions.len();
    c.outcomes += rows.outcomes.len();
}

/// Builds an organisation of about `interviews` interviews (at least that
/// many: each role gets the same whole number per week) into an empty
/// database. `seed` makes it reproducible.
pub async fn build(state: &AppState, interviews: usize, seed: u64) -> anyhow::Result<Organisation> {
    let now = state.clock.now();
    let interviews = interviews.max(ROLES.len());
    let weeks = ((interviews / ROLES.len()) as i64).clamp(2, MAX_WEEKS);
    let per_week = interviews.div_ceil(ROLES.len() * weeks as usize);

    let (admin_id, admin_token) =
        issue_token(&state.db, now, "Bench Admin", UserRole::Admin, "bench").await?;
    let (recruiter_id, recruiter_token) = issue_token(
        &state.db,
        now,
        "Bench Recruiter",
        UserRole::Recruiter,
        "bench",
    )
    .await?;
    let mut panel = Vec::new();
    let mut reviewer_token = String::new();
    for name in PANEL {
        let (id, token) = issue_token(&state.db, now, name, UserRole::Reviewer, "bench").await?;
        panel.push(id);
        reviewer_token = token;
    }

    let rubric = Rubric {
        scale_min: 1,
        scale_max: 5,
        pass_score: 3,
        anchors: (1..=5)
            .map(|score| Anchor {
                score,
                label: format!("level {score}"),
                description: String::new(),
            })
            .collect(),
    };
    let mut role_plans = Vec::new();
    let mut role_ids = Vec::new();
    let media;
    {
        let mut w = state.db.begin_write().await?;
        let tx = &mut w.tx;
        media = interviews::media_object(tx, now, "bench-insights.webm", "video/webm", b"").await?;
        for (ri, title) in ROLES.iter().enumerate() {
            let department = DEPARTMENTS[ri / 3];
            let role_id = roles::role(tx, now, title, department).await?;
            roles::write::replace_recruiters(
                tx,
                now,
                &role_id,
                std::slice::from_ref(&recruiter_id),
            )
            .await?;
            for reviewer in &panel {
                roles::role_reviewer(tx, now, &role_id, reviewer).await?;
            }
            // Version 1 for the first half of the history, version 2 after.
            for (version, active) in [(1, (0, weeks / 2)), (2, (weeks / 2, weeks))] {
                let set_id =
                    roles::question_set(tx, now, &role_id, &format!("{title} v{version}"), 1)
                        .await?;
                let mut question_ids = Vec::new();
                for (qi, competency) in COMPETENCIES.iter().enumerate() {
                    let prompt = format!("{title}, v{version}: {competency}");
                    let q = roles::NewQuestion {
                        position: qi as i64 + 1,
                        prompt: &prompt,
                        competency,
                        time_limit_s: 120,
                        rubric: &rubric,
                    };
                    question_ids.push(roles::question(tx, &set_id, q).await?);
                }
                role_plans.push(RolePlan {
                    role_id: role_id.clone(),
                    set_id,
                    question_ids,
                    recent_per_week: per_week,
                    older_per_week: per_week,
                    planted_drop: None,
                    active: Some(active),
                });
            }
            role_ids.push(role_id);
        }
        w.commit().await?;
    }

    // One role version at a time, so memory stays at one slice of the rows.
    let mut counts = Counts::default();
    let mut completed_seen = 0usize;
    for (k, role) in role_plans.iter().enumerate() {
        let plan = Plan {
            seed: seed.wrapping_add(k as u64),
            now,
            weeks,
            roles: vec![role.clone()],
            panel: panel.clone(),
            decider: recruiter_id.clone(),
            media_object_id: media.clone(),
        };
        let rows = generate(&plan);
        write(state, now, &rows).await?;
        add(&mut counts, &rows);
        let (invitations, self_ids) = extras(&rows, &recruiter_id, &mut completed_seen);
        counts.invitations += invitations.len();
        counts.self_identifications += self_ids.len();
        let mut w = state.db.begin_write().await?;
        for (table, rows) in [
            (Table::Invitations, &invitations),
            (Table::SelfIdentifications, &self_ids),
        ] {
            bulk::insert(&mut w.tx, table, rows)
                .await
                .map_err(|e| anyhow::anyhow!("writing generated {table:?}: {e:?}"))?;
        }
        w.commit().await?;
    }
    counts.calibration_sessions = calibration_sessions(state, now, &role_plans, &panel, &admin_id)
        .await
        .context("calibration sessions")?;
    Ok(Organisation {
        admin_token,
        recruiter_token,
        reviewer_token,
        role_ids,
        departments: DEPARTMENTS.iter().map(|d| d.to_string()).collect(),
        weeks,
        counts,
    })
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        _ => String::new(),
    }
}

fn int(cell: &Cell) -> Option<Millis> {
    match cell {
        Cell::Int(v) => Some(*v),
        Cell::MaybeInt(v) => *v,
        _ => None,
    }
}

/// Every interview's invitation, and the demo's pattern of voluntary
/// self-identification for completed ones (one in six skips the step).
fn extras(
    rows: &Rows,
    created_by: &str,
    completed_seen: &mut usize,
) -> (Vec<Vec<Cell>>, Vec<Vec<Cell>>) {
    let mut invitations = Vec::new();
    for row in &rows.interviews {
        let id = text(&row[0]);
        let invited = int(&row[5]).unwrap_or_default();
        invitations.push(vec![
            Cell::Text(id.clone()),
            Cell::Text(new_id()),
            Cell::Text(created_by.to_string()),
            Cell::Int(invited),
        ]);
    }
    let self_ids = super::self_identification::generated_rows(&rows.interviews, completed_seen);
    (invitations, self_ids)
}

/// One calibration session per question set that has answers: the first
/// four answered responses of the set, scored by three of the panel.
async fn calibration_sessions(
    state: &AppState,
    now: Millis,
    plans: &[RolePlan],
    panel: &[String],
    admin_id: &str,
) -> anyhow::Result<usize> {
    let mut sessions = 0;
    let mut w = state.db.begin_write().await?;
    for (k, plan) in plans.iter().enumerate() {
        let responses = bulk::sample_responses(&mut w.tx, &plan.set_id, 4)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        if responses.len() < 3 {
            continue;
        }
        let participants = &panel[..3];
        let created_at = now - 30 * DAY;
        let session_id = calibration::insert_session(
            &mut w.tx,
            NewSession {
                title: &format!("Calibration {}", k + 1),
                created_by: admin_id,
                created_at,
                deadline_at: created_at + 7 * DAY,
                participant_ids: participants,
                response_ids: &responses,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let items = calibration::item_ids(&mut w.tx, &session_id).await?;
        for (ri, reviewer) in participants.iter().enumerate() {
            for (ii, item) in items.iter().enumerate() {
                let rating = 1 + ((ii + ri / 2) % 5) as i64;
                calibration::seed_score(
                    &mut w.tx,
                    &session_id,
                    item,
                    reviewer,
                    rating,
                    None,
                    created_at + HOUR,
                )
                .await?;
            }
            calibration::submit(&mut w.tx, &session_id, reviewer, created_at + 2 * HOUR).await?;
        }
        sessions += 1;
    }
    w.commit().await?;
    Ok(sessions)
}
