//! Resize sweep: every screen draws at any size from 1x1 to 300x100
//! without panicking.

use crossterm::event::{KeyCode, KeyEvent};
use proptest::prelude::*;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use takes::app::state::App;
use takes::app::{update, Action};
use takes::config::theme::ColorDepth;
use takes::config::Theme;
use takes::screens;
use takes_api::UserRole;
use takes_testkit::{app_in_review, app_with_queue};

fn draw(app: &App, theme: &Theme, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| screens::draw(f, app, theme)).expect("draw");
}

fn scenarios() -> Vec<App> {
    let key = |a: &mut App, c: KeyCode| {
        update(a, Action::Key(KeyEvent::from(c)));
    };
    let mut v = vec![
        app_with_queue(UserRole::Reviewer, 300),
        app_in_review(UserRole::Reviewer),
    ];
    let mut a = app_in_review(UserRole::Reviewer);
    key(&mut a, KeyCode::Char('i'));
    for c in "a long note that wraps\nand has lines".chars() {
        key(
            &mut a,
            if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            },
        );
    }
    v.push(a);
    let mut a = app_in_review(UserRole::Reviewer);
    key(&mut a, KeyCode::Char('?'));
    v.push(a);
    let mut a = app_in_review(UserRole::Recruiter);
    key(&mut a, KeyCode::Char('D'));
    v.push(a);
    let mut a = app_in_review(UserRole::Reviewer);
    key(&mut a, KeyCode::Char('v'));
    v.push(a);
    v
}

#[test]
fn sweep_1x1_to_300x100() {
    let theme = Theme::builtin("dark", ColorDepth::TrueColor);
    let apps = scenarios();
    // Every width 1..=300 and every height 1..=100, each against the sizes
    // where layouts switch (the minimum, narrow/wide); big areas are slow in
    // debug builds, so the cross product is sampled, not exhaustive.
    let heights = [1u16, 11, 12, 24];
    let widths = [1u16, 39, 40, 119, 120];
    for (i, app) in apps.iter().enumerate() {
        let step = if i < 2 { 1 } else { 4 };
        for w in (1..=300u16).step_by(step) {
            for &h in &heights {
                draw(app, &theme, w, h);
            }
        }
        for h in (1..=100u16).step_by(step) {
            for &w in &widths {
                draw(app, &theme, w, h);
            }
        }
        draw(app, &theme, 300, 100);
    }
}

#[test]
fn resize_actions_update_the_size() {
    let mut app = app_with_queue(UserRole::Reviewer, 3);
    update(&mut app, Action::Resize(1, 1));
    assert_eq!(app.size, (1, 1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn any_size_any_screen(w in 1u16..=300, h in 1u16..=100, which in 0usize..6) {
        thread_local!(static APPS: Vec<App> = scenarios());
        let theme = Theme::builtin("high-contrast", ColorDepth::Ansi16);
        APPS.with(|apps| draw(&apps[which], &theme, w, h));
    }
}
