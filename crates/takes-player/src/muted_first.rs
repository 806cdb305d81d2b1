//! Muted-first review (`review.muted_first = "enforce" | "suggest" | "off"`).
//!
//! Watching a response without sound first, then with sound, catches
//! non-verbal bias (the accent, the voice). Under `enforce` each response
//! starts muted and sound unlocks only after the reviewer has watched it
//! muted to the end, i.e. at least [`UNLOCK_FRACTION`] of it, or has entered
//! a muted rating. Both ratings are sent (`muted_rating`, `rating`).
//!
//! Pure: the TUI feeds it positions from [`crate::PlayerEvent::Position`],
//! the mute state it applied and the reviewer's keys; it answers whether sound
//! may be turned on, which pass the reviewer is in and what to tell them.
//!
//! "Watched" means played through, not seeked over: the response is cut into
//! [`BUCKET_S`]-second buckets, each credited with the time continuous muted
//! playback spent in it, at most its length (so rewatching counts once; a
//! jump larger than [`MAX_STEP_S`] between two positions is a seek and
//! covers nothing).

use serde::{Deserialize, Serialize};

/// Share of the duration that must be watched muted before sound unlocks.
pub const UNLOCK_FRACTION: f64 = 0.9;
/// Coverage granularity in seconds.
pub const BUCKET_S: f64 = 0.25;
/// Largest position step counted as playback (2x speed with a late event
/// still fits; a 5 s seek does not).
pub const MAX_STEP_S: f64 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    #[default]
    Enforce,
    Suggest,
    Off,
}

impl std::str::FromStr for Policy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "enforce" => Ok(Policy::Enforce),
            "suggest" => Ok(Policy::Suggest),
            "off" => Ok(Policy::Off),
            other => Err(format!(
                "review.muted_first: expected \"enforce\", \"suggest\" or \"off\", got {other:?}"
            )),
        }
    }
}

/// Which pass the reviewer is in (shown in the UI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    Muted,
    WithSound,
}

/// Which score field a rating entered now fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingField {
    /// `muted_rating`
    Muted,
    /// `rating`
    Final,
}

/// The answer to the reviewer pressing `m` while muted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnmuteDecision {
    /// Turn the sound on.
    Allowed,
    /// Keep it off; show the message.
    Denied(String),
}

/// Muted-first state for one response.
#[derive(Debug, Clone)]
pub struct MutedFirst {
    policy: Policy,
    duration_s: Option<f64>,
    /// Seconds watched muted in each bucket.
    covered: Vec<f64>,
    last_pos: Option<f64>,
    muted_rating: Option<u8>,
    rating: Option<u8>,
    pass: Pass,
    muted: bool,
}

impl MutedFirst {
    /// A new response. `duration_s` may be unknown until the player says.
    pub fn new(policy: Policy, duration_s: Option<f64>) -> Self {
        let mut s = Self {
            policy,
            duration_s: None,
            covered: Vec::new(),
            last_pos: None,
            muted_rating: None,
            rating: None,
            pass: if policy == Policy::Off {
                Pass::WithSound
            } else {
                Pass::Muted
            },
            muted: policy != Policy::Off,
        };
        if let Some(d) = duration_s {
            s.set_duration(d);
        }
        s
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Whether the response should start muted (apply with `Player::set_muted`).
    pub fn start_muted(&self) -> bool {
        self.policy != Policy::Off
    }

    pub fn set_duration(&mut self, duration_s: f64) {
        if !(duration_s.is_finite() && duration_s > 0.0) {
            return;
        }
        if self.duration_s == Some(duration_s) {
            return;
        }
        let n = (duration_s / BUCKET_S).ceil() as usize;
        self.covered.resize(n, 0.0);
        self.covered.truncate(n);
        self.duration_s = Some(duration_s);
    }

    /// Feed every playback position while the response plays; `muted` is
    /// the player's current mute state.
    pub fn on_position(&mut self, time_s: f64, muted: bool) {
        self.muted = muted;
        if !time_s.is_finite() {
            return;
        }
        let prev = self.last_pos.replace(time_s);
        let Some(prev) = prev else { return };
        let step = time_s - prev;
        if !muted || step <= 0.0 || step > MAX_STEP_S || self.covered.is_empty() {
            return;
        }
        // Credit each bucket with the part of (prev, time_s] inside it,
        // capped at the bucket's length so rewatching counts once.
        let n = self.covered.len();
        let d = self.duration_s.unwrap_or(0.0);
        let first = (prev / BUCKET_S).floor().max(0.0) as usize;
        let last = ((time_s / BUCKET_S).ceil() as usize).min(n);
        for b in first..last {
            let lo = b as f64 * BUCKET_S;
            let hi = (lo + BUCKET_S).min(d);
            let overlap = time_s.min(hi) - prev.max(lo);
            if overlap > 0.0 {
                self.covered[b] = (self.covered[b] + overlap).min(hi - lo);
            }
        }
    }

    /// A seek happened: the next position starts a new stretch.
    pub fn on_seek(&mut self) {
        self.last_pos = None;
    }

    /// The end of the file was reached.
    pub fn on_end_of_file(&mut self, muted: bool) {
        if let (Some(d), true) = (self.duration_s, muted) {
            self.on_position(d, muted);
        }
    }

    /// Share of the response watched muted, 0..=1.
    pub fn watched_fraction(&self) -> f64 {
        match self.duration_s {
            Some(d) if d > 0.0 => (self.covered.iter().sum::<f64>() / d).clamp(0.0, 1.0),
            _ => 0.0,
        }
    }

    fn muted_pass_done(&self) -> bool {
        self.muted_rating.is_some() || self.watched_fraction() >= UNLOCK_FRACTION - 1e-9
    }

    /// May sound be turned on now?
    pub fn may_unmute(&self) -> bool {
        match self.policy {
            Policy::Enforce => self.muted_pass_done(),
            Policy::Suggest | Policy::Off => true,
        }
    }

    /// The reviewer asks for sound. On `Allowed` the caller unmutes the
    /// player; the reviewer is then in the with-sound pass.
    pub fn request_unmute(&mut self) -> UnmuteDecision {
        if self.may_unmute() {
            self.pass = Pass::WithSound;
            self.muted = false;
            UnmuteDecision::Allowed
        } else {
            UnmuteDecision::Denied(self.locked_message())
        }
    }

    /// The reviewer muted again (always allowed; the pass does not go back).
    pub fn on_mute(&mut self) {
        self.muted = true;
    }

    fn locked_message(&self) -> String {
        format!(
            "Sound unlocks after a muted pass: watched {:.0}% of {:.0}% needed, or enter a muted rating",
            self.watched_fraction() * 100.0,
            UNLOCK_FRACTION * 100.0
        )
    }

    pub fn pass(&self) -> Pass {
        self.pass
    }

    /// Which field a rating entered now fills.
    pub fn rating_field(&self) -> RatingField {
        match (self.policy, self.pass) {
            (Policy::Off, _) | (_, Pass::WithSound) => RatingField::Final,
            (_, Pass::Muted) => RatingField::Muted,
        }
    }

    /// Records a rating in the field of the current pass and returns it.
    pub fn rate(&mut self, score: u8) -> RatingField {
        let field = self.rating_field();
        match field {
            RatingField::Muted => self.muted_rating = Some(score),
            RatingField::Final => self.rating = Some(score),
        }
        field
    }

    /// `(muted_rating, rating)` for `PUT …/scores/{question_id}`.
    pub fn ratings(&self) -> (Option<u8>, Option<u8>) {
        (self.muted_rating, self.rating)
    }

    /// Restores ratings already on the server (e.g. `my_scores`).
    pub fn restore(&mut self, muted_rating: Option<u8>, rating: Option<u8>) {
        self.muted_rating = muted_rating;
        self.rating = rating;
        if rating.is_some() && self.may_unmute() {
            self.pass = Pass::WithSound;
        }
    }

    /// One line for the status bar, or `None` when there is nothing to say.
    pub fn message(&self) -> Option<String> {
        match (self.policy, self.pass) {
            (Policy::Off, _) => None,
            (Policy::Enforce, Pass::Muted) if !self.may_unmute() => Some(format!(
                "Muted pass ({:.0}% watched): rate without sound first; sound unlocks at {:.0}% or after a muted rating",
                self.watched_fraction() * 100.0,
                UNLOCK_FRACTION * 100.0
            )),
            (_, Pass::Muted) if self.may_unmute() && self.muted_pass_done() => Some(
                "Muted pass done: press m for the pass with sound".to_string(),
            ),
            (Policy::Suggest, Pass::Muted) => Some(
                "Muted pass suggested: rate without sound first, m turns sound on".to_string(),
            ),
            (_, Pass::WithSound) if self.muted_rating.is_some() => Some(format!(
                "Pass with sound (muted rating {})",
                self.muted_rating.unwrap_or_default()
            )),
            (_, Pass::WithSound) => Some("Pass with sound".to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays from `from` to `to` in 1/30 s steps.
    fn play(m: &mut MutedFirst, from: f64, to: f64, muted: bool) {
        m.on_seek();
        let mut t = from;
        while t < to {
            m.on_position(t, muted);
            t += 1.0 / 30.0;
        }
        m.on_position(to, muted);
    }

    #[test]
    fn enforce_starts_muted_and_locks_sound() {
        let mut m = MutedFirst::new(Policy::Enforce, Some(60.0));
        assert!(m.start_muted());
        assert_eq!(m.pass(), Pass::Muted);
        assert!(!m.may_unmute());
        assert!(matches!(m.request_unmute(), UnmuteDecision::Denied(_)));
        assert_eq!(m.pass(), Pass::Muted);
        assert!(m.message().is_some_and(|s| s.contains("Muted pass")));
    }

    #[test]
    fn enforce_unlocks_at_ninety_percent_not_before() {
        let mut m = MutedFirst::new(Policy::Enforce, Some(60.0));
        play(&mut m, 0.0, 53.5, true);
        assert!(m.watched_fraction() < 0.9, "{}", m.watched_fraction());
        assert!(!m.may_unmute());
        play(&mut m, 53.5, 54.1, true);
        assert!(m.watched_fraction() >= 0.9, "{}", m.watched_fraction());
        assert!(m.may_unmute());
        assert_eq!(m.request_unmute(), UnmuteDecision::Allowed);
        assert_eq!(m.pass(), Pass::WithSound);
    }

    #[test]
    fn enforce_seeking_over_does_not_count() {
        let mut m = MutedFirst::new(Policy::Enforce, Some(60.0));
        // Watch 10 s, then jump by 5 s steps to the end: jumps cover nothing.
        play(&mut m, 0.0, 10.0, true);
        let mut t = 10.0;
        while t < 60.0 {
            t += 5.0;
            m.on_position(t, true);
        }
        m.on_end_of_file(true);
        assert!(m.watched_fraction() < 0.2, "{}", m.watched_fraction());
        assert!(!m.may_unmute());
    }

    #[test]
    fn enforce_rewatching_counts_once() {
        let mut m = MutedFirst::new(Policy::Enforce, Some(20.0));
        for _ in 0..5 {
            play(&mut m, 0.0, 10.0, true);
        }
        assert!((m.watched_fraction() - 0.5).abs() < 0.02);
        assert!(!m.may_unmute());
    }

    #[test]
    fn enforce_watching_with_sound_off_only_counts() {
        let mut m = MutedFirst::new(Policy::Enforce, Some(10.0));
        play(&mut m, 0.0, 10.0, false);
        assert_eq!(m.watched_fraction(), 0.0);
        assert!(!m.may_unmute());
    }

    #[test]
    fn enforce_muted_rating_unlocks_and_both_ratings_are_kept() {
        let mut m = MutedFirst::new(Policy::Enforce, Some(60.0));
        play(&mut m, 0.0, 3.0, true);
        assert_eq!(m.rating_field(), RatingField::Muted);
        assert_eq!(m.rate(3), RatingField::Muted);
        assert!(m.may_unmute());
        assert_eq!(m.request_unmute(), UnmuteDecision::Allowed);
        assert_eq!(m.rate(4), RatingField::Final);
        assert_eq!(m.ratings(), (Some(3), Some(4)));
        // Muting again does not go back to the muted pass.
        m.on_mute();
        assert_eq!(m.pass(), Pass::WithSound);
        assert_eq!(m.rating_field(), RatingField::Final);
    }

    #[test]
    fn enforce_unknown_duration_stays_locked_until_known() {
        let mut m = MutedFirst::new(Policy::Enforce, None);
        play(&mut m, 0.0, 5.0, true);
        assert!(!m.may_unmute());
        m.set_duration(5.0);
        play(&mut m, 0.0, 5.0, true);
        assert!(m.may_unmute());
    }

    #[test]
    fn enforce_end_of_short_clip_unlocks() {
        // 1.1 s clip at 2x, events every 1/15 s of media time.
        let mut m = MutedFirst::new(Policy::Enforce, Some(1.1));
        let mut t = 0.0;
        while t < 1.05 {
            m.on_position(t, true);
            t += 1.0 / 15.0;
        }
        m.on_end_of_file(true);
        assert!(m.may_unmute(), "{}", m.watched_fraction());
    }

    #[test]
    fn suggest_starts_muted_but_allows_sound_any_time() {
        let mut m = MutedFirst::new(Policy::Suggest, Some(60.0));
        assert!(m.start_muted());
        assert!(m.may_unmute());
        assert!(m.message().is_some_and(|s| s.contains("suggested")));
        assert_eq!(m.rate(2), RatingField::Muted);
        assert_eq!(m.request_unmute(), UnmuteDecision::Allowed);
        assert_eq!(m.rate(3), RatingField::Final);
        assert_eq!(m.ratings(), (Some(2), Some(3)));
    }

    #[test]
    fn off_starts_with_sound_and_has_no_muted_rating() {
        let mut m = MutedFirst::new(Policy::Off, Some(60.0));
        assert!(!m.start_muted());
        assert_eq!(m.pass(), Pass::WithSound);
        assert!(m.may_unmute());
        assert_eq!(m.rate(5), RatingField::Final);
        assert_eq!(m.ratings(), (None, Some(5)));
        assert_eq!(m.message(), None);
    }

    #[test]
    fn policy_parses_config_values() {
        assert_eq!("enforce".parse::<Policy>(), Ok(Policy::Enforce));
        assert_eq!("suggest".parse::<Policy>(), Ok(Policy::Suggest));
        assert_eq!("off".parse::<Policy>(), Ok(Policy::Off));
        assert!("always".parse::<Policy>().is_err());
        assert_eq!(Policy::default(), Policy::Enforce);
    }
}
