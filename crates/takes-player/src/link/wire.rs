//! What a draw costs on the wire. A ratatui backend that writes the same
//! screen as ratatui's crossterm backend with fewer bytes: one SGR sequence
//! per style change carrying only the attributes that changed (crossterm
//! re-sends the background with every foreground change, and each
//! attribute in its own sequence), and, on a slow link, every truecolour
//! colour as its nearest in the xterm 256-colour palette (about half the
//! bytes per colour, and neighbours share more).

use std::fmt::Write as _;
use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

/// ratatui's crossterm backend with a leaner [`Backend::draw`]; everything
/// else is the crossterm backend's.
pub struct LeanBackend<W: Write> {
    inner: CrosstermBackend<W>,
    coarse: bool,
    /// Where the cursor was last put: ratatui asks before clearing (a
    /// resize), and asking the terminal is a round trip that over a busy
    /// slow link outlasts crossterm's timeout and ends the program.
    cursor: Position,
}

impl<W: Write> LeanBackend<W> {
    pub fn new(writer: W) -> LeanBackend<W> {
        LeanBackend {
            inner: CrosstermBackend::new(writer),
            coarse: false,
            cursor: Position::ORIGIN,
        }
    }

    /// Truecolour as 256 colours from the next draw on (a slow link).
    pub fn set_coarse(&mut self, coarse: bool) {
        self.coarse = coarse;
    }

    pub fn coarse(&self) -> bool {
        self.coarse
    }
}

impl<W: Write> Write for LeanBackend<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.inner.write(b)
    }
    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

/// The terminal state the bytes so far have set.
#[derive(Clone, Copy, PartialEq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

const RESET: Pen = Pen {
    fg: Color::Reset,
    bg: Color::Reset,
    modifier: Modifier::empty(),
};

/// Attributes that show on a blank cell: with none of them, a space looks
/// the same whatever the foreground and the other attributes are.
const SHOWS_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT);

/// The bytes that draw `content` onto a screen in the default state,
/// leaving it in the default state. `coarse` (a slow link) also sends
/// truecolour as 256 colours, leaves the pen's foreground and attributes
/// alone for blanks where they cannot show, and erases runs of blanks
/// (`ECH`, which fills with the background) instead of printing them.
pub fn encode<'a>(content: impl Iterator<Item = (u16, u16, &'a Cell)>, coarse: bool) -> String {
    let cells: Vec<(u16, u16, &Cell)> = content.collect();
    let mut out = String::new();
    let mut pen = RESET;
    let mut last: Option<(u16, u16)> = None;
    let mut i = 0;
    while i < cells.len() {
        let (x, y, cell) = cells[i];
        if !matches!(last, Some((lx, ly)) if x == lx + 1 && y == ly) {
            let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
        }
        let mut want = Pen {
            fg: shade(cell.fg, coarse),
            bg: shade(cell.bg, coarse),
            modifier: cell.modifier,
        };
        let blank = coarse && plain_blank(cell, pen);
        if blank {
            want.fg = pen.fg;
            want.modifier = pen.modifier;
        }
        sgr(&mut out, pen, want);
        pen = want;
        // How many blanks of this background follow on from here.
        let run = if blank {
            cells[i..]
                .iter()
                .enumerate()
                .take_while(|(k, (cx, cy, c))| {
                    *cy == y
                        && usize::from(*cx) == usize::from(x) + k
                        && shade(c.bg, true) == want.bg
                        && plain_blank(c, pen)
                })
                .count()
        } else {
            1
        };
        if run >= ERASE_MIN {
            let _ = write!(out, "\x1b[{run}X");
            let end = x + run as u16 - 1;
            let next = cells.get(i + run);
            if matches!(next, Some((nx, ny, _)) if *ny == y && *nx == end + 1) {
                let _ = write!(out, "\x1b[{run}C");
            }
            last = Some((end, y));
            i += run;
            continue;
        }
        out.push_str(cell.symbol());
        last = Some((x, y));
        i += 1;
    }
    if pen != RESET {
        out.push_str("\x1b[0m");
    }
    out
}

/// Blanks at least this long are erased rather than printed.
const ERASE_MIN: usize = 12;

/// A space that looks the same under `pen`'s foreground and attributes.
fn plain_blank(cell: &Cell, pen: Pen) -> bool {
    cell.symbol() == " "
        && !cell.modifier.intersects(SHOWS_ON_BLANK)
        && !pen.modifier.intersects(SHOWS_ON_BLANK)
}

/// `c`, on a slow link mapped into the 256-colour palette.
pub fn shade(c: Color, coarse: bool) -> Color {
    match c {
        Color::Rgb(r, g, b) if coarse => Color::Indexed(to_256(r, g, b)),
        other => other,
    }
}

/// The nearest xterm 256-colour entry: the 6x6x6 cube or the grey ramp.
pub fn to_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [i32; 6] = [0, 95, 135, 175, 215, 255];
    let near = |v: u8| {
        let v = i32::from(v);
        (0..6).min_by_key(|&i| (LEVELS[i] - v).abs()).unwrap_or(0)
    };
    let (ri, gi, bi) = (near(r), near(g), near(b));
    let dist = |a: (i32, i32, i32)| {
        (a.0 - i32::from(r)).pow(2) + (a.1 - i32::from(g)).pow(2) + (a.2 - i32::from(b)).pow(2)
    };
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let mean = (i32::from(r) + i32::from(g) + i32::from(b)) / 3;
    // Grey ramp 232..=255 is 8, 18, ..., 238.
    let gi_ = ((mean - 8 + 5) / 10).clamp(0, 23);
    let gv = 8 + 10 * gi_;
    if dist((gv, gv, gv)) < dist(cube) {
        (232 + gi_) as u8
    } else {
        (16 + 36 * ri + 6 * gi + bi) as u8
    }
}

/// One SGR sequence taking the terminal from `from` to `to`, or nothing.
fn sgr(out: &mut String, from: Pen, to: Pen) {
    if from == to {
        return;
    }
    let mut p: Vec<String> = Vec::new();
    let removed = from.modifier - to.modifier;
    let added = to.modifier - from.modifier;
    let mut add = added;
    if removed.intersects(Modifier::BOLD | Modifier::DIM) {
        p.push("22".into());
        // Normal intensity clears both: the one kept is set again.
        add |= to.modifier & (Modifier::BOLD | Modifier::DIM);
    }
    for (m, off) in [
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.contains(m) {
            p.push(off.into());
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        p.push("25".into());
        add |= to.modifier & (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
    }
    for (m, on) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if add.contains(m) {
            p.push(on.into());
        }
    }
    if to.fg != from.fg {
        p.push(colour(to.fg, 38));
    }
    if to.bg != from.bg {
        p.push(colour(to.bg, 48));
    }
    if !p.is_empty() {
        let _ = write!(out, "\x1b[{}m", p.join(";"));
    }
}

/// The SGR parameters of `c` as crossterm writes them (named colours as
/// palette entries), so a terminal ends in the very state it would.
fn colour(c: Color, base: u8) -> String {
    let idx = |i: u8| format!("{base};5;{i}");
    match c {
        Color::Reset => format!("{}", base + 1),
        Color::Black => idx(0),
        Color::Red => idx(1),
        Color::Green => idx(2),
        Color::Yellow => idx(3),
        Color::Blue => idx(4),
        Color::Magenta => idx(5),
        Color::Cyan => idx(6),
        Color::Gray => idx(7),
        Color::DarkGray => idx(8),
        Color::LightRed => idx(9),
        Color::LightGreen => idx(10),
        Color::LightYellow => idx(11),
        Color::LightBlue => idx(12),
        Color::LightMagenta => idx(13),
        Color::LightCyan => idx(14),
        Color::White => idx(15),
        Color::Indexed(i) => idx(i),
        Color::Rgb(r, g, b) => format!("{base};2;{r};{g};{b}"),
    }
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let bytes = encode(content, self.coarse);
        self.inner.write_all(bytes.as_bytes())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.cursor = position.into();
        self.inner.set_cursor_position(self.cursor)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
