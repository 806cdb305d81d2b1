//! The recruiter's triage board (`T` from the queue; recruiters and
//! admins): every interview of the caller's roles by stage, paged from the
//! server as the queue is; opening one shows its panel and transcripts;
//! decisions one by one or in bulk, the ATS sync state and its retry,
//! reminders and reassignment.

pub mod dialog;
pub mod filters;
pub mod playback;
pub mod poll;
pub mod ranges;
pub mod share;
pub mod state;
pub mod view;

use crossterm::event::KeyEvent;
use takes_api::board::{
    BoardInterview, BoardPage, BoardStage, ReassignRequest, Reassignment, ReminderResult,
    StageCounts, SyncRetry, SyncState, SyncStatus,
};
use takes_api::Decision;

use super::editor::{self, typed};
use super::Hint;
use crate::app::effect::Effect;
use crate::app::state::{App, Conn, Screen};
use crate::client::board::BoardQuery;
use crate::client::ClientError;
use crate::config::{Command, Scope};
use state::{BoardState, Opened, ReassignPicker};

/// The board's hint bar.
pub fn hints(app: &App) -> Vec<Hint> {
    let b = &app.board;
    if b.dialog.is_some() {
        return dialog::hints(b);
    }
    if b.picker.is_some() {
        return vec![
            Hint::new(Scope::Dialog, Command::Down, "choose"),
            Hint::new(Scope::Dialog, Command::Accept, "next / reassign"),
            Hint::new(Scope::Dialog, Command::Back, "cancel"),
        ];
    }
    if b.range_input.is_some() {
        return vec![
            Hint::new(Scope::Editor, Command::Newline, "apply"),
            Hint::new(Scope::Editor, Command::Leave, "cancel"),
        ];
    }
    if b.editing.is_some() {
        return vec![
            Hint::new(Scope::Editor, Command::Newline, "search"),
            Hint::new(Scope::Editor, Command::Leave, "cancel"),
        ];
    }
    let s = Scope::Board;
    if b.opened.is_some() {
        return vec![
            Hint::new(s, Command::Down, "scroll"),
            Hint::new(s, Command::PlayPause, "video"),
            Hint::new(s, Command::Decision, "decide"),
            Hint::new(s, Command::Remind, "remind"),
            Hint::new(s, Command::Reassign, "reassign"),
            Hint::new(s, Command::RetrySync, "retry sync"),
            Hint::new(s, Command::Back, "board"),
            Hint::new(s, Command::Share, "share link"),
        ];
    }
    vec![
        Hint::new(s, Command::Open, "open"),
        Hint::new(s, Command::NextStage, "stage"),
        Hint::new(s, Command::Mark, "select"),
        Hint::new(s, Command::Visual, "range"),
        Hint::new(s, Command::Decision, "decide"),
        Hint::new(s, Command::Filter, "search"),
        Hint::new(s, Command::RangeFilter, "score/date"),
        Hint::new(s, Command::Sort, "sort"),
        Hint::new(s, Command::FlagFilter, "disagreement"),
        Hint::new(s, Command::RetrySync, "retry sync"),
        Hint::new(s, Command::Remind, "remind"),
        Hint::new(s, Command::Help, "help"),
        Hint::new(s, Command::Back, "queue"),
    ]
}

/// The help's "in editors and dialogs" rows for the board.
pub fn modal_hints() -> Vec<Hint> {
    vec![
        Hint::group(
            Scope::Dialog,
            &super::decision::CHOICE_COMMANDS,
            "bulk decision: advance / reject / hold",
        ),
        Hint::new(Scope::Editor, Command::Newline, "search (while typing one)"),
        Hint::new(
            Scope::Editor,
            Command::Newline,
            "apply the score/date filter (while typing one)",
        ),
    ]
}

/// `T` from the queue.
pub fn open(app: &mut App) -> Vec<Effect> {
    if !app.can_decide() {
        app.warn("The triage board is for recruiters and admins");
        return vec![];
    }
    app.screen = Screen::Board;
    if app.board.loading && !app.board.loaded_once {
        // The first page asked for at sign-in is on its way.
        return vec![];
    }
    refresh(app)
}

/// Rows of a first page: a tall terminal's screenful and some; the rest
/// comes as the cursor moves, so the first page arrives sooner.
const FIRST_PAGE: i64 = 64;

/// At sign-in, for recruiters and admins: the board's first page is asked
/// for while the queue paints, so `T` shows rows at once.
pub fn prefetch(app: &mut App) -> Vec<Effect> {
    if !app.can_decide() || app.board.loaded_once || app.board.loading {
        return vec![];
    }
    refresh(app)
}

fn query(b: &BoardState) -> BoardQuery {
    BoardQuery {
        stage: b.stage.map(|s| s.as_str().to_string()),
        role: b.role.as_ref().map(|r| r.0.clone()),
        text: b.text.clone(),
        disagreement: b.flagged_only.then_some(true),
        min_score: b.ranges.min_score,
        max_score: b.ranges.max_score,
        from: b.ranges.from_param(),
        to: b.ranges.to_param(),
        sort: b.sort.param().to_string(),
    }
}

/// Reloads from the first page (the filters changed or time passed).
pub fn refresh(app: &mut App) -> Vec<Effect> {
    let b = &mut app.board;
    b.gen += 1;
    b.loading = true;
    vec![Effect::FetchBoard {
        gen: b.gen,
        query: query(b),
        cursor: None,
        page: app.settings.page_size.min(FIRST_PAGE),
        replace: true,
    }]
}

/// The next page when the cursor nears the end of what is loaded.
fn maybe_load_more(app: &mut App) -> Vec<Effect> {
    let b = &mut app.board;
    if b.loading || b.next_cursor.is_none() {
        return vec![];
    }
    if b.selected + b.page_rows.get() * 2 + 20 < b.items.len() {
        return vec![];
    }
    b.loading = true;
    vec![Effect::FetchBoard {
        gen: b.gen,
        query: query(b),
        cursor: b.next_cursor.clone(),
        page: app.settings.page_size,
        replace: false,
    }]
}

pub fn on_loaded(
    app: &mut App,
    gen: u64,
    replace: bool,
    result: Result<BoardPage, ClientError>,
) -> Vec<Effect> {
    if gen != app.board.gen {
        return vec![];
    }
    let b = &mut app.board;
    b.loading = false;
    match result {
        Ok(page) => {
            if app.conn != Conn::Online {
                app.conn = Conn::Online;
            }
            let keep = b.current().map(|i| i.id.clone());
            if replace {
                b.items = page.items;
            } else {
                b.items.extend(page.items);
            }
            b.counts = page.counts;
            b.total = page.total;
            b.next_cursor = page.next_cursor;
            b.loaded_once = true;
            b.error = None;
            b.selected = keep
                .and_then(|id| b.items.iter().position(|i| i.id == id))
                .unwrap_or(b.selected)
                .min(b.items.len().saturating_sub(1));
            let ids: std::collections::HashSet<&str> =
                b.items.iter().map(|i| i.id.as_str()).collect();
            b.marked.retain(|m| ids.contains(m.as_str()));
            let mut fx = maybe_load_more(app);
            fx.extend(poll::ensure(app));
            fx
        }
        Err(e) => {
            b.error = Some(e.to_string());
            app.request_failed("Loading the board failed", &e);
            vec![]
        }
    }
}

pub fn on_interview(
    app: &mut App,
    id: String,
    result: Result<BoardInterview, ClientError>,
) -> Vec<Effect> {
    let Some(o) = app.board.opened.as_mut().filter(|o| o.id == id) else {
        return vec![];
    };
    match result {
        Ok(d) => {
            // Keep the row in step with what was just read.
            if let Some(row) = app.board.items.iter_mut().find(|i| i.id == id) {
                *row = d.item.clone();
            }
            o.detail = Some(d);
            o.error = None;
        }
        Err(e) => {
            o.error = Some(e.to_string());
            app.request_failed("Opening the interview failed", &e);
            return vec![];
        }
    }
    poll::ensure(app)
}

/// The board's own keys; a scroll may bring a row whose delivery is under
/// way onto the screen.
pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let mut fx = keys(app, cmd);
    fx.extend(poll::ensure(app));
    fx
}

fn keys(app: &mut App, cmd: Command) -> Vec<Effect> {
    if app.board.opened.is_some() {
        return opened_command(app, cmd);
    }
    let rows = app.board.page_rows.get().max(1);
    let len = app.board.items.len();
    let b = &mut app.board;
    match cmd {
        Command::Down => b.selected = (b.selected + 1).min(len.saturating_sub(1)),
        Command::Up => b.selected = b.selected.saturating_sub(1),
        Command::PageDown => b.selected = (b.selected + rows).min(len.saturating_sub(1)),
        Command::PageUp => b.selected = b.selected.saturating_sub(rows),
        Command::Top => b.selected = 0,
        Command::Bottom => b.selected = len.saturating_sub(1),
        Command::Mark => {
            b.toggle_mark();
            b.selected = (b.selected + 1).min(len.saturating_sub(1));
            let n = b.selection_count();
            app.info(format!("{n} selected"));
        }
        Command::Visual => {
            let was_open = b.visual.is_some();
            b.toggle_visual();
            let n = b.selection_count();
            if was_open {
                app.info(format!("{n} selected"));
            } else {
                app.info("Range: move to its other end, then press the range key again");
            }
        }
        Command::NextStage | Command::PrevStage => {
            b.next_tab(if cmd == Command::NextStage { 1 } else { -1 });
            b.clear_selection();
            b.selected = 0;
            return refresh(app);
        }
        Command::Filter => {
            b.editing = Some(b.text.clone());
            return vec![];
        }
        Command::RangeFilter => return filters::open(app),
        Command::Sort => {
            b.sort = b.sort.next();
            let label = b.sort.label();
            app.info(format!("Sorted by {label}"));
            return refresh(app);
        }
        Command::FlagFilter => {
            b.flagged_only = !b.flagged_only;
            let what = if b.flagged_only {
                "Only interviews whose panel disagrees"
            } else {
                "Every interview, agreeing or not"
            };
            app.info(what);
            return refresh(app);
        }
        Command::RoleFilter => {
            let roles = b.roles();
            b.role = match &b.role {
                None => roles.first().cloned(),
                Some(r) => roles
                    .iter()
                    .position(|x| x == r)
                    .and_then(|i| roles.get(i + 1).cloned()),
            };
            let label = b
                .role
                .as_ref()
                .map(|r| r.1.clone())
                .unwrap_or("all roles".into());
            app.info(format!("Role: {label}"));
            return refresh(app);
        }
        Command::ClearFilter => {
            b.text.clear();
            b.role = None;
            b.flagged_only = false;
            b.ranges = Default::default();
            b.clear_selection();
            app.info("Filters and selection cleared");
            return refresh(app);
        }
        Command::Refresh => {
            app.info("Refreshing…");
            return refresh(app);
        }
        Command::Open => {
            let Some(item) = b.current() else {
                return vec![];
            };
            let id = item.id.clone();
            b.opened = Some(Opened::new(id.clone()));
            return vec![Effect::FetchBoardInterview(id)];
        }
        Command::Decision => return dialog::open(app),
        Command::RetrySync => return retry_sync(app),
        Command::Remind => return remind(app),
        Command::Reassign => return reassign(app),
        Command::Share => return share::share(app),
        _ => return vec![],
    }
    maybe_load_more(app)
}

fn opened_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(o) = app.board.opened.as_mut() else {
        return vec![];
    };
    match cmd {
        Command::Down => o.scroll += 1,
        Command::Up => o.scroll = o.scroll.saturating_sub(1),
        Command::PageDown => o.scroll += 10,
        Command::PageUp => o.scroll = o.scroll.saturating_sub(10),
        Command::Top => o.scroll = 0,
        Command::NextQuestion => playback::select(app, 1),
        Command::PrevQuestion => playback::select(app, -1),
        Command::PlayPause => return playback::play_pause(app),
        Command::Refresh => return vec![Effect::FetchBoardInterview(o.id.clone())],
        Command::Decision => return dialog::open(app),
        Command::RetrySync => return retry_sync(app),
        Command::Remind => return remind(app),
        Command::Reassign => return reassign(app),
        Command::Share => return share::share(app),
        _ => {}
    }
    vec![]
}

/// `back`: closes the opened interview, then a visual range, then the
/// board.
pub fn back(app: &mut App) -> Vec<Effect> {
    let b = &mut app.board;
    if b.opened.take().is_some() {
        return vec![];
    }
    if b.visual.take().is_some() {
        return vec![];
    }
    app.screen = Screen::Queue;
    vec![]
}

/// The interview the action is for: the opened one, else the cursor's.
fn focus_id(app: &App) -> Option<String> {
    match &app.board.opened {
        Some(o) => Some(o.id.clone()),
        None => app.board.current().map(|i| i.id.clone()),
    }
}

fn retry_sync(app: &mut App) -> Vec<Effect> {
    let Some(id) = focus_id(app) else {
        return vec![];
    };
    let failed = app
        .board
        .items
        .iter()
        .find(|i| i.id == id)
        .and_then(|i| i.sync.as_ref())
        .is_some_and(|s| s.status == SyncStatus::Failed);
    if !failed {
        app.warn("Only a decision whose delivery to the ATS failed can be retried");
        return vec![];
    }
    app.info("Retrying the delivery to the ATS…");
    vec![Effect::RetryBoardSync(id)]
}

fn remind(app: &mut App) -> Vec<Effect> {
    match focus_id(app) {
        Some(id) => {
            app.info("Reminding the overdue reviewers…");
            vec![Effect::RemindReviewers(id)]
        }
        None => vec![],
    }
}

/// Reassignment picks from the opened interview's pool.
fn reassign(app: &mut App) -> Vec<Effect> {
    let Some(d) = app.board.opened.as_ref().and_then(|o| o.detail.as_ref()) else {
        let open = app.key_name(Scope::Board, Command::Open);
        app.warn(format!(
            "Open the interview ({open}) to reassign one of its reviews"
        ));
        return vec![];
    };
    let from: Vec<(String, String)> = d
        .item
        .reviewers
        .iter()
        .filter(|r| !r.submitted)
        .map(|r| (r.assignment_id.clone(), r.name.clone()))
        .collect();
    let to: Vec<(String, String)> = d
        .pool
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    if from.is_empty() {
        app.warn("Every review of this interview is submitted; nothing to reassign");
        return vec![];
    }
    if to.is_empty() {
        app.warn("Nobody else in the role's reviewer pool can take it");
        return vec![];
    }
    app.board.picker = Some(ReassignPicker {
        interview_id: d.item.id.clone(),
        from,
        from_index: 0,
        to,
        to_index: 0,
        choosing_to: false,
    });
    vec![]
}

/// Keys of the reassignment picker (the `[dialog]` layer).
pub fn on_picker_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let cmd = app
        .keymap
        .lookup(Scope::Dialog, crate::config::Key::from_event(k));
    let Some(p) = app.board.picker.as_mut() else {
        return vec![];
    };
    let (len, idx) = if p.choosing_to {
        (p.to.len(), &mut p.to_index)
    } else {
        (p.from.len(), &mut p.from_index)
    };
    match cmd {
        Some(Command::Down) => *idx = (*idx + 1) % len.max(1),
        Some(Command::Up) => *idx = (*idx + len.max(1) - 1) % len.max(1),
        Some(Command::Back | Command::Close) => {
            if p.choosing_to {
                p.choosing_to = false;
            } else {
                app.board.picker = None;
                app.info("Reassignment cancelled");
            }
        }
        Some(Command::Accept | Command::Confirm) if !p.choosing_to => p.choosing_to = true,
        Some(Command::Accept | Command::Confirm) => {
            let (Some(from), Some(to)) = (p.from.get(p.from_index), p.to.get(p.to_index)) else {
                return vec![];
            };
            let fx = Effect::Reassign {
                interview_id: p.interview_id.clone(),
                request: ReassignRequest {
                    assignment_id: from.0.clone(),
                    reviewer_id: to.0.clone(),
                },
            };
            app.board.picker = None;
            app.info("Reassigning…");
            return vec![fx];
        }
        _ => {}
    }
    vec![]
}

fn reload_opened(app: &App, id: &str) -> Vec<Effect> {
    match &app.board.opened {
        Some(o) if o.id == id => vec![Effect::FetchBoardInterview(id.to_string())],
        _ => vec![],
    }
}

pub fn on_sync_retried(
    app: &mut App,
    id: String,
    result: Result<SyncRetry, ClientError>,
) -> Vec<Effect> {
    match result {
        Ok(r) => {
            if let Some(row) = app.board.items.iter_mut().find(|i| i.id == id) {
                row.sync = Some(r.sync);
            }
            app.ok(format!(
                "Delivery to the ATS queued again ({} endpoint{})",
                r.deliveries_queued,
                if r.deliveries_queued == 1 { "" } else { "s" }
            ));
            let mut fx = reload_opened(app, &id);
            fx.extend(poll::restart(app));
            fx
        }
        Err(e) => {
            app.request_failed("Retrying the sync failed", &e);
            vec![]
        }
    }
}

pub fn on_reminded(
    app: &mut App,
    id: String,
    result: Result<ReminderResult, ClientError>,
) -> Vec<Effect> {
    match result {
        Ok(r) => {
            app.ok(format!(
                "Reminded {} ({} email{} queued)",
                r.reminded.join(", "),
                r.emails_queued,
                if r.emails_queued == 1 { "" } else { "s" }
            ));
            reload_opened(app, &id)
        }
        Err(e) => {
            app.request_failed("Reminder not sent", &e);
            vec![]
        }
    }
}

pub fn on_reassigned(
    app: &mut App,
    id: String,
    result: Result<Reassignment, ClientError>,
) -> Vec<Effect> {
    match result {
        Ok(r) => {
            app.ok(format!("Reassigned to {}", r.reviewer));
            let mut fx = reload_opened(app, &id);
            fx.extend(refresh(app));
            fx
        }
        Err(e) => {
            app.request_failed("Reassignment failed", &e);
            vec![]
        }
    }
}

/// The answer to a bulk decision: the decided rows stay where they are,
/// now showing their decision, and the board watches their delivery to the
/// ATS until it is done (they leave a stage tab at the next reload).
pub fn on_decided(
    app: &mut App,
    result: Result<takes_api::board::BulkDecisionResult, ClientError>,
) -> Vec<Effect> {
    let decisions = result.as_ref().ok().map(|r| r.decisions.clone());
    let mut fx = dialog::on_decided(app, result);
    if let Some(decisions) = decisions {
        keep_decided(&mut app.board, &decisions);
        fx.extend(poll::restart(app));
    }
    fx
}

fn count_of(c: &mut StageCounts, stage: BoardStage) -> &mut i64 {
    match stage {
        BoardStage::Invited => &mut c.invited,
        BoardStage::AwaitingReviews => &mut c.awaiting_reviews,
        BoardStage::ReadyToDecide => &mut c.ready_to_decide,
        BoardStage::Decided => &mut c.decided,
    }
}

/// Shows the decisions in their rows (and the stage counts) until the
/// server says where their delivery stands.
fn keep_decided(b: &mut BoardState, decisions: &[Decision]) {
    let queued = SyncState {
        status: SyncStatus::Queued,
        reason: None,
    };
    for d in decisions {
        let Some(row) = b.items.iter_mut().find(|i| i.id == d.interview_id) else {
            continue;
        };
        if row.stage != BoardStage::Decided {
            let from = count_of(&mut b.counts, row.stage);
            *from = (*from - 1).max(0);
            *count_of(&mut b.counts, BoardStage::Decided) += 1;
            row.stage = BoardStage::Decided;
        }
        row.decision = Some(d.clone());
        row.sync = Some(queued.clone());
    }
}

/// Keys while the score and date filter line is open.
pub fn on_range_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    if filters::on_key(app, k) {
        refresh(app)
    } else {
        vec![]
    }
}

/// Keys while typing a search (the `[editor]` layer): `leave` restores
/// the search there was, `newline` searches.
pub fn on_filter_key(app: &mut App, k: &KeyEvent) -> Vec<Effect> {
    let b = &mut app.board;
    match editor::command(&app.keymap, k) {
        Some(Command::Leave) => {
            if let Some(prev) = b.editing.take() {
                b.text = prev;
            }
            vec![]
        }
        Some(Command::Newline) => {
            b.editing = None;
            b.selected = 0;
            refresh(app)
        }
        Some(Command::DeleteBack) => {
            b.text.pop();
            vec![]
        }
        Some(_) => vec![],
        None => {
            if let Some(c) = typed(k).filter(|_| b.text.chars().count() < 200) {
                b.text.push(c);
            }
            vec![]
        }
    }
}
