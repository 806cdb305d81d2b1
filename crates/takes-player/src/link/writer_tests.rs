use super::*;
use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A pipe whose reader drains `rate` bytes/s, recording when each byte
/// arrived. The pipe holds one page, so writes block like a slow link's.
struct SlowLink {
    writer: Option<File>,
    got: Arc<Mutex<Vec<(Instant, u8)>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl SlowLink {
    fn new(rate: usize) -> SlowLink {
        let (r, w) = rustix::pipe::pipe().expect("pipe");
        let _ = rustix::pipe::fcntl_setpipe_size(&w, 4096);
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let reader = std::thread::spawn(move || {
            let mut r = File::from(r);
            let chunk = (rate / 100).max(1);
            let mut buf = vec![0u8; chunk];
            loop {
                let t = Instant::now();
                match r.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        let now = Instant::now();
                        g.lock()
                            .expect("lock")
                            .extend(buf[..n].iter().map(|b| (now, *b)));
                        // Hold the pace: n bytes at `rate`.
                        let due = Duration::from_secs_f64(n as f64 / rate as f64);
                        if let Some(rest) = due.checked_sub(t.elapsed()) {
                            std::thread::sleep(rest);
                        }
                    }
                }
            }
        });
        SlowLink {
            writer: Some(File::from(w)),
            got,
            reader: Some(reader),
        }
    }

    fn sink(&mut self) -> Plain<File> {
        Plain(self.writer.take().expect("one sink"))
    }

    fn finish(mut self) -> Vec<(Instant, u8)> {
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        std::mem::take(&mut *self.got.lock().expect("lock"))
    }
}

fn draw(w: &mut LinkWriter, class: Class, bytes: &[u8]) {
    w.set_class(class);
    w.write_all(bytes).expect("buffer");
    w.flush().expect("submit");
}

#[test]
fn a_ui_draw_reaches_the_sink_before_further_video() {
    let mut link = SlowLink::new(200_000);
    let mut w = LinkWriter::start(link.sink(), || {});
    // A 40 KB video frame: 200 ms on this link.
    draw(&mut w, Class::Video, &[b'v'; 40_000]);
    assert!(!w.video_ready(), "a frame is being written");
    std::thread::sleep(Duration::from_millis(20));
    let key_at = Instant::now();
    draw(&mut w, Class::Ui, b"K");
    // The loop's next frame waits for the writer to be idle.
    while !w.video_ready() {
        std::thread::sleep(Duration::from_millis(1));
    }
    draw(&mut w, Class::Video, &[b'w'; 40_000]);
    drop(w);
    let got = link.finish();
    let k = got
        .iter()
        .position(|(_, b)| *b == b'K')
        .expect("the key arrived");
    let first_w = got
        .iter()
        .position(|(_, b)| *b == b'w')
        .expect("frame 2 arrived");
    assert!(k < first_w, "the UI draw came after the next video frame");
    assert_eq!(got.iter().filter(|(_, b)| *b == b'v').count(), 40_000);
    assert!(
        got[..k].iter().all(|(_, b)| *b == b'v'),
        "only the frame already in flight is ahead of the key"
    );
    let waited = got[k].0.duration_since(key_at);
    assert!(waited < Duration::from_millis(400), "key waited {waited:?}");
}

/// A busy 30 fps picture and keys at random moments over a 200 KB/s link:
/// no key waits for more than the one frame in flight, however long it runs.
#[test]
fn no_key_waits_behind_a_queue_of_frames() {
    let rate = 200_000;
    let frame = 12_000; // 60 ms at this rate: less than the 100 ms budget
    let mut link = SlowLink::new(rate);
    let idle = Arc::new(AtomicBool::new(false));
    let i = idle.clone();
    let mut w = LinkWriter::start(link.sink(), move || i.store(true, Ordering::SeqCst));
    let start = Instant::now();
    let mut keys = Vec::new();
    let mut next_frame = start;
    let mut next_key = start + Duration::from_millis(37);
    let mut frames = 0;
    let mut held_back = 0;
    while start.elapsed() < Duration::from_secs(3) {
        let now = Instant::now();
        if now >= next_key {
            let id = b'A' + keys.len() as u8 % 26;
            draw(&mut w, Class::Ui, &[id]);
            keys.push((now, id));
            next_key = now + Duration::from_millis(53 + (keys.len() as u64 * 17) % 90);
        }
        if now >= next_frame {
            if w.video_ready() {
                draw(&mut w, Class::Video, &vec![b'.'; frame]);
                frames += 1;
            } else {
                held_back += 1;
            }
            next_frame = now + Duration::from_millis(33);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(w);
    let got = link.finish();
    assert!(keys.len() >= 30, "{} keys", keys.len());
    assert!(
        held_back > 0,
        "the link is slower than the video: frames were held back"
    );
    assert!(frames >= 20, "video still flows: {frames} frames in 3 s");
    assert!(
        idle.load(Ordering::SeqCst),
        "the loop is told when the writer is idle"
    );
    let mut seen = got.iter().filter(|(_, b)| *b != b'.');
    let one_frame = Duration::from_secs_f64(frame as f64 / rate as f64);
    for (sent, id) in &keys {
        let (at, b) = seen.next().expect("no key is lost");
        assert_eq!(b, id, "keys arrive in order");
        let waited = at.duration_since(*sent);
        // One frame in flight, the pipe's page, and scheduling slack.
        assert!(
            waited < one_frame + Duration::from_millis(80),
            "a key waited {waited:?} (one frame drains in {one_frame:?})"
        );
    }
}

#[test]
fn samples_measure_the_drain_rate() {
    let mut link = SlowLink::new(100_000);
    let mut w = LinkWriter::start(link.sink(), || {});
    draw(&mut w, Class::Video, &[0u8; 30_000]);
    w.wait_idle();
    let samples = w.take_samples();
    assert_eq!(samples.len(), 1);
    let (class, s) = samples[0];
    assert_eq!(class, Class::Video);
    let (rate, measured) = super::super::adapt::sample_rate(&s);
    assert!(measured, "a 300 ms write waited for the link");
    // The pipe's page is absorbed at once, so the figure is a bit high.
    assert!((80_000.0..140_000.0).contains(&rate), "{rate} bytes/s");
    assert_eq!(w.written(), (0, 30_000));
    drop(w);
    link.finish();
}

#[test]
fn outq_of_a_pipe_is_not_a_tty_queue() {
    let (_r, w) = rustix::pipe::pipe().expect("pipe");
    // TIOCOUTQ is a tty ioctl: a pipe says nothing, it must not pretend 0.
    assert_eq!(outq(&w), None);
}

#[test]
fn an_empty_redraw_is_not_sent() {
    let empty = b"\x1b[?2026h\x1b[39m\x1b[49m\x1b[59m\x1b[0m\x1b[?25l\x1b[?2026l";
    assert!(is_noop(empty, false));
    // Hiding a visible cursor changes the screen; so does any text.
    assert!(!is_noop(empty, true));
    assert!(!is_noop(
        b"\x1b[?2026h\x1b[28;18H5\x1b[0m\x1b[?2026l",
        false
    ));
    assert!(!is_noop(b"\x1b[?2026h\x1b[38;2;1;2;3m\x1b[?2026l", false));
    assert!(is_noop(b"", true));
}

#[test]
fn an_empty_redraw_submits_nothing_but_a_real_one_does() {
    let mut w = LinkWriter::start(Plain(std::io::sink()), || {});
    // The cursor starts visible: hiding it is a change.
    draw(&mut w, Class::Ui, b"\x1b[?2026h\x1b[0m\x1b[?25l\x1b[?2026l");
    let after_hide = w.submitted();
    assert!(after_hide > 0);
    draw(
        &mut w,
        Class::Ui,
        b"\x1b[?2026h\x1b[39m\x1b[0m\x1b[?25l\x1b[?2026l",
    );
    assert_eq!(w.submitted(), after_hide, "an empty redraw is not sent");
    draw(
        &mut w,
        Class::Video,
        b"\x1b[?2026h\x1b[3;4Hx\x1b[0m\x1b[?25l\x1b[?2026l",
    );
    assert!(w.submitted() > after_hide);
    w.wait_idle();
}

#[test]
fn padding_goes_out_whole_between_draws_and_changes_nothing() {
    let mut link = SlowLink::new(2_000_000);
    let mut w = LinkWriter::start(link.sink(), || {});
    draw(&mut w, Class::Ui, b"\x1b[1;1Hfirst");
    let before = w.submitted();
    w.pad(4_096);
    w.pad(0);
    // A redraw of nothing but resets is dropped; padding is not.
    assert_eq!(w.submitted(), before + 4_096);
    draw(&mut w, Class::Ui, b"\x1b[1;1Hsecond");
    drop(w);
    let got: Vec<u8> = link.finish().into_iter().map(|(_, b)| b).collect();
    let text = String::from_utf8(got).expect("utf-8");
    let pad = "\x1b[0m".repeat(1_024);
    assert_eq!(text, format!("\x1b[1;1Hfirst{pad}\x1b[1;1Hsecond"));
    assert!(is_noop(pad.as_bytes(), true), "padding draws nothing");
}
