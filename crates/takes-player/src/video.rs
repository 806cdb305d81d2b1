//! Draws frames into the ratatui video pane with the detected protocol.

use std::time::{Duration, Instant};

use image::DynamicImage;
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};

use crate::halfblock::{HalfblockEncoder, DEFAULT_THRESHOLD};
use crate::{Detection, Frame, OutputKind};

/// Tunables of the renderer (the reviewer's `video.*` settings).
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Frame-rate cap (`video.max_fps`); `None` draws every frame the output absorbs.
    pub max_fps: Option<f64>,
    /// Half-block change threshold (0 repaints any change).
    pub threshold: u32,
    /// Largest frame width in pixels for graphics protocols: a full-width
    /// kitty/sixel frame at font resolution is megabytes; video is watched
    /// for content, so it is rendered smaller and scaled by the terminal.
    pub max_graphics_width: u32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            max_fps: None,
            threshold: DEFAULT_THRESHOLD,
            max_graphics_width: 640,
        }
    }
}

/// Per-output figures (for `--stats` and `doctor`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderStats {
    pub frames_drawn: u64,
    /// Cells repainted by half-blocks, summed over frames.
    pub cells_changed: u64,
}

/// Owns what the pane shows; one per video pane.
pub struct VideoRenderer {
    output: OutputKind,
    reason: String,
    halfblocks: HalfblockEncoder,
    picker: Option<Picker>,
    graphic: Option<(u64, Rect, Protocol)>,
    font: (u16, u16),
    opts: RenderOptions,
    last_draw: Option<Instant>,
    /// The frame drawn last: drawing it again (a redraw for another reason)
    /// is not a new frame for the cap or the figures.
    last_seq: Option<u64>,
    last_area: Rect,
    pub stats: RenderStats,
}

impl VideoRenderer {
    pub fn new(det: &Detection, opts: RenderOptions) -> Self {
        let mut output = det.output;
        let mut reason = det.reason.clone();
        if output.protocol_type().is_some() && det.picker.is_none() {
            reason = format!("{reason}; no terminal answer for graphics, using half-blocks");
            output = OutputKind::Halfblocks;
        }
        Self {
            output,
            reason,
            halfblocks: HalfblockEncoder::new(det.color_depth, opts.threshold),
            picker: det.picker.clone(),
            graphic: None,
            font: det.font_size,
            opts,
            last_draw: None,
            last_seq: None,
            last_area: Rect::default(),
            stats: RenderStats::default(),
        }
    }

    pub fn output(&self) -> OutputKind {
        self.output
    }

    /// Why this output (shown by the UI when there is no video, and by doctor).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Turns video off (e.g. `v`, content only) or back to what was detected.
    pub fn set_output(&mut self, output: OutputKind) {
        self.output = output;
        self.graphic = None;
        self.halfblocks.invalidate();
    }

    /// The frame-rate cap now (the link adapter lowers it on a slow link).
    pub fn set_max_fps(&mut self, fps: Option<f64>) {
        self.opts.max_fps = fps.filter(|f| f.is_finite() && *f > 0.0);
    }

    pub fn max_fps(&self) -> Option<f64> {
        self.opts.max_fps
    }

    /// The half-block change threshold now (coarser on a slow link).
    pub fn set_threshold(&mut self, threshold: u32) {
        if threshold != self.opts.threshold {
            self.opts.threshold = threshold;
            self.halfblocks.set_threshold(threshold);
        }
    }

    /// The pixel size the player should render for a pane of `area`:
    /// pass it to `Player::set_render_size`.
    pub fn pixel_size(&self, area: Rect) -> (u32, u32) {
        match self.output {
            OutputKind::Off => (0, 0),
            OutputKind::Halfblocks => HalfblockEncoder::pixel_size(area.width, area.height),
            _ => {
                let w = area.width as u32 * self.font.0 as u32;
                let h = area.height as u32 * self.font.1 as u32;
                if w > self.opts.max_graphics_width && w > 0 {
                    let s = self.opts.max_graphics_width as f64 / w as f64;
                    (
                        self.opts.max_graphics_width,
                        ((h as f64 * s).round() as u32).max(1),
                    )
                } else {
                    (w, h)
                }
            }
        }
    }

    /// Whether the frame cap allows drawing a new frame now; if not, when.
    pub fn next_draw_at(&self, now: Instant) -> Option<Instant> {
        let (Some(fps), Some(last)) = (self.opts.max_fps, self.last_draw) else {
            return None;
        };
        if fps <= 0.0 {
            return None;
        }
        let at = last + Duration::from_secs_f64(1.0 / fps);
        (at > now).then_some(at)
    }

    /// Draws `frame` into `area`. With `None` (nothing decoded yet, or no
    /// video) the pane shows why there is no picture.
    pub fn render(&mut self, frame: Option<&Frame>, area: Rect, buf: &mut Buffer) {
        if area != self.last_area {
            self.last_area = area;
            self.halfblocks.invalidate();
            self.graphic = None;
        }
        let Some(frame) = frame.filter(|_| self.output != OutputKind::Off) else {
            let text = if self.output == OutputKind::Off {
                format!("Video off: {}", self.reason)
            } else {
                String::new()
            };
            Paragraph::new(text)
                // A modifier, not a colour: this is interface, not picture.
                .style(Style::default().add_modifier(Modifier::DIM))
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        };
        let fresh = self.last_seq != Some(frame.seq);
        if fresh {
            self.last_seq = Some(frame.seq);
            self.last_draw = Some(Instant::now());
        }
        match self.output {
            OutputKind::Halfblocks | OutputKind::Off => {
                let changed = self.halfblocks.update(frame, area.width, area.height);
                self.stats.cells_changed += changed as u64;
                self.halfblocks.draw(area, buf);
            }
            _ => {
                let stale = self
                    .graphic
                    .as_ref()
                    .is_none_or(|(seq, a, _)| *seq != frame.seq || *a != area);
                if stale {
                    if let Some(picker) = &self.picker {
                        let img = DynamicImage::ImageRgb8(frame.to_image());
                        match picker.new_protocol(
                            img,
                            Size::new(area.width, area.height),
                            Resize::Fit(None),
                        ) {
                            Ok(p) => self.graphic = Some((frame.seq, area, p)),
                            Err(e) => {
                                tracing::warn!(error = %e, "graphics encode failed; half-blocks");
                                self.output = OutputKind::Halfblocks;
                                self.reason = format!("graphics encoding failed: {e}");
                                return self.render(Some(frame), area, buf);
                            }
                        }
                    }
                }
                if let Some((_, _, p)) = &self.graphic {
                    Image::new(p).render(area, buf);
                }
            }
        }
        if fresh {
            self.stats.frames_drawn += 1;
        }
    }
}
