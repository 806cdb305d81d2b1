//! Terminal set-up and tear-down, the input event task, and frames wrapped
//! in DEC 2026 synchronized output so a redraw never shows half-drawn.
//! Output goes through a writer thread ([`LinkWriter`]) so a slow link
//! never blocks the event loop and video never queues ahead of input.

use std::io::{self, Write};

use crossterm::event::{Event, EventStream};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, BeginSynchronizedUpdate, EndSynchronizedUpdate,
    EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute, queue};
use futures::StreamExt;
use ratatui::{Frame, Terminal};
use takes_player::link::writer::LinkHandle;
use takes_player::link::writer::Stdout;
use takes_player::link::{Class, LeanBackend, LinkWriter, Sample};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::action::Action;

pub struct Tui {
    terminal: Terminal<LeanBackend<LinkWriter>>,
    link: LinkHandle,
}

/// Puts the terminal back; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

impl Tui {
    /// `on_idle` is called from the writer thread when all output is
    /// written (a held-back video frame may be drawn now).
    pub fn init(on_idle: impl Fn() + Send + Sync + 'static) -> io::Result<Tui> {
        // A panic must not leave the terminal in raw mode.
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            prev(info);
        }));
        enable_raw_mode()?;
        // crossterm drops every colour under `NO_COLOR`, the picture's too;
        // the theme drops the interface's itself, and the picture is
        // content that keeps its colours (README, "Small and plain terminals").
        crossterm::style::Colored::set_ansi_color_disabled(false);
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, cursor::Hide)?;
        out.flush()?;
        let writer = LinkWriter::start(Stdout::new(), on_idle);
        let link = writer.handle();
        let terminal = Terminal::new(LeanBackend::new(writer))?;
        Ok(Tui { terminal, link })
    }

    /// Puts `text` on the clipboard with OSC 52, through the one writer;
    /// terminals that do not support it ignore the sequence.
    pub fn copy_to_clipboard(&mut self, text: &str) -> io::Result<()> {
        let b64 = base64(text.as_bytes());
        let out = self.terminal.backend_mut();
        out.write_all(format!("\x1b]52;c;{b64}\x07").as_bytes())?;
        out.flush()
    }

    /// On a slow link the whole screen is drawn in 256 colours. Back on a
    /// fast one the screen is repainted, so no cell keeps the coarse colours:
    /// returns whether the next draw repaints it all.
    pub fn set_slow_link(&mut self, slow: bool) -> io::Result<bool> {
        let was = self.terminal.backend().coarse();
        self.terminal.backend_mut().set_coarse(slow);
        if was && !slow {
            self.terminal.clear()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Draws one frame as one write; returns the bytes it took.
    pub fn draw(&mut self, class: Class, render: impl FnOnce(&mut Frame)) -> io::Result<usize> {
        let before = self.writer().submitted();
        self.link.set_class(class);
        self.link.hold(true);
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        let r = self.terminal.draw(render).map(|_| ());
        queue!(self.terminal.backend_mut(), EndSynchronizedUpdate)?;
        self.link.hold(false);
        self.terminal.backend_mut().flush()?;
        r?;
        Ok((self.writer().submitted() - before) as usize)
    }

    /// Padding for a probe of the link, between draws.
    pub fn pad(&self, bytes: usize) {
        self.link.pad(bytes);
    }

    fn writer(&self) -> &LinkHandle {
        &self.link
    }

    /// Nothing queued or being written: a new video frame may go out.
    pub fn video_ready(&self) -> bool {
        self.writer().video_ready()
    }

    /// Finished writes since the last call.
    pub fn take_samples(&self) -> Vec<(Class, Sample)> {
        self.writer().take_samples()
    }

    pub fn size(&self) -> (u16, u16) {
        self.terminal
            .size()
            .map(|s| (s.width, s.height))
            .unwrap_or((80, 24))
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        // What is queued must land on the alternate screen, not after it.
        self.writer().wait_idle();
        restore();
    }
}

/// Reads terminal events on a task and forwards them as actions. Waits on
/// the terminal, so an idle app uses no CPU.
pub fn spawn_events(tx: UnboundedSender<Action>) {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(ev) = stream.next().await {
            let action = match ev {
                Ok(Event::Key(k)) => Action::Key(k),
                Ok(Event::Resize(w, h)) => Action::Resize(w, h),
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "terminal input failed");
                    break;
                }
            };
            if tx.send(action).is_err() {
                break;
            }
        }
    });
}

/// Standard base64 with padding, as OSC 52 wants it.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(
            super::base64(b"https://x/r/st_1"),
            "aHR0cHM6Ly94L3Ivc3RfMQ=="
        );
    }
}
