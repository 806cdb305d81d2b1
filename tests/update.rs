//! Update-function tests: key sequences produce the expected state.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use takes::app::state::{App, DecisionStage, Overlay, ScreenKind, SyncState};
use takes::app::{update, Action, Effect};
use takes::client::{ClientError, Receipt};
use takes::journal::sync::SyncEvent;
use takes_api::{AssignmentStatus, DecisionAction, Sheet, SheetKind, UserRole};
use takes_testkit::{app_in_review, app_with_queue, ch, journaled, key};

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        ch(app, c);
    }
}

fn aid(app: &App) -> String {
    app.review()
        .map(|r| r.assignment_id.clone())
        .unwrap_or_default()
}

fn current(app: &App) -> usize {
    app.review().map(|r| r.current).unwrap_or(99)
}

#[test]
fn rating_journals_then_saved_then_synced_and_auto_advances() {
    let mut app = app_in_review(UserRole::Reviewer);
    // Q1 scored on the server, Q2 local (current), Q3 failed, Q4 open.
    assert_eq!(current(&app), 1);
    let fx = ch(&mut app, '5');
    let e = journaled(&fx);
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].question_id.as_str(), e[0].rating), ("q2", Some(5)));
    // The evidence marked earlier is carried along.
    assert_eq!(e[0].evidence.len(), 1);
    let id = aid(&app);
    assert_eq!(
        app.local[&(id.clone(), "q2".to_string())].sync,
        SyncState::Saving
    );
    // Next unscored question: Q4 (Q3 has a local, failed rating).
    assert_eq!(current(&app), 3);
    update(
        &mut app,
        Action::Sync(SyncEvent::Saved {
            key: e[0].key.clone(),
        }),
    );
    assert_eq!(
        app.local[&(id.clone(), "q2".to_string())].sync,
        SyncState::Saved
    );
    update(
        &mut app,
        Action::Sync(SyncEvent::Synced {
            key: e[0].key.clone(),
            assignment_id: id.clone(),
            question_id: "q2".into(),
        }),
    );
    assert_eq!(app.local[&(id, "q2".to_string())].sync, SyncState::Synced);
}

#[test]
fn stale_acknowledgements_do_not_mark_a_newer_rating() {
    let mut app = app_in_review(UserRole::Reviewer);
    app.settings.auto_advance = false;
    let first = journaled(&ch(&mut app, '2'));
    let second = journaled(&ch(&mut app, '4'));
    let id = aid(&app);
    update(
        &mut app,
        Action::Sync(SyncEvent::Saved {
            key: first[0].key.clone(),
        }),
    );
    update(
        &mut app,
        Action::Sync(SyncEvent::Synced {
            key: first[0].key.clone(),
            assignment_id: id.clone(),
            question_id: "q2".into(),
        }),
    );
    let l = &app.local[&(id, "q2".to_string())];
    assert_eq!(l.rating, Some(4));
    assert_eq!(l.key, second[0].key);
    assert_eq!(l.sync, SyncState::Saving);
}

#[test]
fn auto_advance_can_be_turned_off_and_scale_is_enforced() {
    let mut app = app_in_review(UserRole::Reviewer);
    app.settings.auto_advance = false;
    assert!(journaled(&ch(&mut app, '7')).is_empty(), "7 is outside 1-5");
    assert!(app
        .status
        .as_ref()
        .is_some_and(|s| s.text.contains("outside")));
    assert_eq!(journaled(&ch(&mut app, '3')).len(), 1);
    assert_eq!(current(&app), 1);
    ch(&mut app, 'n');
    assert_eq!(current(&app), 2);
    ch(&mut app, 'p');
    ch(&mut app, 'p');
    assert_eq!(current(&app), 0);
    ch(&mut app, 'p');
    assert_eq!(current(&app), 3, "wraps around");
}

#[test]
fn note_editor_is_multiline_and_esc_saves() {
    let mut app = app_in_review(UserRole::Reviewer);
    ch(&mut app, 'i');
    typed(&mut app, "first");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "secnd");
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Left);
    ch(&mut app, 'o');
    key(&mut app, KeyCode::End);
    // Keys bound elsewhere type into the note, not act.
    typed(&mut app, " S5q");
    assert_eq!(app.screen.kind(), ScreenKind::Review);
    assert!(app.overlay.is_none());
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Home);
    ch(&mut app, '>');
    let fx = key(&mut app, KeyCode::Esc);
    let e = journaled(&fx);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].note.as_deref(), Some(">first\nsecond S5q"));
    assert_eq!(e[0].rating, Some(3), "keeps the existing rating");
    assert!(app.review().is_some_and(|r| r.editor.is_none()));
    // Opening and leaving without change journals nothing.
    ch(&mut app, 'i');
    assert!(journaled(&key(&mut app, KeyCode::Esc)).is_empty());
}

#[test]
fn note_without_rating_is_a_draft_and_rating_carries_it() {
    let mut app = app_in_review(UserRole::Reviewer);
    ch(&mut app, 'n');
    ch(&mut app, 'n'); // Q4: nothing yet
    assert_eq!(current(&app), 3);
    ch(&mut app, 'i');
    typed(&mut app, "hesitant start");
    let e = journaled(&key(&mut app, KeyCode::Esc));
    assert_eq!(
        (e[0].rating, e[0].note.as_deref()),
        (None, Some("hesitant start"))
    );
    let e = journaled(&ch(&mut app, '4'));
    assert_eq!(
        (e[0].rating, e[0].note.as_deref()),
        (Some(4), Some("hesitant start"))
    );
}

#[test]
fn filter_typing_filters_and_esc_restores() {
    let mut app = app_with_queue(UserRole::Reviewer, 40);
    let all = app.queue.view.len();
    assert!(all > 0);
    ch(&mut app, '/');
    typed(&mut app, "sales");
    let sales = app.queue.view.len();
    assert!(sales > 0 && sales < all);
    assert!(app
        .queue
        .view
        .iter()
        .all(|i| app.queue.items[*i].role.department == "Sales"));
    // j types into the filter instead of moving.
    ch(&mut app, 'j');
    assert_eq!(app.queue.text, "salesj");
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.queue.text, "sales");
    assert_eq!(app.queue.view.len(), sales);
    ch(&mut app, '/');
    typed(&mut app, "zzz");
    assert_eq!(app.queue.view.len(), 0);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.queue.text, "sales");
    // Status and role filters, then clear.
    ch(&mut app, 'x');
    assert_eq!(app.queue.view.len(), all);
    ch(&mut app, 'f'); // pending only
    assert!(app
        .queue
        .view
        .iter()
        .all(|i| app.queue.items[*i].status == AssignmentStatus::Pending));
    ch(&mut app, 'R');
    let role = app.queue.role.clone().expect("a role");
    assert!(app
        .queue
        .view
        .iter()
        .all(|i| app.queue.items[*i].role.title == role));
    ch(&mut app, 'x');
    assert_eq!(app.queue.view.len(), all);
}

#[test]
fn queue_is_due_ordered_and_moves() {
    let mut app = app_with_queue(UserRole::Reviewer, 40);
    let dues: Vec<&str> = app
        .queue
        .view
        .iter()
        .map(|i| app.queue.items[*i].due_at.as_str())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    ch(&mut app, 'k');
    assert_eq!(app.queue.selected, 1);
    ch(&mut app, 'G');
    assert_eq!(app.queue.selected, app.queue.view.len() - 1);
    ch(&mut app, 'g');
    assert_eq!(app.queue.selected, 0);
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen.kind(), ScreenKind::Review);
    assert!(matches!(fx.as_slice(), [Effect::FetchAssignment(_)]));
    ch(&mut app, 'q');
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
    ch(&mut app, 'q');
    assert!(app.should_quit);
}

#[test]
fn submit_needs_confirmation_and_waits_for_sync() {
    let mut app = app_in_review(UserRole::Reviewer);
    // Q4 unrated: submit refuses and jumps there.
    assert!(ch(&mut app, 'S').is_empty());
    assert!(app.overlay.is_none());
    assert_eq!(current(&app), 3);
    let e4 = journaled(&ch(&mut app, '4'));
    // Q3 failed earlier: must be re-rated.
    ch(&mut app, 'S');
    assert!(app.overlay.is_none());
    assert!(app
        .status
        .as_ref()
        .is_some_and(|s| s.text.contains("failed")));
    ch(&mut app, 'p');
    assert_eq!(current(&app), 2);
    let e3 = journaled(&ch(&mut app, '2'));
    ch(&mut app, 'S');
    assert_eq!(app.overlay, Some(Overlay::ConfirmSubmit));
    // Anything but y cancels.
    ch(&mut app, 'n');
    assert!(app.overlay.is_none());
    ch(&mut app, 'S');
    let fx = ch(&mut app, 'y');
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Submit(_))),
        "waits for unsynced scores"
    );
    let id = aid(&app);
    assert_eq!(app.submit.pending.as_deref(), Some(id.as_str()));
    // Q2 was saved locally in the fixture; sync everything.
    let q2 = app.local[&(id.clone(), "q2".to_string())].key.clone();
    for (k, q) in [(q2, "q2"), (e4[0].key.clone(), "q4")] {
        let fx = update(
            &mut app,
            Action::Sync(SyncEvent::Synced {
                key: k,
                assignment_id: id.clone(),
                question_id: q.into(),
            }),
        );
        assert!(fx.is_empty(), "still waiting");
    }
    let fx = update(
        &mut app,
        Action::Sync(SyncEvent::Synced {
            key: e3[0].key.clone(),
            assignment_id: id.clone(),
            question_id: "q3".into(),
        }),
    );
    assert_eq!(fx, vec![Effect::Submit(Sheet::assignment(id.clone()))]);
    // Submitted: the panel opens, the row is submitted.
    let fx = update(
        &mut app,
        Action::Submitted {
            sheet: Sheet::assignment(id.clone()),
            result: Ok(Receipt {
                submitted_at: takes_testkit::rfc(takes_testkit::NOW_MS),
            }),
        },
    );
    assert_eq!(app.screen.kind(), ScreenKind::Panel);
    assert!(fx.contains(&Effect::FetchPanel(id.clone())));
    assert!(fx.contains(&Effect::FetchAssignment(id.clone())));
    assert!(app
        .queue
        .items
        .iter()
        .any(|i| i.id == id && i.status == AssignmentStatus::Submitted));
    // The panel carries its own state; the review is gone with its screen.
    assert_eq!(
        app.panel().map(|p| p.assignment_id.as_str()),
        Some(id.as_str())
    );
    assert!(app.review().is_none());
    // The assignment fetched after the submit still reveals the candidate
    // in the queue row.
    let mut detail = takes_testkit::assignment(&id);
    detail.status = AssignmentStatus::Submitted;
    detail.candidate.display_name = "Oluwaseun Adeyemi".into();
    detail.candidate.revealed = true;
    update(
        &mut app,
        Action::AssignmentLoaded {
            id: id.clone(),
            result: Ok(detail),
        },
    );
    assert!(app.queue.items.iter().any(|i| i.id == id
        && i.candidate.revealed
        && i.candidate.display_name == "Oluwaseun Adeyemi"));
    assert_eq!(app.screen.kind(), ScreenKind::Panel);
}

#[test]
fn rejected_sync_cancels_a_waiting_submit() {
    let mut app = app_in_review(UserRole::Reviewer);
    let id = aid(&app);
    app.local.remove(&(id.clone(), "q3".to_string()));
    ch(&mut app, '3');
    ch(&mut app, '3');
    ch(&mut app, '3');
    ch(&mut app, 'S');
    ch(&mut app, 'y');
    assert!(app.submit.pending.is_some());
    let k = app.local[&(id.clone(), "q3".to_string())].key.clone();
    update(
        &mut app,
        Action::Sync(SyncEvent::Rejected {
            key: k,
            assignment_id: id.clone(),
            question_id: "q3".into(),
            reason: "conflict".into(),
        }),
    );
    assert!(app.submit.pending.is_none());
    assert!(matches!(
        app.local[&(id, "q3".to_string())].sync,
        SyncState::Failed(_)
    ));
}

#[test]
fn decision_dialog_is_for_recruiters_and_confirms() {
    let mut app = app_in_review(UserRole::Reviewer);
    ch(&mut app, 'D');
    assert!(app.overlay.is_none(), "reviewers never see it");
    let mut app = app_in_review(UserRole::Recruiter);
    ch(&mut app, 'D');
    assert!(matches!(app.overlay, Some(Overlay::Decision(_))));
    ch(&mut app, 'j'); // reject
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "not now");
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "asks before sending"
    );
    let Some(Overlay::Decision(d)) = &app.overlay else {
        panic!("dialog")
    };
    assert_eq!(
        (d.stage, d.choice),
        (DecisionStage::Confirm, DecisionAction::Reject)
    );
    let fx = ch(&mut app, 'y');
    match fx.as_slice() {
        [Effect::Decide { request, .. }] => {
            assert_eq!(request.action, DecisionAction::Reject);
            assert_eq!(request.reason.as_deref(), Some("not now"));
        }
        other => panic!("{other:?}"),
    }
    // A failure keeps the dialog with the error; success closes it.
    update(
        &mut app,
        Action::Decided(Err(ClientError::Forbidden("nope".into()))),
    );
    assert!(matches!(&app.overlay, Some(Overlay::Decision(d)) if d.error.is_some()));
    ch(&mut app, 'y');
    update(
        &mut app,
        Action::Decided(Ok(takes_api::Decision {
            id: "d".into(),
            interview_id: "i".into(),
            action: DecisionAction::Reject,
            reason: None,
            decided_by: "Dana".into(),
            decided_at: "x".into(),
        })),
    );
    assert!(app.overlay.is_none());
}

#[test]
fn help_lists_active_bindings_and_closes() {
    let mut app = app_in_review(UserRole::Reviewer);
    ch(&mut app, '?');
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 0 }));
    ch(&mut app, '5');
    assert_eq!(
        app.overlay,
        Some(Overlay::Help { scroll: 0 }),
        "keys do not leak through"
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[test]
fn without_video_the_keys_say_why_and_content_only_toggles() {
    let mut app = app_in_review(UserRole::Reviewer);
    assert!(journaled(&key(&mut app, KeyCode::Char(' '))).is_empty());
    assert!(app
        .status
        .as_ref()
        .is_some_and(|s| s.text.contains("No playback")));
    ch(&mut app, 'v');
    assert!(app.review().is_some_and(|r| !r.show_video));
    // Seeking without a player still moves the transcript along.
    ch(&mut app, 'l');
    ch(&mut app, 'l');
    ch(&mut app, 'l');
    assert_eq!(app.player.position_s, 15.0);
    assert_eq!(app.review().map(|r| r.cue), Some(2));
    ch(&mut app, ']');
    assert_eq!(app.player.speed, 1.25);
    ch(&mut app, 'C'); // calibration is a queue key; nothing in review
}

#[test]
fn errors_show_and_the_app_keeps_working() {
    let mut app = app_with_queue(UserRole::Reviewer, 5);
    let gen = app.queue.gen;
    update(
        &mut app,
        Action::QueueLoaded {
            gen,
            result: Err(ClientError::Unreachable {
                url: "http://x".into(),
                reason: "refused".into(),
            }),
        },
    );
    assert!(matches!(app.conn, takes::app::state::Conn::Offline(_)));
    assert_eq!(app.queue.items.len(), 5, "keeps what it had");
    update(
        &mut app,
        Action::MeLoaded(Err(ClientError::Unauthorized("expired".into()))),
    );
    assert!(app.status.as_ref().is_some_and(|s| s.text.contains("401")));
    key(&mut app, KeyCode::Enter);
    let id = aid(&app);
    update(
        &mut app,
        Action::AssignmentLoaded {
            id,
            result: Err(ClientError::Malformed("expected value".into())),
        },
    );
    assert!(app.review().is_some_and(|r| r.error.is_some()));
    ch(&mut app, 'q');
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
    // Ctrl-C quits from anywhere outside editors.
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(app.should_quit);
}

#[test]
fn lazy_paging_asks_for_more_near_the_end() {
    let mut app = app_with_queue(UserRole::Reviewer, 0);
    app.queue.gen += 1;
    let gen = app.queue.gen;
    update(
        &mut app,
        Action::QueueLoaded {
            gen,
            result: Ok(takes::app::action::QueueChunk {
                items: takes_testkit::queue_items(200),
                next_cursor: Some("c1".into()),
                total: 10_000,
                replace: true,
                done: true,
            }),
        },
    );
    // Selection far from the end: no fetch; near the end: one fetch.
    assert!(ch(&mut app, 'j').is_empty());
    let fx = ch(&mut app, 'G');
    assert!(
        matches!(fx.as_slice(), [Effect::FetchQueue { cursor: Some(c), replace: false, .. }] if c == "c1"),
        "{fx:?}"
    );
    assert!(
        ch(&mut app, 'k').is_empty(),
        "no second fetch while loading"
    );
}

// ---------------------------------------------------------------- calibration

fn cal_app(scored: usize) -> App {
    takes_testkit::app_in_calibration(scored)
}

#[test]
fn c_opens_calibration_sessions_and_enter_scores_in_the_review_screen() {
    let mut app = app_with_queue(UserRole::Reviewer, 5);
    let fx = ch(&mut app, 'C');
    assert_eq!(app.screen.kind(), ScreenKind::Calibration);
    assert_eq!(fx, vec![Effect::FetchCalibrations]);
    let app = cal_app(1);
    assert_eq!(app.screen.kind(), ScreenKind::Review);
    let r = app.review().expect("review");
    assert!(r.calibration.is_some());
    let d = r.detail.as_ref().expect("detail from the session");
    assert_eq!(d.questions.len(), 4);
    assert_eq!(d.questions[0].id, "item-1");
    // The first unscored item is current.
    assert_eq!(r.current, 1);
}

#[test]
fn calibration_ratings_go_through_the_journal_to_the_calibration_target() {
    let mut app = cal_app(0);
    let e = journaled(&ch(&mut app, '4'));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].kind, SheetKind::Calibration);
    assert_eq!(
        (e[0].assignment_id.as_str(), e[0].question_id.as_str()),
        ("cal-1", "item-1")
    );
    assert_eq!(
        app.local[&("cal-1".to_string(), "item-1".to_string())].sync,
        SyncState::Saving
    );
    // Ordinary assignments keep the assignment target.
    let mut a = app_in_review(UserRole::Reviewer);
    let e = journaled(&ch(&mut a, '4'));
    assert_eq!(e[0].kind, SheetKind::Assignment);
}

#[test]
fn v_shows_the_lock_with_what_is_missing_until_submitted() {
    let mut app = cal_app(3);
    let fx = ch(&mut app, 'V');
    assert_eq!(app.screen.kind(), ScreenKind::CalibrationResults);
    assert_eq!(fx, vec![Effect::FetchCalibrationResults("cal-1".into())]);
    let p = app.results().and_then(|r| r.progress).expect("progress");
    assert_eq!((p.scored, p.items, p.submitted), (3, 4, false));
    update(
        &mut app,
        Action::CalibrationResultsLoaded {
            id: "cal-1".into(),
            result: Err(ClientError::Forbidden("submit first".into())),
        },
    );
    assert!(app.results().is_some_and(|r| r.locked.is_some()));
    // Back returns to the items being scored.
    ch(&mut app, 'q');
    assert_eq!(app.screen.kind(), ScreenKind::Review);
    // And back again to the sessions.
    let fx = ch(&mut app, 'q');
    assert_eq!(app.screen.kind(), ScreenKind::Calibration);
    assert_eq!(fx, vec![Effect::FetchCalibrations]);
}

#[test]
fn calibration_submit_waits_for_sync_then_posts_to_calibration() {
    let mut app = cal_app(3);
    app.settings.auto_advance = false;
    // Item 4 is current (the first unscored).
    let e = journaled(&ch(&mut app, '5'));
    assert_eq!(e[0].question_id, "item-4");
    ch(&mut app, 'S');
    assert_eq!(app.overlay, Some(Overlay::ConfirmSubmit));
    let fx = ch(&mut app, 'y');
    assert_eq!(fx, vec![Effect::RetrySync]);
    assert_eq!(app.submit.pending.as_deref(), Some("cal-1"));
    update(
        &mut app,
        Action::Sync(SyncEvent::Saved {
            key: e[0].key.clone(),
        }),
    );
    let fx = update(
        &mut app,
        Action::Sync(SyncEvent::Synced {
            key: e[0].key.clone(),
            assignment_id: "cal-1".into(),
            question_id: "item-4".into(),
        }),
    );
    assert_eq!(fx, vec![Effect::Submit(Sheet::calibration("cal-1"))]);
    let fx = update(
        &mut app,
        Action::Submitted {
            sheet: Sheet::calibration("cal-1"),
            result: Ok(Receipt {
                submitted_at: takes_testkit::rfc(takes_testkit::NOW_MS),
            }),
        },
    );
    assert_eq!(app.screen.kind(), ScreenKind::CalibrationResults);
    assert!(fx.contains(&Effect::FetchCalibrationResults("cal-1".into())));
    assert!(app.review().is_some_and(|r| r.submitted()));
    // Scores are locked now.
    ch(&mut app, 'q');
    assert!(journaled(&ch(&mut app, '2')).is_empty());
}

#[test]
fn results_load_and_scroll() {
    let mut app = cal_app(4);
    ch(&mut app, 'V');
    update(
        &mut app,
        Action::CalibrationResultsLoaded {
            id: "cal-1".into(),
            result: Ok(takes_testkit::calibration_results()),
        },
    );
    let r = app.results().expect("results");
    assert!(r.results.is_some() && r.locked.is_none());
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    assert_eq!(app.results().map(|r| r.scroll), Some(2));
    // Results for another session are ignored.
    update(
        &mut app,
        Action::CalibrationResultsLoaded {
            id: "other".into(),
            result: Err(ClientError::Forbidden("x".into())),
        },
    );
    assert!(app.results().is_some_and(|r| r.locked.is_none()));
}

#[test]
fn a_rating_made_while_the_journal_opens_is_kept_and_wins_over_older_entries() {
    let mut app = app_in_review(UserRole::Reviewer);
    app.journal_ready = false;
    let id = aid(&app);
    let e = journaled(&ch(&mut app, '5'));
    assert_eq!(e.len(), 1, "the rating goes to the journal writer's queue");
    let older = takes::journal::ScoreEntry {
        kind: SheetKind::Assignment,
        key: "earlier-session".into(),
        user_id: app.me.as_ref().map(|m| m.id.clone()).unwrap_or_default(),
        assignment_id: id.clone(),
        question_id: "q2".into(),
        rating: Some(1),
        muted_rating: None,
        note: None,
        evidence: vec![],
        at_ms: 0,
    };
    let mut leftover = older.clone();
    leftover.question_id = "q4".into();
    leftover.key = "earlier-q4".into();
    update(
        &mut app,
        Action::Sync(SyncEvent::Opened {
            path: "j".into(),
            pending: vec![older, leftover],
        }),
    );
    let q2 = &app.local[&(id.clone(), "q2".to_string())];
    assert_eq!((q2.rating, q2.key.as_str()), (Some(5), e[0].key.as_str()));
    // An entry for a question not touched since is still restored.
    assert_eq!(app.local[&(id, "q4".to_string())].rating, Some(1));
}

#[test]
fn discussion_notes_go_to_the_selected_item_and_survive_a_failed_send() {
    let mut app = cal_app(4);
    ch(&mut app, 'V');
    // Before the results are visible there is nothing to discuss.
    assert!(ch(&mut app, 'i').is_empty());
    assert!(app.results().is_some_and(|r| r.editor.is_none()));
    let res = takes_testkit::calibration_results();
    let order: Vec<String> = takes::features::calibration_results::state::ordered_items(&res)
        .iter()
        .map(|i| i.item_id.clone())
        .collect();
    update(
        &mut app,
        Action::CalibrationResultsLoaded {
            id: "cal-1".into(),
            result: Ok(res),
        },
    );
    ch(&mut app, 'n');
    ch(&mut app, 'i');
    typed(&mut app, "We read anchor 3 differently");
    // `n` while writing is text, not navigation.
    assert_eq!(app.results().map(|r| r.item), Some(1));
    let fx = key(&mut app, KeyCode::Esc);
    assert_eq!(
        fx,
        vec![Effect::AddCalibrationNote {
            session_id: "cal-1".into(),
            item_id: order[1].clone(),
            text: "We read anchor 3 differently".into(),
        }]
    );
    // A failed send keeps the text; Esc tries again.
    update(
        &mut app,
        Action::CalibrationNoteAdded {
            session_id: "cal-1".into(),
            result: Err(ClientError::Timeout(20)),
        },
    );
    let ed = app.results().and_then(|r| r.editor.clone());
    assert_eq!(
        ed.map(|e| e.text),
        Some("We read anchor 3 differently".to_string())
    );
    assert_eq!(key(&mut app, KeyCode::Esc).len(), 1);
    let note = takes_api::CalibrationNote {
        id: "n1".into(),
        item_id: order[1].clone(),
        author_id: "u1".into(),
        author_name: "Riley Chen".into(),
        text: "We read anchor 3 differently".into(),
        created_at: "2026-11-27T10:00:00.000Z".into(),
    };
    let fx = update(
        &mut app,
        Action::CalibrationNoteAdded {
            session_id: "cal-1".into(),
            result: Ok(note),
        },
    );
    assert_eq!(fx, vec![Effect::FetchCalibrationResults("cal-1".into())]);
    assert!(app.results().is_some_and(|r| r.editor.is_none()));
    // An empty note sends nothing.
    ch(&mut app, 'i');
    assert!(key(&mut app, KeyCode::Esc).is_empty());
}

#[test]
fn r_in_the_review_reloads_the_assignment_and_resends() {
    let mut app = app_in_review(UserRole::Reviewer);
    let id = aid(&app);
    let fx = ch(&mut app, 'r');
    assert!(fx.contains(&Effect::FetchAssignment(id)), "{fx:?}");
    assert!(fx.contains(&Effect::RetrySync), "{fx:?}");
}
