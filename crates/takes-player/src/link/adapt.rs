//! How much video the link carries: pure functions from observed writes
//! (bytes, how long the sink took to take them, what is still queued) to a
//! byte budget per frame and a [`Level`].
//!
//! The idea is mosh's: send screen state at the rate the link drains, never
//! a backlog. A key's effect must never wait behind more video than drains
//! in [`BUDGET_WINDOW`], so the budget is what the link drains in that
//! window minus what is already queued, and a level is chosen whose frames
//! fit into a share of it. Degradation is quick (one bad evaluation), recovery
//! is slow (sustained headroom for [`RECOVER_AFTER`], longer after a step up
//! failed) so the picture does not flap on a noisy link.

use std::time::Duration;

use super::socket::Reading;

/// The longest a key's effect may wait behind video.
pub const BUDGET_WINDOW: Duration = Duration::from_millis(100);
/// How long a higher level must fit with headroom before it is taken.
pub const RECOVER_AFTER: Duration = Duration::from_secs(2);
/// A step up undone within this long failed: the next try at that level
/// waits twice as long, so the picture does not change size every few
/// seconds on a link that carries one level but not quite the next.
const FLAP_WINDOW: Duration = Duration::from_secs(10);
/// The longest wait before trying a level that failed again.
const RECOVER_AFTER_MAX: Duration = Duration::from_secs(32);
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
pub const PROBE_AFTER_MAX: Duration = Duration::from_secs(8);
/// A link queue at least this long means the link was busy: what drained
/// meanwhile measures it.
const LINK_BUSY: usize = 4 * 1024;
/// Link queue readings closer than this say too little.
const LINK_SPAN: Duration = Duration::from_millis(250);
/// The bytes of a key's own effect: a rating mark and the status line are
/// small; the `?` overlay is 4.1 KB to open and 6.5 KB to close on the
/// lean wire, with the picture at stills. Moving
/// video is kept only where a frame and this both drain within
/// [`BUDGET_WINDOW`], so a key never waits behind a frame longer than that.
pub const KEY_RESERVE: usize = 6 * 1024;
/// Busy time, gathered from readings the connection was busy throughout,
/// that makes one measure of the link.
const BUSY_SAMPLE: Duration = Duration::from_millis(150);
/// A reading counts as busy throughout when data was outstanding for this
/// share of the time since the one before. A short burst is mostly the
/// wait for its last acknowledgement (a round trip and the client's
/// delayed ACK): counted, it would read as a slow link.
const BUSY_THROUGHOUT: f64 = 0.9;
/// A span measures the link only where the socket held this much at both
/// its readings: a queue stands only once a shaper's bucket is empty (the
/// bucket lets bursts through at line rate, so spans while it lasts read
/// fast), and the tail of a burst, waiting for the client's delayed
/// acknowledgement, holds less (it would read slow).
const BUSY_QUEUE: usize = 3 * 1024;
/// With nothing written and nothing in the socket for this long, sshd has
/// nothing left either: what we wrote and what went out are even again.
const LINK_SETTLED: Duration = Duration::from_millis(300);

/// How often a probe hands out padding and wants the link read.
pub const PROBE_TICK: Duration = Duration::from_millis(10);
/// A probe's first pace, per [`PROBE_TICK`]: 3.2 Mbit/s, small enough
/// that a slow link's queue shows within a tick or two of it filling.
const PROBE_STEP: usize = 4 * 1024;
/// The fastest pace a probe tries, per tick (~50 Mbit/s).
const PROBE_STEP_MAX: usize = 64 * 1024;
/// Bytes acknowledged at one pace, with no queue standing, that prove the
/// link carries it: many times the bursts shapers let through at line
/// rate (a token bucket of 16 KB is common). A link slower than the pace
/// drains the bucket and shows a queue well before this much is through.
const PROBE_PHASE: u64 = 96 * 1024;
/// A standing queue this long during a probe: the link is slower than the
/// pace, so the probe stops (a key waits behind no more than this).
const PROBE_BACKLOG: usize = 4 * 1024;
/// The longest a probe runs.
const PROBE_LONGEST: Duration = Duration::from_secs(2);
/// Probes wait until the reviewer has done nothing for this long: what
/// the reviewer does comes first, and a probe fills the link for a moment.
pub const PROBE_IDLE: Duration = Duration::from_secs(1);

/// A probe for a faster link (over SSH, with the kernel's counts): padding
/// the terminal ignores, paced from [`PROBE_STEP`] per tick and doubled
/// each time [`PROBE_PHASE`] bytes at a pace are acknowledged with no
/// queue standing, until the pace the best level needs is proven or the
/// link's queue shows it is slower. Only a link that carried the padding
/// for longer than a shaper's burst passes, and a slow one costs a key at
/// most [`PROBE_BACKLOG`].
#[derive(Debug, Clone, Copy)]
struct Probe {
    started: Duration,
    /// Bytes per tick at the current pace.
    step: usize,
    /// When the current pace began, and the bytes acknowledged then.
    phase: (Duration, u64),
    /// When padding was last handed out.
    last_step: Option<Duration>,
    /// The rate the paces so far proved.
    proven: Option<f64>,
    /// The rate that would show the best level fits.
    goal: f64,
    retrans: u32,
}

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
    /// The last step up: to which level, and when.
    stepped_up: Option<(Level, Duration)>,
    /// How long a higher level must fit before it is taken: grows while
    /// steps up keep being undone.
    recover_after: Duration,
    forced: Option<Level>,
    measured: bool,
    last_measured: Duration,
    /// Bytes written (all draws) since `window_start`: what is really sent,
    /// which the per-frame model can underestimate.
    sent: usize,
    window_start: Option<Duration>,
    /// What everything sent over the last whole window took of the link.
    load: f64,
    /// All bytes written, for the link queue's arithmetic.
    sent_total: u64,
    /// The connection is in view once set. Where only its queue is known,
    /// the reading a span is measured from: (when, bytes queued on the
    /// link, `sent_total` then). Over SSH this is where a backlog sits.
    link: Option<(Duration, usize, u64)>,
    /// What the link held at the last reading: the socket's queue and,
    /// where the client's acknowledgements are known, what sshd still
    /// holds in its own buffers.
    link_queued: usize,
    /// `sent_total` at the last reading: what was written since is on its
    /// way and counts as queued until a reading says otherwise.
    link_sent: u64,
    /// The least of `sent_total - (acked + queued)` seen: the offset
    /// between what we wrote and what went on the wire, so what exceeds it
    /// is held by sshd. Reset when all is settled.
    wire_offset: Option<i64>,
    /// When `sent_total` last changed, as of the last reading.
    last_write: Duration,
    /// Bytes acknowledged, busy time and retransmissions at the last
    /// reading, and when.
    busy_mark: Option<(u64, Duration, u32, Duration)>,
    /// The socket's queue at the last reading.
    socket_queued: usize,
    /// Bytes acknowledged and busy time gathered towards the next measure.
    busy_gathered: (u64, Duration),
    /// Grows while probes for a faster link fail, so a slow link is not
    /// flooded every [`PROBE_AFTER`].
    probe_after: Duration,
    /// What the connection's queue showed the link carrying: measured
    /// while it was busy, at least what drained while it was not. Probes
    /// raise `rate` on a guess; this is what the reviewer is told.
    shown: Option<f64>,
    /// The kernel counts acknowledged bytes (sock_diag): a faster link is
    /// probed for with padding, not guessed at.
    acks: bool,
    probe: Option<Probe>,
    /// A probe proved a faster link: the next evaluation takes the level
    /// it allows at once.
    proved: bool,
    /// When the reviewer last caused a draw.
    last_input: Duration,
    /// The least round trip the connection has seen.
    min_rtt: Duration,
    /// Padding handed out in the load window: not the output's load.
    padded: usize,
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
            stepped_up: None,
            recover_after: RECOVER_AFTER,
            forced: None,
            measured: false,
            last_measured: Duration::ZERO,
            sent: 0,
            window_start: None,
            load: 0.0,
            sent_total: 0,
            link: None,
            link_queued: 0,
            link_sent: 0,
            wire_offset: None,
            last_write: Duration::ZERO,
            busy_mark: None,
            socket_queued: 0,
            busy_gathered: (0, Duration::ZERO),
            probe_after: PROBE_AFTER,
            shown: None,
            acks: false,
            probe: None,
            proved: false,
            last_input: Duration::ZERO,
            min_rtt: Duration::ZERO,
            padded: 0,
        }
    }

    /// The reviewer did something at `now` (a key, a click): no probe
    /// starts for [`PROBE_IDLE`].
    pub fn input(&mut self, now: Duration) {
        self.last_input = now;
    }

    /// Whether a probe is running (read the link every [`PROBE_TICK`]).
    pub fn probing(&self) -> bool {
        self.probe.is_some()
    }

    /// Padding bytes to write now for a running probe (0 if none): bytes
    /// the terminal ignores, written between draws.
    pub fn padding(&mut self, now: Duration) -> usize {
        let Some(p) = self.probe.as_mut() else {
            return 0;
        };
        // Paced by the readings: a queue standing after one ends the probe.
        if p.last_step
            .is_some_and(|t| now.saturating_sub(t) < PROBE_TICK)
        {
            return 0;
        }
        p.last_step = Some(now);
        self.padded += p.step;
        p.step
    }

    /// Starts a probe for a faster link when one is due: below full rate,
    /// nothing measured for a while, the reviewer idle and no backlog.
    fn maybe_probe(&mut self, now: Duration, cells: usize) {
        let due = self.level < Level::Full
            && self.forced.is_none()
            && self.probe.is_none()
            && now.saturating_sub(self.last_measured) >= self.probe_after
            && now.saturating_sub(self.last_input) >= PROBE_IDLE
            && self.link_queued() < PROBE_BACKLOG;
        let Some((acked, _, retrans, _)) = self.busy_mark.filter(|_| due) else {
            return;
        };
        self.probe = Some(Probe {
            started: now,
            step: PROBE_STEP,
            phase: (now, acked),
            last_step: None,
            proven: None,
            goal: self.goal(cells),
            retrans,
        });
    }

    /// A probe ends: what it proved, if more than was known, is believed
    /// at once; otherwise probes back off.
    fn end_probe(&mut self, now: Duration, proven: Option<f64>) {
        self.probe = None;
        self.last_measured = now;
        match proven {
            Some(r) if self.shown.is_none_or(|s| r > s * 1.2) => {
                self.shown = Some(r);
                self.rate = Some(self.rate.map_or(r, |o| o.max(r)));
                self.ceiling = None;
                self.probe_after = PROBE_AFTER;
                self.proved = true;
            }
            _ => self.probe_after = (self.probe_after * 2).min(PROBE_AFTER_MAX),
        }
    }

    /// A reading during a probe: stop at a standing queue, a loss or the
    /// time limit; double the pace once the current one is proven.
    fn probe_reading(&mut self, now: Duration, acked: u64, retrans: u32) {
        let Some(mut p) = self.probe else {
            return;
        };
        // At the pace, this much is in flight on the wire, not queued.
        let pace = p.step as f64 / PROBE_TICK.as_secs_f64();
        let in_flight = (pace * self.min_rtt.as_secs_f64()) as usize;
        if self.link_queued.saturating_sub(in_flight) >= PROBE_BACKLOG
            || retrans != p.retrans
            || now.saturating_sub(p.started) >= PROBE_LONGEST
        {
            return self.end_probe(now, p.proven);
        }
        let (t0, a0) = p.phase;
        let got = acked.saturating_sub(a0);
        // Acknowledgements come a round trip after the bytes went.
        let span = now
            .saturating_sub(t0)
            .saturating_sub(self.min_rtt)
            .max(PROBE_TICK)
            .as_secs_f64();
        if got >= PROBE_PHASE {
            let r = got as f64 / span;
            let proven = p.proven.map_or(r, |o| o.max(r));
            p.proven = Some(proven);
            if proven >= p.goal || p.step >= PROBE_STEP_MAX {
                return self.end_probe(now, Some(proven));
            }
            p.step = (p.step * 2).min(PROBE_STEP_MAX);
            p.phase = (now, acked);
        }
        self.probe = Some(p);
    }

    /// What a probe sets out to prove: twice the rate at which the best
    /// level fits with room to spare, since a frame's cost is a guess until
    /// frames of that level are drawn (a slower link ends it sooner, with
    /// the paces it did carry proven).
    fn goal(&self, cells: usize) -> f64 {
        let frame = self.frame_bytes(Level::Full, cells) + KEY_RESERVE as f64;
        let need = (self.cost(Level::Full, cells) / (VIDEO_SHARE / 1.5))
            .max(frame / BUDGET_WINDOW.as_secs_f64());
        need * 2.0
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
        // Over SSH the pty drains into sshd at once: the connection is the
        // measure (see `observe_link`).
        if self.link.is_some() {
            return;
        }
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

    /// A reading of the connection behind the terminal (the SSH socket)
    /// at `now`.
    ///
    /// Where the kernel's counts are known, they are the link's measure:
    /// what we wrote beyond what went on the wire waits in sshd, and the
    /// bytes the client acknowledged over the time data was outstanding
    /// is the link's rate, whether we filled it or sent a still now and
    /// then. Where only the socket's queue is known (`/proc/net/tcp`),
    /// see [`Adapter::measure_queue`].
    pub fn observe_link(&mut self, now: Duration, reading: &Reading) {
        let first = self.link.is_none();
        if self.sent_total != self.link_sent {
            self.last_write = now;
        }
        self.link_sent = self.sent_total;
        let queued = reading.queued;
        let held = match reading.acked {
            Some(acked) => {
                let d = self.sent_total as i64 - (acked as i64 + queued as i64);
                let settled = queued == 0 && now.saturating_sub(self.last_write) >= LINK_SETTLED;
                let offset = match self.wire_offset {
                    Some(o) if !settled => o.min(d),
                    _ => d,
                };
                self.wire_offset = Some(offset);
                (d - offset).max(0) as usize
            }
            None => 0,
        };
        self.link_queued = queued + held;
        if first {
            // Our pty's writes said the link was as fast as a pty: over SSH
            // they say nothing (the start-up ceiling stays).
            self.rate = None;
            self.link = Some((now, self.link_queued, self.sent_total));
        }
        if let Some(m) = reading.min_rtt {
            self.min_rtt = m;
        }
        match (reading.acked, reading.busy) {
            (Some(acked), Some(busy)) => {
                self.acks = true;
                let retrans = reading.retrans.unwrap_or(0);
                let standing = queued.min(self.socket_queued) >= BUSY_QUEUE;
                self.socket_queued = queued;
                self.measure_busy(now, acked, busy, retrans, standing);
                self.probe_reading(now, acked, retrans);
            }
            _ if !first => self.measure_queue(now),
            _ => {}
        }
    }

    /// Acknowledged bytes over busy time, from the spans between readings
    /// the connection was busy throughout, once there is enough of them.
    fn measure_busy(
        &mut self,
        now: Duration,
        acked: u64,
        busy: Duration,
        retrans: u32,
        standing: bool,
    ) {
        let Some((a0, b0, r0, t0)) = self.busy_mark.replace((acked, busy, retrans, now)) else {
            return;
        };
        if retrans != r0 {
            // A loss: the link was over-full, and until it is repaired the
            // client acknowledges nothing. Neither says how fast it is.
            self.busy_gathered = (0, Duration::ZERO);
            return;
        }
        let span = now.saturating_sub(t0);
        let spent = busy.saturating_sub(b0);
        if span.is_zero() || spent.as_secs_f64() < span.as_secs_f64() * BUSY_THROUGHOUT || !standing
        {
            return;
        }
        if acked == a0 {
            // Busy and nothing acknowledged: a stall (a loss not yet
            // repaired, a client that stopped reading), not the link.
            self.busy_gathered = (0, Duration::ZERO);
            return;
        }
        let (bytes, time) = &mut self.busy_gathered;
        *bytes += acked.saturating_sub(a0);
        *time += spent;
        if *time < BUSY_SAMPLE {
            return;
        }
        let r = (*bytes as f64 / time.as_secs_f64()).max(1.0);
        self.busy_gathered = (0, Duration::ZERO);
        self.link_measured(r);
    }

    /// The link carried `r` bytes/s: believed at once when lower (a probe
    /// for more failed), half-way when higher.
    fn link_measured(&mut self, r: f64) {
        // One measure halves the rate at most: a stall (a reader that
        // paused, a lost ACK) is not the link.
        let r = self.shown.map_or(r, |s| r.max(s * 0.5));
        if !self.acks {
            // A guess that failed backs off.
            if self.rate().is_some_and(|o| r < o * 0.8) {
                self.probe_after = (self.probe_after * 2).min(PROBE_AFTER_MAX);
            }
        } else {
            // The link was full just now: should it fall quiet while we
            // send as much, it got faster, and a probe should come soon.
            self.probe_after = PROBE_AFTER;
        }
        self.rate = Some(match self.rate {
            Some(o) if r > o => o + (r - o) * 0.5,
            _ => r,
        });
        self.ceiling = None;
        self.measured = true;
        self.shown = self.rate;
    }

    /// Only the socket's queue is known: what left our side of it stands
    /// in for what the link delivered (an overestimate while sshd buffers).
    /// While the queue holds a backlog throughout a span, that is the
    /// link's rate; while it does not, the link kept up with what was
    /// sent, a lower bound that also lifts the start-up ceiling (the link
    /// may have recovered).
    fn measure_queue(&mut self, now: Duration) {
        let Some((then, q0, sent0)) = self.link else {
            return;
        };
        let span = now.saturating_sub(then);
        if span < LINK_SPAN {
            return;
        }
        let (q1, sent1) = (self.link_queued, self.sent_total);
        self.link = Some((now, q1, sent1));
        let sent = sent1.saturating_sub(sent0) as f64;
        let delivered = (sent + q0 as f64 - q1 as f64).max(0.0);
        let r = (delivered / span.as_secs_f64()).max(1.0);
        if q0 >= LINK_BUSY && q1 >= LINK_BUSY {
            self.link_measured(r);
        } else if q1 < LINK_BUSY {
            let old = self.rate();
            self.shown = Some(self.shown.map_or(r, |s| s.max(r)));
            if old.is_none_or(|o| r > o) {
                self.rate = Some(r);
                self.ceiling = self.ceiling.map(|c| c.max(r));
            }
        }
    }

    /// Bytes on their way through the connection now: what the last
    /// reading showed, and everything written since.
    pub fn link_queued(&self) -> usize {
        let since = self.sent_total.saturating_sub(self.link_sent) as usize;
        self.link_queued + since
    }

    /// Whether a new video frame may be written now: where the connection
    /// is in view, only while what it holds and a frame of `cells` cells
    /// at the current plan drain within [`BUDGET_WINDOW`] (mosh's rule:
    /// send at the rate the link drains, never a backlog). A local
    /// terminal's pty says so itself: the writer waits for it.
    pub fn frame_fits(&self, cells: usize) -> bool {
        if self.link.is_none() || self.forced.is_some() {
            return true;
        }
        let frame = self.frame_bytes(self.level, cells);
        // An empty link always takes one frame, however large: the picture
        // must move on, and nothing is ahead of it. A probe's padding
        // takes the link meanwhile, and it, not a frame, is measured.
        self.link_queued() == 0 || (self.probe.is_none() && frame <= self.budget() as f64)
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
        // Where the connection is in view, what it showed it carries: a
        // probe's guess never lets more queue ahead of a key.
        let (rate, link) = if self.link.is_some() {
            (self.link_rate(), self.link_queued())
        } else {
            (self.rate(), 0)
        };
        let Some(rate) = rate else { return 0 };
        let drains = rate * BUDGET_WINDOW.as_secs_f64();
        (drains - self.queued as f64 - link as f64).max(0.0) as usize
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn plan(&self) -> Plan {
        plan(self.level, self.max_fps)
    }

    /// Bytes per second `level` would send over a pane of `cells` cells.
    pub fn cost(&self, level: Level, cells: usize) -> f64 {
        if level == Level::Off {
            return 0.0;
        }
        self.frame_bytes(level, cells) * plan(level, self.max_fps).fps
    }

    /// The bytes one frame at `level` is expected to take over a pane of
    /// `cells` cells (at its share of the cells).
    fn frame_bytes(&self, level: Level, cells: usize) -> f64 {
        let d = plan(level, self.max_fps).divisor.max(1) as f64;
        self.per_cell * cells as f64 / (d * d)
    }

    /// The best level whose video fits `share` of the link, and whose single
    /// frame fits the budget: with a key's effect beside it, for moving
    /// video ([`KEY_RESERVE`]); alone, for a still now and then.
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
                let frame = self.frame_bytes(l, cells);
                let reserve = if l > Level::Stills {
                    KEY_RESERVE as f64
                } else {
                    0.0
                };
                l == Level::Off
                    || (self.cost(l, cells) <= rate * share && frame + reserve <= budget)
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
        } else if self.acks {
            self.maybe_probe(now, cells);
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
            let output = self.sent.saturating_sub(std::mem::take(&mut self.padded));
            let sending = output as f64 / span.as_secs_f64();
            self.load = self.rate().map_or(0.0, |r| sending / r);
            saturated = self.load > SATURATED;
            self.sent = 0;
            self.window_start = Some(now);
        }
        // A probe proved the link faster: the level it allows, at once (the
        // proof is the sustained headroom a step up otherwise waits for).
        if std::mem::take(&mut self.proved) {
            let roomy = self.fitting(cells, VIDEO_SHARE / 1.5);
            self.recover_after = RECOVER_AFTER;
            if roomy > self.level {
                self.level = roomy;
                self.better_since = None;
                self.stepped_up = None;
                return self.level;
            }
        }
        let mut fits = self.fitting(cells, VIDEO_SHARE);
        if saturated && self.level > Level::Off {
            fits = fits.min(Level::ALL[self.level as usize - 1]);
        }
        if fits < self.level {
            if let Some((l, at)) = self.stepped_up.take() {
                if l == self.level && now.saturating_sub(at) < FLAP_WINDOW {
                    self.recover_after = (self.recover_after * 2).min(RECOVER_AFTER_MAX);
                }
            }
            self.level = fits;
            if !self.acks && self.link.is_some() && self.link_queued >= LINK_BUSY {
                self.probe_after = (self.probe_after * 2).min(PROBE_AFTER_MAX);
            }
            self.better_since = None;
            return self.level;
        }
        // A step up that held: the next one may come as briskly.
        if let Some((_, at)) = self.stepped_up {
            if now.saturating_sub(at) >= FLAP_WINDOW {
                self.stepped_up = None;
                self.recover_after = RECOVER_AFTER;
            }
        }
        // Up only while the output as a whole leaves room too: what the
        // reviewer's own redraws take is not there for video.
        let roomy = self.fitting(cells, VIDEO_SHARE / 1.5);
        if roomy > self.level && self.load <= SATURATED / 1.5 {
            let next = Level::ALL[(self.level as usize + 1).min(Level::ALL.len() - 1)];
            match self.better_since {
                Some((l, since)) if l == next => {
                    if now.saturating_sub(since) >= self.recover_after {
                        self.level = next;
                        self.better_since = None;
                        self.stepped_up = Some((next, now));
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
