//! The triage board's update function: opening it, stage tabs, selection
//! (space and a visual range), the bulk decision with one confirmation,
//! idempotent retries, and the reassignment picker.

use crossterm::event::KeyCode;
use takes::app::state::ScreenKind;
use takes::app::{update, Action, Effect};
use takes::client::ClientError;
use takes::features::board::state::DialogStage;
use takes_api::board::{BoardStage, BulkDecisionResult, SyncStatus};
use takes_api::{Decision, DecisionAction, UserRole};
use takes_testkit::{app_on_board, app_on_board_interview, app_with_queue, ch, key};

#[test]
fn t_opens_the_board_for_recruiters_only() {
    let mut app = app_with_queue(UserRole::Reviewer, 5);
    assert!(ch(&mut app, 'T').is_empty());
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
    let mut app = app_with_queue(UserRole::Recruiter, 5);
    let fx = ch(&mut app, 'T');
    assert_eq!(app.screen.kind(), ScreenKind::Board);
    match fx.as_slice() {
        [Effect::FetchBoard {
            query,
            cursor: None,
            replace: true,
            ..
        }] => {
            assert_eq!(query.stage.as_deref(), Some("ready_to_decide"));
        }
        other => panic!("{other:?}"),
    }
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
}

#[test]
fn stage_tabs_reload_from_the_server_and_drop_the_selection() {
    let mut app = app_on_board(12, Some(BoardStage::ReadyToDecide));
    ch(&mut app, ' ');
    assert_eq!(app.board.selection_count(), 1);
    let fx = key(&mut app, KeyCode::Tab);
    assert_eq!(app.board.stage, Some(BoardStage::Decided));
    assert_eq!(app.board.selection_count(), 0);
    assert!(
        matches!(fx.as_slice(), [Effect::FetchBoard { query, .. }] if query.stage.as_deref() == Some("decided"))
    );
    // A reply to the old request is ignored.
    let stale = app.board.gen - 1;
    update(
        &mut app,
        Action::BoardLoaded {
            gen: stale,
            replace: true,
            result: Ok(takes_testkit::board_page(12, Some(BoardStage::Invited))),
        },
    );
    assert!(app
        .board
        .items
        .iter()
        .all(|i| i.stage == BoardStage::ReadyToDecide));
}

fn decided(ids: &[String], action: DecisionAction) -> BulkDecisionResult {
    BulkDecisionResult {
        decisions: ids
            .iter()
            .map(|id| Decision {
                id: format!("d-{id}"),
                interview_id: id.clone(),
                action,
                reason: Some("Role filled".into()),
                decided_by: "Dana".into(),
                decided_at: "2026-11-27T10:00:00Z".into(),
            })
            .collect(),
    }
}

#[test]
fn space_and_a_visual_range_select_and_one_confirmation_decides_them_all() {
    let mut app = app_on_board(24, Some(BoardStage::ReadyToDecide));
    assert_eq!(app.board.items.len(), 6);
    // Space toggles the first row and moves on; a range takes rows 3 to 5.
    ch(&mut app, ' ');
    ch(&mut app, 'j');
    ch(&mut app, 'V');
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    assert_eq!(app.board.selection_count(), 4);
    ch(&mut app, 'V');
    assert_eq!(app.board.selection_count(), 4);
    // Space on a selected row unselects it.
    ch(&mut app, 'k');
    ch(&mut app, ' ');
    assert_eq!(app.board.selection_count(), 3);
    let want: Vec<String> = [0, 2, 4]
        .iter()
        .map(|r| app.board.items[*r].id.clone())
        .collect();
    let names: Vec<String> = [0, 2, 4]
        .iter()
        .map(|r| app.board.items[*r].candidate_name.clone())
        .collect();

    ch(&mut app, 'D');
    let d = app.board.dialog.clone().expect("dialog");
    assert_eq!((d.ids.clone(), d.names.clone()), (want.clone(), names));
    ch(&mut app, 'r');
    for c in "Role filled".chars() {
        ch(&mut app, c);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.board.dialog.as_ref().map(|d| d.stage),
        Some(DialogStage::Confirm)
    );
    let fx = ch(&mut app, 'y');
    let first_key = match fx.as_slice() {
        [Effect::DecideBulk { request, key }] => {
            assert_eq!(request.interview_ids, want);
            assert_eq!(request.action, DecisionAction::Reject);
            assert_eq!(request.reason.as_deref(), Some("Role filled"));
            key.clone()
        }
        other => panic!("{other:?}"),
    };
    // A failure keeps the dialog, and the retry sends the same key, so the
    // server records the decisions once.
    update(
        &mut app,
        Action::BoardDecided(Err(ClientError::Timeout(10))),
    );
    let d = app.board.dialog.clone().expect("dialog kept");
    assert_eq!(d.stage, DialogStage::Confirm);
    assert!(d.error.is_some());
    match ch(&mut app, 'y').as_slice() {
        [Effect::DecideBulk { key, .. }] => assert_eq!(*key, first_key),
        other => panic!("{other:?}"),
    }
    let fx = update(
        &mut app,
        Action::BoardDecided(Ok(decided(&want, DecisionAction::Reject))),
    );
    assert!(app.board.dialog.is_none());
    assert_eq!(app.board.selection_count(), 0);
    // The decided rows stay on screen with their decision, and the board
    // looks at their delivery to the ATS at once.
    for id in &want {
        let row = app
            .board
            .items
            .iter()
            .find(|i| i.id == *id)
            .expect("row kept");
        assert_eq!(row.stage, BoardStage::Decided);
        assert_eq!(
            row.decision.as_ref().map(|d| d.action),
            Some(DecisionAction::Reject)
        );
        assert_eq!(
            row.sync.as_ref().map(|s| s.status),
            Some(SyncStatus::Queued)
        );
    }
    assert_eq!(app.board.counts.decided, 6 + 3);
    assert_eq!(app.board.counts.ready_to_decide, 3);
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::BoardPollAfter { delay_ms: 0, .. })));
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("reject 3 candidates"), "{status}");
}

#[test]
fn already_decided_interviews_are_left_out_and_escape_cancels() {
    let mut app = app_on_board(12, Some(BoardStage::Decided));
    // Every decided fixture row is an advance or a reject.
    ch(&mut app, 'D');
    assert!(app.board.dialog.is_none());
    let mut app = app_on_board(12, None);
    ch(&mut app, 'D');
    assert_eq!(app.board.dialog.as_ref().map(|d| d.ids.len()), Some(1));
    key(&mut app, KeyCode::Esc);
    assert!(app.board.dialog.is_none());
    assert_eq!(app.screen.kind(), ScreenKind::Board);
}

#[test]
fn an_opened_interview_reassigns_within_the_pool_and_reminds() {
    let mut app = app_on_board_interview(1);
    assert!(app
        .board
        .opened
        .as_ref()
        .and_then(|o| o.detail.as_ref())
        .is_some());
    let fx = ch(&mut app, 'M');
    assert!(matches!(fx.as_slice(), [Effect::RemindReviewers(id)] if id == "i1"));
    ch(&mut app, 'A');
    let p = app.board.picker.clone().expect("picker");
    // Only unsubmitted reviews can move.
    assert_eq!(
        p.from.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        ["Jordan Alvarez"]
    );
    key(&mut app, KeyCode::Enter);
    let fx = key(&mut app, KeyCode::Enter);
    match fx.as_slice() {
        [Effect::Reassign {
            interview_id,
            request,
        }] => {
            assert_eq!(interview_id, "i1");
            assert_eq!(request.reviewer_id, "u-kim");
            assert!(request.assignment_id.contains("jordan-alvarez"));
        }
        other => panic!("{other:?}"),
    }
    // Back closes the interview, then the board.
    key(&mut app, KeyCode::Esc);
    assert!(app.board.opened.is_none());
    assert_eq!(app.screen.kind(), ScreenKind::Board);
}

#[test]
fn a_failed_sync_is_retried_and_others_are_not() {
    let mut app = app_on_board(12, Some(BoardStage::Decided));
    // Row i3 (delivered) first, then i7 (failed).
    assert_eq!(app.board.items[0].id, "i3");
    assert!(ch(&mut app, 'Y').is_empty());
    ch(&mut app, 'j');
    let fx = ch(&mut app, 'Y');
    assert!(
        matches!(fx.as_slice(), [Effect::RetryBoardSync(id)] if id == "i7"),
        "{fx:?}"
    );
}

#[test]
fn an_opened_interview_plays_the_selected_answer_in_the_review_player() {
    use takes::app::effect::PlayerCmd;
    use takes::app::state::{Playback, VideoSupport};
    let mut app = app_on_board_interview(1);
    app.video = VideoSupport::Available {
        output: "halfblocks".into(),
    };
    // Nothing plays until asked: the transcripts are the default.
    assert!(ch(&mut app, 'j').is_empty());
    assert_eq!(app.player.response_id, None);
    ch(&mut app, 'n');
    assert_eq!(app.board.opened.as_ref().map(|o| o.answer), Some(1));
    let fx = ch(&mut app, 'P');
    assert_eq!(
        fx,
        vec![
            Effect::Player(PlayerCmd::Mute(false)),
            Effect::Player(PlayerCmd::Load("/v1/media/resp-2".into())),
        ]
    );
    assert_eq!(app.player.response_id.as_deref(), Some("resp-2"));
    assert_eq!(app.player.playback, Playback::Loading);
    // The review screen's event handling drives the same state.
    update(&mut app, Action::Player(takes_player::PlayerEvent::Loaded));
    assert_eq!(app.player.playback, Playback::Playing);
    assert_eq!(
        ch(&mut app, 'P'),
        vec![Effect::Player(PlayerCmd::TogglePause)]
    );
    // Another answer: its video replaces the playing one.
    let fx = ch(&mut app, 'n');
    assert_eq!(
        fx,
        vec![
            Effect::Player(PlayerCmd::Mute(false)),
            Effect::Player(PlayerCmd::Load("/v1/media/resp-3".into())),
        ]
    );
    // At the first answer `p` stays there.
    ch(&mut app, 'p');
    ch(&mut app, 'p');
    ch(&mut app, 'p');
    assert_eq!(app.board.opened.as_ref().map(|o| o.answer), Some(0));
    assert_eq!(app.player.response_id.as_deref(), Some("resp-1"));
    // Closing the interview stops the player.
    let fx = key(&mut app, KeyCode::Esc);
    assert_eq!(fx, vec![Effect::Player(PlayerCmd::Stop)]);
    assert_eq!(app.player.response_id, None);
    assert_eq!(app.player.playback, Playback::Idle);
}

#[test]
fn without_video_the_play_key_says_why_and_changes_nothing() {
    use takes::app::state::VideoSupport;
    let mut app = app_on_board_interview(1);
    app.video = VideoSupport::Unavailable("libmpv is not installed".into());
    assert!(ch(&mut app, 'P').is_empty());
    assert_eq!(app.player.response_id, None);
    assert!(!app.board.opened.as_ref().is_some_and(|o| o.playing));
    let status = format!("{:?}", app.status);
    assert!(status.contains("libmpv is not installed"), "{status}");
}

fn typed(app: &mut takes::app::state::App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}

#[test]
fn score_and_date_filters_reload_and_show_in_the_header() {
    let mut app = app_on_board(12, Some(BoardStage::ReadyToDecide));
    ch(&mut app, ' ');
    assert!(ch(&mut app, 'f').is_empty());
    assert!(app.board.range_input.is_some());
    typed(
        &mut app,
        "score>=3.5 score<=4 from:2026-11-01 to:2026-11-30",
    );
    let fx = key(&mut app, KeyCode::Enter);
    match fx.as_slice() {
        [Effect::FetchBoard {
            query,
            cursor: None,
            replace: true,
            ..
        }] => {
            assert_eq!(query.min_score, Some(3.5));
            assert_eq!(query.max_score, Some(4.0));
            assert_eq!(query.from.as_deref(), Some("2026-11-01"));
            // The 30th is kept: the server's bound is exclusive.
            assert_eq!(query.to.as_deref(), Some("2026-12-01"));
            assert_eq!(query.stage.as_deref(), Some("ready_to_decide"));
        }
        other => panic!("{other:?}"),
    }
    assert!(app.board.range_input.is_none());
    assert!(app.board.filtered());
    assert_eq!(
        app.board.selection_count(),
        0,
        "a new list drops the selection"
    );
    // The line opens again with the filters in force; emptied, it clears them.
    ch(&mut app, 'f');
    assert_eq!(
        app.board.range_input.as_ref().map(|i| i.text.as_str()),
        Some("score>=3.5 score<=4 from:2026-11-01 to:2026-11-30")
    );
    for _ in 0..60 {
        key(&mut app, KeyCode::Backspace);
    }
    let fx = key(&mut app, KeyCode::Enter);
    assert!(matches!(fx.as_slice(), [Effect::FetchBoard { query, .. }]
            if query.min_score.is_none() && query.to.is_none()));
    assert!(!app.board.filtered());
}

#[test]
fn a_bad_filter_names_the_value_and_changes_nothing() {
    let mut app = app_on_board(12, Some(BoardStage::ReadyToDecide));
    ch(&mut app, 'f');
    typed(&mut app, "score>=4");
    key(&mut app, KeyCode::Enter);
    let gen = app.board.gen;
    for bad in ["score<=3", "from:2026-02-30", "stage:decided"] {
        ch(&mut app, 'f');
        typed(&mut app, &format!(" {bad}"));
        let fx = key(&mut app, KeyCode::Enter);
        assert!(fx.is_empty(), "{bad}: {fx:?}");
        let status = app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        let value = bad.split([':', '=']).next_back().unwrap_or(bad);
        assert!(status.contains(value), "{bad}: {status}");
        // The line stays open to be fixed; Esc leaves it as it was.
        assert!(app.board.range_input.is_some());
        key(&mut app, KeyCode::Esc);
        assert!(app.board.range_input.is_none());
        assert_eq!(app.board.ranges.min_score, Some(4.0));
        assert_eq!(app.board.ranges.max_score, None);
        assert_eq!(app.board.gen, gen, "no reload");
    }
    // x clears them with the other filters.
    ch(&mut app, 'x');
    assert!(app.board.ranges.is_empty());
}

#[test]
fn the_sort_key_cycles_through_stage_and_disagreement() {
    let mut app = app_on_board(12, None);
    let mut sorts = Vec::new();
    for _ in 0..7 {
        match ch(&mut app, 's').as_slice() {
            [Effect::FetchBoard { query, .. }] => sorts.push(query.sort.clone()),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        sorts,
        [
            "-score",
            "role",
            "candidate",
            "-reviews",
            "stage",
            "-disagreement",
            "-completed"
        ]
    );
}

#[test]
fn the_first_page_is_asked_for_at_sign_in_and_t_does_not_ask_again() {
    let mut reviewer = app_with_queue(UserRole::Reviewer, 5);
    assert!(takes::features::board::prefetch(&mut reviewer).is_empty());
    let mut app = app_with_queue(UserRole::Recruiter, 5);
    let gen = match takes::features::board::prefetch(&mut app).as_slice() {
        [Effect::FetchBoard {
            gen,
            cursor: None,
            page,
            replace: true,
            ..
        }] => {
            assert!(*page <= 64, "a short first page: {page}");
            *gen
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
    assert!(
        takes::features::board::prefetch(&mut app).is_empty(),
        "once"
    );
    // `T` while it is on its way waits for it rather than asking again.
    assert!(ch(&mut app, 'T').is_empty());
    assert_eq!(app.screen.kind(), ScreenKind::Board);
    update(
        &mut app,
        Action::BoardLoaded {
            gen,
            replace: true,
            result: Ok(takes_testkit::board_page(
                12,
                Some(BoardStage::ReadyToDecide),
            )),
        },
    );
    assert!(!app.board.items.is_empty());
    // Later visits show the rows kept and reload them.
    key(&mut app, KeyCode::Esc);
    assert!(matches!(
        ch(&mut app, 'T').as_slice(),
        [Effect::FetchBoard { .. }]
    ));
}
