//! Wire-type fixtures: queue rows, an assignment, transcripts, a panel,
//! calibration sessions, as the server would send them.

use takes_api::*;

use crate::results::results_reliability;

/// 2026-11-27T10:00:00Z.
pub const NOW_MS: i64 = 1_795_773_600_000;
pub const HOUR: i64 = 3_600_000;

pub fn rfc(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

const ROLES: [(&str, &str); 4] = [
    ("Backend Engineer", "Engineering"),
    ("Customer Success Engineer", "Customer Success"),
    ("Account Executive", "Sales"),
    ("Site Reliability Engineer", "Engineering"),
];
const ADJ: [&str; 8] = [
    "Amber", "Cobalt", "Coral", "Ember", "Jade", "Lilac", "Pearl", "Slate",
];
const ANIMAL: [&str; 8] = [
    "Falcon", "Heron", "Otter", "Gecko", "Marten", "Bison", "Crane", "Newt",
];

/// `n` queue rows, due from 30 h overdue onwards, a few in progress and
/// submitted.
pub fn queue_items(n: usize) -> Vec<QueueItem> {
    (0..n)
        .map(|i| {
            let (title, dept) = ROLES[i % 4];
            let status = match i % 7 {
                3 => AssignmentStatus::InProgress,
                5 => AssignmentStatus::Submitted,
                _ => AssignmentStatus::Pending,
            };
            let scored = match status {
                AssignmentStatus::InProgress => 2,
                AssignmentStatus::Submitted => 4,
                AssignmentStatus::Pending => 0,
            };
            QueueItem {
                id: format!("asg-{i:05}"),
                interview_id: format!("int-{i:05}"),
                status,
                candidate: CandidateView {
                    display_name: format!(
                        "Candidate {} {} {:03}",
                        ADJ[i % 8],
                        ANIMAL[(i / 8) % 8],
                        (i * 37) % 1000
                    ),
                    revealed: status == AssignmentStatus::Submitted,
                },
                role: JobRoleView {
                    title: title.into(),
                    department: dept.into(),
                },
                due_at: rfc(NOW_MS - 30 * HOUR + i as i64 * 7 * HOUR),
                assigned_at: rfc(NOW_MS - 48 * HOUR),
                submitted_at: (status == AssignmentStatus::Submitted).then(|| rfc(NOW_MS - HOUR)),
                question_count: 4,
                scored_count: scored,
            }
        })
        .collect()
}

fn anchors() -> Vec<Anchor> {
    vec![
        Anchor {
            score: 1,
            label: "Weak".into(),
            description: "No concrete example; generic claims.".into(),
        },
        Anchor {
            score: 3,
            label: "Acceptable".into(),
            description: "A real situation with a clear approach and a plausible outcome.".into(),
        },
        Anchor {
            score: 5,
            label: "Strong".into(),
            description:
                "Specific situation, deliberate actions, measurable outcome and reflection.".into(),
        },
    ]
}

const PROMPTS: [(&str, &str); 4] = [
    ("Describe a time when you had to deliver a project under significant time pressure. What was your approach, and what was the outcome?", "Delivery under pressure"),
    ("Tell us about a bug that took you a long time to find. How did you narrow it down?", "Debugging"),
    ("Describe a disagreement with a colleague about a technical decision. How was it resolved?", "Collaboration"),
    ("How do you leave code better than you found it? Give an example.", "Code ownership"),
];

pub fn assignment(id: &str) -> AssignmentDetail {
    AssignmentDetail {
        id: id.into(),
        interview_id: format!("int-of-{id}"),
        status: AssignmentStatus::InProgress,
        candidate: CandidateView {
            display_name: "Candidate Jade Orca 035".into(),
            revealed: false,
        },
        role: JobRoleView {
            title: "Backend Engineer".into(),
            department: "Engineering".into(),
        },
        due_at: rfc(NOW_MS + 5 * HOUR),
        submitted_at: None,
        question_set_version: Some(1),
        questions: PROMPTS
            .iter()
            .enumerate()
            .map(|(i, (prompt, comp))| QuestionView {
                id: format!("q{}", i + 1),
                position: i as i64 + 1,
                prompt: prompt.to_string(),
                competency: comp.to_string(),
                time_limit_s: 120,
                rubric: Rubric {
                    scale_min: 1,
                    scale_max: 5,
                    pass_score: 3,
                    anchors: anchors(),
                },
                response: Some(ResponseView {
                    id: format!("r{}", i + 1),
                    media_url: format!("/v1/media/r{}", i + 1),
                    content_type: "video/webm".into(),
                    duration_s: 15.0 + i as f64 * 10.0,
                    transcript_url: format!("/v1/responses/r{}/transcript", i + 1),
                    retakes_used: (i % 2) as i64,
                }),
            })
            .collect(),
        my_scores: vec![Score {
            question_id: "q1".into(),
            rating: 4,
            muted_rating: None,
            note: Some("Clear prioritisation; shipped on time.".into()),
            evidence: vec![],
            created_at: rfc(NOW_MS - HOUR),
            updated_at: rfc(NOW_MS - HOUR),
        }],
    }
}

pub fn cues() -> Vec<Cue> {
    [
        (0.0, 5.5, "At my last job we had to move our servers to a new cloud provider in one month."),
        (5.5, 11.0, "I split the work into the pieces that blocked the cut-over and the ones that could wait."),
        (11.0, 16.0, "We agreed the scope with the product owner in the first week and released behind a flag."),
        (16.0, 21.0, "It went out two days early and nobody noticed the switch, which was the point."),
    ]
    .iter()
    .map(|(s, e, t)| Cue { start_s: *s, end_s: *e, text: t.to_string() })
    .collect()
}

pub fn me(role: UserRole) -> Me {
    Me {
        id: "user-1".into(),
        name: match role {
            UserRole::Reviewer => "Riley Chen",
            UserRole::Recruiter => "Dana Brooks",
            UserRole::Admin => "Alex Kim",
        }
        .into(),
        role,
    }
}

/// A panel with three reviewers.
pub fn panel(interview_id: &str) -> Panel {
    let reviewer =
        |name: &str, me: bool, ratings: &[i64], status: AssignmentStatus| PanelReviewer {
            reviewer_id: name.to_lowercase(),
            name: name.into(),
            is_me: me,
            status,
            submitted_at: Some(rfc(NOW_MS - HOUR)),
            scores: ratings
                .iter()
                .enumerate()
                .map(|(i, r)| Score {
                    question_id: format!("q{}", i + 1),
                    rating: *r,
                    muted_rating: None,
                    note: (i == 0 && !me)
                        .then(|| "Concrete example, measurable outcome.".to_string()),
                    evidence: vec![],
                    created_at: rfc(NOW_MS),
                    updated_at: rfc(NOW_MS),
                })
                .collect(),
        };
    Panel {
        interview_id: interview_id.into(),
        candidate: CandidateView {
            display_name: "Oluwaseun Adeyemi".into(),
            revealed: true,
        },
        questions: PROMPTS
            .iter()
            .enumerate()
            .map(|(i, (p, c))| PanelQuestion {
                question_id: format!("q{}", i + 1),
                position: i as i64 + 1,
                prompt: p.to_string(),
                competency: c.to_string(),
                mean: Some([4.0, 3.0, 2.67, 4.33][i]),
                spread: Some([1, 0, 2, 1][i]),
            })
            .collect(),
        reviewers: vec![
            reviewer("Jordan Alvarez", false, &[], AssignmentStatus::Pending),
            reviewer(
                "Riley Chen",
                true,
                &[4, 3, 2, 5],
                AssignmentStatus::Submitted,
            ),
            reviewer(
                "Sam Okoro",
                false,
                &[5, 3, 4, 4],
                AssignmentStatus::Submitted,
            ),
        ],
    }
}

/// A calibration session of four items; `scored` of them carry the
/// caller's scores; not submitted.
pub fn calibration_session(scored: usize) -> CalibrationSession {
    let a = assignment("cal");
    CalibrationSession {
        id: "cal-1".into(),
        title: "2026 Q4 — Backend screen".into(),
        created_at: rfc(NOW_MS - 48 * HOUR),
        deadline_at: rfc(NOW_MS + 72 * HOUR),
        closed: false,
        revealed_at: None,
        my_status: Some(if scored > 0 {
            CalibrationStatus::InProgress
        } else {
            CalibrationStatus::Pending
        }),
        my_submitted_at: None,
        results_visible: false,
        participants: Vec::new(),
        items: a
            .questions
            .iter()
            .map(|q| CalibrationItem {
                id: format!("item-{}", q.position),
                position: q.position,
                role: a.role.clone(),
                question: CalibrationQuestion {
                    prompt: q.prompt.clone(),
                    competency: q.competency.clone(),
                    time_limit_s: q.time_limit_s,
                    rubric: q.rubric.clone(),
                },
                response: q.response.clone().unwrap_or(ResponseView {
                    id: "r0".into(),
                    media_url: String::new(),
                    content_type: "video/webm".into(),
                    duration_s: 0.0,
                    transcript_url: String::new(),
                    retakes_used: 0,
                }),
            })
            .collect(),
        my_scores: (1..=scored)
            .map(|i| CalibrationScore {
                item_id: format!("item-{i}"),
                rating: 3,
                note: None,
                created_at: rfc(NOW_MS - HOUR),
                updated_at: rfc(NOW_MS - HOUR),
            })
            .collect(),
    }
}

pub fn calibration_summary(scored: usize, submitted: bool) -> CalibrationSummary {
    CalibrationSummary {
        id: "cal-1".into(),
        title: "2026 Q4 — Backend screen".into(),
        created_at: rfc(NOW_MS - 48 * HOUR),
        deadline_at: rfc(NOW_MS + 72 * HOUR),
        closed: false,
        revealed_at: None,
        item_count: 4,
        participant_count: 3,
        submitted_count: if submitted { 3 } else { 2 },
        my_status: Some(if submitted {
            CalibrationStatus::Submitted
        } else {
            CalibrationStatus::InProgress
        }),
        my_scored_count: scored as i64,
        results_visible: submitted,
        alpha_ordinal: if submitted {
            results_reliability().alpha_ordinal
        } else {
            None
        },
    }
}
