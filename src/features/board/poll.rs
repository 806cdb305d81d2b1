//! Watching decisions reach the ATS: while a row on screen (or the opened
//! interview) has a delivery under way, the board asks for just those
//! interviews' sync states, every 2 s and then less often, and stops when
//! none is left. A poll changes row fields only, never the selection or
//! the scroll, and runs as its own task so keys never wait for it.

use takes_api::board::{BoardSyncStates, SyncStatus};

use crate::app::effect::Effect;
use crate::app::state::{App, Screen};
use crate::client::ClientError;

pub use super::state::{SyncPoll, FIRST_MS, MAX_MS};

/// What one poll asks for at most (the server's limit).
const MAX_IDS: usize = 100;

fn queued(sync: Option<&takes_api::board::SyncState>) -> bool {
    sync.is_some_and(|s| s.status == SyncStatus::Queued)
}

/// The interviews whose delivery is under way among the rows on screen
/// and the opened one.
pub fn pending(app: &App) -> Vec<String> {
    let b = &app.board;
    let mut ids: Vec<String> = b
        .items
        .iter()
        .skip(b.offset.get())
        .take(b.page_rows.get().max(1))
        .filter(|i| queued(i.sync.as_ref()))
        .map(|i| i.id.clone())
        .collect();
    if let Some(d) = b.opened.as_ref().and_then(|o| o.detail.as_ref()) {
        if queued(d.item.sync.as_ref()) && !ids.contains(&d.item.id) {
            ids.push(d.item.id.clone());
        }
    }
    ids.truncate(MAX_IDS);
    ids
}

/// Starts waiting for the next poll when something is pending and no poll
/// is under way.
pub fn ensure(app: &mut App) -> Vec<Effect> {
    if app.board.poll.active || !matches!(app.screen, Screen::Board) || pending(app).is_empty() {
        return vec![];
    }
    let p = &mut app.board.poll;
    p.active = true;
    vec![Effect::BoardPollAfter {
        gen: p.gen,
        delay_ms: p.delay_ms,
    }]
}

/// A decision was just made or a delivery queued again: look at once, then
/// every 2 s again, whatever the poll was doing.
pub fn restart(app: &mut App) -> Vec<Effect> {
    let p = &mut app.board.poll;
    p.gen += 1;
    p.delay_ms = FIRST_MS;
    p.active = true;
    vec![Effect::BoardPollAfter {
        gen: p.gen,
        delay_ms: 0,
    }]
}

/// The wait is over: ask for what is pending now (the screen may have
/// scrolled since), or stop.
pub fn on_due(app: &mut App, gen: u64) -> Vec<Effect> {
    if gen != app.board.poll.gen {
        return vec![];
    }
    let ids = if matches!(app.screen, Screen::Board) {
        pending(app)
    } else {
        Vec::new()
    };
    if ids.is_empty() {
        app.board.poll.active = false;
        app.board.poll.delay_ms = FIRST_MS;
        return vec![];
    }
    vec![Effect::FetchBoardSync { gen, ids }]
}

/// The sync states read: the rows and the opened interview take them, and
/// the next poll waits longer. A failed poll is not worth a message; the
/// next one, later still, tries again.
pub fn on_loaded(
    app: &mut App,
    gen: u64,
    result: Result<BoardSyncStates, ClientError>,
) -> Vec<Effect> {
    if gen != app.board.poll.gen {
        return vec![];
    }
    let b = &mut app.board;
    b.poll.active = false;
    match result {
        Ok(states) => {
            for s in states.items {
                if let Some(row) = b.items.iter_mut().find(|i| i.id == s.id) {
                    row.decision = s.decision.clone();
                    row.sync = s.sync.clone();
                }
                if let Some(d) = b
                    .opened
                    .as_mut()
                    .and_then(|o| o.detail.as_mut())
                    .filter(|d| d.item.id == s.id)
                {
                    d.item.decision = s.decision;
                    d.item.sync = s.sync;
                }
            }
            b.poll.delay_ms = (b.poll.delay_ms * 3 / 2).min(MAX_MS);
        }
        Err(_) => b.poll.delay_ms = (b.poll.delay_ms * 2).min(MAX_MS),
    }
    ensure(app)
}
