//! Real media decoded by real libmpv (`ao=null`). Fixtures are generated
//! with ffmpeg by scripts/make-fixtures.sh into cargo's test temp dir.
#![cfg(feature = "mpv")]

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use takes_player::halfblock::HalfblockEncoder;
use takes_player::{ColorDepth, Player, PlayerConfig, PlayerEvent};

fn fixtures() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("player-fixtures");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/make-fixtures.sh");
        let st = std::process::Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .status()
            .expect("run make-fixtures.sh (needs ffmpeg)");
        assert!(st.success(), "make-fixtures.sh failed");
        dir
    })
    .clone()
}

fn fixture(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

fn start(config: PlayerConfig) -> (Player, Receiver<PlayerEvent>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let player = Player::start(config, move |ev| {
        if let Ok(tx) = tx.lock() {
            let _ = tx.send(ev);
        }
    })
    .expect("libmpv starts");
    (player, rx)
}

fn quiet() -> PlayerConfig {
    PlayerConfig {
        audio: false,
        ..PlayerConfig::default()
    }
}

/// Waits for the first event `f` accepts.
fn wait_for<T>(
    rx: &Receiver<PlayerEvent>,
    timeout: Duration,
    mut f: impl FnMut(&PlayerEvent) -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(ev) => {
                if let Some(t) = f(&ev) {
                    return t;
                }
                if seen.len() < 40 {
                    seen.push(ev);
                }
            }
            Err(e) => panic!("timed out ({e}); events seen: {seen:?}"),
        }
    }
}

#[test]
fn frames_arrive_and_a_red_clip_renders_red_cells() {
    let (player, rx) = start(quiet());
    player.set_render_size(16, 8);
    player.load(&fixture("red.mp4"));
    wait_for(&rx, Duration::from_secs(10), |e| {
        (*e == PlayerEvent::Frame).then_some(())
    });
    let frame = player
        .latest_frame()
        .expect("a frame after the Frame event");
    assert_eq!(
        (frame.width, frame.height),
        (16, 8),
        "rendered at the asked size"
    );
    // The clip is 5:3 and the target 2:1, so mpv adds bars left and right:
    // the centre is red, H.264's limited range gives about (254, 0, 0).
    let [r, g, b] = frame.pixel(8, 4);
    assert!(r > 230 && g < 30 && b < 30, "centre pixel {:?}", [r, g, b]);
    let mut enc = HalfblockEncoder::new(ColorDepth::TrueColor, 3);
    enc.update(&frame, 16, 4);
    let cell = enc.cell(8, 2).expect("cell");
    for px in [cell.top, cell.bottom] {
        assert!(px[0] > 230 && px[1] < 30 && px[2] < 30, "cell {cell:?}");
    }
}

#[test]
fn render_size_change_re_renders_the_current_frame() {
    let mut cfg = quiet();
    cfg.start_paused = true;
    let (player, rx) = start(cfg);
    player.set_render_size(20, 12);
    player.load(&fixture("moving.mp4"));
    wait_for(&rx, Duration::from_secs(10), |e| {
        (*e == PlayerEvent::Frame).then_some(())
    });
    assert_eq!(player.latest_frame().map(|f| f.width), Some(20));
    // Paused: only the resize can produce a frame of the new size. Like a
    // UI, fetch on every Frame event until it shows up.
    player.set_render_size(40, 24);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut size = (0, 0);
    while size != (40, 24) && Instant::now() < deadline {
        if let Ok(PlayerEvent::Frame) = rx.recv_timeout(Duration::from_millis(200)) {
            size = player
                .latest_frame()
                .map(|f| (f.width, f.height))
                .unwrap_or_default();
        }
    }
    assert_eq!(size, (40, 24));
}

#[test]
fn seeking_lands_within_half_a_second() {
    let mut cfg = quiet();
    cfg.start_paused = true;
    let (player, rx) = start(cfg);
    player.set_render_size(16, 10);
    player.load(&fixture("moving.mp4"));
    wait_for(&rx, Duration::from_secs(10), |e| {
        matches!(e, PlayerEvent::Duration(_)).then_some(())
    });
    let mut landed = 0.0;
    for (target, relative) in [(3.7, false), (1.7, true), (-1.0, true)] {
        // Relative seeks count from where the previous seek landed.
        let expected = if relative { landed + target } else { target };
        if relative {
            player.seek_relative(target);
        } else {
            player.seek_to(target);
        }
        let pos = position_after_seek(&rx);
        assert!(
            (pos - expected).abs() < 0.5,
            "seek to {expected:.2} landed at {pos:.2}"
        );
        landed = pos;
    }
}

/// Collects events until the seek finished and events went quiet; returns
/// the last position reported (it may come before or after `SeekDone`).
fn position_after_seek(rx: &Receiver<PlayerEvent>) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut pos = None;
    let mut done = false;
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(300)) {
            Ok(PlayerEvent::Position { time_s, .. }) => pos = Some(time_s),
            Ok(PlayerEvent::SeekDone) => done = true,
            Ok(_) => {}
            Err(_) if done => break,
            Err(_) => {}
        }
    }
    assert!(done, "seek finished");
    pos.expect("a position event")
}

#[test]
fn speed_changes_and_playback_goes_faster() {
    let (player, rx) = start(quiet());
    player.set_render_size(16, 10);
    player.load(&fixture("moving.mp4"));
    wait_for(&rx, Duration::from_secs(10), |e| {
        (*e == PlayerEvent::Frame).then_some(())
    });
    player.speed_step(1);
    let s = wait_for(&rx, Duration::from_secs(5), |e| match e {
        PlayerEvent::Speed(s) => Some(*s),
        _ => None,
    });
    assert_eq!(s, 1.25);
    player.set_speed(2.0);
    wait_for(&rx, Duration::from_secs(5), |e| {
        (*e == PlayerEvent::Speed(2.0)).then_some(())
    });
    // Media time now runs about twice as fast as the wall clock.
    let t0 = Instant::now();
    let p0 = wait_for(&rx, Duration::from_secs(5), |e| match e {
        PlayerEvent::Position { time_s, .. } => Some(*time_s),
        _ => None,
    });
    let mut p1 = p0;
    while t0.elapsed() < Duration::from_millis(1200) {
        if let Ok(PlayerEvent::Position { time_s, .. }) =
            rx.recv_timeout(Duration::from_millis(200))
        {
            p1 = time_s;
        }
    }
    let ratio = (p1 - p0) / t0.elapsed().as_secs_f64();
    assert!(ratio > 1.5, "media/wall ratio {ratio:.2} at speed 2");
    assert_eq!(takes_player::step_speed(2.0, 1), 2.0, "clamped at 2.0");
    assert_eq!(takes_player::step_speed(0.5, -3), 0.5, "clamped at 0.5");
}

#[test]
fn end_of_file_is_reported() {
    let (player, rx) = start(quiet());
    player.set_render_size(16, 10);
    player.load(&fixture("red.mp4"));
    wait_for(&rx, Duration::from_secs(10), |e| {
        (*e == PlayerEvent::EndOfFile).then_some(())
    });
    let (decoded, _) = player.frame_counts();
    assert!(decoded >= 5, "decoded {decoded} frames of a 30-frame clip");
}

#[test]
fn missing_and_corrupt_files_are_errors_not_panics() {
    let (player, rx) = start(quiet());
    player.set_render_size(16, 10);
    player.load("/nonexistent/takes-missing.mp4");
    let e = wait_for(&rx, Duration::from_secs(10), |e| match e {
        PlayerEvent::Error(s) => Some(s.clone()),
        _ => None,
    });
    assert!(!e.is_empty());
    player.load(&fixture("corrupt.mp4"));
    wait_for(&rx, Duration::from_secs(10), |e| {
        matches!(e, PlayerEvent::Error(_)).then_some(())
    });
    // The player still works afterwards.
    player.load(&fixture("red.mp4"));
    wait_for(&rx, Duration::from_secs(10), |e| {
        (*e == PlayerEvent::Frame).then_some(())
    });
}

/// A minimal HTTP server with Range support that insists on a bearer token.
fn serve(path: String, token: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/v1/media/r1",
        listener.local_addr().expect("addr")
    );
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        let body = std::fs::read(&path).expect("fixture");
        for stream in listener.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut auth = false;
            let mut range: Option<(usize, Option<usize>)> = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("authorization:") && line.contains(&format!("Bearer {token}"))
                {
                    auth = true;
                }
                if let Some(r) = lower.strip_prefix("range: bytes=") {
                    let mut it = r.trim().splitn(2, '-');
                    let a = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                    let b = it.next().and_then(|s| s.trim().parse().ok());
                    range = Some((a, b));
                }
            }
            log2.lock()
                .expect("log")
                .push(format!("auth={auth} range={range:?}"));
            if !auth {
                let _ = stream.write_all(
                    b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            }
            let len = body.len();
            let (start, end) = match range {
                Some((a, b)) => (a.min(len), b.map(|b| b + 1).unwrap_or(len).min(len)),
                None => (0, len),
            };
            let head = if range.is_some() {
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{len}\r\n",
                    end.saturating_sub(1)
                )
            } else {
                "HTTP/1.1 200 OK\r\n".to_string()
            };
            let _ = stream.write_all(
                format!("{head}Accept-Ranges: bytes\r\nContent-Type: video/mp4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", end - start).as_bytes(),
            );
            let _ = stream.write_all(&body[start..end]);
        }
    });
    (url, log)
}

#[test]
fn streams_over_http_with_the_bearer_token_and_prefetches_the_next() {
    let (url, log) = serve(fixture("moving.mp4"), "s3cret");
    let (url2, log2) = serve(fixture("red.mp4"), "s3cret");
    let (player, rx) = start(quiet().with_bearer("s3cret"));
    player.set_render_size(16, 10);
    player.load(&url);
    wait_for(&rx, Duration::from_secs(10), |e| {
        (*e == PlayerEvent::Frame).then_some(())
    });
    // Fetching the frame re-arms the Frame notification.
    assert!(player.latest_frame().is_some());
    assert!(
        log.lock()
            .expect("log")
            .iter()
            .all(|l| l.starts_with("auth=true")),
        "every request carried the token: {:?}",
        log.lock().expect("log")
    );
    player.prefetch(&url2);
    // The prefetch opens the next stream in the background, before `load`.
    let deadline = Instant::now() + Duration::from_secs(10);
    while log2.lock().expect("log").is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !log2.lock().expect("log").is_empty(),
        "next response was prefetched"
    );
    player.load(&url2);
    wait_for(&rx, Duration::from_secs(10), |e| {
        (*e == PlayerEvent::Loaded).then_some(())
    });
    // Frames of the first clip may still be in flight: fetch until red.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut px = [0, 0, 0];
    while !(px[0] > 200 && px[1] < 40) && Instant::now() < deadline {
        if let Some(f) = player.latest_frame() {
            px = f.pixel(8, 5);
        }
        let _ = rx.recv_timeout(Duration::from_millis(100));
    }
    assert!(
        px[0] > 200 && px[1] < 40,
        "now showing the red clip: {px:?}"
    );
}

#[test]
fn unauthorised_stream_is_an_error() {
    let (url, _log) = serve(fixture("red.mp4"), "s3cret");
    let (player, rx) = start(quiet().with_bearer("wrong"));
    player.load(&url);
    wait_for(&rx, Duration::from_secs(10), |e| {
        matches!(e, PlayerEvent::Error(_)).then_some(())
    });
}
