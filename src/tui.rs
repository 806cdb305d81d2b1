//! Terminal set-up and tear-down, the input event task, and frames wrapped
//! in DEC 2026 synchronized output so a redraw never shows half-drawn.

use std::io::{self, Stdout, Write};

use crossterm::event::{Event, EventStream};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, BeginSynchronizedUpdate, EndSynchronizedUpdate,
    EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute, queue};
use futures::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::{Frame, Terminal};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::action::Action;

pub struct Tui {
    terminal: Terminal<CrosstermBackend<Stdout>>,
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
    pub fn init() -> io::Result<Tui> {
        // A panic must not leave the terminal in raw mode.
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            prev(info);
        }));
        enable_raw_mode()?;
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, cursor::Hide)?;
        let terminal = Terminal::new(CrosstermBackend::new(out))?;
        Ok(Tui { terminal })
    }

    pub fn draw(&mut self, render: impl FnOnce(&mut Frame)) -> io::Result<()> {
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        let r = self.terminal.draw(render).map(|_| ());
        queue!(self.terminal.backend_mut(), EndSynchronizedUpdate)?;
        self.terminal.backend_mut().flush()?;
        r
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
