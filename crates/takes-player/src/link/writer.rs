//! The terminal writer: a thread that owns the terminal's output, so the
//! event loop never blocks on a slow link, measures how fast each write
//! drains, and keeps video from queuing ahead of the reviewer's input.
//!
//! The rule: video goes out only when nothing is queued or being written
//! ([`LinkWriter::video_ready`]), so at most one video frame (sized to the
//! budget by the adapter) is ever ahead of a UI draw. UI draws are never
//! held back; several that arrive while a write is in flight go out as one.
//! Frames are never dropped once drawn: ratatui diffs against what it last
//! drew, so the bytes must reach the terminal; video is held back *before*
//! it is drawn instead.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use super::adapt::Sample;

/// Past this many queued bytes a flush waits, as a blocking write would:
/// without adaptation (`TAKES_VIDEO_ADAPT=0`) video outruns a slow link,
/// and the queue must not grow without bound.
pub const MAX_PENDING: usize = 1024 * 1024;

/// What a flushed draw carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The reviewer's input or anything but a new video frame.
    Ui,
    /// A draw whose only news is a video frame.
    Video,
}

/// Where the bytes go: a terminal, or a pipe in tests.
pub trait Sink: Write + Send + 'static {
    /// Bytes written but not yet sent on (the pty's `TIOCOUTQ`), if known.
    fn queued(&self) -> Option<usize> {
        None
    }
}

/// The process's stdout, with its pty output queue where Linux exposes it.
pub struct Stdout(io::Stdout);

impl Stdout {
    pub fn new() -> Stdout {
        Stdout(io::stdout())
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Self::new()
    }
}

impl Write for Stdout {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.write(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Sink for Stdout {
    fn queued(&self) -> Option<usize> {
        outq(rustix::stdio::stdout())
    }
}

/// Any writer, queue unknown.
pub struct Plain<W>(pub W);

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.write(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write + Send + 'static> Sink for Plain<W> {}

/// The bytes in a tty's output queue (`TIOCOUTQ`); `None` where the
/// platform does not say or `fd` is no tty.
#[allow(unused_variables)]
pub fn outq(fd: impl rustix::fd::AsFd) -> Option<usize> {
    #[cfg(all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "x86",
            target_arch = "aarch64",
            target_arch = "arm",
            target_arch = "riscv64"
        )
    ))]
    {
        const TIOCOUTQ: rustix::ioctl::Opcode = 0x5411;
        // SAFETY: TIOCOUTQ writes one c_int, which is what Getter provides.
        let n = unsafe {
            rustix::ioctl::ioctl(
                fd,
                rustix::ioctl::Getter::<TIOCOUTQ, std::ffi::c_int>::new(),
            )
        };
        n.ok().and_then(|n| usize::try_from(n).ok())
    }
    #[cfg(not(all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "x86",
            target_arch = "aarch64",
            target_arch = "arm",
            target_arch = "riscv64"
        )
    )))]
    {
        None
    }
}

#[derive(Default)]
struct State {
    pending: Vec<u8>,
    pending_class: Option<Class>,
    in_flight: bool,
    closed: bool,
    samples: Vec<(Class, Sample)>,
    error: Option<String>,
    /// Bytes the sink has taken, by class (for figures).
    written_ui: u64,
    written_video: u64,
}

struct Shared {
    state: Mutex<State>,
    cv: Condvar,
    on_idle: Box<dyn Fn() + Send + Sync>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock left plain data behind; keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The `Write` ratatui's backend draws into. Bytes collect until `flush`,
/// which hands them to the writer thread as one draw of the class set on
/// its [`LinkHandle`] (reachable while the backend owns the writer).
pub struct LinkWriter {
    buf: Vec<u8>,
    /// The cursor's visibility as last submitted (`?25h`/`?25l`).
    cursor_visible: bool,
    handle: LinkHandle,
    thread: Option<JoinHandle<()>>,
}

/// Controls and figures of a [`LinkWriter`], shared with the event loop.
#[derive(Clone)]
pub struct LinkHandle {
    shared: Arc<Shared>,
    ctl: Arc<Control>,
}

#[derive(Default)]
struct Control {
    video: AtomicBool,
    /// While set, `flush` keeps collecting (one draw is one submission).
    hold: AtomicBool,
    submitted: AtomicU64,
    running: AtomicBool,
}

impl std::ops::Deref for LinkWriter {
    type Target = LinkHandle;
    fn deref(&self) -> &LinkHandle {
        &self.handle
    }
}

impl LinkWriter {
    /// Starts the writer thread on `sink`. `on_idle` is called (from that
    /// thread) whenever it has written everything, so the event loop can
    /// draw the frame it held back.
    pub fn start(sink: impl Sink, on_idle: impl Fn() + Send + Sync + 'static) -> LinkWriter {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            cv: Condvar::new(),
            on_idle: Box::new(on_idle),
        });
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("takes-term-writer".into())
            .spawn(move || writer_loop(sink, &s))
            .ok();
        let ctl = Arc::new(Control::default());
        ctl.running.store(thread.is_some(), Ordering::SeqCst);
        LinkWriter {
            buf: Vec::with_capacity(64 * 1024),
            cursor_visible: true,
            handle: LinkHandle { shared, ctl },
            thread,
        }
    }

    pub fn handle(&self) -> LinkHandle {
        self.handle.clone()
    }

    fn submit(&mut self) -> io::Result<()> {
        // A redraw whose diff was empty still writes colour resets,
        // cursor hiding and the synchronized-update brackets: over SSH each
        // is a packet, dozens a second while a held-back picture waits.
        if self.buf.is_empty() || is_noop(&self.buf, self.cursor_visible) {
            self.buf.clear();
            return Ok(());
        }
        if self.thread.is_none() {
            return Err(io::Error::other("the terminal writer thread did not start"));
        }
        let class = self.handle.class();
        let shared = &self.handle.shared;
        let mut st = shared.lock();
        while st.pending.len() > MAX_PENDING && st.error.is_none() {
            st = shared.cv.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        if let Some(e) = &st.error {
            return Err(io::Error::other(e.clone()));
        }
        if let Some(v) = last_cursor_visibility(&self.buf) {
            self.cursor_visible = v;
        }
        // Appended, never replacing: the bytes are a diff against what was
        // drawn before, so all of them must arrive, in order.
        st.pending.extend_from_slice(&self.buf);
        self.handle
            .ctl
            .submitted
            .fetch_add(self.buf.len() as u64, Ordering::SeqCst);
        st.pending_class = Some(match (st.pending_class, class) {
            (Some(Class::Ui), _) | (_, Class::Ui) => Class::Ui,
            _ => Class::Video,
        });
        self.buf.clear();
        drop(st);
        shared.cv.notify_all();
        Ok(())
    }
}

impl LinkHandle {
    /// What the next flush carries.
    pub fn set_class(&self, class: Class) {
        self.ctl
            .video
            .store(class == Class::Video, Ordering::SeqCst);
    }

    fn class(&self) -> Class {
        if self.ctl.video.load(Ordering::SeqCst) {
            Class::Video
        } else {
            Class::Ui
        }
    }

    /// Holds flushes back until released, so a draw made of several
    /// flushes goes out as one write.
    pub fn hold(&self, hold: bool) {
        self.ctl.hold.store(hold, Ordering::SeqCst);
    }

    /// Queues `bytes` of padding the terminal ignores (SGR resets),
    /// after everything handed over so far: a probe of the link
    /// ([`super::adapt::Adapter::padding`]). Never inside a draw: draws
    /// are handed over whole.
    pub fn pad(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let burst = super::probe::burst(bytes);
        let mut st = self.shared.lock();
        if st.error.is_some() || st.closed {
            return;
        }
        st.pending.extend_from_slice(&burst);
        st.pending_class = Some(match st.pending_class {
            Some(Class::Ui) => Class::Ui,
            _ => Class::Video,
        });
        self.ctl
            .submitted
            .fetch_add(burst.len() as u64, Ordering::SeqCst);
        drop(st);
        self.shared.cv.notify_all();
    }

    /// Bytes handed to the writer thread so far.
    pub fn submitted(&self) -> u64 {
        self.ctl.submitted.load(Ordering::SeqCst)
    }

    /// True when nothing is queued or being written: the only time a new
    /// video frame may be drawn.
    pub fn video_ready(&self) -> bool {
        let st = self.shared.lock();
        !st.in_flight && st.pending.is_empty() && st.error.is_none()
    }

    /// Finished writes since the last call, oldest first.
    pub fn take_samples(&self) -> Vec<(Class, Sample)> {
        std::mem::take(&mut self.shared.lock().samples)
    }

    /// Bytes the terminal has taken so far: (UI, video).
    pub fn written(&self) -> (u64, u64) {
        let st = self.shared.lock();
        (st.written_ui, st.written_video)
    }

    /// Blocks until everything handed over is written (tear-down, tests).
    pub fn wait_idle(&self) {
        let mut st = self.shared.lock();
        while (st.in_flight || !st.pending.is_empty())
            && st.error.is_none()
            && self.ctl.running.load(Ordering::SeqCst)
        {
            st = self.shared.cv.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Write for LinkWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.handle.ctl.hold.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.submit()
    }
}

impl Drop for LinkWriter {
    fn drop(&mut self) {
        self.handle.hold(false);
        let _ = self.submit();
        self.handle.wait_idle();
        self.handle.shared.lock().closed = true;
        self.handle.shared.cv.notify_all();
        self.handle.ctl.running.store(false, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sequences that change nothing visible by themselves: synchronized
/// update brackets and attribute resets (the next text sets its own).
const NOOPS: [&[u8]; 8] = [
    b"\x1b[?2026h",
    b"\x1b[?2026l",
    b"\x1b[39m",
    b"\x1b[49m",
    b"\x1b[59m",
    b"\x1b[0m",
    b"\x1b[m",
    b"\x1b[22m",
];

/// Whether `bytes` change nothing on a screen whose cursor is `visible`.
pub fn is_noop(mut bytes: &[u8], visible: bool) -> bool {
    while !bytes.is_empty() {
        if let Some(n) = NOOPS.iter().find(|n| bytes.starts_with(n)) {
            bytes = &bytes[n.len()..];
        } else if !visible && bytes.starts_with(b"\x1b[?25l") {
            bytes = &bytes[6..];
        } else {
            return false;
        }
    }
    true
}

/// The cursor visibility the last `?25h`/`?25l` in `bytes` sets.
fn last_cursor_visibility(bytes: &[u8]) -> Option<bool> {
    bytes.windows(6).rev().find_map(|w| match w {
        b"\x1b[?25h" => Some(true),
        b"\x1b[?25l" => Some(false),
        _ => None,
    })
}

fn writer_loop(mut sink: impl Sink, shared: &Shared) {
    loop {
        let (bytes, class) = {
            let mut st = shared.lock();
            while st.pending.is_empty() && !st.closed {
                st = shared.cv.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            if st.pending.is_empty() && st.closed {
                return;
            }
            st.in_flight = true;
            let class = st.pending_class.take().unwrap_or(Class::Ui);
            (std::mem::take(&mut st.pending), class)
        };
        // A flush waiting on a full queue may go on now.
        shared.cv.notify_all();
        let t0 = Instant::now();
        let r = sink.write_all(&bytes).and_then(|_| sink.flush());
        let took = t0.elapsed();
        let queued = sink.queued();
        let idle = {
            let mut st = shared.lock();
            st.in_flight = false;
            match r {
                Ok(()) => {
                    st.samples.push((
                        class,
                        Sample {
                            bytes: bytes.len(),
                            took,
                            queued,
                        },
                    ));
                    // The event loop may not ask for a while (idle screen).
                    if st.samples.len() > 256 {
                        st.samples.drain(..128);
                    }
                    match class {
                        Class::Ui => st.written_ui += bytes.len() as u64,
                        Class::Video => st.written_video += bytes.len() as u64,
                    }
                }
                Err(e) => st.error = Some(format!("writing to the terminal failed: {e}")),
            }
            st.pending.is_empty()
        };
        shared.cv.notify_all();
        if idle {
            (shared.on_idle)();
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
