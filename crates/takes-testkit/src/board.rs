//! Triage board fixtures: rows in every stage, an opened interview, and an
//! app on the board, built through the real update function.

use takes_api::board::*;
use takes_api::*;

use takes::app::action::Action;
use takes::app::state::App;
use takes::app::update;

use crate::wire::{cues, panel, rfc, HOUR, NOW_MS};

const NAMES: [&str; 8] = [
    "Oluwaseun Adeyemi",
    "Mei Lin",
    "Jonas Berg",
    "Priya Raman",
    "Carlos Mendes",
    "Hana Sato",
    "Aisha Khan",
    "Tomas Novak",
];
const ROLES: [&str; 3] = [
    "Backend Engineer",
    "Account Executive",
    "Site Reliability Engineer",
];

fn reviewer(i: usize, name: &str, submitted: bool, overdue: bool) -> BoardReviewer {
    BoardReviewer {
        assignment_id: format!("a{i}-{}", name.to_lowercase().replace(' ', "-")),
        reviewer_id: name.to_lowercase().replace(' ', "-"),
        name: name.into(),
        submitted,
        due_at: rfc(if overdue {
            NOW_MS - 30 * HOUR
        } else {
            NOW_MS + 20 * HOUR
        }),
        overdue,
    }
}

/// Row `i` of a board: stages cycle, with aggregates that fit the stage.
pub fn board_item(i: usize) -> BoardItem {
    let stage = BoardStage::ALL[i % 4];
    let submitted_all = matches!(stage, BoardStage::ReadyToDecide | BoardStage::Decided);
    let reviewers = match stage {
        BoardStage::Invited => vec![],
        _ => vec![
            reviewer(
                i,
                "Jordan Alvarez",
                submitted_all,
                !submitted_all && i % 3 == 1,
            ),
            reviewer(i, "Riley Chen", true, false),
            reviewer(i, "Sam Okoro", true, false),
        ],
    };
    let submitted = reviewers.iter().filter(|r| r.submitted).count() as i64;
    let means = match stage {
        BoardStage::Invited => vec![],
        _ => vec![Some(4.0), Some(3.0 + (i % 2) as f64), Some(2.5), Some(4.5)],
    };
    let mean = (!means.is_empty()).then_some(3.2 + (i % 5) as f64 * 0.3);
    let decision = (stage == BoardStage::Decided).then(|| Decision {
        id: format!("d{i}"),
        interview_id: format!("i{i}"),
        action: if i % 8 == 3 {
            DecisionAction::Advance
        } else {
            DecisionAction::Reject
        },
        reason: Some("Panel below the bar".into()),
        decided_by: "Dana Recruiter".into(),
        decided_at: rfc(NOW_MS - HOUR),
    });
    let sync = decision.as_ref().map(|_| match i % 3 {
        0 => SyncState {
            status: SyncStatus::Delivered,
            reason: None,
        },
        1 => SyncState {
            status: SyncStatus::Failed,
            reason: Some("HTTP 503 from the ATS".into()),
        },
        _ => SyncState {
            status: SyncStatus::Queued,
            reason: None,
        },
    });
    BoardItem {
        id: format!("i{i}"),
        candidate_name: NAMES[i % NAMES.len()].into(),
        role_id: format!("r{}", i % 3),
        role_title: ROLES[i % 3].into(),
        stage,
        status: if stage == BoardStage::Invited {
            InterviewStatus::Invited
        } else {
            InterviewStatus::Completed
        },
        invited_at: rfc(NOW_MS - 96 * HOUR),
        expires_at: rfc(NOW_MS + 40 * HOUR),
        completed_at: (stage != BoardStage::Invited).then(|| rfc(NOW_MS - (30 + i as i64) * HOUR)),
        reminders_sent: i64::from(stage == BoardStage::Invited),
        reviewers_assigned: reviewers.len() as i64,
        reviewers_submitted: submitted,
        reviewers,
        mean_score: mean,
        question_means: means,
        disagreement: i.is_multiple_of(3) && stage != BoardStage::Invited,
        shift: i % 5 == 2,
        decision,
        sync,
    }
}

/// A page of the board: the rows of `stage` among the first `n` (all when
/// `None`), with every stage's count.
pub fn board_page(n: usize, stage: Option<BoardStage>) -> BoardPage {
    let all: Vec<BoardItem> = (0..n).map(board_item).collect();
    let mut counts = StageCounts::default();
    for i in &all {
        counts.add(i.stage);
    }
    let items: Vec<BoardItem> = all
        .into_iter()
        .filter(|i| stage.is_none_or(|s| i.stage == s))
        .collect();
    BoardPage {
        total: items.len() as i64,
        items,
        next_cursor: None,
        counts,
    }
}

/// The interview of row `i`, opened: its panel and transcripts.
pub fn board_interview(i: usize) -> BoardInterview {
    let item = board_item(i);
    let mut p = panel(&item.id);
    p.candidate.display_name = item.candidate_name.clone();
    if let Some(s) = p.reviewers.get_mut(2).and_then(|r| r.scores.get_mut(0)) {
        s.evidence = vec![Evidence {
            start_s: 0.5,
            end_s: 4.0,
        }];
        s.muted_rating = Some(4);
    }
    let answers = p
        .questions
        .iter()
        .map(|q| BoardAnswer {
            question_id: q.question_id.clone(),
            position: q.position,
            prompt: q.prompt.clone(),
            response_id: Some(format!("resp-{}", q.position)),
            transcript: if q.position == 4 { vec![] } else { cues() },
        })
        .collect();
    BoardInterview {
        item,
        panel: p,
        answers,
        pool: vec![PoolReviewer {
            id: "u-kim".into(),
            name: "Kim Park".into(),
        }],
    }
}

/// A recruiter on the board showing `stage`, loaded from `n` rows.
pub fn app_on_board(n: usize, stage: Option<BoardStage>) -> App {
    let mut app = crate::app_with_queue(UserRole::Recruiter, 10);
    crate::ch(&mut app, 'T');
    app.board.stage = stage;
    let gen = app.board.gen;
    update::update(
        &mut app,
        Action::BoardLoaded {
            gen,
            replace: true,
            result: Ok(board_page(n, stage)),
        },
    );
    app.status = None;
    app
}

/// The board with row `i`'s interview opened.
pub fn app_on_board_interview(i: usize) -> App {
    let mut app = app_on_board(12, None);
    app.board.selected = app
        .board
        .items
        .iter()
        .position(|r| r.id == format!("i{i}"))
        .unwrap_or(0);
    crate::key(&mut app, crossterm::event::KeyCode::Enter);
    update::update(
        &mut app,
        Action::BoardInterviewLoaded {
            id: format!("i{i}"),
            result: Ok(board_interview(i)),
        },
    );
    app.status = None;
    app
}
