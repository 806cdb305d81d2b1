//! Small and plain terminals (issue 14, point 5): the review screen's
//! layout at 80x24 and every size from 40x12 up, the zoom key, the hint bar
//! fitted to the width, `NO_COLOR` (the interface loses its colours, the
//! picture keeps them) and a terminal without colour ("video needs colour").
//! Snapshots are the buffer's `Debug`, so colours show up in review.

use proptest::prelude::*;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::Terminal;
use takes::app::state::{App, VideoSupport};
use takes::app::{update, Action};
use takes::config::theme::ColorDepth;
use takes::config::Theme;
use takes::screens;
use takes_api::UserRole;
use takes_player::{ColorDepth as Depth, Detection, Frame, OutputKind, RenderOptions};
use takes_testkit::{self as testing, app_in_review, app_on_board, app_with_queue};

/// Draws a fixed frame through the real half-block renderer, as the
/// runtime does with the player's frames, and remembers where.
struct StillVideo {
    renderer: takes_player::VideoRenderer,
    frame: Frame,
    areas: Vec<Rect>,
}

impl StillVideo {
    fn new() -> StillVideo {
        let det = Detection::fixed(OutputKind::Halfblocks, Depth::TrueColor);
        StillVideo {
            renderer: takes_player::VideoRenderer::new(&det, RenderOptions::default()),
            frame: Frame::solid(16, 9, [200, 30, 30]),
            areas: Vec::new(),
        }
    }
}

impl screens::VideoPane for StillVideo {
    fn draw_picture(&mut self, area: Rect, buf: &mut Buffer) -> bool {
        self.areas.push(area);
        self.renderer.render(Some(&self.frame), area, buf);
        true
    }
}

/// The review screen with its response opening (the caption at 0:00).
fn playing(output: &str) -> App {
    let mut app = app_in_review(UserRole::Reviewer);
    app.video = VideoSupport::Available {
        output: output.into(),
    };
    update(&mut app, Action::Player(takes_player::PlayerEvent::Loaded));
    update(
        &mut app,
        Action::Player(takes_player::PlayerEvent::Position {
            time_s: 6.0,
            duration_s: Some(25.0),
        }),
    );
    app.status = None;
    app
}

fn draw(app: &App, theme: &Theme, w: u16, h: u16) -> (Buffer, Vec<Rect>) {
    let mut video = StillVideo::new();
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| screens::draw_with_video(f, app, theme, Some(&mut video)))
        .expect("draw");
    (t.backend().buffer().clone(), video.areas)
}

fn text(b: &Buffer) -> String {
    let a = b.area;
    let mut s = String::new();
    for y in a.top()..a.bottom() {
        for x in a.left()..a.right() {
            s.push_str(b[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn row(b: &Buffer, y: u16) -> String {
    (0..b.area.width).map(|x| b[(x, y)].symbol()).collect()
}

fn snapshot(name: &str, value: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| insta::assert_snapshot!(name, value));
}

fn dark() -> Theme {
    Theme::builtin("dark", ColorDepth::TrueColor)
}

fn inside(r: &Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.right() && y >= r.y && y < r.bottom()
}

#[test]
fn at_80x24_the_picture_gets_a_useful_share() {
    let app = playing("halfblocks");
    let (buf, areas) = draw(&app, &dark(), 80, 24);
    let pic = areas
        .first()
        .copied()
        .expect("a picture was drawn at 80x24");
    // Before: a 3-row pane, its status line only, no picture at all.
    assert!(pic.width >= 30 && pic.height >= 8, "{pic:?}");
    assert_eq!(buf[(pic.x + 1, pic.y + 1)].fg, Color::Rgb(200, 30, 30));
    let t = text(&buf);
    assert!(t.contains("At my last job"), "the caption:\n{t}");
    assert!(t.contains("/ 0:25 ·"), "the status line:\n{t}");
    assert!(t.contains("Transcript"), "{t}");
    assert!(
        t.contains("Acceptable — A real situation"),
        "the rubric:\n{t}"
    );
    snapshot("small_review__dark__80x24", format!("{buf:?}"));
}

#[test]
fn zoom_shows_the_picture_over_the_review_area_and_rating_keys_still_work() {
    let mut app = playing("halfblocks");
    let (_, before) = draw(&app, &dark(), 80, 24);
    testing::ch(&mut app, 'z');
    assert!(app.review().is_some_and(|r| r.zoom));
    let (buf, areas) = draw(&app, &dark(), 80, 24);
    let pic = areas.first().copied().expect("zoomed picture");
    assert!(
        pic.width * pic.height > 2 * before[0].width * before[0].height,
        "{pic:?} vs {:?}",
        before[0]
    );
    let t = text(&buf);
    assert!(
        !t.contains("Transcript ("),
        "no other pane while zoomed:\n{t}"
    );
    assert!(t.contains("At my last job"), "captions under it:\n{t}");
    assert!(t.contains("z back"), "{t}");
    snapshot("small_review_zoomed__dark__80x24", format!("{buf:?}"));
    // A rating while zoomed is taken and shown in the score strip.
    testing::ch(&mut app, '4');
    let (buf, _) = draw(&app, &dark(), 80, 24);
    assert!(app.review().is_some_and(|r| r.zoom));
    assert!(text(&buf).contains("Q2 4"), "{}", text(&buf));
    testing::ch(&mut app, 'z');
    assert!(app.review().is_some_and(|r| !r.zoom));
    let (buf, _) = draw(&app, &dark(), 80, 24);
    assert!(text(&buf).contains("Transcript ("));
}

#[test]
fn zoom_keeps_content_only_mode() {
    let mut app = playing("halfblocks");
    testing::ch(&mut app, 'v');
    testing::ch(&mut app, 'z');
    assert!(app.review().is_some_and(|r| !r.zoom && !r.show_video));
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("v shows it"), "{status}");
}

#[test]
fn the_hint_bar_fits_the_width_and_keeps_help() {
    let mut review = playing("halfblocks");
    review.status = None;
    let queue = app_with_queue(UserRole::Reviewer, 40);
    let board = app_on_board(30, None);
    let mut out = String::new();
    for (name, app) in [("review", &review), ("queue", &queue), ("board", &board)] {
        let full = screens::hint_bar(app);
        for w in [60u16, 80, 120] {
            let (buf, _) = draw(app, &dark(), w, 24);
            let bar = row(&buf, 23);
            let shown = bar.trim_end();
            assert!(shown.contains("? help"), "{name} at {w}: {bar}");
            // Whole entries only: every shown entry is one of the screen's,
            // and the text ends with a complete label.
            let fitted = screens::hint_bar_fitted(app, w as usize);
            let expect: Vec<String> = fitted.iter().map(|(k, l)| format!("{k} {l}")).collect();
            assert_eq!(shown, format!(" {}", expect.join("  ")), "{name} at {w}");
            assert!(fitted.iter().all(|e| full.contains(e)), "{name} at {w}");
            out.push_str(&format!("{name} {w:>3}|{shown}\n"));
        }
        // Wide enough for everything: nothing dropped.
        assert_eq!(screens::hint_bar_fitted(app, 400), full, "{name}");
    }
    // The review's most important keys outlast the rest.
    let at60 = screens::hint_bar_fitted(&review, 60);
    assert!(at60.iter().any(|(_, l)| l.starts_with("rate")), "{at60:?}");
    assert!(at60.iter().any(|(_, l)| *l == "submit"), "{at60:?}");
    snapshot("small_hint_bars__60_80_120", out);
    // The review's bar with its styles, at each width.
    for w in [60u16, 80, 120] {
        let (buf, _) = draw(&review, &dark(), w, 24);
        let mut bar = Buffer::empty(Rect::new(0, 0, w, 1));
        for x in 0..w {
            bar[(x, 0)] = buf[(x, 23)].clone();
        }
        snapshot(
            &format!("small_hint_bar_review__dark__{w}"),
            format!("{bar:?}"),
        );
    }
}

/// Cells of the picture keep colour; every other cell has none.
fn assert_colour_only_in(buf: &Buffer, pic: &Rect) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            if inside(pic, x, y) {
                assert!(
                    matches!(c.fg, Color::Rgb(..)) && matches!(c.bg, Color::Rgb(..)),
                    "picture cell {x},{y} lost its colour: {c:?}"
                );
            } else {
                assert!(
                    c.fg == Color::Reset && c.bg == Color::Reset,
                    "cell {x},{y} outside the picture has colour: {c:?}"
                );
            }
        }
    }
}

#[test]
fn no_color_drops_the_interfaces_colours_and_keeps_the_pictures() {
    let app = playing("halfblocks");
    let theme = Theme::builtin("dark", ColorDepth::None);
    let (buf, areas) = draw(&app, &theme, 80, 24);
    let pic = areas.first().copied().expect("picture");
    assert_colour_only_in(&buf, &pic);
    snapshot("small_review_no_color__80x24", format!("{buf:?}"));
    // Zoomed too.
    let mut app = app;
    testing::ch(&mut app, 'z');
    app.status = None;
    let (buf, areas) = draw(&app, &theme, 80, 24);
    assert_colour_only_in(&buf, &areas[0]);
}

#[test]
fn a_terminal_without_colour_gets_the_transcript_and_says_why() {
    let app = playing(takes_player::colors::NEEDS_COLOUR);
    let theme = Theme::builtin("dark", ColorDepth::None);
    let (buf, areas) = draw(&app, &theme, 80, 24);
    assert!(areas.is_empty(), "no picture drawn: {areas:?}");
    let t = text(&buf);
    assert!(t.contains("Video needs colour"), "{t}");
    assert!(t.contains("At my last job"), "the transcript:\n{t}");
    assert!(!t.contains('▀'), "no meaningless glyphs:\n{t}");
    assert!(
        (0..24).all(|y| (0..80).all(|x| buf[(x, y)].fg == Color::Reset)),
        "no colour at all"
    );
    snapshot("small_review_monochrome__80x24", format!("{buf:?}"));
    // Zoomed, the pane says so in words.
    let mut app = app;
    testing::ch(&mut app, 'z');
    let (buf, areas) = draw(&app, &theme, 80, 24);
    assert!(areas.is_empty());
    assert!(text(&buf).contains("Video needs colour"), "{}", text(&buf));
}

fn scenarios() -> Vec<App> {
    let mut zoomed = playing("halfblocks");
    testing::ch(&mut zoomed, 'z');
    let mut hidden = playing("halfblocks");
    testing::ch(&mut hidden, 'v');
    hidden.status = None;
    let mut editing = playing("halfblocks");
    testing::ch(&mut editing, 'i');
    vec![
        playing("halfblocks"),
        zoomed,
        playing(takes_player::colors::NEEDS_COLOUR),
        hidden,
        editing,
        app_in_review(UserRole::Recruiter),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Every size from the minimum up: no panic, the hint bar keeps `?`,
    /// and from 60x20 on a shown video gets a picture of some size.
    #[test]
    fn every_size_from_40x12(w in 40u16..=220, h in 12u16..=70, which in 0usize..6) {
        thread_local!(static APPS: Vec<App> = scenarios());
        APPS.with(|apps| {
            let (buf, areas) = draw(&apps[which], &dark(), w, h);
            let bar = row(&buf, h - 1);
            prop_assert!(bar.contains("? help") || bar.contains("Esc"), "{w}x{h}: {bar}");
            if which < 2 && w >= 60 && h >= 20 {
                let pic = areas.first().copied();
                prop_assert!(
                    pic.is_some_and(|p| p.width >= 16 && p.height >= 4),
                    "{w}x{h}: {pic:?}"
                );
            }
            Ok(())
        })?;
    }
}
