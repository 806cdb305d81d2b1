//! The queue: loading pages (all of them when a filter needs the whole
//! queue), the periodic refresh, the list keys, and typing a filter.

pub mod state;
pub mod view;

use crossterm::event::KeyEvent;

use super::editor::{self, typed};
use super::Hint;
use crate::app::action::QueueChunk;
use crate::app::effect::Effect;
use crate::app::state::{App, Conn};
use crate::client::ClientError;
use crate::config::{Command, Scope};
use state::{SortKey, StatusFilter};

/// The queue's hint bar.
pub fn hints(app: &App) -> Vec<Hint> {
    if app.queue.editing.is_some() {
        return vec![
            Hint::new(Scope::Editor, Command::Newline, "keep filter"),
            Hint::new(Scope::Editor, Command::Leave, "cancel"),
        ];
    }
    let s = Scope::Queue;
    vec![
        Hint::new(s, Command::Open, "open"),
        Hint::new(s, Command::Down, "move"),
        Hint::new(s, Command::Filter, "filter"),
        Hint::new(s, Command::StatusFilter, "status"),
        Hint::new(s, Command::RoleFilter, "role"),
        Hint::new(s, Command::Sort, "sort"),
        Hint::new(s, Command::Refresh, "refresh"),
        Hint::new(s, Command::Roles, "roles").when(app.can_decide()),
        Hint::new(s, Command::Help, "help"),
        Hint::new(s, Command::Back, "quit"),
    ]
}

/// The help's "in editors and dialogs" rows for the queue.
pub fn modal_hints() -> Vec<Hint> {
    vec![
        Hint::new(
            Scope::Editor,
            Command::Newline,
            "keep the filter (while typing one)",
        ),
        Hint::new(Scope::Editor, Command::Leave, "cancel the filter"),
    ]
}

/// Reloads the queue from the start (keeping as many rows as are loaded).
pub fn refresh(app: &mut App) -> Vec<Effect> {
    app.queue.gen += 1;
    app.queue.loading = true;
    app.queue.last_refresh_ms = app.now_ms;
    let want = app.queue.items.len().max(app.settings.page_size as usize);
    vec![
        Effect::FetchQueue {
            gen: app.queue.gen,
            cursor: None,
            want,
            page: app.settings.page_size,
            replace: true,
        },
        Effect::FetchCounts,
    ]
}

/// The periodic refresh, when it is due.
pub fn tick(app: &mut App) -> Vec<Effect> {
    let due = app.now_ms - app.queue.last_refresh_ms >= app.settings.refresh_secs as i64 * 1000;
    if due && app.me.is_some() && !app.queue.loading {
        refresh(app)
    } else {
        vec![]
    }
}

/// Loads more rows when the selection nears the end, or everything when a
/// filter or sort needs the whole queue.
fn maybe_load_more(app: &mut App) -> Vec<Effect> {
    let q = &app.queue;
    if q.loading || q.next_cursor.is_none() {
        return vec![];
    }
    let want = if q.filtered() {
        usize::MAX
    } else if q.selected + q.page_rows.get() * 2 + 20 >= q.view.len() {
        app.settings.page_size as usize
    } else {
        return vec![];
    };
    app.queue.loading = true;
    vec![Effect::FetchQueue {
        gen: app.queue.gen,
        cursor: app.queue.next_cursor.clone(),
        want,
        page: if want == usize::MAX {
            500
        } else {
            app.settings.page_size
        },
        replace: false,
    }]
}

pub fn on_loaded(app: &mut App, gen: u64, result: Result<QueueChunk, ClientError>) -> Vec<Effect> {
    if gen != app.queue.gen {
        return vec![];
    }
    match result {
        Ok(chunk) => {
            if app.conn != Conn::Online {
                app.conn = Conn::Online;
            }
            let q = &mut app.queue;
            if chunk.replace {
                q.items = chunk.items;
            } else {
                q.items.extend(chunk.items);
            }
            q.next_cursor = chunk.next_cursor;
            q.total = chunk.total;
            q.loaded_once = true;
            q.error = None;
            if chunk.done {
                q.loading = false;
            }
            // Rows scored in this session may be ahead of the server.
            let review_counts = app.review().and_then(|r| {
                r.detail.as_ref().map(|d| {
                    let rated = d
                        .questions
                        .iter()
                        .filter(|qq| {
                            app.local
                                .get(&(d.id.clone(), qq.id.clone()))
                                .is_some_and(|s| s.rating.is_some())
                        })
                        .count();
                    (d.id.clone(), rated)
                })
            });
            if let Some((id, n)) = review_counts {
                if let Some(it) = app.queue.items.iter_mut().find(|i| i.id == id) {
                    it.scored_count = it.scored_count.max(n as i64);
                }
            }
            app.queue.recompute();
            if chunk.done {
                maybe_load_more(app)
            } else {
                vec![]
            }
        }
        Err(e) => {
            app.queue.loading = false;
            app.queue.error = Some(e.to_string());
            app.request_failed("Loading the queue failed", &e);
            vec![]
        }
    }
}

/// The queue's own keys (opening a row and the calibration screen are
/// moves between screens: [`crate::app::navigate`]).
pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let rows = app.queue.page_rows.get().max(1);
    let len = app.queue.view.len();
    match cmd {
        Command::Down => app.queue.selected = (app.queue.selected + 1).min(len.saturating_sub(1)),
        Command::Up => app.queue.selected = app.queue.selected.saturating_sub(1),
        Command::PageDown => {
            app.queue.selected = (app.queue.selected + rows).min(len.saturating_sub(1))
        }
        Command::PageUp => app.queue.selected = app.queue.selected.saturating_sub(rows),
        Command::Top => app.queue.selected = 0,
        Command::Bottom => app.queue.selected = len.saturating_sub(1),
        Command::Filter => {
            app.queue.editing = Some(app.queue.text.clone());
            return vec![];
        }
        Command::StatusFilter => {
            app.queue.status = app.queue.status.next();
            app.queue.recompute();
            let label = app.queue.status.label();
            app.info(format!("Showing {label} assignments"));
        }
        Command::RoleFilter => {
            let roles = app.queue.roles();
            app.queue.role = match &app.queue.role {
                None => roles.first().cloned(),
                Some(r) => roles
                    .iter()
                    .position(|x| x == r)
                    .and_then(|i| roles.get(i + 1).cloned()),
            };
            app.queue.recompute();
            let label = app.queue.role.clone().unwrap_or_else(|| "all roles".into());
            app.info(format!("Role: {label}"));
        }
        Command::ClearFilter => {
            app.queue.text.clear();
            app.queue.role = None;
            app.queue.sort = SortKey::Due;
            app.queue.status = StatusFilter::parse(&app.settings.queue_status);
            app.queue.recompute();
            app.info("Filters cleared");
        }
        Command::Sort => {
            app.queue.sort = app.queue.sort.next();
            app.queue.recompute();
            let label = app.queue.sort.label();
            app.info(format!("Sorted by {label}"));
        }
        Command::Refresh => {
            app.info("Refreshing…");
            let mut fx = if app.me.is_none() {
                vec![Effect::FetchMe]
            } else {
                refresh(app)
            };
            fx.push(Effect::RetrySync);
            return fx;
        }
        _ => return vec![],
    }
    maybe_load_more(app)
}

/// `back` on the queue: clears a text filter first, then quits.
pub fn back(app: &mut App) -> Vec<Effect> {
    if !app.queue.text.is_empty() {
        app.queue.text.clear();
        app.queue.recompute();
        app.info("Filter cleared");
    } else {
        app.should_quit = true;
    }
    vec![]
}

/// Keys while typing a filter (the `[editor]` layer): `leave` restores the
/// filter there was, `newline` keeps the new one.
pub fn on_filter_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    match editor::command(&app.keymap, k) {
        Some(Command::Leave) => {
            if let Some(prev) = app.queue.editing.take() {
                app.queue.text = prev;
            }
        }
        Some(Command::Newline) => app.queue.editing = None,
        Some(Command::DeleteBack) => {
            app.queue.text.pop();
        }
        Some(_) => return vec![],
        None => match typed(k) {
            Some(c) => app.queue.text.push(c),
            None => return vec![],
        },
    }
    app.queue.recompute();
    maybe_load_more(app)
}
