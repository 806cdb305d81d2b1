use super::*;
use proptest::prelude::*;

const CELLS: usize = 160 * 40;

/// A sink draining `rate` bytes/s takes `bytes / rate` for a write.
fn drained(bytes: usize, rate: f64) -> Sample {
    Sample {
        bytes,
        took: Duration::from_secs_f64(bytes as f64 / rate),
        queued: Some(0),
    }
}

/// Runs the adapter for `secs` seconds against a link of `rate` bytes/s:
/// every 100 ms a UI draw, and the video frames its plan allows, each
/// 5 bytes a full-size cell (a busy picture at the default threshold).
fn run(a: &mut Adapter, start: Duration, secs: f64, rate: f64) -> Duration {
    let mut now = start;
    let end = start + Duration::from_secs_f64(secs);
    let mut next_frame = start;
    while now < end {
        let p = a.plan();
        if p.level != Level::Off && p.fps > 0.0 && now >= next_frame {
            let d = p.divisor as usize;
            let bytes = CELLS / (d * d) * 5;
            a.observe(&drained(bytes, rate));
            a.frame_cost(bytes * d * d, CELLS);
            next_frame = now + Duration::from_secs_f64(1.0 / p.fps);
        } else {
            // A redraw of the status, caption and transcript lines.
            a.observe(&drained(2_500, rate));
        }
        now += Duration::from_millis(100);
        a.evaluate(now, CELLS);
    }
    now
}

#[test]
fn no_budget_before_any_measure() {
    let a = Adapter::new(30.0);
    assert_eq!(a.budget(), 0);
    assert_eq!(a.rate(), None);
}

#[test]
fn a_slow_write_measures_the_link() {
    let mut a = Adapter::new(30.0);
    a.observe(&drained(25_000, 250_000.0));
    let r = a.rate().expect("measured");
    assert!((r - 250_000.0).abs() < 1.0, "{r}");
    assert_eq!(a.budget(), 25_000);
}

#[test]
fn what_is_queued_comes_off_the_budget() {
    let mut a = Adapter::new(30.0);
    a.observe(&Sample {
        bytes: 25_000,
        took: Duration::from_millis(100),
        queued: Some(20_000),
    });
    assert_eq!(a.budget(), 5_000);
}

#[test]
fn a_fast_terminal_reaches_full_rate() {
    let mut a = Adapter::new(30.0);
    let t = run(&mut a, Duration::ZERO, 12.0, 100e6);
    assert_eq!(a.level(), Level::Full, "at {t:?}");
}

#[test]
fn two_mbit_keeps_a_picture_and_512k_goes_to_stills_or_off() {
    let mut a = Adapter::new(30.0);
    run(&mut a, Duration::ZERO, 10.0, 250_000.0);
    assert!(a.level() >= Level::LowRes, "{:?} at 2 Mbit/s", a.level());
    assert!(a.level() < Level::Full, "full rate cannot fit 2 Mbit/s");
    let mut b = Adapter::new(30.0);
    run(&mut b, Duration::ZERO, 10.0, 64_000.0);
    assert!(b.level() <= Level::Stills, "{:?} at 512 kbit/s", b.level());
}

#[test]
fn recovery_waits_for_sustained_headroom() {
    let mut a = Adapter::new(30.0);
    let t = run(&mut a, Duration::ZERO, 5.0, 30_000.0);
    assert_eq!(a.level(), Level::Off);
    // The link recovers: not at once, one step per RECOVER_AFTER.
    a.observe(&drained(1_000_000, 50e6));
    a.evaluate(t, CELLS);
    assert_eq!(a.level(), Level::Off, "no jump on the first good sample");
    let t = run(&mut a, t, 1.0, 50e6);
    assert!(a.level() <= Level::Stills, "{:?}", a.level());
    run(&mut a, t, 45.0, 50e6);
    assert_eq!(a.level(), Level::Full);
}

#[test]
fn output_that_nears_the_link_steps_down_even_if_the_model_says_it_fits() {
    let mut a = Adapter::new(30.0);
    a.set_ceiling(Some(64_000.0));
    a.observe(&drained(20_000, 1e9));
    a.evaluate(Duration::ZERO, 100);
    let before = a.level();
    assert!(before > Level::Off, "a small pane fits: {before:?}");
    // 60 KB/s really sent on a 64 KB/s link, in instant (buffered) writes.
    for i in 1..=10u64 {
        a.observe(&Sample {
            bytes: 6_000,
            took: Duration::ZERO,
            queued: None,
        });
        a.evaluate(Duration::from_millis(100 * i), 100);
    }
    assert!(a.level() < before, "{:?} stays at {before:?}", a.level());
}

#[test]
fn forced_level_ignores_the_link() {
    let mut a = Adapter::new(30.0);
    a.force(Some(Level::Full));
    run(&mut a, Duration::ZERO, 3.0, 10_000.0);
    assert_eq!(a.level(), Level::Full);
}

#[test]
fn ceiling_caps_an_optimistic_pty() {
    let mut a = Adapter::new(30.0);
    a.observe(&drained(100_000, 1e9));
    a.set_ceiling(Some(200_000.0));
    assert_eq!(a.rate(), Some(200_000.0));
    assert_eq!(a.budget(), 20_000);
}

#[test]
fn rates_read_like_a_person_would_say_them() {
    assert_eq!(describe_rate(200_000.0), "~1.6 Mbit/s");
    assert_eq!(describe_rate(64_000.0), "~512 kbit/s");
}

proptest! {
    /// Whatever the writes, against a constant drain rate the budget never
    /// exceeds what that link drains in the window.
    #[test]
    fn budget_never_exceeds_what_drains(
        rate in 5_000.0f64..50e6,
        sizes in prop::collection::vec(1usize..400_000, 1..60),
    ) {
        let mut a = Adapter::new(30.0);
        for b in sizes {
            a.observe(&drained(b, rate));
            let most = rate * BUDGET_WINDOW.as_secs_f64();
            prop_assert!(a.budget() as f64 <= most + 1.0, "{} > {most}", a.budget());
        }
    }

    /// A falling link never raises the level.
    #[test]
    fn degradation_is_monotone(
        start in 20_000.0f64..20e6,
        factors in prop::collection::vec(0.5f64..1.0, 1..40),
    ) {
        let mut a = Adapter::new(30.0);
        let mut rate = start;
        // Settled at the starting rate first: recovery is not degradation.
        let mut now = run(&mut a, Duration::ZERO, 15.0, rate);
        let mut last = a.level();
        for f in factors {
            rate *= f;
            now = run(&mut a, now, 0.3, rate);
            prop_assert!(a.level() <= last, "{:?} after {:?} at {rate}", a.level(), last);
            last = a.level();
        }
    }

    /// After any slow spell, a link that becomes fast reaches full rate.
    #[test]
    fn recovers_when_the_link_does(slow in 2_000.0f64..300_000.0, secs in 0.5f64..5.0) {
        let mut a = Adapter::new(30.0);
        let t = run(&mut a, Duration::ZERO, secs, slow);
        run(&mut a, t, 45.0, 80e6);
        prop_assert_eq!(a.level(), Level::Full);
    }
}

/// A reading where only the socket's queue is known (`/proc/net/tcp`).
fn queue(queued: usize) -> Reading {
    Reading {
        queued,
        acked: None,
        busy: None,
        retrans: None,
        rtt: None,
        min_rtt: None,
    }
}

#[test]
fn the_rate_reported_is_what_the_link_showed_not_a_probes_guess() {
    let mut a = Adapter::new(30.0);
    // The SSH socket's queue stays long: 64 KB/s drain while busy.
    let mut now = Duration::ZERO;
    let mut queued = 50_000usize;
    a.observe_link(now, &queue(queued));
    for _ in 0..8 {
        now += Duration::from_millis(500);
        a.observe(&Sample {
            bytes: 32_000,
            took: Duration::from_micros(100),
            queued: Some(0),
        });
        // 32 KB written, 32 KB drained: the queue stays where it was.
        queued = 50_000;
        a.observe_link(now, &queue(queued));
        a.evaluate(now, CELLS);
    }
    let measured = a.link_rate().expect("a measure");
    assert!((measured - 64_000.0).abs() < 6_400.0, "{measured}");
    // Nothing telling for longer than a probe's wait: the adapter tries
    // twice the rate, but that is not what the link is said to carry.
    now += PROBE_AFTER_MAX + Duration::from_secs(1);
    a.evaluate(now, CELLS);
    assert!(
        a.rate().is_some_and(|r| r > measured * 1.5),
        "{:?}",
        a.rate()
    );
    assert_eq!(a.link_rate(), Some(measured));
    // The queue has emptied; then 100 KB drain in half a second with
    // nothing left queued: the link carries at least 200 KB/s, and says so.
    a.observe_link(now, &queue(0));
    assert_eq!(a.link_rate(), Some(measured));
    a.observe(&Sample {
        bytes: 100_000,
        took: Duration::from_micros(100),
        queued: Some(0),
    });
    a.observe_link(now + Duration::from_millis(500), &queue(0));
    let shown = a.link_rate().expect("a rate");
    assert!(shown >= 200_000.0 * 0.99, "{shown}");
}

#[test]
fn a_local_terminal_reports_the_rate_it_uses() {
    let mut a = Adapter::new(30.0);
    a.observe(&drained(100_000, 1e6));
    assert_eq!(a.link_rate(), a.rate());
}

/// The picture of an 80x24 pane, the size the review screen gives video
/// on a 160x48 terminal.
const PANE: usize = 80 * 24;

/// An SSH session over a link of `rate` bytes/s: our pty drains into sshd
/// at once; sshd keeps what its socket cannot take (the socket holds at
/// most `SOCKET` bytes in flight), and the client acknowledges at the
/// link's rate. What the kernel would report is `reading()`.
struct Ssh {
    rate: f64,
    sshd: f64,
    socket: f64,
    acked: f64,
    busy: Duration,
    /// A token bucket in front of the link (a shaper's burst, as `tc tbf`
    /// has): up to this many bytes go at once after the link was idle.
    burst: f64,
    tokens: f64,
    /// The session's clock, on from one stretch of play to the next.
    now: Duration,
    /// Bytes a cell of a full-size frame takes (5: a busy picture).
    full_cell: usize,
}

impl Ssh {
    const SOCKET: f64 = 16_384.0;

    fn new(rate: f64) -> Ssh {
        Ssh {
            rate,
            sshd: 0.0,
            socket: 0.0,
            // Logins and shells went over the connection before us.
            acked: 52_345.0,
            busy: Duration::from_millis(1_234),
            burst: 0.0,
            tokens: 0.0,
            now: Duration::ZERO,
            full_cell: 5,
        }
    }

    /// Behind a shaper that lets `burst` bytes through at once.
    fn shaped(rate: f64, burst: f64) -> Ssh {
        Ssh {
            burst,
            tokens: burst,
            ..Ssh::new(rate)
        }
    }

    fn write(&mut self, bytes: usize) {
        self.sshd += bytes as f64;
        self.settle();
    }

    fn settle(&mut self) {
        let take = (Self::SOCKET - self.socket).min(self.sshd).max(0.0);
        self.sshd -= take;
        self.socket += take;
    }

    fn pass(&mut self, dt: Duration) {
        let outstanding = self.sshd + self.socket;
        let capacity = self.rate * dt.as_secs_f64() + self.tokens;
        // Outstanding for the share of the tick it took to send.
        self.busy += dt.mul_f64((outstanding / capacity).min(1.0));
        let mut left = capacity;
        while left > 0.0 && (self.socket > 0.0 || self.sshd > 0.0) {
            let d = left.min(self.socket);
            self.socket -= d;
            self.acked += d;
            left -= d;
            self.settle();
            if self.socket == 0.0 && self.sshd == 0.0 {
                break;
            }
        }
        // What the link did not use fills the bucket.
        self.tokens = left.min(self.burst);
    }

    fn reading(&self) -> Reading {
        Reading {
            queued: self.socket as usize,
            acked: Some(self.acked as u64),
            busy: Some(self.busy),
            retrans: Some(0),
            rtt: None,
            min_rtt: None,
        }
    }

    /// How long bytes written now wait before they start to drain.
    fn wait(&self) -> Duration {
        Duration::from_secs_f64((self.sshd + self.socket) / self.rate)
    }
}

/// Plays a busy picture over `ssh` for `secs` the way the workstation does:
/// the connection read every 20 ms, a frame written when the plan's rate
/// allows and the link has room for it, a status redraw twice a second,
/// and a key every 340 ms whose wait behind what is queued is recorded.
fn play_over(a: &mut Adapter, ssh: &mut Ssh, secs: f64) -> Vec<Duration> {
    over_ssh(a, ssh, secs, true).waits
}

/// What a stretch of [`over_ssh`] saw.
struct Run {
    /// What each key waited behind.
    waits: Vec<Duration>,
    /// What a key would have waited behind, at the worst tick.
    worst: Duration,
    /// Probe padding written.
    padding: usize,
    /// How long after the stretch began the level was first `Full`.
    full_after: Option<Duration>,
    /// How often the level changed.
    changes: usize,
}

/// [`play_over`], with the reviewer pressing keys or only watching.
fn over_ssh(a: &mut Adapter, ssh: &mut Ssh, secs: f64, keys: bool) -> Run {
    let tick = Duration::from_millis(20);
    let start = ssh.now;
    let end = start + Duration::from_secs_f64(secs);
    let mut next_frame = start;
    let mut run = Run {
        waits: Vec::new(),
        worst: Duration::ZERO,
        padding: 0,
        full_after: None,
        changes: 0,
    };
    let mut step = 0u64;
    while ssh.now < end {
        let now = ssh.now;
        a.observe_link(now, &ssh.reading());
        let was = a.level();
        a.evaluate(now, PANE);
        run.changes += usize::from(a.level() != was);
        if a.level() == Level::Full && run.full_after.is_none() {
            run.full_after = Some(now - start);
        }
        run.worst = run.worst.max(ssh.wait());
        if std::env::var("SIMLOG").is_ok() {
            eprintln!(
                "{now:?} {:?} probing={} rate={:?} shown={:?} q={}",
                a.level(),
                a.probing(),
                a.rate(),
                a.link_rate(),
                a.link_queued()
            );
        }
        let p = a.plan();
        let write = |a: &mut Adapter, ssh: &mut Ssh, bytes: usize| {
            ssh.write(bytes);
            a.observe(&Sample {
                bytes,
                took: Duration::from_micros(50),
                queued: Some(0),
            });
        };
        if step.is_multiple_of(25) {
            write(a, ssh, 600);
        }
        if keys && step % 17 == 5 {
            run.waits.push(ssh.wait());
            a.input(now);
            write(a, ssh, KEY_RESERVE);
        }
        let pad = a.padding(now);
        if pad > 0 {
            run.padding += pad;
            write(a, ssh, pad);
        }
        if p.level != Level::Off && p.fps > 0.0 && now >= next_frame && a.frame_fits(PANE) {
            let d = p.divisor as usize;
            let per_cell = if d == 1 { ssh.full_cell } else { 5 };
            let bytes = PANE / (d * d) * per_cell;
            write(a, ssh, bytes);
            a.frame_cost(bytes * d * d, PANE);
            next_frame = now + Duration::from_secs_f64(1.0 / p.fps);
        }
        ssh.pass(tick);
        ssh.now += tick;
        step += 1;
    }
    run
}

fn p95(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 95 / 100).min(v.len() - 1)]
}

#[test]
fn over_ssh_the_link_is_measured_behind_sshds_buffers() {
    // 64 KB/s (512 kbit/s) while we write far more: the socket's queue
    // stays short, but the client's acknowledgements tell the truth.
    let mut a = Adapter::new(30.0);
    a.force(Some(Level::Full));
    let mut ssh = Ssh::new(64_000.0);
    let mut now = Duration::ZERO;
    for _ in 0..50 {
        a.observe_link(now, &ssh.reading());
        ssh.write(20_000);
        a.observe(&drained(20_000, 80e6));
        ssh.pass(Duration::from_millis(100));
        now += Duration::from_millis(100);
    }
    a.observe_link(now, &ssh.reading());
    let r = a.link_rate().expect("a measure");
    assert!((r - 64_000.0).abs() < 6_400.0, "{r}");
    // What sshd holds is on the link's queue, so nothing more may go.
    let held = ssh.sshd + ssh.socket;
    assert!(held > 500_000.0, "{held}");
    assert!(
        (a.link_queued() as f64 - held).abs() < 2_000.0,
        "{} vs {held}",
        a.link_queued()
    );
    a.force(None);
    assert_eq!(a.budget(), 0);
    assert!(!a.frame_fits(PANE));
    // Once sshd has sent it all and nothing more was written, the two
    // sides are even again.
    while ssh.sshd + ssh.socket > 0.0 {
        ssh.pass(Duration::from_millis(100));
        now += Duration::from_millis(100);
        a.observe_link(now, &ssh.reading());
    }
    now += Duration::from_millis(400);
    a.observe_link(now, &ssh.reading());
    assert_eq!(a.link_queued(), 0);
    assert!(a.frame_fits(PANE));
}

#[test]
fn ssh_overhead_does_not_read_as_a_backlog() {
    // The wire carries a little more than we wrote (packet headers and
    // MACs): the excess never counts as held by sshd.
    let mut a = Adapter::new(30.0);
    let mut acked = 0u64;
    let mut now = Duration::ZERO;
    for _ in 0..100 {
        a.observe(&drained(10_000, 80e6));
        acked += 10_400;
        now += Duration::from_millis(50);
        a.observe_link(
            now,
            &Reading {
                queued: 0,
                acked: Some(acked),
                busy: None,
                retrans: None,
                rtt: None,
                min_rtt: None,
            },
        );
        assert_eq!(a.link_queued(), 0);
    }
}

#[test]
fn two_mbit_over_ssh_keeps_8_fps_and_keys_within_100_ms() {
    let mut a = Adapter::new(30.0);
    let mut ssh = Ssh::new(250_000.0);
    play_over(&mut a, &mut ssh, 20.0);
    let waits = play_over(&mut a, &mut ssh, 30.0);
    assert!(a.level() >= Level::LowRate, "{:?}", a.level());
    assert!(a.plan().fps >= 8.0);
    let p = p95(waits.clone());
    assert!(p < Duration::from_millis(100), "p95 {p:?}");
    let r = a.link_rate().expect("a rate");
    assert!(r <= 250_000.0 * 1.05, "link said to be {r}");
}

#[test]
fn half_a_megabit_over_ssh_goes_to_stills_and_keys_within_150_ms() {
    let mut a = Adapter::new(30.0);
    let mut ssh = Ssh::new(64_000.0);
    play_over(&mut a, &mut ssh, 20.0);
    let waits = play_over(&mut a, &mut ssh, 60.0);
    assert!(a.level() <= Level::Stills, "{:?}", a.level());
    let worst = waits.iter().max().copied().unwrap_or_default();
    assert!(worst < Duration::from_millis(150), "worst {worst:?}");
    let r = a.link_rate().expect("a rate");
    assert!(r <= 64_000.0 * 1.05, "link said to be {r}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Whatever the link's speed, what a key waits behind stays within
    /// the window plus one frame at the chosen level, after the first
    /// seconds of measuring.
    #[test]
    fn over_ssh_keys_never_wait_behind_a_backlog(rate in 20_000.0f64..2_000_000.0) {
        let mut a = Adapter::new(30.0);
        let mut ssh = Ssh::new(rate);
        play_over(&mut a, &mut ssh, 10.0);
        let waits = play_over(&mut a, &mut ssh, 20.0);
        let worst = waits.iter().max().copied().unwrap_or_default();
        // A window, one frame of the densest level, and a status redraw.
        let frame = (PANE * 5) as f64 / rate;
        let bound = BUDGET_WINDOW.as_secs_f64() * 2.0 + frame + 600.0 / rate;
        prop_assert!(worst.as_secs_f64() <= bound, "worst {worst:?} bound {bound}");
    }
}

#[test]
fn over_ssh_full_rate_comes_back_when_the_limit_is_lifted() {
    let mut a = Adapter::new(30.0);
    let mut ssh = Ssh::new(64_000.0);
    play_over(&mut a, &mut ssh, 20.0);
    assert!(a.level() <= Level::Stills, "{:?}", a.level());
    ssh.rate = 125e6;
    // The reviewer watches: a probe proves the faster link.
    let run = over_ssh(&mut a, &mut ssh, 20.0, false);
    eprintln!("full after {:?}, padding {}", run.full_after, run.padding);
    assert_eq!(a.level(), Level::Full, "link {:?}", a.link_rate());
}

#[test]
fn no_probe_while_the_reviewer_presses_keys() {
    let mut a = Adapter::new(30.0);
    let mut ssh = Ssh::shaped(64_000.0, 16_384.0);
    play_over(&mut a, &mut ssh, 10.0);
    ssh.rate = 125e6;
    let run = over_ssh(&mut a, &mut ssh, 30.0, true);
    assert_eq!(run.padding, 0, "a probe ran between keys");
    // The moment the reviewer stops, one does.
    let run = over_ssh(&mut a, &mut ssh, 3.0, false);
    assert!(run.padding > 0);
}

#[test]
fn a_shapers_burst_does_not_pass_for_a_fast_link() {
    // Settled at 512 kbit/s and 2 Mbit/s, then behind tc's 16 KB bucket
    // with the reviewer watching for a minute: probe after probe finds the
    // link as slow as it is, and no probe holds more ahead of a key than
    // the window, a frame and a probe's backlog.
    for (rate, most) in [(64_000.0, Level::Stills), (250_000.0, Level::LowRate)] {
        let mut a = Adapter::new(30.0);
        let mut ssh = Ssh::new(rate);
        play_over(&mut a, &mut ssh, 20.0);
        ssh.burst = 16_384.0;
        let run = over_ssh(&mut a, &mut ssh, 60.0, false);
        if most == Level::Stills {
            // Moving video keeps a 2 Mbit/s link measured; stills leave
            // 512 kbit/s idle, where only a probe can tell.
            assert!(run.padding > 100_000, "{} bytes of probes", run.padding);
        }
        assert!(a.level() <= most, "{:?} at {rate}", a.level());
        let shown = a.link_rate().expect("a rate");
        assert!(shown <= rate * 1.3, "link said to be {shown} at {rate}");
        let bound = BUDGET_WINDOW.as_secs_f64() + (PANE * 5 + 8_192) as f64 / rate;
        assert!(
            run.worst.as_secs_f64() <= bound,
            "worst {:?} at {rate}, bound {bound}",
            run.worst
        );
    }
}

#[test]
fn a_probe_proves_a_fast_link_within_seconds_of_the_reviewer_pausing() {
    let mut a = Adapter::new(30.0);
    let mut ssh = Ssh::new(64_000.0);
    play_over(&mut a, &mut ssh, 20.0);
    assert!(a.level() <= Level::Stills, "{:?}", a.level());
    ssh.rate = 125e6;
    ssh.burst = 1e6;
    let run = over_ssh(&mut a, &mut ssh, 20.0, false);
    let took = run.full_after.expect("full rate came back");
    // A pause of PROBE_IDLE, a probe's wait after the last measure, and
    // the probe itself.
    assert!(
        took <= PROBE_IDLE + PROBE_AFTER_MAX + Duration::from_secs(1),
        "{took:?}"
    );
    assert!(
        a.link_rate().is_some_and(|r| r > 500_000.0),
        "{:?}",
        a.link_rate()
    );
}

#[test]
fn a_level_that_keeps_failing_is_tried_less_and_less_often() {
    // Full-size frames cost twice what the quarter-size ones predict (the
    // rig's picture at 2 Mbit/s): each try at the lower rate saturates the
    // link and is undone. Tried every RECOVER_AFTER, the picture would
    // change size every few seconds.
    let mut a = Adapter::new(30.0);
    let mut ssh = Ssh::new(180_000.0);
    ssh.full_cell = 10;
    play_over(&mut a, &mut ssh, 10.0);
    let run = over_ssh(&mut a, &mut ssh, 60.0, true);
    assert!(
        run.changes <= 10,
        "{} level changes in a minute",
        run.changes
    );
    assert!(a.level() >= Level::LowRes, "{:?}", a.level());
}
