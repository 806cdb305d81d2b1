//! The launch, timed and in parallel: the first paint waits only on what
//! it draws. libmpv is not part of it: it loads when a review first plays
//! (see `app::video`), so keys are answered from the first paint on.

use std::time::Instant;

use super::action::Action;
use super::effect::Effect;
use super::state::App;

/// Logs how long after start a step of the launch finished (the log file;
/// `cargo bench --bench board_paint` prints these lines).
pub fn phase(started: Instant, what: &str) {
    tracing::info!(
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "launch: {what}"
    );
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
