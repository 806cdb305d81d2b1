//! The role browser: moving through it (update), what it shows (text and
//! insta snapshots of every theme at 80x24 and 200x50, styles included),
//! its keys in the hint bar and the help, and no panic at any size.

use std::path::Path;

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use takes::app::state::{App, Overlay, Screen, ScreenKind};
use takes::app::{update, Action, Effect};
use takes::client::ClientError;
use takes::config::theme::{self, ColorDepth};
use takes::config::{Keymap, Theme};
use takes::screens;
use takes_api::roles::RolePage;
use takes_api::UserRole;
use takes_testkit::{
    app_in_calibration, app_in_review, app_in_role, app_in_roles, app_with_queue, ch, key,
    role_detail, role_summaries,
};

fn render(app: &App, theme: &Theme, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| screens::draw(f, app, theme)).expect("draw");
    format!("{:?}", t.backend().buffer())
}

fn text(app: &App, w: u16, h: u16) -> String {
    let th = Theme::builtin("dark", ColorDepth::TrueColor);
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

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn scroll(app: &App) -> usize {
    app.screen.role().map(|r| r.scroll).expect("a role shown")
}

#[test]
fn reviewers_are_told_who_the_browser_is_for() {
    let mut app = app_with_queue(UserRole::Reviewer, 10);
    let fx = ch(&mut app, 'o');
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(app.screen.kind(), ScreenKind::Queue);
    assert!(
        status(&app).contains("for recruiters and admins"),
        "{}",
        status(&app)
    );
    assert!(!bar(&app).contains("roles"), "{}", bar(&app));
}

#[test]
fn recruiters_and_admins_open_the_list_and_a_role_and_come_back() {
    for role in [UserRole::Recruiter, UserRole::Admin] {
        let mut app = app_with_queue(role, 10);
        assert!(bar(&app).contains("o roles"), "{}", bar(&app));
        let fx = ch(&mut app, 'o');
        assert_eq!(fx, vec![Effect::FetchRoles]);
        assert_eq!(app.screen.kind(), ScreenKind::Roles);
        assert!(text(&app, 100, 30).contains("Loading the roles…"));

        update(
            &mut app,
            Action::RolesLoaded(Ok(RolePage {
                items: role_summaries(),
            })),
        );
        assert_eq!(app.roles.selected, 0);
        ch(&mut app, 'j');
        key(&mut app, KeyCode::Down);
        assert_eq!(app.roles.selected, 2);
        ch(&mut app, 'G');
        assert_eq!(app.roles.selected, 3, "the last row");
        ch(&mut app, 'j');
        assert_eq!(app.roles.selected, 3, "stays on the last row");
        ch(&mut app, 'k');
        ch(&mut app, 'g');
        assert_eq!(app.roles.selected, 0);
        ch(&mut app, 'j');

        let fx = key(&mut app, KeyCode::Enter);
        assert_eq!(fx, vec![Effect::FetchRole("role-2".into())]);
        assert_eq!(app.screen.kind(), ScreenKind::Role);
        assert!(text(&app, 100, 30).contains("Loading the role…"));
        // An answer for another role (an earlier request) is not shown.
        update(
            &mut app,
            Action::RoleLoaded {
                id: "role-1".into(),
                result: Ok(role_detail()),
            },
        );
        assert!(app.screen.role().is_some_and(|r| r.detail.is_none()));

        // Back to the list, selection kept, nothing fetched; back to the queue.
        assert!(ch(&mut app, 'q').is_empty());
        assert_eq!(app.screen.kind(), ScreenKind::Roles);
        assert_eq!(app.roles.selected, 1);
        assert_eq!(ch(&mut app, 'r'), vec![Effect::FetchRoles]);
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.screen.kind(), ScreenKind::Queue);
        assert!(!app.should_quit);
    }
}

#[test]
fn a_reload_keeps_the_selected_role() {
    let mut app = app_in_roles(UserRole::Admin);
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    let mut items = role_summaries();
    items.remove(0);
    update(&mut app, Action::RolesLoaded(Ok(RolePage { items })));
    assert_eq!(
        app.roles.selected_role().map(|r| r.id.as_str()),
        Some("role-3")
    );
    update(
        &mut app,
        Action::RolesLoaded(Ok(RolePage { items: vec![] })),
    );
    assert_eq!(app.roles.selected, 0);
    assert!(text(&app, 100, 30).contains("No roles yet"));
    assert!(key(&mut app, KeyCode::Enter).is_empty());
}

#[test]
fn the_list_shows_every_column_and_marks_archived_roles() {
    let app = app_in_roles(UserRole::Recruiter);
    let t = text(&app, 200, 50);
    let row = |needle: &str| {
        t.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_default()
            .to_string()
    };
    let be = row("Backend Engineer");
    for part in [
        "Engineering",
        "backend-2027",
        "v2",
        "4 questions",
        "3 in flight",
    ] {
        assert!(be.contains(part), "{part}: {be}");
    }
    let sre = row("Site Reliability Engineer");
    assert!(sre.contains("archived"), "{sre}");
    assert!(!be.contains("archived"), "{be}");
    assert!(row("Account Executive").contains("—"), "no key");
    assert!(t.contains("Roles (4)"), "{t}");
}

#[test]
fn a_role_shows_settings_questions_rubric_versions_and_people() {
    let mut app = app_in_role();
    let t = text(&app, 200, 50);
    for part in [
        "Role — Backend Engineer",
        "key backend-2027",
        "Completion window        72 h",
        "Reviewers per interview  2",
        "Hiring manager           hm@example.com",
        "Support contact          talent@example.com",
        "Intro video              yes (/v1/media/intro-role-1)",
        "Hi, thanks for applying to the Backend Engineer role.",
        "… 2 more lines",
        "Questions — v2 (current) · 4 questions · 1 retake per question",
        "n/p other versions",
        "Q1 · Delivery under pressure · 120 s answer · 30 s thinking",
        "Q2 · Debugging · 150 s answer · 30 s thinking",
        "scale 1–5 · pass ≥ 3",
        "  1  Weak — No concrete example; generic claims.",
        "  5  Strong — Specific situation",
    ] {
        assert!(t.contains(part), "{part}\n{t}");
    }
    assert!(!t.contains("Two engineers review"), "only the first lines");

    // The rest is below: scroll to the end.
    ch(&mut app, 'G');
    let t = text(&app, 200, 50);
    for part in [
        "▸ v2",
        "created 2026-11-17 · 5 interviews · 4 in flight · current",
        "v1   created 2026-11-07 · 9 interviews · 2 in flight",
        "Reviewer pool — 2 per interview",
        "Riley Chen  riley@example.com · 3 open assignments",
        "Sam Okafor  sam@example.com · 1 open assignment",
        "Alex Morgan  alex@example.com · 0 open assignments · inactive",
        "Recruiters",
        "Jordan Lee  jordan@example.com",
    ] {
        assert!(t.contains(part), "{part}\n{t}");
    }
    let v1 = t.lines().find(|l| l.contains("v1   created")).unwrap_or("");
    assert!(!v1.contains("current"), "{v1}");
}

#[test]
fn an_older_version_shows_its_own_questions_and_rubric() {
    let mut app = app_in_role();
    assert_eq!(
        bar(&app),
        "j scroll  n p version  r reload  ? help  q roles"
    );
    ch(&mut app, 'n');
    let t = text(&app, 200, 50);
    assert!(t.contains("Questions — v1 · 3 questions"), "{t}");
    assert!(t.contains("9 interviews invited with it keep it"), "{t}");
    assert!(t.contains("pass ≥ 4"), "{t}");
    assert!(!t.contains("Q4 · Code ownership"), "{t}");
    // Wraps round; `p` goes the other way.
    ch(&mut app, 'n');
    assert!(text(&app, 200, 50).contains("Questions — v2 (current)"));
    ch(&mut app, 'p');
    assert!(text(&app, 200, 50).contains("Questions — v1 ·"));
    // A reload keeps the version shown.
    assert_eq!(ch(&mut app, 'r'), vec![Effect::FetchRole("role-1".into())]);
    update(
        &mut app,
        Action::RoleLoaded {
            id: "role-1".into(),
            result: Ok(role_detail()),
        },
    );
    assert!(text(&app, 200, 50).contains("Questions — v1 ·"));

    // One version: no version hint; the key says why nothing changes.
    let mut one = app_in_roles(UserRole::Recruiter);
    key(&mut one, KeyCode::Enter);
    let mut d = role_detail();
    d.versions.truncate(1);
    update(
        &mut one,
        Action::RoleLoaded {
            id: "role-1".into(),
            result: Ok(d),
        },
    );
    assert!(!bar(&one).contains("version"), "{}", bar(&one));
    ch(&mut one, 'n');
    assert!(status(&one).contains("one question-set version"));
}

#[test]
fn the_role_scrolls_within_its_text() {
    let mut app = app_in_role();
    update(&mut app, Action::Resize(80, 24));
    assert_eq!(scroll(&app), 0);
    ch(&mut app, 'k');
    assert_eq!(scroll(&app), 0);
    ch(&mut app, 'j');
    assert_eq!(scroll(&app), 1);
    for _ in 0..500 {
        ch(&mut app, 'j');
    }
    let max = scroll(&app);
    assert!(max > 10 && max < 200, "{max}");
    // The end is reached: one `k` moves at once.
    ch(&mut app, 'k');
    assert_eq!(scroll(&app), max - 1);
    ch(&mut app, 'G');
    assert_eq!(scroll(&app), max);
    let t = text(&app, 80, 24);
    assert!(t.contains("Jordan Lee"), "the end is shown: {t}");
    ch(&mut app, 'g');
    assert_eq!(scroll(&app), 0);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(scroll(&app), 20);
    // The shorter older version: the scroll stays within it.
    ch(&mut app, 'G');
    ch(&mut app, 'n');
    assert!(scroll(&app) < max, "{} < {max}", scroll(&app));
    let t = text(&app, 80, 24);
    assert!(t.contains("Jordan Lee"), "{t}");
}

#[test]
fn errors_show_the_problem_and_a_403_says_who_may_browse() {
    let mut app = app_with_queue(UserRole::Recruiter, 5);
    ch(&mut app, 'o');
    update(
        &mut app,
        Action::RolesLoaded(Err(ClientError::Forbidden(
            "recruiters and admins only".into(),
        ))),
    );
    let t = text(&app, 120, 30);
    assert!(
        t.contains("The role browser is for recruiters and admins (the server said: recruiters and admins only)."),
        "{t}"
    );

    update(
        &mut app,
        Action::RolesLoaded(Err(ClientError::Server {
            status: 500,
            detail: "database is locked".into(),
        })),
    );
    let t = text(&app, 120, 30);
    assert!(
        t.contains("Loading the roles failed: server error (500): database is locked"),
        "{t}"
    );

    let mut app = app_in_role();
    ch(&mut app, 'r');
    update(
        &mut app,
        Action::RoleLoaded {
            id: "role-1".into(),
            result: Err(ClientError::NotFound("no role role-1".into())),
        },
    );
    let t = text(&app, 120, 30);
    // The last good copy stays, under the error.
    assert!(t.contains("not found (404): no role role-1"), "{t}");
    assert!(t.contains("Q1 · Delivery under pressure"), "{t}");

    let mut app = app_in_roles(UserRole::Recruiter);
    key(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::RoleLoaded {
            id: "role-1".into(),
            result: Err(ClientError::Forbidden("not your role".into())),
        },
    );
    let t = text(&app, 120, 30);
    assert!(t.contains("for recruiters and admins"), "{t}");
    assert!(t.contains("not your role"), "{t}");
}

#[test]
fn the_help_and_the_bar_list_the_browser_keys_as_bound() {
    let mut app = app_in_roles(UserRole::Recruiter);
    assert_eq!(bar(&app), "Enter open  j move  r reload  ? help  q queue");
    ch(&mut app, '?');
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 0 }));
    let help = text(&app, 120, 50);
    assert!(help.contains("Roles keys"), "{help}");
    assert!(help.contains("Open the selected role"), "{help}");
    let older = help
        .lines()
        .find(|l| l.contains("next older question-set version"))
        .unwrap_or_default();
    assert!(older.contains(" n "), "{older}");

    let mut q = app_with_queue(UserRole::Recruiter, 5);
    ch(&mut q, '?');
    let help = text(&q, 120, 50);
    let row = help
        .lines()
        .find(|l| l.contains("Role browser (recruiters, admins)"))
        .unwrap_or_default();
    assert!(row.contains(" o "), "{help}");

    // Rebound: the queue key and the version keys, in bar, help and use.
    let mut km = Keymap::defaults();
    let mut diags = Vec::new();
    km.merge(
        Path::new("/u/keymap.toml"),
        "[queue]\nkeymap = [\n  { on = \"o\", run = \"noop\" },\n  { on = \"W\", run = \"roles\" },\n]\n[roles]\nkeymap = [\n  { on = \"n\", run = \"noop\" },\n  { on = \">\", run = \"older_version\", desc = \"Older version\" },\n]\n",
        &mut diags,
    );
    assert!(diags.is_empty(), "{diags:?}");
    let mut app = app_with_queue(UserRole::Admin, 5);
    app.keymap = km;
    assert!(bar(&app).contains("W roles"), "{}", bar(&app));
    assert!(ch(&mut app, 'o').is_empty());
    assert_eq!(ch(&mut app, 'W'), vec![Effect::FetchRoles]);
    update(
        &mut app,
        Action::RolesLoaded(Ok(RolePage {
            items: role_summaries(),
        })),
    );
    key(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Action::RoleLoaded {
            id: "role-1".into(),
            result: Ok(role_detail()),
        },
    );
    assert!(bar(&app).contains("> p version"), "{}", bar(&app));
    assert!(text(&app, 200, 50).contains(">/p other versions"));
    ch(&mut app, '>');
    assert!(text(&app, 200, 50).contains("Questions — v1 ·"));
}

#[test]
fn the_review_names_the_rubric_version_of_the_interview() {
    let r = text(&app_in_review(UserRole::Reviewer), 120, 40);
    assert!(r.contains("scale 1–5 · pass ≥ 3 · rubric v1"), "{r}");
    // Calibration samples have no version: no label.
    let c = text(&app_in_calibration(3), 120, 40);
    assert!(c.contains("pass ≥"), "{c}");
    assert!(!c.contains("rubric v"), "{c}");
}

#[test]
fn no_panic_at_any_size() {
    let th = Theme::builtin("dark", ColorDepth::TrueColor);
    let mut loading = app_with_queue(UserRole::Recruiter, 3);
    ch(&mut loading, 'o');
    let mut scrolled = app_in_role();
    ch(&mut scrolled, 'G');
    let apps = [
        app_in_roles(UserRole::Recruiter),
        app_in_role(),
        scrolled,
        loading,
    ];
    for app in &apps {
        for (w, h) in [(1, 1), (20, 5), (1, 50), (200, 1), (40, 12), (41, 13)] {
            let _ = render(app, &th, w, h);
        }
        for w in (1..=160u16).step_by(3) {
            for h in [1u16, 5, 12, 13, 24] {
                let _ = render(app, &th, w, h);
            }
        }
    }
    // Keys at a tiny size do not panic either.
    let mut app = app_in_role();
    update(&mut app, Action::Resize(1, 1));
    for c in ['j', 'G', 'n', 'k', 'g', 'p'] {
        ch(&mut app, c);
    }
    key(&mut app, KeyCode::PageDown);
    assert!(matches!(app.screen, Screen::Role(_)));
}

#[test]
fn snapshots_in_every_theme_and_size() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        let list = app_in_roles(UserRole::Recruiter);
        let mut role = app_in_role();
        ch(&mut role, 'j');
        for (name, app) in [("roles_list", &list), ("role_detail", &role)] {
            for (theme_name, _) in theme::BUILTIN {
                let th = Theme::builtin(theme_name, ColorDepth::TrueColor);
                for (w, h) in [(80, 24), (200, 50)] {
                    insta::assert_snapshot!(
                        format!("{name}__{theme_name}__{w}x{h}"),
                        render(app, &th, w, h)
                    );
                }
            }
        }
    });
}
