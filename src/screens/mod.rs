//! Views: pure functions from the app state to a frame. Nothing here does
//! I/O or changes the state (apart from remembering scroll offsets).

pub mod calibration;
pub mod decision;
pub mod help;
pub mod layout;
pub mod panel;
pub mod queue;
pub mod review;

use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{App, Conn, Level, Overlay, Screen};
use crate::config::{Command, Theme};

/// Below this the app only says it needs more room.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Draws the whole app.
/// Draws decoded video into the review screen's video pane. The runtime
/// implements it over the player; without one (tests, no libmpv) the pane
/// shows what it would play and why it does not.
pub trait VideoPane {
    /// Draws the current picture into `area`; false when there is none yet.
    fn draw_picture(&mut self, area: Rect, buf: &mut ratatui::buffer::Buffer) -> bool;
}

pub fn draw(f: &mut Frame, app: &App, theme: &Theme) {
    draw_with_video(f, app, theme, None)
}

pub fn draw_with_video(f: &mut Frame, app: &App, theme: &Theme, video: Option<&mut dyn VideoPane>) {
    let area = f.area();
    f.render_widget(Block::default().style(theme.background), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area, theme);
        return;
    }
    let [header, body, bar] = layout::frame(area);
    draw_header(f, header, app, theme);
    match app.screen {
        Screen::Queue => queue::draw(f, body, app, theme),
        Screen::Review => review::draw(f, body, app, theme, video),
        Screen::Panel => panel::draw(f, body, app, theme),
        Screen::Calibration => calibration::draw_list(f, body, app, theme),
        Screen::CalibrationResults => calibration::draw_results(f, body, app, theme),
    }
    draw_bar(f, bar, app, theme);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::draw(f, area, app, *scroll, theme),
        Some(Overlay::ConfirmSubmit) => decision::draw_confirm_submit(f, area, app, theme),
        Some(Overlay::Decision(d)) => decision::draw(f, area, d, theme),
        Some(Overlay::Problems) => decision::draw_problems(f, area, app, theme),
        None => {}
    }
}

fn too_small(f: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "Terminal too small ({}x{}). takes needs at least {MIN_WIDTH}x{MIN_HEIGHT}.",
        area.width, area.height
    );
    let h = area.height.min(3);
    let y = area.y + area.height.saturating_sub(h) / 2;
    let r = Rect::new(area.x, y, area.width, h);
    f.render_widget(
        Paragraph::new(text)
            .style(theme.warning)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        r,
    );
}

fn draw_header(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![Span::styled(" takes ", theme.title.patch(theme.header))];
    if let Some(me) = &app.me {
        spans.push(Span::styled(
            format!("· {} ({}) ", me.name, me.role.as_str()),
            theme.header,
        ));
    }
    let (conn_text, conn_style) = match &app.conn {
        Conn::Connecting => ("● connecting".to_string(), theme.warning),
        Conn::Online => ("● online".to_string(), theme.ok),
        Conn::Offline(_) => ("● offline".to_string(), theme.error),
        Conn::Unauthorized(_) => ("● token rejected".to_string(), theme.error),
        Conn::NoToken(_) => ("● no token".to_string(), theme.error),
    };
    spans.push(Span::styled(
        conn_text,
        conn_style.patch(bg_of(theme.header)),
    ));
    let unsynced = app.unsynced(None);
    if unsynced > 0 {
        spans.push(Span::styled(
            format!(" · {unsynced} unsynced"),
            theme.sync_local.patch(bg_of(theme.header)),
        ));
    }
    let right = format!("cleared {}, {} left ", app.cleared_today(), app.left());
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + right.chars().count());
    spans.push(Span::styled(" ".repeat(pad), theme.header));
    spans.push(Span::styled(right, theme.header));
    f.render_widget(Paragraph::new(Line::from(spans)).style(theme.header), area);
}

pub fn bg_of(s: Style) -> Style {
    match s.bg {
        Some(bg) => Style::default().bg(bg),
        None => Style::default(),
    }
}

/// The one-line bar: the latest message, else the keys that matter here.
fn draw_bar(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(msg) = &app.status {
        let style = match msg.level {
            Level::Info => theme.info,
            Level::Ok => theme.ok,
            Level::Warning => theme.warning,
            Level::Error => theme.error,
        };
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                format!(" {}", msg.text),
                style.patch(bg_of(theme.statusbar)),
            )))
            .style(theme.statusbar),
            area,
        );
        return;
    }
    let scope = app.scope();
    let mut hints: Vec<(String, &str)> = Vec::new();
    fn add(
        hints: &mut Vec<(String, &'static str)>,
        app: &App,
        scope: crate::config::Scope,
        cmd: Command,
        label: &'static str,
    ) {
        if let Some(k) = app.keymap.hint_key(scope, cmd) {
            hints.push((k, label));
        }
    }
    match app.screen {
        Screen::Queue => {
            if app.queue.editing.is_some() {
                hints.push(("Enter".into(), "keep filter"));
                hints.push(("Esc".into(), "cancel"));
            } else {
                add(&mut hints, app, scope, Command::Open, "open");
                add(&mut hints, app, scope, Command::Down, "move");
                add(&mut hints, app, scope, Command::Filter, "filter");
                add(&mut hints, app, scope, Command::StatusFilter, "status");
                add(&mut hints, app, scope, Command::RoleFilter, "role");
                add(&mut hints, app, scope, Command::Sort, "sort");
                add(&mut hints, app, scope, Command::Refresh, "refresh");
                add(&mut hints, app, scope, Command::Help, "help");
                add(&mut hints, app, scope, Command::Back, "quit");
            }
        }
        Screen::Review => {
            if app.review.as_ref().is_some_and(|r| r.editor.is_some()) {
                hints.push(("Esc".into(), "leave note (saves)"));
                hints.push(("Enter".into(), "new line"));
            } else {
                let scale = app
                    .review
                    .as_ref()
                    .and_then(|r| r.question())
                    .map(|q| format!("{}-{}", q.rubric.scale_min, q.rubric.scale_max));
                if let Some(s) = scale {
                    let muted = crate::app::playback::rating_field_view(app)
                        == takes_player::muted_first::RatingField::Muted;
                    hints.push((s, if muted { "rate (muted pass)" } else { "rate" }));
                }
                if matches!(app.video, crate::app::state::VideoSupport::Available { .. }) {
                    add(&mut hints, app, scope, Command::PlayPause, "play");
                    add(&mut hints, app, scope, Command::Mute, "sound");
                }
                add(&mut hints, app, scope, Command::NextQuestion, "next");
                add(&mut hints, app, scope, Command::PrevQuestion, "prev");
                add(&mut hints, app, scope, Command::Note, "note");
                add(&mut hints, app, scope, Command::ToggleVideo, "video");
                add(&mut hints, app, scope, Command::Submit, "submit");
                if app.calibrating().is_some() {
                    let s = crate::config::Scope::Calibration;
                    add(&mut hints, app, s, Command::CalibrationResults, "results");
                }
                if app.can_decide() && app.calibrating().is_none() {
                    add(&mut hints, app, scope, Command::Decision, "decide");
                }
                add(&mut hints, app, scope, Command::Help, "help");
                add(&mut hints, app, scope, Command::Back, "back");
            }
        }
        Screen::Panel => {
            add(
                &mut hints,
                app,
                scope,
                Command::NextAssignment,
                "next assignment",
            );
            if app.can_decide() {
                add(&mut hints, app, scope, Command::Decision, "decide");
            }
            add(&mut hints, app, scope, Command::Help, "help");
            add(&mut hints, app, scope, Command::Back, "queue");
        }
        Screen::Calibration => {
            add(&mut hints, app, scope, Command::Open, "score");
            add(&mut hints, app, scope, Command::Down, "move");
            add(
                &mut hints,
                app,
                scope,
                Command::CalibrationResults,
                "results",
            );
            add(&mut hints, app, scope, Command::Refresh, "reload");
            add(&mut hints, app, scope, Command::Help, "help");
            add(&mut hints, app, scope, Command::Back, "queue");
        }
        Screen::CalibrationResults => {
            add(&mut hints, app, scope, Command::Down, "scroll");
            add(&mut hints, app, scope, Command::Refresh, "reload");
            add(&mut hints, app, scope, Command::Help, "help");
            add(&mut hints, app, scope, Command::Back, "back");
        }
    }
    let mut spans = vec![Span::styled(" ", theme.statusbar)];
    for (k, label) in hints {
        spans.push(Span::styled(k, theme.hint_key));
        spans.push(Span::styled(format!(" {label}  "), theme.statusbar));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.statusbar),
        area,
    );
}

/// A centred rectangle of at most `w`x`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears and frames a dialog.
pub fn dialog(f: &mut Frame, r: Rect, title: &str, theme: &Theme) -> Rect {
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme.title))
        .border_style(theme.border_focus)
        .style(theme.dialog);
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// `m:ss` (or `h:mm:ss`).
pub fn fmt_time(s: f64) -> String {
    let total = if s.is_finite() && s > 0.0 {
        s.round() as u64
    } else {
        0
    };
    let (h, m, sec) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{sec:02}")
    } else {
        format!("{m}:{sec:02}")
    }
}

/// "in 3d 4h", "in 5h", "in 12m", "2h over".
pub fn due_text(due_ms: i64, now_ms: i64) -> String {
    let d = due_ms - now_ms;
    let a = d.abs() / 60_000; // minutes
    let span = if a >= 48 * 60 {
        format!("{}d {}h", a / 1440, (a % 1440) / 60)
    } else if a >= 60 {
        format!("{}h {:02}m", a / 60, a % 60)
    } else {
        format!("{a}m")
    };
    if d < 0 {
        format!("{span} over")
    } else {
        format!("in {span}")
    }
}

/// Truncates to `w` display columns with an ellipsis.
pub fn fit(s: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}
