//! Redraw time of the queue (10,000 assignments) and the review screen, on
//! ratatui's TestBackend (the frame is built and diffed; no terminal I/O).
//! `cargo bench --bench redraw`

use criterion::{criterion_group, criterion_main, Criterion};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use takes::app::{update, Action};
use takes::config::theme::ColorDepth;
use takes::config::Theme;
use takes_api::UserRole;
use takes_testkit::{app_in_review, app_on_board, app_with_queue};

fn redraw(c: &mut Criterion) {
    let theme = Theme::builtin("dark", ColorDepth::TrueColor);
    let mut queue = app_with_queue(UserRole::Reviewer, 10_000);
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut down = true;
        c.bench_function(&format!("queue_10k_{w}x{h}"), |b| {
            b.iter(|| {
                // Move the selection each frame so every draw differs.
                let k = if down {
                    KeyCode::Char('j')
                } else {
                    KeyCode::Char('k')
                };
                update(&mut queue, Action::Key(KeyEvent::from(k)));
                down = !down;
                t.draw(|f| takes::screens::draw(f, &queue, &theme))
                    .expect("draw");
            })
        });
    }
    // The triage board with 10,000 interviews loaded.
    let mut board = app_on_board(10_000, None);
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut down = true;
        c.bench_function(&format!("board_10k_{w}x{h}"), |b| {
            b.iter(|| {
                let k = if down {
                    KeyCode::Char('j')
                } else {
                    KeyCode::Char('k')
                };
                update(&mut board, Action::Key(KeyEvent::from(k)));
                down = !down;
                t.draw(|f| takes::screens::draw(f, &board, &theme))
                    .expect("draw");
            })
        });
    }
    let mut review = app_in_review(UserRole::Reviewer);
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut next = true;
        c.bench_function(&format!("review_{w}x{h}"), |b| {
            b.iter(|| {
                let k = if next {
                    KeyCode::Char('J')
                } else {
                    KeyCode::Char('K')
                };
                update(&mut review, Action::Key(KeyEvent::from(k)));
                next = !next;
                t.draw(|f| takes::screens::draw(f, &review, &theme))
                    .expect("draw");
            })
        });
    }
    let mut filt = app_with_queue(UserRole::Reviewer, 10_000);
    update(&mut filt, Action::Key(KeyEvent::from(KeyCode::Char('/'))));
    let mut typed = false;
    c.bench_function("queue_10k_filter_keystroke", |b| {
        b.iter(|| {
            let k = if typed {
                KeyCode::Backspace
            } else {
                KeyCode::Char('s')
            };
            update(&mut filt, Action::Key(KeyEvent::from(k)));
            typed = !typed;
        })
    });
}

criterion_group!(benches, redraw);
criterion_main!(benches);
