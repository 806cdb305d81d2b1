//! The hint bar and the `?` help are generated from the features' command
//! lists with keys looked up in the keymap: rebinding a key changes what
//! both say, and what the key does.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use takes::app::state::{App, Overlay};
use takes::app::{update, Action, Effect};
use takes::config::theme::ColorDepth;
use takes::config::{Keymap, Theme};
use takes::screens;
use takes_api::UserRole;
use takes_testkit::{app_with_queue, assignment, ch, key};

/// Submit moves from `S` to `U`; the dialog's confirm from `y`/`Y` to `o`.
const USER_KEYMAP: &str = r#"
[review]
keymap = [
  { on = "S", run = "noop" },
  { on = "U", run = "submit", desc = "Submit every score (U, then o)" },
]

[dialog]
keymap = [
  { on = "y", run = "noop" },
  { on = "Y", run = "noop" },
  { on = "o", run = "confirm", desc = "Yes" },
]
"#;

fn rebound() -> Keymap {
    let mut km = Keymap::defaults();
    let mut diags = Vec::new();
    km.merge(Path::new("/u/keymap.toml"), USER_KEYMAP, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    km
}

fn screen_text(app: &App) -> String {
    let th = Theme::builtin("dark", ColorDepth::TrueColor);
    let (w, h) = (120, 40);
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
}

fn bar(app: &App) -> String {
    screens::hint_bar(app)
        .into_iter()
        .map(|(k, label)| format!("{k} {label}"))
        .collect::<Vec<_>>()
        .join("  ")
}

/// The first row's assignment open, every question rated (Q1 on the
/// server), so `submit` asks for confirmation.
fn rated_review(keymap: Keymap) -> App {
    let mut app = app_with_queue(UserRole::Reviewer, 40);
    app.keymap = keymap;
    key(&mut app, KeyCode::Enter);
    let id = app
        .review()
        .map(|r| r.assignment_id.clone())
        .expect("review open");
    update(
        &mut app,
        Action::AssignmentLoaded {
            id: id.clone(),
            result: Ok(assignment(&id)),
        },
    );
    for c in ['3', '2', '5'] {
        ch(&mut app, c);
    }
    app.status = None;
    app
}

#[test]
fn defaults_give_todays_hints() {
    let mut app = rated_review(Keymap::defaults());
    assert_eq!(
        bar(&app),
        "1-5 rate  n next  p prev  i note  v video  S submit  ? help  q back"
    );
    ch(&mut app, 'S');
    assert_eq!(app.overlay, Some(Overlay::ConfirmSubmit));
    assert_eq!(bar(&app), "y submit  Esc cancel");
}

#[test]
fn a_rebound_submit_and_dialog_key_show_in_the_bar_and_the_help() {
    let mut app = rated_review(rebound());

    // The bar names the new submit key, not the old one.
    let b = bar(&app);
    assert!(b.contains("U submit"), "{b}");
    assert!(!b.contains("S submit"), "{b}");
    let text = screen_text(&app);
    assert!(text.contains("U submit"), "{text}");

    // The help lists both rebound keys.
    ch(&mut app, '?');
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 0 }));
    let help = screen_text(&app);
    assert!(help.contains("Submit every score (U, then o)"), "{help}");
    let submit_row = help
        .lines()
        .find(|l| l.contains("Submit every score"))
        .unwrap_or_default();
    assert!(submit_row.contains(" U "), "{submit_row}");
    let confirm_row = help
        .lines()
        .find(|l| l.contains("confirm a submit"))
        .unwrap_or_default();
    assert!(confirm_row.contains(" o "), "{confirm_row}");
    assert!(!confirm_row.contains(" y "), "{confirm_row}");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, None);

    // The old key does nothing; the new one asks, and the dialog's bar and
    // text name its new confirm key.
    assert!(ch(&mut app, 'S').is_empty());
    assert_eq!(app.overlay, None);
    ch(&mut app, 'U');
    assert_eq!(app.overlay, Some(Overlay::ConfirmSubmit));
    assert_eq!(bar(&app), "o submit  Esc cancel");
    let dialog = screen_text(&app);
    assert!(dialog.contains(" o  submit"), "{dialog}");

    // `y` is no longer confirm: it cancels, as any other key does.
    ch(&mut app, 'y');
    assert_eq!(app.overlay, None);
    ch(&mut app, 'U');
    let fx = update(&mut app, Action::Key(KeyEvent::from(KeyCode::Char('o'))));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::RetrySync | Effect::Submit(_))),
        "{fx:?}"
    );
}

#[test]
fn editor_keys_come_from_the_keymap() {
    let mut km = Keymap::defaults();
    let mut diags = Vec::new();
    km.merge(
        Path::new("/u/keymap.toml"),
        "[editor]\nkeymap = [\n  { on = \"<Esc>\", run = \"noop\" },\n  { on = \"<C-c>\", run = \"noop\" },\n  { on = \"<C-s>\", run = \"leave\" },\n]\n",
        &mut diags,
    );
    assert!(diags.is_empty(), "{diags:?}");
    let mut app = rated_review(km);
    ch(&mut app, 'i');
    app.status = None;
    assert_eq!(bar(&app), "C-s leave note (saves)  Enter new line");
    // Esc is no longer bound: the editor stays open.
    key(&mut app, KeyCode::Esc);
    assert!(app.review().is_some_and(|r| r.editor.is_some()));
    ch(&mut app, 'x');
    update(
        &mut app,
        Action::Key(KeyEvent::new(
            KeyCode::Char('s'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(app.review().is_some_and(|r| r.editor.is_none()));
}

#[test]
fn messages_and_titles_name_rebound_keys() {
    let mut app = rated_review(rebound());
    // Rating the last question again says how to submit, with its key.
    ch(&mut app, '4');
    let said = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(said.contains("U to submit"), "{said}");
    // The note editor's title names its leave key.
    ch(&mut app, 'i');
    let text = screen_text(&app);
    assert!(text.contains("Note — editing, Esc leaves"), "{text}");
}
