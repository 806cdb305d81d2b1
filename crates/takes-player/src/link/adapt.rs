//! How much video the link carries: pure functions from observed writes
//! (bytes, how long the sink took to take them, what is still queued) to a
//! byte budget per frame and a [`Level`].
//!
//! The idea is mosh's: send screen state at the rate the link drains, never
//! a backlog. A key's effect must never wait behind more video than drains
//! in [`BUDGET_WINDOW`], so the budget is what the link drains in that
//! window minus what is already queued, and a level is chosen whose frames
//! fit into a share of it. Degradation is quick (one bad evaluation), recovery
//! is slow (sustained headroom for [`RECOVER_AFTER`]) so the picture does not
//! flap on a noisy link.

use std::time::Duration;

/// The longest a key's effect may wait behind video.
pub const BUDGET_WINDOW: Duration = Duration::from_millis(100);
/// How long a higher level must fit with headroom before it is taken.
pub const RECOVER_AFTER: Duration = Duration::from_secs(2);
/// Share of the link video may use; the rest is headroom for UI draws.
pub const VIDEO_SHARE: f64 = 0.7;
/// Writes faster than this did not wait for the link: they only say the
/// link is at least this fast.
const INSTANT: Duration = Duration::from_millis(2);
/// Share of the link above which the output counts as saturating it.
pub const SATURATED: f64 = 0.85;
/// Writes smaller than this measure nothing once there is an estimate.
const MEASURE_MIN: usize = 2 * 1024;
/// Smaller writes that do not block say nothing: ptys and SSH channels
/// buffer far more than this without waiting for the link.
const LOWER_BOUND_MIN: usize = 16 * 1024;
/// Without a telling sample for this long below full rate, the estimate is
/// doubled to try for more: small writes never block, so a link that
/// recovered shows it only when bigger frames are sent (and a link that did
/// not blocks them and is measured again).
pub const PROBE_AFTER: Duration = Duration::from_secs(2);
/// The longest wait between probes after probes kept failing.
pub const PROBE_AFTER_MAX: Duration = Duration::from_secs(16);
/// A link queue at least this long means the link was busy: what drained
/// meanwhile measures it.
const LINK_BUSY: usize = 4 * 1024;
/// Link queue readings closer than this say too little.
const LINK_SPAN: Duration = Duration::from_millis(250);

/// What the video pane shows, from best to none. Ordered: `Off < Full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Transcript and captions only.
    Off,
    /// One still now and then (a new frame after each seek or cue).
    Stills,
    /// A quarter of the cells, a few frames a second.
    LowRes,
    /// Full size, fewer frames and a coarser change threshold.
    LowRate,
    /// Full size, every frame up to the configured cap.
    Full,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Off,
        Level::Stills,
        Level::LowRes,
        Level::LowRate,
        Level::Full,
    ];

    /// A level by its short name (`TAKES_VIDEO_LEVEL`, for measuring).
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim() {
            "off" => Some(Level::Off),
            "stills" => Some(Level::Stills),
            "lowres" => Some(Level::LowRes),
            "lowrate" => Some(Level::LowRate),
            "full" => Some(Level::Full),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Stills => "stills",
            Level::LowRes => "lower resolution",
            Level::LowRate => "lower rate",
            Level::Full => "full rate",
        }
    }
}

/// What the renderer does at a level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub level: Level,
    /// Frames per second; for `Stills` a still every `1/fps` seconds.
    pub fps: f64,
    /// Share of the pane's cells in each dimension (1 = full, 2 = half).
    pub divisor: u16,
    /// Half-block change threshold.
    pub threshold: u32,
}

/// The plan of each level for a renderer capped at `max_fps`.
pub fn plan(level: Level, max_fps: f64) -> Plan {
    let max_fps = if max_fps.is_finite() && max_fps > 0.0 {
        max_fps
    } else {
        30.0
    };
    let (fps, divisor, threshold) = match level {
        Level::Full => (max_fps, 1, crate::halfblock::DEFAULT_THRESHOLD),
        Level::LowRate => (max_fps.min(8.0), 1, 12),
        Level::LowRes => (max_fps.min(8.0), 2, 16),
        Level::Stills => (0.2, 3, 16),
        Level::Off => (0.0, 1, 0),
    };
    Plan {
        level,
        fps,
        divisor,
        threshold,
    }
}

/// One finished write, as the writer saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub bytes: usize,
    /// From handing the bytes to the sink until it took the last one.
    pub took: Duration,
    /// Bytes still queued in the pty after the write (`TIOCOUTQ`), if known.
    pub queued: Option<usize>,
}

/// The drain rate (bytes/s) one sample shows, and whether it is a measure
/// (the write waited for the link) or only a lower bound (it did not).
pub fn sample_rate(s: &Sample) -> (f64, bool) {
    let secs = s.took.as_secs_f64();
    if s.took <= INSTANT || secs <= 0.0 {
        return ((s.bytes as f64 / INSTANT.as_secs_f64()).max(1.0), false);
    }
    ((s.bytes as f64 / secs).max(1.0), true)
}

/// The adapter: feed it samples and frame sizes, ask it for the plan.
/// Time is passed in (`now` since any fixed origin), so it is pure and
/// deterministic under test.
#[derive(Debug, Clone)]
pub struct Adapter {
    max_fps: f64,
    /// Bytes/s; `None` until the first sample.
    rate: Option<f64>,
    /// An upper bound from outside (a measured round trip through the
    /// terminal, e.g. over SSH where the pty drains into a large window).
    ceiling: Option<f64>,
    queued: usize,
    /// Bytes per cell of a full-size frame, smoothed.
    per_cell: f64,
    level: Level,
    /// Since when a higher level has fit with headroom.
    better_since: Option<(Level, Duration)>,
    forced: Option<Level>,
    measured: bool,
    last_measured: Duration,
    /// Bytes written (all draws) since `window_start`: what is really sent,
    /// which the per-frame model can underestimate.
    sent: usize,
    window_start: Option<Duration>,
    /// All bytes written, for the link queue's arithmetic.
    sent_total: u64,
    /// The last reading of the connection's send queue: (when, bytes
    /// queued, `sent_total` then). Over SSH this is where a backlog sits.
    link: Option<(Duration, usize, u64)>,
    link_queued: usize,
    /// Grows while probes for a faster link fail, so a slow link is not
    /// flooded every [`PROBE_AFTER`].
    probe_after: Duration,
    /// What the connection's queue showed the link carrying: measured
    /// while it was busy, at least what drained while it was not. Probes
    /// raise `rate` on a guess; this is what the reviewer is told.
    shown: Option<f64>,
}

impl Adapter {
    /// Starts at `LowRate` until the link has been measured: a first frame
    /// at full rate on a slow link is exactly the backlog this avoids.
    pub fn new(max_fps: f64) -> Adapter {
        Adapter {
            max_fps,
            rate: None,
            ceiling: None,
            queued: 0,
            // A busy 30 fps picture at the default threshold: ~1 MB/s over
            // 160x48 cells (docs/BENCHMARKS.md), ~4.5 bytes a cell a frame.
            per_cell: 6.0,
            level: Level::LowRate,
            better_since: None,
            forced: None,
            measured: false,
            last_measured: Duration::ZERO,
            sent: 0,
            window_start: None,
            sent_total: 0,
            link: None,
            link_queued: 0,
            probe_after: PROBE_AFTER,
            shown: None,
        }
    }

    /// Pins the level (adaptation disabled: `TAKES_VIDEO_ADAPT=0` keeps `Full`).
    pub fn force(&mut self, level: Option<Level>) {
        self.forced = level;
        if let Some(l) = level {
            self.level = l;
        }
    }

    pub fn set_ceiling(&mut self, bytes_per_s: Option<f64>) {
        self.ceiling = bytes_per_s.filter(|r| r.is_finite() && *r > 0.0);
    }

    /// A write finished. Slow writes measure the link; a lower sample is
    /// believed at once, a higher one only partly (fast down, slow up).
    pub fn observe(&mut self, s: &Sample) {
        if let Some(q) = s.queued {
            self.queued = q;
        }
        self.sent += s.bytes;
        self.sent_total += s.bytes as u64;
        let (r, measured) = sample_rate(s);
        // A small write that waited mostly waited for the bytes ahead of
        // it in the pty, not for its own: it would read as a slow link.
        // A small one that did not wait says nothing either.
        if s.bytes < MEASURE_MIN && self.rate.is_some() {
            return;
        }
        if !measured && s.bytes < LOWER_BOUND_MIN && self.rate.is_some() {
            return;
        }
        self.measured |= measured || s.bytes >= LOWER_BOUND_MIN;
        self.rate = Some(match self.rate {
            None => r,
            Some(old) if measured && r < old => r,
            Some(old) if r > old => old + (r - old) * 0.25,
            Some(old) => old,
        });
    }

    /// The connection behind the terminal (the SSH socket's send queue)
    /// holds `queued` bytes at `now`. While it stays long the link was busy
    /// and what drained is its rate, in either direction; while it stays
    /// short the link kept up with what was sent, a lower bound that also
    /// lifts the start-up ceiling (the link may have recovered).
    pub fn observe_link(&mut self, now: Duration, queued: usize) {
        self.link_queued = queued;
        let Some((then, q0, sent0)) = self.link else {
            self.link = Some((now, queued, self.sent_total));
            return;
        };
        let span = now.saturating_sub(then);
        if span < LINK_SPAN {
            return;
        }
        self.link = Some((now, queued, self.sent_total));
        let sent = self.sent_total.saturating_sub(sent0) as f64;
        let drained = (sent + q0 as f64 - queued as f64).max(0.0);
        let r = (drained / span.as_secs_f64()).max(1.0);
        let old = self.rate();
        if q0 >= LINK_BUSY && queued >= LINK_BUSY {
            if old.is_some_and(|o| r < o * 0.8) {
                self.probe_after = (self.probe_after * 2).min(PROBE_AFTER_MAX);
            }
            self.rate = Some(match self.rate {
                Some(o) if r > o => o + (r - o) * 0.5,
                _ => r,
            });
            self.ceiling = None;
            self.measured = true;
            self.shown = self.rate;
        } else if queued < LINK_BUSY {
            self.shown = Some(self.shown.map_or(r, |s| s.max(r)));
            if old.is_none_or(|o| r > o) {
                self.rate = Some(r);
                self.ceiling = self.ceiling.map(|c| c.max(r));
            }
        }
    }

    /// A video frame of `bytes` was drawn over `cells` cells: learns what a
    /// cell costs, to predict the other levels.
    pub fn frame_cost(&mut self, bytes: usize, cells: usize) {
        if cells == 0 {
            return;
        }
        let c = bytes as f64 / cells as f64;
        self.per_cell = (self.per_cell * 0.7 + c * 0.3).clamp(0.5, 64.0);
    }

    /// The drain rate believed now (bytes/s).
    pub fn rate(&self) -> Option<f64> {
        match (self.rate, self.ceiling) {
            (Some(r), Some(c)) => Some(r.min(c)),
            (r, None) => r,
            (None, c) => c,
        }
    }

    /// The link's rate as the status line and doctor say it: [`rate`]
    /// where the connection is not in view (a local terminal), otherwise
    /// no more than the connection showed it carrying, so a probe's guess
    /// is never reported as the link.
    ///
    /// [`rate`]: Adapter::rate
    pub fn link_rate(&self) -> Option<f64> {
        match (self.link, self.shown, self.rate()) {
            (None, _, r) => r,
            (Some(_), Some(s), Some(r)) => Some(s.min(r)),
            (Some(_), s, r) => s.or(r),
        }
    }

    /// The most bytes the next video frame may take: what drains within
    /// [`BUDGET_WINDOW`], less what is still queued. 0 before any measure.
    pub fn budget(&self) -> usize {
        let Some(rate) = self.rate() else { return 0 };
        let drains = rate * BUDGET_WINDOW.as_secs_f64();
        (drains - self.queued as f64 - self.link_queued as f64).max(0.0) as usize
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn plan(&self) -> Plan {
        plan(self.level, self.max_fps)
    }

    /// Bytes per second `level` would send over a pane of `cells` cells.
    pub fn cost(&self, level: Level, cells: usize) -> f64 {
        let p = plan(level, self.max_fps);
        if p.level == Level::Off {
            return 0.0;
        }
        let d = p.divisor.max(1) as f64;
        self.per_cell * cells as f64 / (d * d) * p.fps
    }

    /// The best level whose video fits `share` of the link, and whose single
    /// frame fits the budget.
    pub fn fitting(&self, cells: usize, share: f64) -> Level {
        let Some(rate) = self.rate() else {
            return Level::Off;
        };
        let budget = rate * BUDGET_WINDOW.as_secs_f64();
        Level::ALL
            .iter()
            .rev()
            .copied()
            .find(|&l| {
                let p = plan(l, self.max_fps);
                let d = p.divisor.max(1) as f64;
                let frame = self.per_cell * cells as f64 / (d * d);
                l == Level::Off || (self.cost(l, cells) <= rate * share && frame <= budget)
            })
            .unwrap_or(Level::Off)
    }

    /// Re-decides the level for a pane of `cells` cells at time `now`.
    /// Lower: at once. Higher: one step, once it has fit with 1.5x headroom
    /// for [`RECOVER_AFTER`].
    pub fn evaluate(&mut self, now: Duration, cells: usize) -> Level {
        if let Some(l) = self.forced {
            self.level = l;
            return l;
        }
        if self.rate().is_none() {
            return self.level;
        }
        if std::mem::take(&mut self.measured) {
            self.last_measured = now;
        } else if self.level < Level::Full
            && self.forced.is_none()
            && now.saturating_sub(self.last_measured) >= self.probe_after
        {
            self.last_measured = now;
            if let Some(r) = self.rate.as_mut() {
                *r *= 2.0;
            }
            // With the link's queue in view a wrong guess shows within a
            // reading, so the start-up ceiling may be tried past too.
            if self.link.is_some() {
                if let Some(c) = self.ceiling.as_mut() {
                    *c *= 2.0;
                }
            }
        }
        // Everything sent over the last second against the link: when the
        // output as a whole nears the link's rate, keys would queue.
        let start = *self.window_start.get_or_insert(now);
        let span = now.saturating_sub(start);
        let mut saturated = false;
        if span >= Duration::from_secs(1) {
            let sending = self.sent as f64 / span.as_secs_f64();
            saturated = self.rate().is_some_and(|r| sending > r * SATURATED);
            self.sent = 0;
            self.window_start = Some(now);
        }
        let mut fits = self.fitting(cells, VIDEO_SHARE);
        if saturated && self.level > Level::Off {
            fits = fits.min(Level::ALL[self.level as usize - 1]);
        }
        if fits < self.level {
            self.level = fits;
            if self.link.is_some() && self.link_queued >= LINK_BUSY {
                self.probe_after = (self.probe_after * 2).min(PROBE_AFTER_MAX);
            }
            self.better_since = None;
            return self.level;
        }
        let roomy = self.fitting(cells, VIDEO_SHARE / 1.5);
        if roomy > self.level {
            let next = Level::ALL[(self.level as usize + 1).min(Level::ALL.len() - 1)];
            match self.better_since {
                Some((l, since)) if l == next => {
                    if now.saturating_sub(since) >= RECOVER_AFTER {
                        self.level = next;
                        self.better_since = None;
                        // The link carried more: keep probing briskly.
                        self.probe_after = PROBE_AFTER;
                    }
                }
                _ => self.better_since = Some((next, now)),
            }
        } else {
            self.better_since = None;
        }
        self.level
    }
}

/// "link ~1.6 Mbit/s" for the status line and doctor.
pub fn describe_rate(bytes_per_s: f64) -> String {
    let bits = bytes_per_s * 8.0;
    if bits >= 1e9 {
        "fast".to_string()
    } else if bits >= 1e6 {
        format!("~{:.1} Mbit/s", bits / 1e6)
    } else {
        format!("~{:.0} kbit/s", bits / 1e3)
    }
}

#[cfg(test)]
#[path = "adapt_tests.rs"]
mod tests;
