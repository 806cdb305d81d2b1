//! The launch, timed and in parallel: the first paint waits only on what
//! it draws. libmpv's start-up (the slowest part of a launch) runs on its
//! own thread while the first requests are answered and painted; keys and
//! player events wait for it, as they always have, so what a key does is
//! the same as before.

use std::time::Instant;

use takes_player::Detection;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::oneshot;

use super::action::Action;
use super::effect::Effect;
use super::state::App;
use super::video::Video;
use crate::config::Settings;

/// Logs how long after start a step of the launch finished (the log file;
/// `cargo bench --bench board_paint` prints these lines).
pub fn phase(started: Instant, what: &str) {
    tracing::info!(
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "launch: {what}"
    );
}

/// The player being started.
pub struct PendingVideo(oneshot::Receiver<Result<Video, String>>);

/// Starts the player on a thread of its own.
pub fn start_video(
    settings: &Settings,
    det: &Detection,
    server: &str,
    token: Option<&str>,
    tx: UnboundedSender<Action>,
) -> PendingVideo {
    let (done, rx) = oneshot::channel();
    let (settings, det) = (settings.clone(), det.clone());
    let (server, token) = (server.to_string(), token.map(str::to_string));
    let spawned = std::thread::Builder::new()
        .name("takes-video-start".into())
        .spawn(move || {
            let _ = done.send(Video::start(&settings, &det, &server, token.as_deref(), tx));
        });
    if let Err(e) = spawned {
        let (done, rx) = oneshot::channel();
        let _ = done.send(Err(format!("cannot start the player: {e}")));
        return PendingVideo(rx);
    }
    PendingVideo(rx)
}

/// The started player, once there is one; never while none is starting.
pub async fn video_ready(pending: &mut Option<PendingVideo>) -> Result<Video, String> {
    match pending.as_mut() {
        Some(p) => (&mut p.0)
            .await
            .unwrap_or_else(|_| Err("the player's start-up ended early".into())),
        None => std::future::pending().await,
    }
}

/// What waits for the player: keys (a key may open a review and play)
/// and the player's own events.
pub fn waits_for_video(action: &Action) -> bool {
    matches!(action, Action::Key(_) | Action::Player(_))
}

/// What the launch asks for once the caller is known: the board's first
/// page for those who may open it.
pub fn after_sign_in(app: &mut App) -> Vec<Effect> {
    crate::features::board::prefetch(app)
}

/// The first queue page and counts, asked for together with the sign-in
/// instead of after it. Their answers wait until the sign-in is in, and
/// the sign-in's own request for them is not sent again, so the app sees
/// the same actions in the same order as when they were asked for after.
#[derive(Default)]
pub struct EarlyQueue {
    signing_in: bool,
    /// What was asked for at launch and not yet claimed by the sign-in.
    asked: Vec<Effect>,
    /// Answers that came before the sign-in.
    early: Vec<Action>,
}

impl EarlyQueue {
    /// The launch's requests: the sign-in and the queue's first load, as
    /// the sign-in would ask for it (`features::queue::refresh`).
    pub fn start(app: &App) -> (EarlyQueue, Vec<Effect>) {
        let page = app.settings.page_size;
        let asked = vec![
            Effect::FetchQueue {
                gen: app.queue.gen + 1,
                cursor: None,
                want: app.queue.items.len().max(page as usize),
                page,
                replace: true,
            },
            Effect::FetchCounts,
        ];
        let mut fx = vec![Effect::FetchMe];
        fx.extend(asked.iter().cloned());
        let early = EarlyQueue {
            signing_in: true,
            asked,
            early: Vec::new(),
        };
        (early, fx)
    }

    /// The action to apply now, or `None` when it waits for the sign-in.
    pub fn hold(&mut self, action: Action) -> Option<Action> {
        if self.signing_in && matches!(action, Action::QueueLoaded { .. } | Action::CountsLoaded(_))
        {
            self.early.push(action);
            return None;
        }
        Some(action)
    }

    /// Whether the effect was already asked for at launch (then it is not
    /// sent again).
    pub fn already_asked(&mut self, effect: &Effect) -> bool {
        match self.asked.iter().position(|a| a == effect) {
            Some(i) => {
                self.asked.remove(i);
                true
            }
            None => false,
        }
    }

    /// The sign-in was applied: the answers held for it, in order (none
    /// when it failed; the queue then waits for a retry, as before).
    pub fn signed_in(&mut self, ok: bool) -> Vec<Action> {
        self.signing_in = false;
        self.asked.clear();
        let early = std::mem::take(&mut self.early);
        if ok {
            early
        } else {
            Vec::new()
        }
    }
}
