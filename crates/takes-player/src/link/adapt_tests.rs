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

#[test]
fn after_a_key_the_link_is_not_probed_and_the_level_does_not_rise() {
    let mut a = Adapter::new(30.0);
    let t = run(&mut a, Duration::ZERO, 5.0, 30_000.0);
    assert_eq!(a.level(), Level::Off);
    let rate = a.rate();
    // Keys every second: the link recovered, but nothing is tried while
    // the reviewer acts (no upward probe, no step up).
    a.observe(&drained(1_000_000, 50e6));
    let mut now = t;
    for _ in 0..20 {
        a.key(now);
        now += Duration::from_secs(1);
        a.evaluate(now, CELLS);
        assert_eq!(a.level(), Level::Off, "at {now:?}");
    }
    assert!(a.rate() >= rate);
    // Quiet again: recovery goes on.
    run(&mut a, now, 45.0, 50e6);
    assert_eq!(a.level(), Level::Full);
}

#[test]
fn no_probe_doubles_the_rate_within_the_quiet_after_a_key() {
    let mut a = Adapter::new(30.0);
    a.observe(&drained(25_000, 10_000.0));
    a.evaluate(Duration::ZERO, CELLS);
    let r0 = a.rate().expect("measured");
    let mut now = Duration::ZERO;
    a.key(now);
    while now < KEY_QUIET - Duration::from_millis(100) {
        now += Duration::from_millis(100);
        a.evaluate(now, CELLS);
        assert_eq!(a.rate(), Some(r0), "probed at {now:?}");
    }
    a.evaluate(KEY_QUIET + PROBE_AFTER * 2, CELLS);
    assert!(
        a.rate().expect("rate") > r0,
        "probing resumes after the quiet"
    );
}

#[test]
fn video_waits_while_the_connection_holds_more_than_the_queue_window() {
    let mut a = Adapter::new(30.0);
    assert!(
        a.video_may_go(),
        "no connection in view: the writer gates alone"
    );
    a.observe(&drained(25_000, 250_000.0));
    a.observe_link(Duration::ZERO, 20_000);
    assert!(!a.video_may_go());
    a.observe_link(Duration::from_millis(50), 4_000);
    assert!(a.video_may_go());
    assert!(!queue_clear(1, None));
    assert!(queue_clear(0, None));
}

proptest! {
    /// A key's answer waits behind at most what the queue gate lets stand
    /// plus one frame within the budget: under QUEUE_WINDOW + BUDGET_WINDOW
    /// of the link.
    #[test]
    fn a_key_waits_behind_at_most_one_frame(
        rate in 1_000.0f64..10e6,
        queued in 0usize..2_000_000,
    ) {
        let mut a = Adapter::new(30.0);
        a.observe(&drained(((rate * 0.2) as usize).max(2_048), rate));
        a.observe_link(Duration::ZERO, queued);
        if a.video_may_go() {
            let r = a.rate().expect("measured");
            let behind = queued + a.budget();
            let most = r * (QUEUE_WINDOW + BUDGET_WINDOW).as_secs_f64() + 1.0;
            prop_assert!((behind as f64) <= most, "{behind} > {most}");
        }
    }

    #[test]
    fn the_queue_gate_is_monotone(q1 in 0usize..1_000_000, q2 in 0usize..1_000_000, r in 1.0f64..1e8) {
        let (lo, hi) = (q1.min(q2), q1.max(q2));
        prop_assert!(!queue_clear(hi, Some(r)) || queue_clear(lo, Some(r)));
    }
}

/// Over SSH with the queue gate: a link of `rate` bytes/s behind sshd,
/// the start-up probe believing `ceiling`; video frames go whenever the
/// gate allows, the connection's queue read every 15 ms.
/// Returns the share of the time spent above stills and the lowest rate
/// believed.
fn gated(a: &mut Adapter, rate: f64, secs: f64) -> (f64, f64) {
    let (mut above, mut evals, mut lowest) = (0u32, 0u32, f64::MAX);
    let step = Duration::from_millis(15);
    let mut now = Duration::ZERO;
    let mut queue = 0.0f64;
    let mut next_frame = Duration::ZERO;
    while now < Duration::from_secs_f64(secs) {
        queue = (queue - rate * step.as_secs_f64()).max(0.0);
        a.observe_link(now, queue as usize);
        let p = a.plan();
        if p.level != Level::Off && now >= next_frame && a.video_may_go() {
            let d = p.divisor as usize;
            let bytes = CELLS / (d * d) * 5;
            // The pty drains into sshd at once.
            a.observe(&Sample {
                bytes,
                took: Duration::from_micros(200),
                queued: Some(0),
            });
            a.frame_cost(bytes * d * d, CELLS);
            queue += bytes as f64;
            next_frame = now + Duration::from_secs_f64(1.0 / p.fps.max(0.01));
        }
        if now.as_millis() % 100 < 15 {
            a.evaluate(now, CELLS);
            evals += 1;
            above += u32::from(a.level() > Level::Stills);
            lowest = lowest.min(a.rate().unwrap_or(f64::MAX));
        }
        now += step;
    }
    (f64::from(above) / f64::from(evals.max(1)), lowest)
}

#[test]
fn a_gated_link_is_measured_down_from_an_optimistic_start_up_probe() {
    let mut a = Adapter::new(30.0);
    a.set_ceiling(Some(160_000.0));
    a.observe(&drained(64 * 1024, 20e6));
    let (above, lowest) = gated(&mut a, 64_000.0, 30.0);
    assert!(lowest < 80_000.0, "measured down to the link: {lowest}");
    // Probes for more still happen now and then, ever more rarely.
    assert!(
        above < 0.35,
        "above stills {above:.2} of the time at 512 kbit/s"
    );
}

#[test]
fn a_gated_2_mbit_link_keeps_a_picture() {
    let mut a = Adapter::new(30.0);
    a.set_ceiling(Some(300_000.0));
    a.observe(&drained(64 * 1024, 20e6));
    let (above, lowest) = gated(&mut a, 250_000.0, 20.0);
    assert!(
        lowest > 150_000.0,
        "not measured far below the link: {lowest}"
    );
    assert!(above > 0.5, "a moving picture most of the time: {above:.2}");
}

#[test]
fn busy_share_is_a_share() {
    let ms = Duration::from_millis;
    assert_eq!(busy_share(ms(0), ms(0)), 0.0);
    assert!((busy_share(ms(300), ms(400)) - 0.75).abs() < 1e-9);
    assert_eq!(busy_share(ms(900), ms(400)), 1.0);
}

#[test]
fn a_keys_answer_must_fit_beside_a_frame() {
    assert!(frame_fits(4_000.0, 2_000.0, 6_400.0));
    assert!(!frame_fits(4_700.0, 4_000.0, 6_400.0));
    // At 512 kbit/s a 4 KB answer to a key leaves no room for the
    // lower-resolution picture: stills or off.
    let mut a = Adapter::new(30.0);
    a.observe(&drained(25_000, 64_000.0));
    a.frame_cost(CELLS * 3, CELLS);
    a.ui_draw(4_000);
    assert!(a.fitting(CELLS, VIDEO_SHARE) <= Level::Stills);
    // At 2 Mbit/s it does.
    let mut b = Adapter::new(30.0);
    b.observe(&drained(25_000, 250_000.0));
    b.frame_cost(CELLS * 3, CELLS);
    b.ui_draw(4_000);
    assert!(b.fitting(CELLS, VIDEO_SHARE) >= Level::LowRes);
}
