//! The runtime: terminal events and background results become actions; the
//! update function runs; effects go to background tasks; the view redraws
//! only when something changed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use takes_player::link::Class;
use takes_player::PlayerEvent;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use super::action::Action;
use super::effect::Effect;
use super::effects;
use super::launch;
use super::state::{App, Conn, Level, StatusMsg, SyncState, VideoSupport};
use super::update::update;
use crate::client::Client;
use crate::config::{Diagnostic, Keymap, Settings, Theme};
use crate::journal::sync::{JournalHandle, SyncEvent};
use crate::{screens, tui};

pub struct RunConfig {
    pub server: String,
    /// `Err`: why there is no token (shown in the UI).
    pub token: Result<String, String>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub settings: Settings,
    pub problems: Vec<Diagnostic>,
    pub journal_dir: PathBuf,
    pub timeout_secs: u64,
    pub utc_offset_s: i64,
    /// Quit right after the first paint of a loaded queue (benchmarks).
    pub exit_after_first_paint: bool,
    pub started: Instant,
}

/// What the caller prints after the terminal is restored.
pub struct RunSummary {
    pub unsynced: usize,
    pub first_paint: Option<Duration>,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

struct Runner {
    client: Option<Client>,
    video: Option<super::video::Video>,
    tx: UnboundedSender<Action>,
    journal: Option<JournalHandle>,
    journal_path: PathBuf,
    clipboard: Vec<String>,
}

impl Runner {
    /// The one place every effect goes. The player and the journal have
    /// their own workers (the player is not async; the journal is a writer
    /// thread and a sender task); everything else is a server request,
    /// spawned as its own task.
    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Player(cmd) => {
                if let Some(v) = self.video.as_mut() {
                    v.run(cmd);
                }
            }
            Effect::Journal(entry) => {
                let key = entry.key.clone();
                let ok = self
                    .journal
                    .as_ref()
                    .map(|j| j.append(entry))
                    .unwrap_or(false);
                if !ok {
                    let _ = self.tx.send(Action::Sync(SyncEvent::SaveFailed {
                        key,
                        reason: "the journal is not running".into(),
                    }));
                }
            }
            Effect::RetrySync => {
                if let Some(j) = &self.journal {
                    j.retry_now();
                }
            }
            Effect::OpenJournal { user_id } => self.open_journal(user_id),
            // The terminal is the loop's: it sends these after the batch.
            Effect::CopyToClipboard(text) => self.clipboard.push(text),
            request => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                let tx = self.tx.clone();
                tokio::spawn(async move { effects::perform(&client, request, &tx).await });
            }
        }
    }

    fn open_journal(&mut self, user_id: String) {
        let Some(client) = self.client.clone() else {
            return;
        };
        if self.journal.is_some() {
            return;
        }
        let report_tx = self.tx.clone();
        let report = Arc::new(move |ev: SyncEvent| {
            let _ = report_tx.send(Action::Sync(ev));
        });
        self.journal = Some(crate::journal::sync::start(
            self.journal_path.clone(),
            user_id,
            client,
            report,
        ));
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Runs the workstation until the user quits.
pub use super::launch::phase;

pub async fn run(cfg: RunConfig) -> anyhow::Result<RunSummary> {
    let (tx, mut rx) = unbounded_channel::<Action>();
    let mut app = App::new(
        &cfg.server,
        cfg.keymap,
        cfg.settings,
        cfg.problems,
        now_ms(),
    );
    app.utc_offset_s = cfg.utc_offset_s;
    let client = match &cfg.token {
        Ok(t) => match Client::new(&cfg.server, t, cfg.timeout_secs) {
            Ok(c) => Some(c),
            Err(e) => {
                app.conn = Conn::Offline(e.clone());
                app.status = Some(StatusMsg {
                    text: e,
                    level: Level::Error,
                });
                None
            }
        },
        Err(why) => {
            app.conn = Conn::NoToken(why.clone());
            app.status = Some(StatusMsg {
                text: why.clone(),
                level: Level::Error,
            });
            None
        }
    };
    phase(cfg.started, "HTTP client built");
    let mut runner = Runner {
        client,
        video: None,
        tx: tx.clone(),
        journal: None,
        journal_path: cfg.journal_dir.join(crate::journal::file_name(&cfg.server)),
        clipboard: Vec::new(),
    };
    let mut early_queue = launch::EarlyQueue::default();
    if runner.client.is_some() {
        let (early, fx) = launch::EarlyQueue::start(&app);
        early_queue = early;
        for e in fx {
            runner.run(e);
        }
    }
    let theme = cfg.theme;
    // The writer thread wakes the loop when it has written everything: a
    // frame held back behind a slow link can be drawn then.
    let writer_idle = Arc::new(tokio::sync::Notify::new());
    let idle = writer_idle.clone();
    let mut term = tui::Tui::init(move || idle.notify_one())?;
    app.size = term.size();
    phase(cfg.started, "terminal set up");
    // Before the input task starts: detection reads the terminal's answers.
    let det = takes_player::detect::detect(app.settings.video_output, takes_player::QUERY_TIMEOUT);
    phase(cfg.started, "terminal probed");
    // Instant: libmpv loads when a review first plays (`Video::run`), so
    // no key ever waits for it. Over SSH the link probe reads the
    // terminal's answer, which has to come before the input task starts.
    let started = super::video::Video::start(
        &app.settings,
        &det,
        &cfg.server,
        cfg.token.as_ref().ok().map(String::as_str),
        tx.clone(),
    );
    install_video(&mut app, &mut runner, &det, started);
    phase(cfg.started, "video set up");
    tui::spawn_events(tx.clone());
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    let mut first_paint = None;
    // What the next redraw carries: `Ui` for anything the reviewer did or
    // the app changed, `Video` when only the picture moved on.
    let mut need = Some(Class::Ui);
    loop {
        // Drawn once per batch of actions: on change only, never on a timer
        // while idle (the tick is every 30 s, for due-in texts).
        let ready = term.video_ready();
        if let Some(class) = need {
            // A video-only redraw waits for the writer to be idle, so at
            // most one frame is ever ahead of the reviewer's next key.
            let adapting = runner.video.as_ref().is_some_and(|v| v.adapting());
            if class == Class::Ui || ready || !adapting {
                need = None;
                match runner.video.as_mut() {
                    Some(v) => {
                        v.observe(&term.take_samples());
                        term.pad(v.take_padding());
                        v.begin_frame(ready);
                        if term.set_slow_link(v.slow_link())? {
                            v.repaint();
                        }
                        let bytes = term.draw(class, |f| {
                            screens::draw_with_video(f, &app, &theme, Some(v))
                        })?;
                        v.end_frame(bytes);
                    }
                    None => {
                        term.draw(class, |f| screens::draw(f, &app, &theme))?;
                    }
                }
            }
        }
        if first_paint.is_none() && app.queue.loaded_once {
            first_paint = Some(cfg.started.elapsed());
            tracing::info!(
                ms = first_paint.map(|d| d.as_millis() as u64),
                "first queue paint"
            );
            if cfg.exit_after_first_paint {
                break;
            }
        }
        // The frame cap held a frame back: wake up to draw it.
        let capped = runner.video.as_ref().and_then(|v| v.next_draw_at());
        let waiting = runner.video.as_ref().is_some_and(|v| v.wants_draw());
        let action = tokio::select! {
            a = rx.recv() => match a { Some(a) => a, None => break },
            _ = tick.tick() => Action::Tick,
            _ = sleep_until_opt(capped) => {
                need = need.or(Some(Class::Video));
                continue;
            }
            _ = writer_idle.notified() => {
                if let Some(v) = runner.video.as_mut() {
                    // Learn from the writes even when nothing is drawn.
                    v.observe(&term.take_samples());
                }
                if waiting {
                    need = need.or(Some(Class::Video));
                }
                continue;
            }
        };
        let mut batch = vec![action];
        // Coalesce whatever else is already waiting into one redraw.
        while let Ok(a) = rx.try_recv() {
            batch.push(a);
            if batch.len() > 256 {
                break;
            }
        }
        for action in batch {
            let Some(action) = early_queue.hold(action) else {
                continue;
            };
            if first_paint.is_none() {
                match &action {
                    Action::MeLoaded(_) => phase(cfg.started, "signed in (GET /v1/me)"),
                    Action::QueueLoaded { .. } => phase(cfg.started, "queue page arrived"),
                    _ => {}
                }
            }
            app.now_ms = now_ms();
            let class = match &action {
                Action::Player(PlayerEvent::Frame) => {
                    if let Some(v) = runner.video.as_mut() {
                        v.frame_event();
                    }
                    Class::Video
                }
                Action::Player(PlayerEvent::Position { .. }) => Class::Video,
                _ => Class::Ui,
            };
            need = match (need, class) {
                (Some(Class::Ui), _) | (_, Class::Ui) => Some(Class::Ui),
                _ => Some(Class::Video),
            };
            apply(&mut app, &mut runner, &mut early_queue, action);
        }
        for text in std::mem::take(&mut runner.clipboard) {
            if let Err(e) = term.copy_to_clipboard(&text) {
                tracing::warn!(%e, "could not send the clipboard sequence");
            }
        }
        if app.should_quit {
            break;
        }
    }
    // Let ratings being written reach the disk before leaving.
    let deadline = Instant::now() + Duration::from_secs(3);
    while app.local.values().any(|l| l.sync == SyncState::Saving) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            Ok(Some(a @ Action::Sync(_))) => {
                update(&mut app, a);
            }
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => break,
        }
    }
    drop(term);
    Ok(RunSummary {
        unsynced: app.unsynced(None),
        first_paint,
    })
}

/// The player, started or not: the app says which, and why not.
fn install_video(
    app: &mut App,
    runner: &mut Runner,
    det: &takes_player::Detection,
    started: Result<super::video::Video, String>,
) {
    match started {
        Ok(mut v) => {
            tracing::info!(output = v.output().name(), reason = %det.reason, "video ready");
            // Over SSH the pty drains into the channel's window at once, so
            // only the terminal's own answer says what the link carries.
            if det.over_ssh && v.adapting() {
                let probe = takes_player::link::probe::measure(takes_player::QUERY_TIMEOUT);
                tracing::info!(?probe, "link measured through the terminal");
                v.set_link_ceiling(probe.and_then(|p| p.bytes_per_s));
            }
            app.video = VideoSupport::Available {
                output: v.output_name().to_string(),
            };
            runner.video = Some(v);
            let audio = takes_player::link::session::audio_here();
            if app.settings.audio && !audio.reachable() {
                app.player.no_audio = Some(if det.over_ssh {
                    "over SSH, no audio device".to_string()
                } else {
                    "no audio device".to_string()
                });
            }
        }
        Err(why) => {
            tracing::warn!(%why, "no video");
            app.video = VideoSupport::Unavailable(why);
        }
    }
}

/// Updates the app with one action and dispatches its effects (those the
/// launch already asked for are not sent twice); after the sign-in, the
/// queue answers that came before it.
fn apply(app: &mut App, runner: &mut Runner, early: &mut launch::EarlyQueue, action: Action) {
    let signed_in = match &action {
        Action::MeLoaded(r) => Some(r.is_ok()),
        _ => None,
    };
    for e in update(app, action) {
        if !early.already_asked(&e) {
            runner.run(e);
        }
    }
    if let Some(ok) = signed_in {
        for held in early.signed_in(ok) {
            for e in update(app, held) {
                runner.run(e);
            }
        }
        launch::after_sign_in(app)
            .into_iter()
            .for_each(|e| runner.run(e));
    }
}
