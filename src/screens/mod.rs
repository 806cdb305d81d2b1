//! The frame: header, the screen's view (each feature's `view.rs`), the
//! hint bar and the overlays. Pure functions from the app state to a frame;
//! nothing here does I/O or changes the state (apart from remembering
//! scroll offsets).

pub mod hint_bar;
pub mod layout;
pub mod widgets;

use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{App, Conn, Level, Overlay, ScreenKind};
use crate::config::Theme;
use crate::features::{
    board, calibration_list, calibration_results, decision, help, insights, panel, queue, ranked,
    review, roles, shown, submit, Hint,
};
use widgets::bg_of;
pub use widgets::VideoPane;

/// Below this the app only says it needs more room.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Draws the whole app.
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
    match app.screen.kind() {
        ScreenKind::Queue => queue::view::draw(f, body, app, theme),
        ScreenKind::Review => review::view::draw(f, body, app, theme, video),
        ScreenKind::Panel => panel::view::draw(f, body, app, theme),
        ScreenKind::Calibration => calibration_list::view::draw(f, body, app, theme),
        ScreenKind::CalibrationResults => calibration_results::view::draw(f, body, app, theme),
        ScreenKind::Roles => roles::view::draw_list(f, body, app, theme),
        ScreenKind::Role => roles::view::draw_role(f, body, app, theme),
        ScreenKind::Board => board::view::draw(f, body, app, theme, video),
        ScreenKind::Insights => insights::view::draw(f, body, app, theme),
    }
    draw_bar(f, bar, app, theme);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::view::draw(f, area, app, *scroll, theme),
        Some(Overlay::ConfirmSubmit) => submit::view::draw(f, area, app, theme),
        Some(Overlay::Decision(d)) => decision::view::draw(f, area, app, d, theme),
        Some(Overlay::Problems) => help::view::draw_problems(f, area, app, theme),
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

/// The one-line bar: the latest message, else the keys that matter here,
/// generated from the command list of the feature that has the keyboard.
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
    let mut spans = vec![Span::styled(" ", theme.statusbar)];
    for (k, label) in hint_bar_fitted(app, area.width as usize) {
        spans.push(Span::styled(k, theme.hint_key));
        spans.push(Span::styled(format!(" {label}  "), theme.statusbar));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.statusbar),
        area,
    );
}

/// The hint bar's `(keys, label)` pairs: the open dialog's commands, else
/// the screen's (its editor's while one is open).
pub fn hint_bar(app: &App) -> Vec<(String, &'static str)> {
    shown(&hints_here(app), &app.keymap)
}

/// [`hint_bar`] as it fits `width` columns ([`hint_bar::fit`]).
pub fn hint_bar_fitted(app: &App, width: usize) -> Vec<(String, &'static str)> {
    hint_bar::fit(ranked(&hints_here(app), &app.keymap), width)
}

fn hints_here(app: &App) -> Vec<Hint> {
    match &app.overlay {
        Some(Overlay::ConfirmSubmit) => submit::hints(),
        Some(Overlay::Decision(d)) => decision::hints(d),
        Some(Overlay::Help { .. } | Overlay::Problems) | None => match app.screen.kind() {
            ScreenKind::Queue => queue::hints(app),
            ScreenKind::Review => review::hints(app),
            ScreenKind::Panel => panel::hints(app),
            ScreenKind::Calibration => calibration_list::hints(),
            ScreenKind::CalibrationResults => calibration_results::hints(app),
            ScreenKind::Roles | ScreenKind::Role => roles::hints(app),
            ScreenKind::Board => board::hints(app),
            ScreenKind::Insights => insights::hints(app),
        },
    }
}
