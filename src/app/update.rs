//! The one update function: `(state, action) -> (state', effects)`. Pure
//! apart from fresh idempotency keys; all I/O is an [`Effect`].

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use takes_api::{AssignmentStatus, DecisionAction, DecisionRequest, Evidence, Sheet, SheetKind};

use super::action::Action;
use super::effect::Effect;
use super::state::*;
use crate::client::ClientError;
use crate::config::{Command, Key, Scope};
use crate::journal::sync::SyncEvent;
use crate::journal::ScoreEntry;
use takes_player::muted_first::RatingField;

pub(super) fn info(app: &mut App, text: impl Into<String>) {
    app.status = Some(StatusMsg {
        text: text.into(),
        level: Level::Info,
    });
}
pub(super) fn ok(app: &mut App, text: impl Into<String>) {
    app.status = Some(StatusMsg {
        text: text.into(),
        level: Level::Ok,
    });
}
pub(super) fn warn(app: &mut App, text: impl Into<String>) {
    app.status = Some(StatusMsg {
        text: text.into(),
        level: Level::Warning,
    });
}
pub(super) fn error(app: &mut App, text: impl Into<String>) {
    app.status = Some(StatusMsg {
        text: text.into(),
        level: Level::Error,
    });
}

/// Notes a failed request in the connection state and says what happened.
fn request_failed(app: &mut App, what: &str, e: &ClientError) {
    match e {
        ClientError::Unauthorized(d) => {
            app.conn = Conn::Unauthorized(d.clone());
            error(
                app,
                format!("{what}: {e}. Check TAKES_TOKEN / token_command and restart."),
            );
        }
        e if e.is_offline() => {
            app.conn = Conn::Offline(e.to_string());
            error(
                app,
                format!("{what}: {e}. Your scores are kept locally; press r to retry."),
            );
        }
        e => error(app, format!("{what}: {e}")),
    }
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut fx = apply(app, action);
    // Whatever changed the screen or the question, the player follows.
    fx.extend(super::playback::reconcile(app));
    fx
}

fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(k) => {
            if k.kind == KeyEventKind::Release {
                return vec![];
            }
            on_key(app, k)
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            vec![]
        }
        Action::Tick => {
            let due =
                app.now_ms - app.queue.last_refresh_ms >= app.settings.refresh_secs as i64 * 1000;
            if due && app.me.is_some() && !app.queue.loading {
                refresh_queue(app)
            } else {
                vec![]
            }
        }
        Action::MeLoaded(Ok(me)) => {
            app.conn = Conn::Online;
            let user_id = me.id.clone();
            app.me = Some(me);
            let mut fx = vec![Effect::OpenJournal { user_id }];
            fx.extend(refresh_queue(app));
            fx
        }
        Action::MeLoaded(Err(e)) => {
            request_failed(app, "Signing in failed", &e);
            vec![]
        }
        Action::QueueLoaded { gen, result } => on_queue(app, gen, result),
        Action::CountsLoaded(Ok(c)) => {
            app.queue.counts = Some(c);
            vec![]
        }
        Action::CountsLoaded(Err(_)) => vec![],
        Action::AssignmentLoaded { id, result } => on_assignment(app, id, result),
        Action::Player(ev) => super::playback::on_event(app, ev),
        Action::CalibrationNoteAdded { session_id, result } => {
            on_note_added(app, session_id, result)
        }
        Action::Prefetched { id, result } => match result {
            Ok(d) if d.id == id => super::playback::on_prefetched(app, d),
            // Only a head start: the assignment is fetched again on opening.
            _ => vec![],
        },
        Action::TranscriptLoaded {
            response_id,
            result,
        } => {
            if let Some(r) = app.review.as_mut() {
                let st = match result {
                    Ok(cues) => TranscriptState::Loaded(cues),
                    Err(e) => TranscriptState::Failed(e.to_string()),
                };
                r.transcripts.insert(response_id, st);
            }
            vec![]
        }
        Action::Sync(ev) => on_sync(app, ev),
        Action::Submitted { sheet, result } => match sheet.kind {
            SheetKind::Assignment => on_submitted(app, sheet.id, result),
            SheetKind::Calibration => on_calibration_submitted(app, sheet.id, result),
        },
        Action::PanelLoaded {
            assignment_id,
            result,
        } => {
            if let Some(p) = app
                .panel
                .as_mut()
                .filter(|p| p.assignment_id == assignment_id)
            {
                match result {
                    Ok(panel) => {
                        p.panel = Some(panel);
                        p.error = None;
                    }
                    Err(e) => p.error = Some(e.to_string()),
                }
            }
            vec![]
        }
        Action::CalibrationsLoaded(result) => {
            let c = &mut app.calibration;
            c.loading = false;
            match result {
                Ok(page) => {
                    c.sessions = page.items;
                    c.selected = c.selected.min(c.sessions.len().saturating_sub(1));
                    c.error = None;
                }
                Err(e) => {
                    c.error = Some(e.to_string());
                    request_failed(app, "Loading calibration sessions failed", &e);
                }
            }
            vec![]
        }
        Action::CalibrationSessionLoaded { id, result } => {
            let Some(r) = app
                .review
                .as_mut()
                .filter(|r| r.assignment_id == id && r.calibration.is_some())
            else {
                return vec![];
            };
            let result = result.map(|session| {
                let detail = calibration_detail(&session);
                r.calibration = Some(session);
                detail
            });
            on_assignment(app, id, result)
        }
        Action::CalibrationResultsLoaded { id, result } => {
            if let Some(rs) = app.results.as_mut().filter(|r| r.session_id == id) {
                match result {
                    Ok(res) => {
                        rs.title = res.title.clone();
                        rs.results = Some(res);
                        rs.locked = None;
                        rs.error = None;
                    }
                    Err(ClientError::Forbidden(d)) => {
                        rs.results = None;
                        rs.locked = Some(d);
                    }
                    Err(e) => rs.error = Some(e.to_string()),
                }
            }
            vec![]
        }
        Action::Decided(result) => {
            match result {
                Ok(d) => {
                    let name = match &app.overlay {
                        Some(Overlay::Decision(dd)) => dd.candidate.clone(),
                        _ => String::new(),
                    };
                    app.overlay = None;
                    ok(
                        app,
                        format!("Decision recorded: {} {name}", d.action.as_str()),
                    );
                }
                Err(e) => {
                    if let Some(Overlay::Decision(dd)) = app.overlay.as_mut() {
                        dd.stage = DecisionStage::Confirm;
                        dd.error = Some(e.to_string());
                    }
                    request_failed(app, "Decision not recorded", &e);
                }
            }
            vec![]
        }
    }
}

// ---------------------------------------------------------------- queue

fn refresh_queue(app: &mut App) -> Vec<Effect> {
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

fn on_queue(
    app: &mut App,
    gen: u64,
    result: Result<super::action::QueueChunk, ClientError>,
) -> Vec<Effect> {
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
            let review_counts = app.review.as_ref().and_then(|r| {
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
            request_failed(app, "Loading the queue failed", &e);
            vec![]
        }
    }
}

fn queue_command(app: &mut App, cmd: Command) -> Vec<Effect> {
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
        Command::Open => {
            return match app.queue.selected_item().cloned() {
                Some(item) => open_assignment(app, item.id.clone(), Some(item)),
                None => vec![],
            }
        }
        Command::Filter => {
            app.queue.editing = Some(app.queue.text.clone());
            return vec![];
        }
        Command::StatusFilter => {
            app.queue.status = app.queue.status.next();
            app.queue.recompute();
            info(
                app,
                format!("Showing {} assignments", app.queue.status.label()),
            );
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
            info(app, format!("Role: {label}"));
        }
        Command::ClearFilter => {
            app.queue.text.clear();
            app.queue.role = None;
            app.queue.sort = SortKey::Due;
            app.queue.status = StatusFilter::parse(&app.settings.queue_status);
            app.queue.recompute();
            info(app, "Filters cleared");
        }
        Command::Sort => {
            app.queue.sort = app.queue.sort.next();
            app.queue.recompute();
            info(app, format!("Sorted by {}", app.queue.sort.label()));
        }
        Command::Refresh => {
            info(app, "Refreshing…");
            let mut fx = if app.me.is_none() {
                vec![Effect::FetchMe]
            } else {
                refresh_queue(app)
            };
            fx.push(Effect::RetrySync);
            return fx;
        }
        Command::Calibration => return open_calibrations(app),
        _ => return vec![],
    }
    maybe_load_more(app)
}

fn on_filter_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    match k.code {
        KeyCode::Esc => {
            if let Some(prev) = app.queue.editing.take() {
                app.queue.text = prev;
            }
        }
        KeyCode::Enter => {
            app.queue.editing = None;
        }
        KeyCode::Backspace => {
            app.queue.text.pop();
        }
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => app.queue.text.push(c),
        _ => return vec![],
    }
    app.queue.recompute();
    maybe_load_more(app)
}

// ---------------------------------------------------------------- review

fn open_assignment(
    app: &mut App,
    id: String,
    summary: Option<takes_api::QueueItem>,
) -> Vec<Effect> {
    app.review = Some(ReviewState {
        assignment_id: id.clone(),
        summary,
        detail: None,
        error: None,
        current: 0,
        transcripts: Default::default(),
        cue: 0,
        editor: None,
        show_video: app.settings.show_video,
        muted_first: Default::default(),
        calibration: None,
    });
    app.screen = Screen::Review;
    let mut fx = vec![Effect::FetchAssignment(id.clone())];
    // Fetched ahead: show it at once; the fetch above refreshes it.
    if let Some(d) = app.prefetched.take().filter(|d| d.id == id) {
        fx.extend(on_assignment(app, id, Ok(d)));
    }
    fx
}

fn on_assignment(
    app: &mut App,
    id: String,
    result: Result<takes_api::AssignmentDetail, ClientError>,
) -> Vec<Effect> {
    let Some(r) = app.review.as_mut().filter(|r| r.assignment_id == id) else {
        return vec![];
    };
    match result {
        Ok(detail) => {
            let first_open = detail.questions.iter().position(|q| {
                let key = (detail.id.clone(), q.id.clone());
                let local = app.local.get(&key).and_then(|l| l.rating);
                local.is_none() && !detail.my_scores.iter().any(|s| s.question_id == q.id)
            });
            let reload = r.detail.is_some();
            if !reload {
                r.current = first_open.unwrap_or(0);
            }
            let mut fx = Vec::new();
            for q in &detail.questions {
                if let Some(resp) = &q.response {
                    if !r.transcripts.contains_key(&resp.id) {
                        r.transcripts
                            .insert(resp.id.clone(), TranscriptState::Loading);
                        fx.push(Effect::FetchTranscript {
                            response_id: resp.id.clone(),
                            url: resp.transcript_url.clone(),
                        });
                    }
                }
            }
            // Scores the server has now replace synced local copies.
            for s in &detail.my_scores {
                let key = (detail.id.clone(), s.question_id.clone());
                if app
                    .local
                    .get(&key)
                    .is_some_and(|l| l.sync == SyncState::Synced)
                {
                    app.local.remove(&key);
                }
            }
            // Keep the queue row in step.
            if let Some(it) = app.queue.items.iter_mut().find(|i| i.id == detail.id) {
                it.status = detail.status;
                it.candidate = detail.candidate.clone();
                it.submitted_at = detail.submitted_at.clone();
            }
            r.error = None;
            r.detail = Some(detail);
            fx
        }
        Err(e) => {
            r.error = Some(e.to_string());
            request_failed(app, "Opening the assignment failed", &e);
            vec![]
        }
    }
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Records a new local score for the current question and journals it.
fn record(app: &mut App, score: ScoreView) -> Vec<Effect> {
    let ScoreView {
        rating,
        muted_rating,
        note,
        evidence,
        ..
    } = score;
    let Some(user_id) = app.me.as_ref().map(|m| m.id.clone()) else {
        error(app, "Not signed in yet; the rating was not recorded");
        return vec![];
    };
    // No check that the journal has finished opening: the writer thread
    // queues entries until it has, and reports each one as saved only once
    // it is on disk.
    let Some(r) = app.review.as_ref() else {
        return vec![];
    };
    let (Some(d), Some(q)) = (r.detail.as_ref(), r.question()) else {
        return vec![];
    };
    let kind = if r.calibration.is_some() {
        SheetKind::Calibration
    } else {
        SheetKind::Assignment
    };
    let entry = ScoreEntry {
        kind,
        key: new_key(),
        user_id,
        assignment_id: d.id.clone(),
        question_id: q.id.clone(),
        rating,
        muted_rating,
        note: note.clone(),
        evidence: evidence.clone(),
        at_ms: app.now_ms,
    };
    app.local.insert(
        (d.id.clone(), q.id.clone()),
        LocalScore {
            key: entry.key.clone(),
            rating,
            muted_rating,
            note,
            evidence,
            sync: SyncState::Saving,
        },
    );
    vec![Effect::Journal(entry)]
}

fn current_score(app: &App) -> Option<ScoreView> {
    let r = app.review.as_ref()?;
    let d = r.detail.as_ref()?;
    let q = r.question()?;
    Some(app.score(d, &q.id))
}

fn rate(app: &mut App, n: i64) -> Vec<Effect> {
    let Some(r) = app.review.as_ref() else {
        return vec![];
    };
    if r.submitted() {
        warn(app, "This assignment is submitted; its scores are locked");
        return vec![];
    }
    let Some(q) = r.question() else { return vec![] };
    let (min, max) = (q.rubric.scale_min, q.rubric.scale_max);
    if !(min..=max).contains(&n) {
        warn(
            app,
            format!("{n} is outside this question's scale {min}–{max}"),
        );
        return vec![];
    }
    let pos = q.position;
    let prev = current_score(app).unwrap_or(ScoreView {
        rating: None,
        muted_rating: None,
        note: None,
        evidence: vec![],
        sync: None,
    });
    if super::playback::rating_field(app) == RatingField::Muted {
        // The muted pass's rating stays local (journaled) until the final
        // rating goes to the server with it.
        let fx = record(
            app,
            ScoreView {
                muted_rating: Some(n),
                ..prev
            },
        );
        if fx.is_empty() {
            return fx;
        }
        let mut fx = fx;
        fx.extend(super::playback::after_muted_rating(app, n));
        return fx;
    }
    let fx = record(
        app,
        ScoreView {
            rating: Some(n),
            ..prev
        },
    );
    if fx.is_empty() {
        return fx;
    }
    super::playback::after_final_rating(app, n);
    let label = app
        .review
        .as_ref()
        .and_then(|r| r.question())
        .and_then(|q| {
            q.rubric
                .anchors
                .iter()
                .find(|a| a.score == n)
                .map(|a| format!(" ({})", a.label))
        })
        .unwrap_or_default();
    info(app, format!("Q{pos} rated {n}{label}"));
    if app.settings.auto_advance {
        advance_to_unscored(app);
    }
    fx
}

fn advance_to_unscored(app: &mut App) {
    let Some(r) = app.review.as_ref() else { return };
    let Some(d) = r.detail.as_ref() else { return };
    let n = d.questions.len();
    let cur = r.current;
    let next = (1..=n)
        .map(|step| (cur + step) % n)
        .find(|&i| app.score(d, &d.questions[i].id).rating.is_none());
    match next {
        Some(i) if i != cur => set_question(app, i),
        _ => {
            let total = n;
            ok(app, format!("All {total} questions rated — S to submit"));
        }
    }
}

fn set_question(app: &mut App, i: usize) {
    if let Some(r) = app.review.as_mut() {
        let n = r.detail.as_ref().map(|d| d.questions.len()).unwrap_or(0);
        if n > 0 {
            r.current = i.min(n - 1);
            r.cue = 0;
        }
    }
}

fn review_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    if let Some(id) = app.calibrating().map(|s| s.id.clone()) {
        match cmd {
            Command::Panel => return open_results(app),
            Command::Decision | Command::NextAssignment => {
                info(
                    app,
                    "Calibration: score every item, S to submit, V for results",
                );
                return vec![];
            }
            Command::Evidence => {
                info(
                    app,
                    "Calibration scores keep a rating and a note, no evidence",
                );
                return vec![];
            }
            Command::Refresh => {
                return vec![Effect::FetchCalibrationSession(id), Effect::RetrySync];
            }
            _ => {}
        }
    }
    if let Some(fx) = super::playback::command(app, cmd) {
        return fx;
    }
    match cmd {
        Command::Rate(n) => return rate(app, n),
        Command::NextQuestion | Command::PrevQuestion => {
            if let Some(r) = app.review.as_ref() {
                let n = r.detail.as_ref().map(|d| d.questions.len()).unwrap_or(0);
                if n > 0 {
                    let i = if cmd == Command::NextQuestion {
                        (r.current + 1) % n
                    } else {
                        (r.current + n - 1) % n
                    };
                    set_question(app, i);
                }
            }
        }
        Command::Note => {
            let Some(r) = app.review.as_ref() else {
                return vec![];
            };
            if r.detail.is_none() {
                return vec![];
            }
            if r.submitted() {
                warn(app, "This assignment is submitted; its notes are locked");
                return vec![];
            }
            let note = current_score(app).and_then(|s| s.note).unwrap_or_default();
            if let Some(r) = app.review.as_mut() {
                r.editor = Some(TextInput::new(&note));
            }
            info(app, "Writing a note — Esc leaves and saves");
        }
        Command::Evidence => return toggle_evidence(app),
        Command::ToggleVideo => {
            if let Some(r) = app.review.as_mut() {
                r.show_video = !r.show_video;
                let s = if r.show_video {
                    "Video shown"
                } else {
                    "Content only: video hidden"
                };
                info(app, s);
            }
        }
        Command::Submit => return ask_submit(app),
        Command::Panel => {
            let Some(r) = app.review.as_ref() else {
                return vec![];
            };
            if !r.submitted() {
                warn(
                    app,
                    "The panel opens after you submit your own scores (no anchoring)",
                );
                return vec![];
            }
            let id = r.assignment_id.clone();
            return open_panel(app, id);
        }
        Command::Decision => open_decision(app),
        Command::NextAssignment => return next_assignment(app),
        Command::Refresh => {
            if let Some(r) = app.review.as_ref() {
                return vec![
                    Effect::FetchAssignment(r.assignment_id.clone()),
                    Effect::RetrySync,
                ];
            }
        }
        _ => {}
    }
    vec![]
}

fn toggle_evidence(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.review.as_ref() else {
        return vec![];
    };
    if r.submitted() {
        warn(app, "This assignment is submitted; its scores are locked");
        return vec![];
    }
    let Some(TranscriptState::Loaded(cues)) = r.cues() else {
        warn(app, "No transcript cue to mark");
        return vec![];
    };
    let Some(cue) = cues.get(r.cue).cloned() else {
        return vec![];
    };
    let Some(s) = current_score(app) else {
        return vec![];
    };
    let mut ev = s.evidence.clone();
    let range = Evidence {
        start_s: cue.start_s,
        end_s: cue.end_s,
    };
    let removed = if let Some(i) = ev
        .iter()
        .position(|e| (e.start_s - range.start_s).abs() < 0.001)
    {
        ev.remove(i);
        true
    } else {
        ev.push(range);
        ev.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        false
    };
    let fx = record(
        app,
        ScoreView {
            evidence: ev,
            ..s.clone()
        },
    );
    if !fx.is_empty() {
        let t = crate::screens::fmt_time(cue.start_s);
        if removed {
            info(app, format!("Evidence at {t} removed"));
        } else if s.rating.is_none() {
            info(
                app,
                format!("Evidence at {t} marked (sent with the rating)"),
            );
        } else {
            info(app, format!("Evidence at {t} marked"));
        }
    }
    fx
}

fn on_editor_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(r) = app.review.as_mut() else {
        return vec![];
    };
    let Some(ed) = r.editor.as_mut() else {
        return vec![];
    };
    if edit_text(ed, k) {
        return close_editor(app);
    }
    vec![]
}

/// The text-editing keys shared by every multi-line editor. True when the
/// key leaves the editor (Esc, Ctrl-C).
fn edit_text(ed: &mut TextInput, k: KeyEvent) -> bool {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Esc => return true,
        KeyCode::Char('c') if ctrl => return true,
        KeyCode::Enter => ed.insert('\n'),
        KeyCode::Backspace => ed.backspace(),
        KeyCode::Delete => ed.delete(),
        KeyCode::Left => ed.left(),
        KeyCode::Right => ed.right(),
        KeyCode::Up => ed.up(),
        KeyCode::Down => ed.down(),
        KeyCode::Home => ed.home(),
        KeyCode::End => ed.end(),
        KeyCode::Tab => ed.insert(' '),
        KeyCode::Char(c) if !ctrl && ed.text.chars().count() < 10_000 => ed.insert(c),
        _ => {}
    }
    false
}

fn close_editor(app: &mut App) -> Vec<Effect> {
    let Some(ed) = app.review.as_mut().and_then(|r| r.editor.take()) else {
        return vec![];
    };
    let Some(s) = current_score(app) else {
        return vec![];
    };
    let text = ed.text.trim_end().to_string();
    let note = (!text.trim().is_empty()).then_some(text);
    if note == s.note {
        info(app, "Note unchanged");
        return vec![];
    }
    let rated = s.rating.is_some();
    let fx = record(app, ScoreView { note, ..s });
    if !fx.is_empty() {
        if rated {
            info(app, "Note saved");
        } else {
            info(app, "Note saved locally; it is sent with the rating");
        }
    }
    fx
}

fn ask_submit(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.review.as_ref() else {
        return vec![];
    };
    let Some(d) = r.detail.as_ref() else {
        return vec![];
    };
    if r.submitted() {
        warn(app, "Already submitted");
        return vec![];
    }
    if app.pending_submit.is_some() || app.submitting.is_some() {
        info(app, "Submitting already…");
        return vec![];
    }
    let unscored: Vec<usize> = d
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| app.score(d, &q.id).rating.is_none())
        .map(|(i, _)| i)
        .collect();
    if let Some(first) = unscored.first().copied() {
        let list: Vec<String> = unscored.iter().map(|i| format!("Q{}", i + 1)).collect();
        warn(
            app,
            format!(
                "Not rated yet: {}; rate every question before submitting",
                list.join(", ")
            ),
        );
        set_question(app, first);
        return vec![];
    }
    let failed: Vec<String> = d
        .questions
        .iter()
        .filter(|q| matches!(app.score(d, &q.id).sync, Some(SyncState::Failed(_))))
        .map(|q| format!("Q{}", q.position))
        .collect();
    if !failed.is_empty() {
        error(
            app,
            format!(
                "{} failed to sync; rate again before submitting",
                failed.join(", ")
            ),
        );
        return vec![];
    }
    app.overlay = Some(Overlay::ConfirmSubmit);
    vec![]
}

fn confirm_submit(app: &mut App) -> Vec<Effect> {
    app.overlay = None;
    let Some(id) = app.review.as_ref().map(|r| r.assignment_id.clone()) else {
        return vec![];
    };
    let waiting = app.unsynced(Some(&id));
    if waiting > 0 {
        app.pending_submit = Some(id);
        info(
            app,
            format!("Waiting for {waiting} score(s) to sync, then submitting…"),
        );
        return vec![Effect::RetrySync];
    }
    app.submitting = Some(id.clone());
    info(app, "Submitting…");
    vec![submit_effect(app, id)]
}

/// Submits an assignment, or the calibration session being scored.
fn submit_effect(app: &App, id: String) -> Effect {
    if app.calibrating().is_some_and(|s| s.id == id) {
        Effect::Submit(Sheet::calibration(id))
    } else {
        Effect::Submit(Sheet::assignment(id))
    }
}

fn on_submitted(
    app: &mut App,
    id: String,
    result: Result<crate::client::Receipt, ClientError>,
) -> Vec<Effect> {
    app.submitting = None;
    match result {
        Ok(receipt) => {
            if let Some(it) = app.queue.items.iter_mut().find(|i| i.id == id) {
                it.status = AssignmentStatus::Submitted;
                it.submitted_at = Some(receipt.submitted_at.clone());
            }
            if !app.cleared_session.contains(&id) {
                app.cleared_session.push(id.clone());
            }
            if let Some(r) = app.review.as_mut().filter(|r| r.assignment_id == id) {
                if let Some(d) = r.detail.as_mut() {
                    d.status = AssignmentStatus::Submitted;
                    d.submitted_at = Some(receipt.submitted_at);
                }
            }
            if let Some(c) = app.queue.counts.as_mut() {
                c.submitted += 1;
                if c.in_progress > 0 {
                    c.in_progress -= 1;
                } else if c.pending > 0 {
                    c.pending -= 1;
                }
            }
            app.queue.recompute();
            ok(
                app,
                "Submitted. Your scores are locked; here is the panel (N: next assignment)",
            );
            let mut fx = open_panel(app, id.clone());
            fx.push(Effect::FetchAssignment(id));
            fx
        }
        Err(ClientError::Conflict(d)) if d.contains("already submitted") => {
            warn(app, format!("Already submitted: {d}"));
            vec![Effect::FetchAssignment(id)]
        }
        Err(e) => {
            request_failed(app, "Submit failed", &e);
            vec![]
        }
    }
}

fn open_panel(app: &mut App, id: String) -> Vec<Effect> {
    app.panel = Some(PanelState {
        assignment_id: id.clone(),
        panel: None,
        error: None,
        scroll: 0,
    });
    app.screen = Screen::Panel;
    vec![Effect::FetchPanel(id)]
}

/// The next open assignment after the one on screen, in queue order.
pub(super) fn next_open_item(app: &App) -> Option<takes_api::QueueItem> {
    let current = app
        .review
        .as_ref()
        .map(|r| r.assignment_id.clone())
        .or_else(|| app.panel.as_ref().map(|p| p.assignment_id.clone()));
    let q = &app.queue;
    let start = current
        .as_ref()
        .and_then(|id| q.view.iter().position(|i| &q.items[*i].id == id))
        .map(|p| p + 1)
        .unwrap_or(0);
    q.view[start.min(q.view.len())..]
        .iter()
        .chain(q.view[..start.min(q.view.len())].iter())
        .map(|i| &q.items[*i])
        .find(|it| it.status != AssignmentStatus::Submitted && Some(&it.id) != current.as_ref())
        .cloned()
}

fn next_assignment(app: &mut App) -> Vec<Effect> {
    match next_open_item(app) {
        Some(item) => {
            if let Some(pos) = app
                .queue
                .view
                .iter()
                .position(|i| app.queue.items[*i].id == item.id)
            {
                app.queue.selected = pos;
            }
            app.panel = None;
            open_assignment(app, item.id.clone(), Some(item))
        }
        None => {
            ok(app, "No more open assignments in your queue");
            vec![]
        }
    }
}

fn open_decision(app: &mut App) {
    if !app.can_decide() {
        warn(app, "Decisions are made by recruiters");
        return;
    }
    let (interview_id, candidate) = match app.screen {
        Screen::Review => match app.review.as_ref().and_then(|r| r.detail.as_ref()) {
            Some(d) => (d.interview_id.clone(), d.candidate.display_name.clone()),
            None => return,
        },
        Screen::Panel => match app.panel.as_ref().and_then(|p| p.panel.as_ref()) {
            Some(p) => (p.interview_id.clone(), p.candidate.display_name.clone()),
            None => return,
        },
        Screen::Queue | Screen::Calibration | Screen::CalibrationResults => return,
    };
    app.overlay = Some(Overlay::Decision(DecisionDialog {
        interview_id,
        candidate,
        choice: DecisionAction::Advance,
        reason: TextInput::default(),
        stage: DecisionStage::Choose,
        error: None,
    }));
}

const CHOICES: [DecisionAction; 3] = [
    DecisionAction::Advance,
    DecisionAction::Reject,
    DecisionAction::Hold,
];

fn on_decision_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Decision(d)) = app.overlay.as_mut() else {
        return vec![];
    };
    let idx = CHOICES.iter().position(|c| *c == d.choice).unwrap_or(0);
    match d.stage {
        DecisionStage::Choose => match k.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                app.overlay = None;
                info(app, "Decision cancelled");
            }
            KeyCode::Char('j') | KeyCode::Down | KeyCode::Tab => d.choice = CHOICES[(idx + 1) % 3],
            KeyCode::Char('k') | KeyCode::Up | KeyCode::BackTab => {
                d.choice = CHOICES[(idx + 2) % 3]
            }
            KeyCode::Char('a') => {
                d.choice = DecisionAction::Advance;
                d.stage = DecisionStage::Reason;
            }
            KeyCode::Char('r') => {
                d.choice = DecisionAction::Reject;
                d.stage = DecisionStage::Reason;
            }
            KeyCode::Char('h') => {
                d.choice = DecisionAction::Hold;
                d.stage = DecisionStage::Reason;
            }
            KeyCode::Enter => d.stage = DecisionStage::Reason,
            _ => {}
        },
        DecisionStage::Reason => match k.code {
            KeyCode::Esc => d.stage = DecisionStage::Choose,
            KeyCode::Enter => d.stage = DecisionStage::Confirm,
            KeyCode::Backspace => d.reason.backspace(),
            KeyCode::Left => d.reason.left(),
            KeyCode::Right => d.reason.right(),
            KeyCode::Char(c)
                if !k.modifiers.contains(KeyModifiers::CONTROL)
                    && d.reason.text.chars().count() < 2000 =>
            {
                d.reason.insert(c)
            }
            _ => {}
        },
        DecisionStage::Confirm => match k.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                d.stage = DecisionStage::Sending;
                d.error = None;
                let reason = d.reason.text.trim().to_string();
                return vec![Effect::Decide {
                    interview_id: d.interview_id.clone(),
                    request: DecisionRequest {
                        action: d.choice,
                        reason: (!reason.is_empty()).then_some(reason),
                    },
                }];
            }
            KeyCode::Char('n') | KeyCode::Esc => d.stage = DecisionStage::Reason,
            _ => {}
        },
        DecisionStage::Sending => {}
    }
    vec![]
}

// ---------------------------------------------------------------- sync

fn on_sync(app: &mut App, ev: SyncEvent) -> Vec<Effect> {
    match ev {
        SyncEvent::Opened { pending, .. } => {
            app.journal_ready = true;
            let mine: Vec<_> = pending
                .into_iter()
                .filter(|e| app.me.as_ref().is_some_and(|m| m.id == e.user_id))
                .collect();
            let n = mine.iter().filter(|e| e.rating.is_some()).count();
            for e in mine {
                // A rating made while the journal was opening is newer than
                // anything left over from an earlier session.
                app.local
                    .entry((e.assignment_id.clone(), e.question_id.clone()))
                    .or_insert(LocalScore {
                        key: e.key,
                        rating: e.rating,
                        muted_rating: e.muted_rating,
                        note: e.note,
                        evidence: e.evidence,
                        sync: SyncState::Saved,
                    });
            }
            if n > 0 {
                info(
                    app,
                    format!("Resending {n} score(s) saved in an earlier session"),
                );
            }
        }
        SyncEvent::OpenFailed(reason) => {
            error(
                app,
                format!(
                    "The local journal cannot be opened ({reason}); ratings cannot be saved safely"
                ),
            );
        }
        SyncEvent::Saved { key } => {
            for l in app.local.values_mut() {
                if l.key == key && l.sync == SyncState::Saving {
                    l.sync = SyncState::Saved;
                }
            }
        }
        SyncEvent::SaveFailed { key, reason } => {
            for l in app.local.values_mut() {
                if l.key == key {
                    l.sync = SyncState::Failed(format!("not saved: {reason}"));
                }
            }
            error(app, format!("Could not save locally: {reason}"));
            app.pending_submit = None;
        }
        SyncEvent::Synced {
            key,
            assignment_id,
            question_id,
        } => {
            if app.conn != Conn::Online {
                app.conn = Conn::Online;
            }
            let k = (assignment_id.clone(), question_id);
            if let Some(l) = app.local.get_mut(&k) {
                if l.key == key {
                    l.sync = SyncState::Synced;
                }
            }
            // Keep the queue's scored count current.
            let rated = app
                .local
                .iter()
                .filter(|((a, _), l)| *a == assignment_id && l.rating.is_some())
                .count() as i64;
            if let Some(it) = app.queue.items.iter_mut().find(|i| i.id == assignment_id) {
                it.scored_count = it.scored_count.max(rated).min(it.question_count);
                if it.status == AssignmentStatus::Pending {
                    it.status = AssignmentStatus::InProgress;
                }
            }
            if app.pending_submit.as_deref() == Some(assignment_id.as_str())
                && app.unsynced(Some(&assignment_id)) == 0
            {
                app.pending_submit = None;
                app.submitting = Some(assignment_id.clone());
                info(app, "Scores synced; submitting…");
                return vec![submit_effect(app, assignment_id)];
            }
        }
        SyncEvent::Rejected {
            key,
            assignment_id,
            question_id,
            reason,
        } => {
            if let Some(l) = app.local.get_mut(&(assignment_id.clone(), question_id)) {
                if l.key == key {
                    l.sync = SyncState::Failed(reason.clone());
                }
            }
            error(app, format!("A score was refused by the server: {reason}"));
            if app.pending_submit.as_deref() == Some(assignment_id.as_str()) {
                app.pending_submit = None;
            }
        }
        SyncEvent::Retrying {
            reason,
            offline,
            waiting,
        } => {
            if offline {
                app.conn = Conn::Offline(reason.clone());
            }
            warn(
                app,
                format!("{waiting} score(s) saved locally, not synced yet: {reason}; retrying"),
            );
        }
    }
    vec![]
}

// ---------------------------------------------------------------- keys

fn on_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let key = Key::from_event(&k);
    // Modal states first: they own the keyboard.
    match &app.overlay {
        Some(Overlay::Problems) => {
            app.overlay = None;
            return vec![];
        }
        Some(Overlay::Help { scroll }) => {
            let scroll = *scroll;
            match k.code {
                KeyCode::Char('j') | KeyCode::Down => {
                    app.overlay = Some(Overlay::Help { scroll: scroll + 1 })
                }
                KeyCode::Char('k') | KeyCode::Up => {
                    app.overlay = Some(Overlay::Help {
                        scroll: scroll.saturating_sub(1),
                    })
                }
                KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Esc | KeyCode::Enter => {
                    app.overlay = None
                }
                _ => {}
            }
            return vec![];
        }
        Some(Overlay::ConfirmSubmit) => {
            return match k.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => confirm_submit(app),
                _ => {
                    app.overlay = None;
                    info(app, "Submit cancelled");
                    vec![]
                }
            };
        }
        Some(Overlay::Decision(_)) => return on_decision_key(app, k),
        None => {}
    }
    if app.screen == Screen::Queue && app.queue.editing.is_some() {
        return on_filter_key(app, k);
    }
    if app.screen == Screen::Review && app.review.as_ref().is_some_and(|r| r.editor.is_some()) {
        return on_editor_key(app, k);
    }
    if app.screen == Screen::CalibrationResults
        && app.results.as_ref().is_some_and(|r| r.editor.is_some())
    {
        return on_discussion_key(app, k);
    }
    // Scoring a calibration session: the calibration screen's results key
    // works here too (the other review keys stay as they are).
    let calibration_cmd = app
        .calibrating()
        .and(app.keymap.lookup(Scope::Calibration, key))
        .filter(|c| *c == Command::CalibrationResults);
    let Some(cmd) = calibration_cmd.or_else(|| app.keymap.lookup(app.scope(), key)) else {
        return vec![];
    };
    app.status = None;
    match cmd {
        Command::Help => {
            app.overlay = Some(Overlay::Help { scroll: 0 });
            vec![]
        }
        Command::Quit => {
            app.should_quit = true;
            vec![]
        }
        Command::Back => match app.screen {
            Screen::Queue => {
                if !app.queue.text.is_empty() {
                    app.queue.text.clear();
                    app.queue.recompute();
                    info(app, "Filter cleared");
                } else {
                    app.should_quit = true;
                }
                vec![]
            }
            Screen::CalibrationResults => {
                app.results = None;
                app.screen = if app.review.is_some() {
                    Screen::Review
                } else {
                    Screen::Calibration
                };
                vec![]
            }
            Screen::Calibration => {
                app.screen = Screen::Queue;
                vec![]
            }
            Screen::Review if app.calibrating().is_some() => {
                app.review = None;
                open_calibrations(app)
            }
            Screen::Review | Screen::Panel => {
                app.screen = Screen::Queue;
                app.review = None;
                app.panel = None;
                app.queue.recompute();
                if app.me.is_some() && !app.queue.loading {
                    refresh_queue(app)
                } else {
                    vec![]
                }
            }
        },
        Command::CalibrationResults => open_results(app),
        cmd => match app.screen {
            Screen::Queue => queue_command(app, cmd),
            Screen::Calibration => calibration_command(app, cmd),
            Screen::CalibrationResults => results_command(app, cmd),
            Screen::Review => review_command(app, cmd),
            Screen::Panel => panel_command(app, cmd),
        },
    }
}

fn panel_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Down => {
            if let Some(p) = app.panel.as_mut() {
                p.scroll += 1;
            }
        }
        Command::Up => {
            if let Some(p) = app.panel.as_mut() {
                p.scroll = p.scroll.saturating_sub(1);
            }
        }
        Command::Decision => open_decision(app),
        Command::NextAssignment => return next_assignment(app),
        Command::Refresh => {
            if let Some(p) = app.panel.as_ref() {
                return vec![Effect::FetchPanel(p.assignment_id.clone())];
            }
        }
        _ => {}
    }
    vec![]
}

// ---------------------------------------------------------------- calibration

fn open_calibrations(app: &mut App) -> Vec<Effect> {
    app.screen = Screen::Calibration;
    app.results = None;
    app.calibration.loading = true;
    vec![Effect::FetchCalibrations]
}

fn calibration_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let c = &mut app.calibration;
    let len = c.sessions.len();
    match cmd {
        Command::Down => c.selected = (c.selected + 1).min(len.saturating_sub(1)),
        Command::Up => c.selected = c.selected.saturating_sub(1),
        Command::Open => {
            let Some(s) = c.selected_session().cloned() else {
                return vec![];
            };
            return open_calibration_session(app, s.id);
        }
        Command::Refresh => return open_calibrations(app),
        _ => {}
    }
    vec![]
}

/// Opens a session's items in the review screen.
pub fn open_calibration_session(app: &mut App, id: String) -> Vec<Effect> {
    let placeholder = takes_api::CalibrationSession {
        id: id.clone(),
        title: app
            .calibration
            .sessions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.clone())
            .unwrap_or_default(),
        created_at: String::new(),
        deadline_at: String::new(),
        closed: false,
        revealed_at: None,
        my_status: None,
        my_submitted_at: None,
        results_visible: false,
        participants: Vec::new(),
        items: Vec::new(),
        my_scores: Vec::new(),
    };
    app.review = Some(ReviewState {
        assignment_id: id.clone(),
        summary: None,
        detail: None,
        error: None,
        current: 0,
        transcripts: Default::default(),
        cue: 0,
        editor: None,
        show_video: app.settings.show_video,
        muted_first: Default::default(),
        calibration: Some(placeholder),
    });
    app.results = None;
    app.screen = Screen::Review;
    vec![Effect::FetchCalibrationSession(id)]
}

/// The results of the session being scored, or of the one selected in the
/// list. Before the caller submitted they show as a lock with what is
/// still missing; the server is asked anyway (it decides).
fn open_results(app: &mut App) -> Vec<Effect> {
    let (id, title, progress) = match app.screen {
        Screen::Review => {
            let Some(s) = app.calibrating() else {
                return vec![];
            };
            (s.id.clone(), s.title.clone(), app.calibration_progress())
        }
        Screen::Calibration => {
            let Some(s) = app.calibration.selected_session() else {
                info(app, "No calibration session selected");
                return vec![];
            };
            let progress = CalibrationProgress {
                scored: s.my_scored_count.max(0) as usize,
                items: s.item_count.max(0) as usize,
                submitted: s.my_status == Some(takes_api::CalibrationStatus::Submitted),
            };
            (s.id.clone(), s.title.clone(), Some(progress))
        }
        Screen::CalibrationResults => {
            return match app.results.as_ref() {
                Some(r) => vec![Effect::FetchCalibrationResults(r.session_id.clone())],
                None => vec![],
            }
        }
        _ => return vec![],
    };
    app.results = Some(ResultsState {
        session_id: id.clone(),
        title,
        results: None,
        locked: None,
        error: None,
        progress,
        scroll: 0,
        item: 0,
        editor: None,
        sending: false,
    });
    app.screen = Screen::CalibrationResults;
    vec![Effect::FetchCalibrationResults(id)]
}

fn results_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let Some(r) = app.results.as_mut() else {
        return vec![];
    };
    let items = r.results.as_ref().map(|x| x.items.len()).unwrap_or(0);
    match cmd {
        Command::NextQuestion if items > 0 => r.item = (r.item + 1) % items,
        Command::PrevQuestion if items > 0 => r.item = (r.item + items - 1) % items,
        Command::Note => {
            if items == 0 {
                warn(
                    app,
                    "Discussion notes are written once the results are visible",
                );
                return vec![];
            }
            r.editor = Some(TextInput::default());
            // Named as the screen lists it (#position), not by list index.
            let label = r
                .results
                .as_ref()
                .and_then(|x| {
                    crate::screens::calibration::ordered_items(x)
                        .get(r.item)
                        .map(|i| format!("#{}", i.position))
                })
                .unwrap_or_default();
            info(
                app,
                format!("Discussion note on {label} — Esc sends it (empty: nothing)"),
            );
        }
        Command::Down => r.scroll += 1,
        Command::Up => r.scroll = r.scroll.saturating_sub(1),
        Command::PageDown => r.scroll += 10,
        Command::PageUp => r.scroll = r.scroll.saturating_sub(10),
        Command::Top => r.scroll = 0,
        Command::Refresh => {
            return vec![Effect::FetchCalibrationResults(r.session_id.clone())];
        }
        _ => {}
    }
    vec![]
}

/// Keys while writing a discussion note on a results item.
fn on_discussion_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(r) = app.results.as_mut() else {
        return vec![];
    };
    if r.sending {
        return vec![];
    }
    let Some(ed) = r.editor.as_mut() else {
        return vec![];
    };
    if !edit_text(ed, k) {
        return vec![];
    }
    let text = ed.text.trim().to_string();
    if text.is_empty() {
        r.editor = None;
        info(app, "No note written");
        return vec![];
    }
    // `item` counts in the order the screen lists items (flagged first).
    let item_id = r.results.as_ref().and_then(|x| {
        crate::screens::calibration::ordered_items(x)
            .get(r.item)
            .map(|i| i.item_id.clone())
    });
    let Some(item_id) = item_id else {
        r.editor = None;
        return vec![];
    };
    // The editor stays open (and keeps the text) until the server has it.
    r.sending = true;
    let session_id = r.session_id.clone();
    info(app, "Sending the note…");
    vec![Effect::AddCalibrationNote {
        session_id,
        item_id,
        text,
    }]
}

fn on_note_added(
    app: &mut App,
    session_id: String,
    result: Result<takes_api::CalibrationNote, ClientError>,
) -> Vec<Effect> {
    let Some(r) = app.results.as_mut().filter(|r| r.session_id == session_id) else {
        return vec![];
    };
    r.sending = false;
    match result {
        Ok(_) => {
            r.editor = None;
            ok(app, "Note added to the discussion");
            vec![Effect::FetchCalibrationResults(session_id)]
        }
        Err(e) => {
            request_failed(app, "The note was not sent (Esc tries again)", &e);
            vec![]
        }
    }
}

fn on_calibration_submitted(
    app: &mut App,
    id: String,
    result: Result<crate::client::Receipt, ClientError>,
) -> Vec<Effect> {
    app.submitting = None;
    match result {
        Ok(receipt) => {
            if let Some(r) = app.review.as_mut().filter(|r| r.assignment_id == id) {
                if let Some(d) = r.detail.as_mut() {
                    d.status = AssignmentStatus::Submitted;
                    d.submitted_at = Some(receipt.submitted_at.clone());
                }
                if let Some(s) = r.calibration.as_mut() {
                    s.my_submitted_at = Some(receipt.submitted_at.clone());
                    s.my_status = Some(takes_api::CalibrationStatus::Submitted);
                    s.results_visible = true;
                }
            }
            if let Some(s) = app.calibration.sessions.iter_mut().find(|s| s.id == id) {
                s.my_status = Some(takes_api::CalibrationStatus::Submitted);
                s.results_visible = true;
            }
            ok(
                app,
                "Submitted. Your calibration scores are locked; here are the results",
            );
            let mut fx = open_results(app);
            fx.push(Effect::FetchCalibrationSession(id));
            fx
        }
        Err(ClientError::Conflict(d)) if d.contains("already submitted") => {
            warn(app, format!("Already submitted: {d}"));
            vec![Effect::FetchCalibrationSession(id)]
        }
        Err(e) => {
            request_failed(app, "Submit failed", &e);
            vec![]
        }
    }
}
