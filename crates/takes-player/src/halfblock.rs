//! Bandwidth-aware Unicode half-blocks: each cell is `▀` with the upper
//! pixel as foreground and the lower pixel as background colour.
//!
//! The encoder keeps the colours it believes the terminal shows and changes a
//! cell only when the new pixels differ perceptibly (a luma-weighted
//! distance above `threshold`). Sensor noise and compression shimmer then do
//! not repaint the pane; ratatui's buffer diff sends only the cells that did
//! change, which is what makes video usable over SSH.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

use crate::{ColorDepth, Frame};

/// Default perceptual threshold: 6 levels of 255 on the luma-weighted
/// mean channel difference (chosen with the benchmark in docs/BENCHMARKS.md).
pub const DEFAULT_THRESHOLD: u32 = 6;

/// The two colours of one half-block cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellColors {
    pub top: [u8; 3],
    pub bottom: [u8; 3],
}

/// Luma-weighted mean absolute channel difference, 0..=255
/// (weights 2:4:1 approximate Rec. 601 luma: green matters most).
#[inline]
pub fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    let d = |i: usize| (a[i] as i32 - b[i] as i32).unsigned_abs();
    (2 * d(0) + 4 * d(1) + d(2)) / 7
}

pub struct HalfblockEncoder {
    cols: u16,
    rows: u16,
    shown: Vec<CellColors>,
    /// Whether `shown` is what the buffer holds (false after a resize).
    valid: bool,
    threshold: u32,
    depth: ColorDepth,
}

impl HalfblockEncoder {
    pub fn new(depth: ColorDepth, threshold: u32) -> Self {
        Self {
            cols: 0,
            rows: 0,
            shown: Vec::new(),
            valid: false,
            threshold,
            depth,
        }
    }

    /// Forget what is on screen; the next update repaints every cell.
    pub fn invalidate(&mut self) {
        self.valid = false;
    }

    pub fn set_threshold(&mut self, threshold: u32) {
        self.threshold = threshold;
    }

    /// The pixel grid a pane of `cols` x `rows` cells shows.
    pub fn pixel_size(cols: u16, rows: u16) -> (u32, u32) {
        (cols as u32, rows as u32 * 2)
    }

    /// Takes `frame` (ideally exactly `cols` x `2*rows` pixels; otherwise it
    /// is sampled) and returns how many cells changed perceptibly.
    pub fn update(&mut self, frame: &Frame, cols: u16, rows: u16) -> usize {
        if (cols, rows) != (self.cols, self.rows) {
            self.cols = cols;
            self.rows = rows;
            self.shown = vec![CellColors::default(); cols as usize * rows as usize];
            self.valid = false;
        }
        let (pw, ph) = Self::pixel_size(cols, rows);
        let exact = frame.width == pw && frame.height == ph;
        let sample = |x: u32, y: u32| -> [u8; 3] {
            if exact {
                frame.pixel(x, y)
            } else {
                frame.pixel(
                    (x as u64 * frame.width as u64 / pw.max(1) as u64) as u32,
                    (y as u64 * frame.height as u64 / ph.max(1) as u64) as u32,
                )
            }
        };
        let mut changed = 0;
        for y in 0..rows as u32 {
            for x in 0..cols as u32 {
                let new = CellColors {
                    top: sample(x, 2 * y),
                    bottom: sample(x, 2 * y + 1),
                };
                let cell = &mut self.shown[(y * cols as u32 + x) as usize];
                let differs = !self.valid
                    || distance(cell.top, new.top) > self.threshold
                    || distance(cell.bottom, new.bottom) > self.threshold;
                if differs {
                    *cell = new;
                    changed += 1;
                }
            }
        }
        self.valid = true;
        changed
    }

    /// The colours shown at cell (x, y).
    pub fn cell(&self, x: u16, y: u16) -> Option<CellColors> {
        if x >= self.cols || y >= self.rows {
            return None;
        }
        self.shown
            .get(y as usize * self.cols as usize + x as usize)
            .copied()
    }

    /// Writes the shown cells into `area` of `buf`. Cells that did not change
    /// keep exactly the same colours, so ratatui's diff does not resend them.
    pub fn draw(&self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        for y in 0..area.height.min(self.rows) {
            for x in 0..area.width.min(self.cols) {
                let Some(c) = self.cell(x, y) else { continue };
                if let Some(cell) = buf.cell_mut((area.x + x, area.y + y)) {
                    cell.set_symbol("▀")
                        .set_fg(self.color(c.top))
                        .set_bg(self.color(c.bottom));
                }
            }
        }
    }

    fn color(&self, rgb: [u8; 3]) -> Color {
        match self.depth {
            ColorDepth::TrueColor => Color::Rgb(rgb[0], rgb[1], rgb[2]),
            ColorDepth::Ansi256 => Color::Indexed(ansi256(rgb)),
        }
    }
}

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn cube_index(v: u8) -> usize {
    // Midpoints between the xterm cube levels.
    match v {
        0..=47 => 0,
        48..=114 => 1,
        115..=154 => 2,
        155..=194 => 3,
        195..=234 => 4,
        _ => 5,
    }
}

/// The nearest colour of the xterm 256-colour palette (6x6x6 cube or grey ramp).
pub fn ansi256(rgb: [u8; 3]) -> u8 {
    let [r, g, b] = rgb.map(cube_index);
    let cube = [CUBE[r], CUBE[g], CUBE[b]];
    let cube_idx = 16 + 36 * r + 6 * g + b;
    let avg = (rgb[0] as u32 + rgb[1] as u32 + rgb[2] as u32) / 3;
    let grey_i = if avg < 8 { 0 } else { ((avg - 8) / 10).min(23) };
    let grey = (8 + 10 * grey_i) as u8;
    let sq = |a: [u8; 3], b: [u8; 3]| -> u32 {
        (0..3)
            .map(|i| (a[i] as i32 - b[i] as i32).pow(2) as u32)
            .sum()
    };
    if sq(rgb, [grey; 3]) < sq(rgb, cube) {
        232 + grey_i as u8
    } else {
        cube_idx as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::CrosstermBackend;
    use ratatui::Terminal;

    /// A 2x2-cell frame: red over blue on the left, green over white on the right.
    fn known() -> Frame {
        let px: [[u8; 3]; 8] = [
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
            [255, 255, 255],
            [10, 20, 30],
            [10, 20, 30],
            [200, 100, 50],
            [0, 0, 0],
        ];
        Frame::from_rgb(1, 2, 4, px.concat()).expect("size matches")
    }

    #[test]
    fn known_image_gives_known_cells() {
        let mut enc = HalfblockEncoder::new(ColorDepth::TrueColor, DEFAULT_THRESHOLD);
        assert_eq!(enc.update(&known(), 2, 2), 4);
        let mut buf = Buffer::empty(Rect::new(0, 0, 2, 2));
        enc.draw(buf.area, &mut buf);
        let c = &buf[(0, 0)];
        assert_eq!(c.symbol(), "▀");
        assert_eq!(c.fg, Color::Rgb(255, 0, 0));
        assert_eq!(c.bg, Color::Rgb(0, 0, 255));
        assert_eq!(buf[(1, 0)].fg, Color::Rgb(0, 255, 0));
        assert_eq!(buf[(1, 0)].bg, Color::Rgb(255, 255, 255));
        assert_eq!(buf[(0, 1)].fg, Color::Rgb(10, 20, 30));
        assert_eq!(buf[(1, 1)].bg, Color::Rgb(0, 0, 0));
    }

    #[test]
    fn ansi256_fallback_maps_to_palette() {
        assert_eq!(ansi256([255, 0, 0]), 196);
        assert_eq!(ansi256([0, 0, 0]), 16);
        assert_eq!(ansi256([255, 255, 255]), 231);
        assert_eq!(ansi256([128, 128, 128]), 244);
        let mut enc = HalfblockEncoder::new(ColorDepth::Ansi256, DEFAULT_THRESHOLD);
        enc.update(&Frame::solid(1, 2, [255, 0, 0]), 1, 1);
        let mut buf = Buffer::empty(Rect::new(0, 0, 1, 1));
        enc.draw(buf.area, &mut buf);
        assert_eq!(buf[(0, 0)].fg, Color::Indexed(196));
    }

    #[test]
    fn noise_below_threshold_changes_nothing_and_real_change_does() {
        let mut enc = HalfblockEncoder::new(ColorDepth::TrueColor, DEFAULT_THRESHOLD);
        let base = Frame::solid(8, 8, [100, 120, 140]);
        assert_eq!(enc.update(&base, 8, 4), 32);
        // +-2 on every channel: sensor noise.
        let noisy: Vec<u8> = base
            .rgb()
            .iter()
            .enumerate()
            .map(|(i, v)| if i % 2 == 0 { v + 2 } else { v - 2 })
            .collect();
        let noisy = Frame::from_rgb(2, 8, 8, noisy).expect("size");
        assert_eq!(enc.update(&noisy, 8, 4), 0);
        // One pixel turns white: exactly one cell changes.
        let mut px = base.rgb().to_vec();
        px[..3].copy_from_slice(&[255, 255, 255]);
        let one = Frame::from_rgb(3, 8, 8, px).expect("size");
        assert_eq!(enc.update(&one, 8, 4), 1);
        assert_eq!(
            enc.cell(0, 0).map(|c| c.top),
            Some([255, 255, 255]),
            "changed cell takes the new colour"
        );
    }

    /// A writer whose bytes the test can still read while the terminal owns it.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn unchanged_cells_are_not_written_to_the_terminal() {
        let out = Shared::default();
        let mut enc = HalfblockEncoder::new(ColorDepth::TrueColor, DEFAULT_THRESHOLD);
        {
            let backend = CrosstermBackend::new(out.clone());
            let mut term = Terminal::with_options(
                backend,
                ratatui::TerminalOptions {
                    viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, 20, 5)),
                },
            )
            .expect("terminal");
            enc.update(&Frame::solid(20, 10, [50, 60, 70]), 20, 5);
            term.draw(|f| enc.draw(f.area(), f.buffer_mut()))
                .expect("draw");
            let first = out.0.borrow().len();
            assert!(first > 100 * 3, "all 100 cells are written: {first} bytes");
            // Same picture plus noise: nothing but the trailing style reset.
            enc.update(&Frame::solid(20, 10, [51, 59, 71]), 20, 5);
            term.draw(|f| enc.draw(f.area(), f.buffer_mut()))
                .expect("draw");
            let second = out.0.borrow().len() - first;
            assert!(second < 40, "unchanged frame wrote {second} bytes");
        }
    }
}
