//! Deterministic fixtures for the workstation's tests and benchmarks: a
//! dev-dependency only, so none of it is in the shipped library. App states
//! are built by feeding [`Action`]s to the real update function.

use takes_api::*;

use takes::app::action::{Action, Counts, QueueChunk};
use takes::app::state::{App, LocalScore, SyncState, TranscriptState};
use takes::app::update;
use takes::config::{Keymap, Settings};
use takes::journal::sync::SyncEvent;

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

/// A signed-in app with a loaded queue of `n` rows and an open journal.
pub fn app_with_queue(role: UserRole, n: usize) -> App {
    let mut app = App::new(
        "http://127.0.0.1:8420",
        Keymap::defaults(),
        // Muted-first has its own tests; here one key is one rating.
        Settings {
            muted_first: takes_player::muted_first::Policy::Off,
            ..Settings::default()
        },
        vec![],
        NOW_MS,
    );
    app.size = (120, 40);
    update::update(&mut app, Action::MeLoaded(Ok(me(role))));
    update::update(
        &mut app,
        Action::Sync(SyncEvent::Opened {
            path: "j".into(),
            pending: vec![],
        }),
    );
    let gen = app.queue.gen;
    update::update(
        &mut app,
        Action::QueueLoaded {
            gen,
            result: Ok(QueueChunk {
                items: queue_items(n),
                next_cursor: None,
                total: n as i64,
                replace: true,
                done: true,
            }),
        },
    );
    let open = queue_items(n)
        .iter()
        .filter(|i| i.status != AssignmentStatus::Submitted)
        .count() as i64;
    update::update(
        &mut app,
        Action::CountsLoaded(Ok(Counts {
            pending: open - 3.min(open),
            in_progress: 3.min(open),
            submitted: 2,
        })),
    );
    app.status = None;
    app
}

/// The review screen of the first row, loaded, with transcripts, Q2 saved
/// locally, Q3 failed, the current question Q2.
pub fn app_in_review(role: UserRole) -> App {
    let mut app = app_with_queue(role, 40);
    update::update(
        &mut app,
        Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    let id = app
        .review()
        .map(|r| r.assignment_id.clone())
        .unwrap_or_default();
    update::update(
        &mut app,
        Action::AssignmentLoaded {
            id: id.clone(),
            result: Ok(assignment(&id)),
        },
    );
    for i in 1..=4 {
        update::update(
            &mut app,
            Action::TranscriptLoaded {
                response_id: format!("r{i}"),
                result: Ok(cues()),
            },
        );
    }
    app.local.insert(
        (id.clone(), "q2".into()),
        LocalScore {
            key: "k2".into(),
            rating: Some(3),
            muted_rating: None,
            note: None,
            evidence: vec![Evidence {
                start_s: 5.5,
                end_s: 11.0,
            }],
            sync: SyncState::Saved,
        },
    );
    app.local.insert(
        (id.clone(), "q3".into()),
        LocalScore {
            key: "k3".into(),
            rating: Some(2),
            muted_rating: None,
            note: None,
            evidence: vec![],
            sync: SyncState::Failed("conflict (409): assignment was submitted".into()),
        },
    );
    if let Some(r) = app.screen.review_mut() {
        r.current = 1;
        r.cue = 1;
        assert!(matches!(
            r.transcripts.get("r2"),
            Some(TranscriptState::Loaded(_))
        ));
    }
    app.status = None;
    app
}

/// The panel of the first row's assignment, reached as a reviewer reaches
/// it: every open question rated, each score saved and synced, `S` `y`,
/// the server's receipt, the panel's reply.
pub fn app_in_panel(role: UserRole) -> App {
    let mut app = app_with_queue(role, 40);
    key(&mut app, crossterm::event::KeyCode::Enter);
    let id = app
        .review()
        .map(|r| r.assignment_id.clone())
        .unwrap_or_default();
    update::update(
        &mut app,
        Action::AssignmentLoaded {
            id: id.clone(),
            result: Ok(assignment(&id)),
        },
    );
    // Q1 is scored on the server; auto-advance walks Q2 to Q4.
    let mut entries = Vec::new();
    for c in ['3', '2', '5'] {
        entries.extend(journaled(&ch(&mut app, c)));
    }
    assert_eq!(entries.len(), 3, "one journal entry per rating");
    for e in entries {
        update::update(
            &mut app,
            Action::Sync(SyncEvent::Saved { key: e.key.clone() }),
        );
        update::update(
            &mut app,
            Action::Sync(SyncEvent::Synced {
                key: e.key,
                assignment_id: e.assignment_id,
                question_id: e.question_id,
            }),
        );
    }
    assert_eq!(app.unsynced(None), 0);
    ch(&mut app, 'S');
    let fx = ch(&mut app, 'y');
    assert_eq!(fx, vec![takes::app::Effect::Submit(id.clone())]);
    update::update(
        &mut app,
        Action::Submitted {
            assignment_id: id.clone(),
            result: Ok(SubmitReceipt {
                assignment_id: id.clone(),
                status: AssignmentStatus::Submitted,
                submitted_at: rfc(NOW_MS),
            }),
        },
    );
    update::update(
        &mut app,
        Action::PanelLoaded {
            assignment_id: id,
            result: Ok(panel("int-1")),
        },
    );
    app
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

/// Reviewers of [`calibration_results`]: name, "is me".
const PEOPLE: [(&str, bool); 3] = [
    ("Riley Chen", true),
    ("Sam Okoro", false),
    ("Jordan Alvarez", false),
];

/// Their ratings, one row per reviewer, one column per item.
pub const RESULT_RATINGS: [[i64; 4]; 3] = [[3, 4, 2, 4], [4, 4, 4, 5], [3, 4, 5, 4]];

/// Seed of the alpha interval's bootstrap, so the fixture is stable.
const BOOTSTRAP_SEED: u64 = 1;
const BOOTSTRAP_ITERATIONS: usize = 1000;

/// Reliability of [`RESULT_RATINGS`], computed by `takes-irr` as the server
/// does (items are the units, reviewers the raters).
pub fn results_reliability() -> Reliability {
    let table: Vec<Vec<Option<f64>>> = (0..4)
        .map(|i| RESULT_RATINGS.iter().map(|r| Some(r[i] as f64)).collect())
        .collect();
    let data = takes_irr::Ratings::from_rows(&table);
    let split = |r: Result<f64, takes_irr::Undefined>| match r {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e.reason)),
    };
    let (alpha_ordinal, alpha_ordinal_reason) =
        split(takes_irr::alpha(&data, takes_irr::Metric::Ordinal));
    let (alpha_interval, alpha_interval_reason) =
        split(takes_irr::alpha(&data, takes_irr::Metric::Interval));
    let (alpha_ordinal_ci, alpha_ordinal_ci_reason) = match takes_irr::alpha_bootstrap_ci(
        &data,
        takes_irr::Metric::Ordinal,
        BOOTSTRAP_ITERATIONS,
        BOOTSTRAP_SEED,
    ) {
        Ok((lower, upper)) => (
            Some(ConfidenceInterval {
                lower,
                upper,
                level: 0.95,
                iterations: BOOTSTRAP_ITERATIONS as i64,
            }),
            None,
        ),
        Err(e) => (None, Some(e.reason)),
    };
    let (icc2_1, icc2_1_reason, icc2_k, icc2_k_reason, icc_units) = match takes_irr::icc(&data) {
        Ok(i) => {
            let (a, ar) = split(i.icc2_1);
            let (b, br) = split(i.icc2_k);
            (a, ar, b, br, i.n_units as i64)
        }
        Err(e) => (None, Some(e.reason.clone()), None, Some(e.reason), 0),
    };
    Reliability {
        units: 4,
        raters: 3,
        ratings: 12,
        alpha_ordinal,
        alpha_ordinal_reason,
        alpha_interval,
        alpha_interval_reason,
        alpha_ordinal_ci,
        alpha_ordinal_ci_reason,
        icc2_1,
        icc2_1_reason,
        icc2_k,
        icc2_k_reason,
        icc_units,
    }
}

/// Each reviewer's mean deviation from the item means (which include the
/// reviewer), as the server computes it.
pub fn results_deviations() -> [f64; 3] {
    let means: Vec<f64> = (0..4)
        .map(|i| RESULT_RATINGS.iter().map(|r| r[i] as f64).sum::<f64>() / 3.0)
        .collect();
    RESULT_RATINGS.map(|r| {
        r.iter()
            .zip(&means)
            .map(|(v, m)| *v as f64 - m)
            .sum::<f64>()
            / 4.0
    })
}

/// Results of three reviewers over four items; item 3 flagged. Every
/// figure is computed from [`RESULT_RATINGS`].
pub fn calibration_results() -> CalibrationResults {
    let a = assignment("cal");
    let items = a
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let rs: Vec<i64> = RESULT_RATINGS.iter().map(|r| r[i]).collect();
            let mean = rs.iter().sum::<i64>() as f64 / 3.0;
            let (lo, hi) = (
                rs.iter().copied().min().unwrap_or(0),
                rs.iter().copied().max().unwrap_or(0),
            );
            let spread = hi - lo;
            let mut flag_reasons = Vec::new();
            if spread >= 2 {
                flag_reasons.push(FlagReason::Spread);
            }
            if lo < q.rubric.pass_score && hi >= q.rubric.pass_score {
                flag_reasons.push(FlagReason::PassLine);
            }
            ItemResult {
                item_id: format!("item-{}", i + 1),
                position: i as i64 + 1,
                prompt: q.prompt.clone(),
                competency: q.competency.clone(),
                rubric: q.rubric.clone(),
                scores: PEOPLE
                    .iter()
                    .zip(rs.iter())
                    .map(|((n, me), r)| ItemResultScore {
                        reviewer_id: n.to_lowercase().replace(' ', "-"),
                        name: n.to_string(),
                        is_me: *me,
                        rating: *r,
                        note: (i == 2 && !me).then(|| "Outcome was never stated.".to_string()),
                    })
                    .collect(),
                mean: Some(mean),
                median: None,
                spread: Some(spread),
                flagged: !flag_reasons.is_empty(),
                flag_reasons,
                notes: if i == 2 {
                    vec![CalibrationNote {
                        id: "n1".into(),
                        item_id: "item-3".into(),
                        author_id: "sam-okoro".into(),
                        author_name: "Sam Okoro".into(),
                        text: "Anchor 3 needs a clearer outcome line.".into(),
                        created_at: rfc(NOW_MS),
                    }]
                } else {
                    vec![]
                },
            }
        })
        .collect();
    CalibrationResults {
        session_id: "cal-1".into(),
        title: "2026 Q4 — Backend screen".into(),
        deadline_at: rfc(NOW_MS + 72 * HOUR),
        closed: false,
        revealed_at: None,
        items,
        reviewers: PEOPLE
            .iter()
            .zip(results_deviations())
            .map(|((n, me), d)| ReviewerResult {
                reviewer_id: n.to_lowercase().replace(' ', "-"),
                name: n.to_string(),
                is_me: *me,
                status: CalibrationStatus::Submitted,
                submitted_at: Some(rfc(NOW_MS)),
                items_scored: 4,
                mean_deviation: Some(d),
                // The server's band: half a point either way is in line.
                tendency: Some(if d <= -0.5 {
                    Tendency::Severe
                } else if d >= 0.5 {
                    Tendency::Lenient
                } else {
                    Tendency::InLine
                }),
            })
            .collect(),
        reliability: results_reliability(),
    }
}

/// The calibration session opened from the queue (`C`, Enter) with
/// `scored` items scored on the server, loaded in the review screen.
pub fn app_in_calibration(scored: usize) -> App {
    let mut app = app_with_queue(UserRole::Reviewer, 40);
    let key = |app: &mut App, c: crossterm::event::KeyCode| {
        update::update(app, Action::Key(crossterm::event::KeyEvent::from(c)))
    };
    key(&mut app, crossterm::event::KeyCode::Char('C'));
    update::update(
        &mut app,
        Action::CalibrationsLoaded(Ok(CalibrationPage {
            items: vec![calibration_summary(scored, false)],
            next_cursor: None,
        })),
    );
    key(&mut app, crossterm::event::KeyCode::Enter);
    update::update(
        &mut app,
        Action::CalibrationSessionLoaded {
            id: "cal-1".into(),
            result: Ok(calibration_session(scored)),
        },
    );
    for i in 1..=4 {
        update::update(
            &mut app,
            Action::TranscriptLoaded {
                response_id: format!("r{i}"),
                result: Ok(cues()),
            },
        );
    }
    app.status = None;
    app
}

/// Presses `code` (no modifiers).
pub fn key(app: &mut App, code: crossterm::event::KeyCode) -> Vec<takes::app::Effect> {
    update::update(app, Action::Key(crossterm::event::KeyEvent::from(code)))
}

/// Presses the character `c`.
pub fn ch(app: &mut App, c: char) -> Vec<takes::app::Effect> {
    key(app, crossterm::event::KeyCode::Char(c))
}

/// The score entries among `fx` that go to the journal.
pub fn journaled(fx: &[takes::app::Effect]) -> Vec<takes::journal::ScoreEntry> {
    fx.iter()
        .filter_map(|e| match e {
            takes::app::Effect::Journal(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}
