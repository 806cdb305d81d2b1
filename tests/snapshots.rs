//! Snapshot tests of every screen with ratatui's TestBackend, at 80x24 and
//! 200x50, in each built-in theme. The buffer is snapshotted with `Debug`,
//! which lists styles too, so a colour change shows up in review.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use takes::app::state::{App, Overlay};
use takes::app::{update, Action};
use takes::config::theme::{self, ColorDepth};
use takes::config::{Diagnostic, Theme};
use takes::screens;
use takes_api::board::BoardStage;
use takes_api::UserRole;
use takes_testkit::{
    self as testing, app_in_review, app_on_board, app_on_board_interview, app_with_queue,
};

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn render(app: &App, theme: &Theme, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| screens::draw(f, app, theme)).expect("draw");
    format!("{:?}", t.backend().buffer())
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::from(code)));
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn scenarios() -> Vec<(&'static str, App)> {
    let mut v = Vec::new();
    v.push(("queue", app_with_queue(UserRole::Reviewer, 40)));

    let mut a = app_with_queue(UserRole::Reviewer, 40);
    key(&mut a, KeyCode::Char('/'));
    chars(&mut a, "backend");
    v.push(("queue_filter", a));

    v.push(("review", app_in_review(UserRole::Reviewer)));

    let mut a = app_in_review(UserRole::Reviewer);
    key(&mut a, KeyCode::Char('i'));
    chars(&mut a, "Strong example");
    key(&mut a, KeyCode::Enter);
    chars(&mut a, "but vague outcome");
    v.push(("review_note", a));

    let mut a = app_in_review(UserRole::Reviewer);
    key(&mut a, KeyCode::Char('v'));
    v.push(("review_content_only", a));

    let mut a = app_in_review(UserRole::Reviewer);
    key(&mut a, KeyCode::Char('?'));
    v.push(("help_review", a));

    let mut a = app_with_queue(UserRole::Reviewer, 40);
    key(&mut a, KeyCode::Char('?'));
    v.push(("help_queue", a));

    let mut a = app_in_review(UserRole::Reviewer);
    // Rate the rest so submit asks for confirmation.
    for c in ['3', '4'] {
        key(&mut a, KeyCode::Char(c));
    }
    if let Some(l) = a
        .local
        .values_mut()
        .find(|l| matches!(l.sync, takes::app::state::SyncState::Failed(_)))
    {
        l.sync = takes::app::state::SyncState::Synced;
    }
    key(&mut a, KeyCode::Char('S'));
    assert_eq!(a.overlay, Some(Overlay::ConfirmSubmit));
    v.push(("submit_confirm", a));

    let mut a = app_in_review(UserRole::Recruiter);
    key(&mut a, KeyCode::Char('D'));
    key(&mut a, KeyCode::Char('r'));
    chars(&mut a, "Role filled");
    key(&mut a, KeyCode::Enter);
    v.push(("decision_confirm", a));

    let a = testing::app_in_panel(UserRole::Reviewer);
    v.push(("panel", a));

    v.push(("calibration_review", testing::app_in_calibration(3)));

    let mut a = app_with_queue(UserRole::Reviewer, 40);
    key(&mut a, KeyCode::Char('C'));
    update(
        &mut a,
        Action::CalibrationsLoaded(Ok(takes_api::CalibrationPage {
            items: vec![
                testing::calibration_summary(3, false),
                takes_api::CalibrationSummary {
                    id: "cal-0".into(),
                    title: "2026 Q3 — Sales screen".into(),
                    ..testing::calibration_summary(4, true)
                },
            ],
            next_cursor: None,
        })),
    );
    v.push(("calibration_list", a));

    let mut a = testing::app_in_calibration(3);
    key(&mut a, KeyCode::Char('V'));
    update(
        &mut a,
        Action::CalibrationResultsLoaded {
            id: "cal-1".into(),
            result: Err(takes::client::ClientError::Forbidden(
                "submit your own scores first".into(),
            )),
        },
    );
    v.push(("calibration_locked", a));

    let mut a = testing::app_in_calibration(4);
    key(&mut a, KeyCode::Char('V'));
    update(
        &mut a,
        Action::CalibrationResultsLoaded {
            id: "cal-1".into(),
            result: Ok(testing::calibration_results()),
        },
    );
    a.status = None;
    v.push(("calibration_results", a));

    let mut a = app_with_queue(UserRole::Reviewer, 40);
    a.problems = vec![Diagnostic {
        path: "/home/r/.config/takes/keymap.toml".into(),
        line: 3,
        column: 30,
        message: "[review] unknown action `explode`; entry ignored".into(),
    }];
    a.overlay = Some(Overlay::Problems);
    v.push(("problems", a));

    // The triage board: each stage, an opened interview, the bulk
    // decision's confirmation.
    for (name, stage) in [
        ("board_invited", BoardStage::Invited),
        ("board_awaiting_reviews", BoardStage::AwaitingReviews),
        ("board_ready_to_decide", BoardStage::ReadyToDecide),
        ("board_decided", BoardStage::Decided),
    ] {
        v.push((name, app_on_board(24, Some(stage))));
    }
    v.push(("board_interview", app_on_board_interview(1)));
    let mut a = app_on_board(24, Some(BoardStage::ReadyToDecide));
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Char('D'));
    key(&mut a, KeyCode::Char('r'));
    chars(&mut a, "Role filled");
    key(&mut a, KeyCode::Enter);
    v.push(("board_bulk_confirm", a));
    // The score and date filter: typing it, then in force in the header.
    let mut a = app_on_board(24, Some(BoardStage::ReadyToDecide));
    key(&mut a, KeyCode::Char('f'));
    chars(&mut a, "score>=3.5 from:2026-11-01");
    v.push(("board_filter_typing", a));
    let mut a = app_on_board(24, Some(BoardStage::ReadyToDecide));
    key(&mut a, KeyCode::Char('f'));
    chars(&mut a, "score>=3.5 score<=4 from:2026-11-01 to:2026-11-30");
    key(&mut a, KeyCode::Enter);
    v.push(("board_filtered", a));
    // The share link made for an opened interview.
    let mut a = app_on_board_interview(1);
    a.board.share = Some(takes::features::board::share::ShareOverlay {
        candidate: takes_testkit::board_item(1).candidate_name,
        link: takes::client::board::SharedLink {
            id: "sl1".into(),
            url: "https://takes.example.com/results/st_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0".into(),
            expires_at: "2027-01-01T09:00:00Z".into(),
        },
    });
    v.push(("board_share", a));
    v
}

#[test]
fn every_screen_in_every_theme_and_size() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        for (name, app) in scenarios() {
            for (theme_name, _) in theme::BUILTIN {
                let th = Theme::builtin(theme_name, ColorDepth::TrueColor);
                for (w, h) in SIZES {
                    insta::assert_snapshot!(
                        format!("{name}__{theme_name}__{w}x{h}"),
                        render(&app, &th, w, h)
                    );
                }
            }
        }
    });
}

#[test]
fn reduced_colour_depths() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        let app = app_in_review(UserRole::Reviewer);
        for (label, depth) in [
            ("no_color", ColorDepth::None),
            ("ansi16", ColorDepth::Ansi16),
            ("ansi256", ColorDepth::Ansi256),
        ] {
            let th = Theme::builtin("dark", depth);
            insta::assert_snapshot!(
                format!("review__dark_{label}__80x24"),
                render(&app, &th, 80, 24)
            );
            let mut res = testing::app_in_calibration(4);
            update(&mut res, Action::Key(KeyEvent::from(KeyCode::Char('V'))));
            update(
                &mut res,
                Action::CalibrationResultsLoaded {
                    id: "cal-1".into(),
                    result: Ok(testing::calibration_results()),
                },
            );
            res.status = None;
            insta::assert_snapshot!(
                format!("calibration_results__dark_{label}__200x50"),
                render(&res, &th, 200, 50)
            );
        }
    });
}

#[test]
fn text_of_key_screens() {
    // Plain-text assertions that do not depend on snapshot review.
    let th = Theme::builtin("dark", ColorDepth::TrueColor);
    let text = |app: &App, w, h| {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| screens::draw(f, app, &th)).expect("draw");
        let b = t.backend().buffer().clone();
        let mut s = String::new();
        for y in 0..h {
            for x in 0..w {
                s.push_str(b[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    };
    let q = text(&app_with_queue(UserRole::Reviewer, 40), 120, 30);
    assert!(q.contains("30h 00m over"), "{q}");
    assert!(q.contains("cleared 5, 35 left"), "{q}");
    let r = text(&app_in_review(UserRole::Reviewer), 120, 40);
    assert!(r.contains("(pseudonym)"), "{r}");
    assert!(r.contains("Video"), "{r}");
    assert!(r.contains("saved locally"), "{r}");
    assert!(r.contains("Q3 2✗"), "{r}");
    assert!(r.contains("Q1 4✓"), "{r}");
    let narrow = text(&app_in_review(UserRole::Reviewer), 80, 40);
    assert!(
        narrow.contains("Video") && narrow.contains("Transcript"),
        "{narrow}"
    );
    let mut locked = testing::app_in_calibration(3);
    update(&mut locked, Action::Key(KeyEvent::from(KeyCode::Char('V'))));
    let l = text(&locked, 100, 30);
    assert!(l.contains("Results locked"), "{l}");
    assert!(l.contains("3 of 4 items scored"), "{l}");
    let mut open = testing::app_in_calibration(4);
    update(&mut open, Action::Key(KeyEvent::from(KeyCode::Char('V'))));
    update(
        &mut open,
        Action::CalibrationResultsLoaded {
            id: "cal-1".into(),
            result: Ok(testing::calibration_results()),
        },
    );
    let u = text(&open, 200, 50);
    assert!(u.contains("Riley Chen (you)"), "{u}");
    // The fixture's figures are computed from its ratings (3 4 2 4 / 4 4 4 5
    // / 3 4 5 4): the raters barely agree.
    assert!(u.contains("Your deviation: -0.58"), "{u}");
    assert!(u.contains("α ordinal   0.005  unreliable"), "{u}");
    assert!(u.contains("α interval -0.076  unreliable"), "{u}");
    assert!(u.contains("one rater      -0.038  poor"), "{u}");
    assert!(u.contains("panel mean     -0.125  poor"), "{u}");
    assert!(u.contains("95% CI -0.375–0.386"), "{u}");
    assert!(u.contains("Anchor 3 needs a clearer outcome line."), "{u}");
    // Flagged item 3 comes first in the heat map header.
    let header = u
        .lines()
        .find(|l| l.contains("Reviewer"))
        .unwrap_or_default();
    let p3 = header.find("⚑#3");
    let p1 = header.find("#1");
    assert!(p3.is_some() && p1.is_some() && p3 < p1, "{header}");
    // Numbers are in the cells: Riley's 2 on item 3 is below the mean.
    assert!(u.contains("2▼"), "{u}");
    // No panic at any size.
    for (w, h) in [(40, 12), (41, 13), (60, 15), (300, 80)] {
        let _ = text(&open, w, h);
        let _ = text(&locked, w, h);
    }
    let tiny = text(&app_in_review(UserRole::Reviewer), 30, 8);
    assert!(tiny.contains("too small"), "{tiny}");
}

/// Draws a fixed frame through the real half-block renderer, as the runtime
/// does with the player's frames.
struct StillVideo {
    renderer: takes_player::VideoRenderer,
    frame: takes_player::Frame,
    areas: Vec<ratatui::layout::Rect>,
}

impl screens::VideoPane for StillVideo {
    fn draw_picture(
        &mut self,
        area: ratatui::layout::Rect,
        buf: &mut ratatui::buffer::Buffer,
    ) -> bool {
        self.areas.push(area);
        self.renderer.render(Some(&self.frame), area, buf);
        true
    }
}

#[test]
fn review_with_video_playing_in_the_muted_pass() {
    use takes::app::state::{Playback, VideoSupport};
    use takes_player::{ColorDepth as Depth, Detection, Frame, OutputKind, RenderOptions};
    let mut app = app_in_review(UserRole::Reviewer);
    app.settings.muted_first = takes_player::muted_first::Policy::Enforce;
    app.video = VideoSupport::Available {
        output: "halfblocks".into(),
    };
    update(&mut app, Action::Resize(120, 40));
    update(&mut app, Action::Player(takes_player::PlayerEvent::Loaded));
    update(
        &mut app,
        Action::Player(takes_player::PlayerEvent::Position {
            time_s: 6.0,
            duration_s: Some(25.0),
        }),
    );
    assert_eq!(app.player.playback, Playback::Playing);
    let det = Detection::fixed(OutputKind::Halfblocks, Depth::TrueColor);
    let mut video = StillVideo {
        renderer: takes_player::VideoRenderer::new(&det, RenderOptions::default()),
        frame: Frame::solid(8, 8, [200, 30, 30]),
        areas: Vec::new(),
    };
    let th = Theme::builtin("dark", ColorDepth::TrueColor);
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    t.draw(|f| screens::draw_with_video(f, &app, &th, Some(&mut video)))
        .expect("draw");
    let area = video.areas.first().copied().expect("the picture was drawn");
    // The picture is red half-blocks, the status line says which pass.
    let cell = &t.backend().buffer()[(area.x + 1, area.y + 1)];
    assert_eq!(cell.symbol(), "▀");
    assert_eq!(cell.fg, ratatui::style::Color::Rgb(200, 30, 30));
    let text = format!("{:?}", t.backend().buffer());
    assert!(text.contains("muted pass"), "{text}");
    assert!(text.contains("I split the work"), "the caption line");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        insta::assert_snapshot!("review_playing__dark__120x40", text);
    });
}

#[test]
fn board_interview_with_an_answer_playing() {
    use takes::app::state::VideoSupport;
    use takes_player::{ColorDepth as Depth, Detection, Frame, OutputKind, RenderOptions};
    let mut app = app_on_board_interview(1);
    app.video = VideoSupport::Available {
        output: "halfblocks".into(),
    };
    update(&mut app, Action::Resize(120, 40));
    testing::ch(&mut app, 'n');
    testing::ch(&mut app, 'P');
    update(&mut app, Action::Player(takes_player::PlayerEvent::Loaded));
    update(
        &mut app,
        Action::Player(takes_player::PlayerEvent::Position {
            time_s: 3.0,
            duration_s: Some(25.0),
        }),
    );
    app.status = None;
    let det = Detection::fixed(OutputKind::Halfblocks, Depth::TrueColor);
    let mut video = StillVideo {
        renderer: takes_player::VideoRenderer::new(&det, RenderOptions::default()),
        frame: Frame::solid(8, 8, [30, 30, 200]),
        areas: Vec::new(),
    };
    let th = Theme::builtin("dark", ColorDepth::TrueColor);
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    t.draw(|f| screens::draw_with_video(f, &app, &th, Some(&mut video)))
        .expect("draw");
    let area = video.areas.first().copied().expect("the picture was drawn");
    let cell = &t.backend().buffer()[(area.x + 1, area.y + 1)];
    assert_eq!(cell.symbol(), "▀");
    assert_eq!(cell.fg, ratatui::style::Color::Rgb(30, 30, 200));
    let text = format!("{:?}", t.backend().buffer());
    assert!(text.contains("Video · Q2"), "{text}");
    assert!(text.contains("▶ 0:03 / 0:25"), "{text}");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        insta::assert_snapshot!("board_interview_video__dark__120x40", text);
    });
}
