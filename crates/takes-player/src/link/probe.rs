//! Measures the link to the terminal end to end, the way only the terminal
//! can answer: a cursor-position query (`ESC[6n`) alone gives the round
//! trip; the same query after a burst of invisible bytes gives how fast the
//! burst drained. Over SSH the pty drains into the channel's window at
//! once, so write times alone say nothing until megabytes are queued.
//!
//! Needs raw mode and a terminal on stdin, and must run before anything
//! else reads stdin (the event task).

use std::io::Write;
use std::time::{Duration, Instant};

/// Bytes of the burst: long enough to time past the bursts shapers and
/// buffers let through at once (a token bucket of 16 KB is common), short
/// enough not to delay start-up much (a second at 512 kbit/s).
pub const BURST: usize = 64 * 1024;

/// What the terminal's answers showed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkProbe {
    pub rtt: Duration,
    /// Bytes/s the burst drained at; `None` if the terminal did not answer
    /// after it within the timeout.
    pub bytes_per_s: Option<f64>,
}

/// Whether `got` holds a cursor position report, `ESC [ row ; col R`.
pub fn has_cpr(got: &[u8]) -> bool {
    got.windows(2).enumerate().any(|(i, w)| {
        w == b"\x1b[" && {
            let rest = &got[i + 2..];
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b';'));
            matches!(end, Some(e) if e > 0 && rest[e] == b'R' && rest[..e].contains(&b';'))
        }
    })
}

/// Bytes/s of a burst of `bytes` answered `total` after it was sent, on a
/// link whose bare round trip is `rtt`.
pub fn throughput(bytes: usize, rtt: Duration, total: Duration) -> f64 {
    let drain = total.saturating_sub(rtt).max(Duration::from_millis(1));
    bytes as f64 / drain.as_secs_f64()
}

/// The burst: SGR resets, which change nothing on screen.
pub fn burst(bytes: usize) -> Vec<u8> {
    b"\x1b[0m"
        .iter()
        .copied()
        .cycle()
        .take(bytes / 4 * 4)
        .collect()
}

/// Round trip and throughput to the terminal on stdin/stdout.
pub fn measure(timeout: Duration) -> Option<LinkProbe> {
    if !rustix::termios::isatty(rustix::stdio::stdin()) {
        return None;
    }
    let rtt = query(&[], timeout)?;
    let total = query(&burst(BURST), timeout.max(Duration::from_secs(2)));
    Some(LinkProbe {
        rtt,
        bytes_per_s: total.map(|t| throughput(BURST, rtt, t)),
    })
}

fn query(before: &[u8], timeout: Duration) -> Option<Duration> {
    use rustix::event::{poll, PollFd, PollFlags};
    let mut out = std::io::stdout();
    let t0 = Instant::now();
    out.write_all(before).ok()?;
    out.write_all(b"\x1b[6n").ok()?;
    out.flush().ok()?;
    let stdin = rustix::stdio::stdin();
    let deadline = t0 + timeout;
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !has_cpr(&got) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let ts = rustix::event::Timespec::try_from(left).ok()?;
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        match poll(&mut fds, Some(&ts)) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return None,
        }
        let n = rustix::io::read(stdin, &mut buf).ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
    }
    Some(t0.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_reports_are_recognised() {
        assert!(has_cpr(b"\x1b[24;80R"));
        assert!(has_cpr(b"x\x1b[1;1R"));
        assert!(!has_cpr(b"\x1b[24;80"));
        assert!(!has_cpr(b"\x1b[R"));
        // F3 with modifiers is `ESC [ 1 ; 2 R` too; a probe runs before
        // keys are read, so that ambiguity does not arise.
        assert!(!has_cpr(b"\x1b[0n"));
    }

    #[test]
    fn throughput_discounts_the_round_trip() {
        let r = throughput(
            16_384,
            Duration::from_millis(40),
            Duration::from_millis(104),
        );
        assert!((r - 256_000.0).abs() < 1.0, "{r}");
        assert!(throughput(100, Duration::from_millis(50), Duration::from_millis(10)) > 0.0);
    }

    #[test]
    fn the_burst_is_invisible() {
        let b = burst(BURST);
        assert_eq!(b.len(), BURST);
        assert!(b.chunks(4).all(|c| c == b"\x1b[0m"));
    }
}
