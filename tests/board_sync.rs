//! The board watches decisions reach the ATS by itself: while a row on
//! screen or the opened interview has a delivery under way it polls just
//! those interviews' sync states, less and less often, never moving the
//! selection or the scroll, and stops when nothing is pending.

use takes::app::state::ScreenKind;
use takes::app::{update, Action, App, Effect};
use takes::client::ClientError;
use takes::features::board::poll::{FIRST_MS, MAX_MS};
use takes_api::board::{BoardStage, BoardSync, BoardSyncStates, SyncState, SyncStatus};
use takes_testkit::{app_on_board, app_on_board_interview, ch};

fn queued_ids(app: &App) -> Vec<String> {
    app.board
        .items
        .iter()
        .filter(|i| i.sync.as_ref().map(|s| s.status) == Some(SyncStatus::Queued))
        .map(|i| i.id.clone())
        .collect()
}

fn states(app: &App, ids: &[String], status: SyncStatus) -> BoardSyncStates {
    BoardSyncStates {
        items: ids
            .iter()
            .map(|id| {
                let row = app.board.items.iter().find(|i| i.id == *id);
                BoardSync {
                    id: id.clone(),
                    decision: row.and_then(|r| r.decision.clone()),
                    sync: Some(SyncState {
                        status,
                        reason: None,
                    }),
                }
            })
            .collect(),
    }
}

/// The wait the last effects asked for.
fn wait(fx: &[Effect]) -> Option<(u64, u64)> {
    fx.iter().find_map(|e| match e {
        Effect::BoardPollAfter { gen, delay_ms } => Some((*gen, *delay_ms)),
        _ => None,
    })
}

#[test]
fn queued_rows_are_polled_with_backoff_until_delivered_without_moving_anything() {
    let mut app = takes_testkit::app_with_queue(takes_api::UserRole::Recruiter, 10);
    ch(&mut app, 'T');
    app.board.stage = Some(BoardStage::Decided);
    let gen = app.board.gen;
    let fx = update(
        &mut app,
        Action::BoardLoaded {
            gen,
            replace: true,
            result: Ok(takes_testkit::board_page(24, Some(BoardStage::Decided))),
        },
    );
    let queued = queued_ids(&app);
    assert!(queued.len() >= 2, "the fixture has queued decisions");
    let (pgen, delay) = wait(&fx).expect("a poll is scheduled once the page is in");
    assert_eq!(delay, FIRST_MS);
    // The cursor and the scroll are the reviewer's.
    app.board.selected = 3;
    let before = (app.board.selected, app.board.offset.get());

    let fx = update(&mut app, Action::BoardPollDue(pgen));
    let ids = match fx.as_slice() {
        [Effect::FetchBoardSync { gen, ids }] if *gen == pgen => ids.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(ids, queued, "just the rows whose delivery is under way");

    // Still queued: ask again, later.
    let answer = states(&app, &ids, SyncStatus::Queued);
    let fx = update(
        &mut app,
        Action::BoardSyncLoaded {
            gen: pgen,
            result: Ok(answer),
        },
    );
    let (g2, d2) = wait(&fx).expect("polls again");
    assert!(d2 > FIRST_MS && d2 <= MAX_MS, "{d2}");
    // A failed poll says nothing and waits longer still.
    update(&mut app, Action::BoardPollDue(g2));
    let status_before = app.status.clone();
    let fx = update(
        &mut app,
        Action::BoardSyncLoaded {
            gen: g2,
            result: Err(ClientError::Timeout(10)),
        },
    );
    let (g3, d3) = wait(&fx).expect("polls again after a failure");
    assert!(d3 > d2, "{d3} after {d2}");
    assert_eq!(app.status, status_before);

    // Delivered: the rows say so and the polling stops.
    update(&mut app, Action::BoardPollDue(g3));
    let answer = states(&app, &ids, SyncStatus::Delivered);
    let fx = update(
        &mut app,
        Action::BoardSyncLoaded {
            gen: g3,
            result: Ok(answer),
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(queued_ids(&app).is_empty());
    for id in &ids {
        let row = app.board.items.iter().find(|i| i.id == *id).expect("row");
        assert_eq!(
            row.sync.as_ref().map(|s| s.status),
            Some(SyncStatus::Delivered)
        );
        assert!(row.decision.is_some());
    }
    assert_eq!((app.board.selected, app.board.offset.get()), before);
    // Nothing pending: a key schedules nothing.
    assert_eq!(wait(&ch(&mut app, 'j')), None);
}

#[test]
fn stale_answers_are_ignored_and_leaving_the_board_stops_the_poll() {
    let mut app = app_on_board(24, Some(BoardStage::Decided));
    let pgen = app.board.poll.gen;
    assert!(app.board.poll.active);
    let ids = queued_ids(&app);
    // A retry restarts the poll: the older generation's answers count no more.
    let fx = update(
        &mut app,
        Action::BoardSyncRetried {
            id: ids[0].clone(),
            result: Ok(takes_api::board::SyncRetry {
                deliveries_queued: 1,
                sync: SyncState {
                    status: SyncStatus::Queued,
                    reason: None,
                },
            }),
        },
    );
    assert_eq!(wait(&fx), Some((pgen + 1, 0)));
    let answer = states(&app, &ids, SyncStatus::Delivered);
    let fx = update(
        &mut app,
        Action::BoardSyncLoaded {
            gen: pgen,
            result: Ok(answer),
        },
    );
    assert!(fx.is_empty());
    assert_eq!(queued_ids(&app), ids, "a stale answer changes nothing");
    assert!(update(&mut app, Action::BoardPollDue(pgen)).is_empty());

    // Back on the queue, the due poll stops instead of fetching.
    takes_testkit::key(&mut app, crossterm::event::KeyCode::Esc);
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
    assert!(update(&mut app, Action::BoardPollDue(pgen + 1)).is_empty());
    assert!(!app.board.poll.active);
}

#[test]
fn the_opened_interview_is_polled_too() {
    // Interview 11 is decided with its delivery queued (the fixture).
    let mut app = app_on_board_interview(11);
    let opened = app.board.opened.clone().expect("opened");
    let item = &opened.detail.expect("detail").item;
    assert_eq!(
        item.sync.as_ref().map(|s| s.status),
        Some(SyncStatus::Queued)
    );
    app.board.poll.active = false;
    let gen = app.board.poll.gen;
    // Scroll the row itself off screen: the opened interview still counts.
    app.board.offset.set(app.board.items.len());
    let ids = takes::features::board::poll::pending(&app);
    assert_eq!(ids, vec![item.id.clone()]);
    match update(&mut app, Action::BoardPollDue(gen)).as_slice() {
        [Effect::FetchBoardSync { ids: asked, .. }] => assert_eq!(*asked, ids),
        other => panic!("{other:?}"),
    }
    let answer = states(&app, &ids, SyncStatus::Delivered);
    update(
        &mut app,
        Action::BoardSyncLoaded {
            gen,
            result: Ok(answer),
        },
    );
    let after = app
        .board
        .opened
        .as_ref()
        .and_then(|o| o.detail.as_ref())
        .expect("detail");
    assert_eq!(
        after.item.sync.as_ref().map(|s| s.status),
        Some(SyncStatus::Delivered)
    );
}
