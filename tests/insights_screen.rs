//! The Insights screen and "my reviewing" with real figures: a real
//! `takes-platform` on a loopback socket (SQLite, and PostgreSQL for the
//! agreement check), loaded with the insights tests' hand-built data set
//! (`crates/takes-platform/tests/api/insights_data.rs`: one role "Data
//! Analyst" in Analytics, four interviews: invited 4, started 3, completed
//! 2, reviewed 2, decided 1), on a clock fixed at the fixtures' `NOW_MS` so
//! the snapshots never move. The figures are fetched by the same client
//! call the runtime makes; keys, filters, snapshots of every theme at
//! 80x24 and 200x50, and no panic at any size.

mod cli_support;

#[path = "common/insights.rs"]
mod insights_env;

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use crossterm::event::KeyCode;
use insights_env::Env;
use proptest::prelude::*;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use takes::app::state::{App, ScreenKind};
use takes::app::{update, Action, Effect};
use takes::client::insights::{InsightsBundle, InsightsQuery};
use takes::client::Client;
use takes::config::theme::{self, ColorDepth};
use takes::config::Theme;
use takes::features::insights::state::Tab;
use takes::screens;
use takes_api::UserRole;
use takes_platform::Clock;
use takes_testkit::{app_with_queue, ch, key, NOW_MS};

async fn start(postgres: bool) -> Env {
    let clock = Clock::Manual(Arc::new(AtomicI64::new(NOW_MS)));
    insights_env::start(postgres, clock, "insights.db").await
}

async fn bundle(env: &Env, token: &str, q: &InsightsQuery, staff: bool) -> Box<InsightsBundle> {
    let client = Client::new(&env.base, token, 10).expect("client");
    Box::new(client.insights_bundle(q, staff).await)
}

/// Presses the Insights key and answers its request with `data`.
fn opened(role: UserRole, data: Box<InsightsBundle>) -> App {
    let mut app = app_with_queue(role, 3);
    let fx = ch(&mut app, 'I');
    let gen = match fx.as_slice() {
        [Effect::FetchInsights { gen, .. }] => *gen,
        other => panic!("expected one insights request, got {other:?}"),
    };
    update::update(&mut app, Action::InsightsLoaded { gen, data });
    app
}

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

fn tab(app: &App) -> Tab {
    app.screen.insights().expect("insights shown").tab
}

fn request(fx: &[Effect]) -> InsightsQuery {
    match fx {
        [Effect::FetchInsights { query, .. }] => query.clone(),
        other => panic!("expected one insights request, got {other:?}"),
    }
}

#[tokio::test]
async fn a_recruiter_sees_the_funnel_and_every_section_from_the_api() {
    let env = start(false).await;
    let data = bundle(&env, &env.admin, &InsightsQuery::default(), true).await;
    let mut app = opened(UserRole::Recruiter, data);
    assert_eq!(app.screen.kind(), ScreenKind::Insights);
    assert_eq!(tab(&app), Tab::Funnel);
    let t = text(&app, 200, 50);
    // The data set's funnel: 4 invited, 3 started (75%), 2 completed
    // (67% of started, 50% of invited), 2 reviewed (I3 and I4 each have a
    // submitted sheet), 1 decided (I3: 50% of reviewed, 25% of invited).
    assert!(t.contains("invited          4"), "{t}");
    assert!(
        t.contains("started          3     75% of previous     75% of invited"),
        "{t}"
    );
    assert!(
        t.contains("completed        2     67% of previous     50% of invited"),
        "{t}"
    );
    assert!(
        t.contains("reviewed         2    100% of previous     50% of invited"),
        "{t}"
    );
    assert!(
        t.contains("decided          1     50% of previous     25% of invited"),
        "{t}"
    );
    assert!(t.contains("Data Analyst"), "{t}");
    assert!(t.contains("Weekly completion by role"), "{t}");
    // Every section draws its figures, none failed.
    let mut seen = vec![tab(&app)];
    for _ in 1..Tab::STAFF.len() {
        key(&mut app, KeyCode::Tab);
        seen.push(tab(&app));
        let t = text(&app, 200, 50);
        assert!(!t.contains("could not be loaded"), "{:?}: {t}", tab(&app));
    }
    assert_eq!(seen, Tab::STAFF.to_vec());
    key(&mut app, KeyCode::Tab);
    assert_eq!(tab(&app), Tab::Funnel, "the sections wrap round");
    key(&mut app, KeyCode::BackTab);
    assert_eq!(tab(&app), Tab::Mine);

    // Scores: Ann's two sheets and Ben's one give Q1 ratings 4, 2, 3.
    while tab(&app) != Tab::Scores {
        key(&mut app, KeyCode::Tab);
    }
    let t = text(&app, 200, 50);
    assert!(
        t.contains("▶ Data Analyst v1 Q1: Explain a model n 3, mean 3.00"),
        "{t}"
    );
    assert!(t.contains("Leniency"), "{t}");
    ch(&mut app, 'n');
    let t = text(&app, 200, 50);
    assert!(t.contains("▶ Data Analyst v1 Q2: Clean a data set"), "{t}");
    assert!(
        t.contains("┌ Data Analyst v1 Q2: Clean"),
        "the histogram follows: {t}"
    );

    // Shift: Ann moved 2 of her 3 muted ratings up by one (I3 q1 3→4,
    // q2 4→5); the bar and the numbers say it in characters.
    while tab(&app) != Tab::Shift {
        key(&mut app, KeyCode::Tab);
    }
    let t = text(&app, 200, 50);
    assert!(t.contains("Ann Analyst"), "{t}");
    assert!(t.contains("up 2, down 0"), "{t}");
}

#[tokio::test]
async fn a_reviewer_gets_my_reviewing_and_never_a_403() {
    let env = start(false).await;
    let mut app = app_with_queue(UserRole::Reviewer, 3);
    let fx = ch(&mut app, 'I');
    let (gen, query) = match fx.as_slice() {
        [Effect::FetchInsights { gen, query, staff }] => {
            assert!(
                !staff,
                "a reviewer's request asks only for their own figures"
            );
            (*gen, query.clone())
        }
        other => panic!("{other:?}"),
    };
    let data = bundle(&env, &env.data.a, &query, false).await;
    assert!(data.me.is_ok(), "{:?}", data.me);
    update::update(&mut app, Action::InsightsLoaded { gen, data });
    assert_eq!(tab(&app), Tab::Mine);
    let t = text(&app, 120, 40);
    assert!(t.contains("My reviewing"), "{t}");
    // Ann: two assignments, both submitted; first scores 2 h and 1 h after
    // completion (I3: 97−95, I4: 11−10).
    assert!(t.contains("2 assignments, 0 overdue"), "{t}");
    assert!(t.contains("to first score: median 1.5 h"), "{t}");
    assert!(t.contains("My leniency"), "{t}");
    assert!(!t.contains("403") && !t.contains("not allowed"), "{t}");
    // The sections of the organisation are not there to switch to.
    key(&mut app, KeyCode::Tab);
    assert_eq!(tab(&app), Tab::Mine);
    let b = bar(&app);
    assert!(!b.contains("department") && !b.contains("section"), "{b}");
    assert!(b.contains("period"), "{b}");
}

#[tokio::test]
async fn filters_ask_again_and_an_old_answer_is_dropped() {
    let env = start(false).await;
    let data = bundle(&env, &env.admin, &InsightsQuery::default(), true).await;
    let mut app = opened(UserRole::Admin, data.clone());
    let q = request(&ch(&mut app, 'R'));
    assert_eq!(q.role.as_deref(), Some(env.data.role.as_str()));
    let gen_role = app.screen.insights().expect("shown").gen;
    let q = request(&ch(&mut app, 'd'));
    assert_eq!(q.department.as_deref(), Some("Analytics"));
    assert_eq!(
        q.role.as_deref(),
        Some(env.data.role.as_str()),
        "filters combine"
    );
    let q = request(&ch(&mut app, 't'));
    assert_eq!(
        q.since.as_deref(),
        Some("2026-10-30T10:00:00Z"),
        "28 days before now"
    );
    // The role request's answer arrives after the later ones were asked:
    // dropped, the screen still waits for the newest.
    update::update(
        &mut app,
        Action::InsightsLoaded {
            gen: gen_role,
            data: data.clone(),
        },
    );
    assert!(app.screen.insights().expect("shown").loading);
    // The filtered figures, as the server gives them.
    let fresh = bundle(&env, &env.admin, &q, true).await;
    let gen = app.screen.insights().expect("shown").gen;
    update::update(&mut app, Action::InsightsLoaded { gen, data: fresh });
    let t = text(&app, 200, 50);
    assert!(
        t.contains("Role: Data Analyst · Department: Analytics · Period: last 28 days"),
        "{t}"
    );
    // The data set was invited 30 days ago: nothing in the last 28 days.
    assert!(t.contains("invited          0"), "{t}");
    // Cycling past the last choice comes back to every role.
    let q = request(&ch(&mut app, 'R'));
    assert_eq!(q.role, None);
    let q = request(&ch(&mut app, 'x'));
    assert_eq!(q, InsightsQuery::default());
    let q = request(&ch(&mut app, 'r'));
    assert_eq!(q, InsightsQuery::default());
}

#[tokio::test]
async fn the_text_scrolls_within_its_bounds() {
    let env = start(false).await;
    let data = bundle(&env, &env.admin, &InsightsQuery::default(), true).await;
    let mut app = opened(UserRole::Recruiter, data);
    app.size = (80, 24);
    let top = text(&app, 80, 24);
    ch(&mut app, 'G');
    let bottom = text(&app, 80, 24);
    assert_ne!(top, bottom);
    assert!(bottom.contains("last 10% of the window"), "{bottom}");
    let at = app.screen.insights().expect("shown").scroll;
    ch(&mut app, 'j');
    assert_eq!(
        app.screen.insights().expect("shown").scroll,
        at,
        "no further"
    );
    ch(&mut app, 'k');
    assert_ne!(text(&app, 80, 24), bottom, "one key up moves at once");
    ch(&mut app, 'g');
    assert_eq!(text(&app, 80, 24), top);
}

#[tokio::test]
async fn help_and_hint_bar_list_the_keys() {
    let env = start(false).await;
    let data = bundle(&env, &env.admin, &InsightsQuery::default(), true).await;
    let mut app = opened(UserRole::Recruiter, data);
    let b = bar(&app);
    for label in ["section", "role", "department", "period", "reload", "help"] {
        assert!(b.contains(label), "{label}: {b}");
    }
    ch(&mut app, '?');
    let t = text(&app, 120, 50);
    for line in [
        "Insights keys",
        "Cycle department filter",
        "Cycle period: all time, 28, 91, 365 days",
        "Next section",
    ] {
        assert!(t.contains(line), "{line}: {t}");
    }
}

#[tokio::test]
async fn sqlite_and_postgresql_draw_the_same_screen() {
    let mut screens = Vec::new();
    for postgres in [false, true] {
        let env = start(postgres).await;
        let data = bundle(&env, &env.admin, &InsightsQuery::default(), true).await;
        let mut app = opened(UserRole::Recruiter, data);
        let mut all = String::new();
        for _ in 0..Tab::STAFF.len() {
            all.push_str(&text(&app, 200, 50));
            key(&mut app, KeyCode::Tab);
        }
        screens.push(all);
    }
    assert_eq!(screens[0], screens[1]);
}

#[tokio::test]
async fn snapshots_in_every_theme_and_size() {
    let env = start(false).await;
    let staff = bundle(&env, &env.admin, &InsightsQuery::default(), true).await;
    let own = bundle(&env, &env.data.a, &InsightsQuery::default(), false).await;
    let funnel = opened(UserRole::Recruiter, staff.clone());
    let mut scores = opened(UserRole::Recruiter, staff);
    while tab(&scores) != Tab::Scores {
        key(&mut scores, KeyCode::Tab);
    }
    let mine = opened(UserRole::Reviewer, own);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        for (name, app) in [
            ("insights_funnel", &funnel),
            ("insights_scores", &scores),
            ("insights_my_reviewing", &mine),
        ] {
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

/// Every section, loading and loaded, for the staff and for a reviewer.
fn scenarios() -> Vec<App> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (staff, own) = rt.block_on(async {
        let env = start(false).await;
        (
            bundle(&env, &env.admin, &InsightsQuery::default(), true).await,
            bundle(&env, &env.data.a, &InsightsQuery::default(), false).await,
        )
    });
    let mut out = Vec::new();
    let mut loading = app_with_queue(UserRole::Recruiter, 3);
    ch(&mut loading, 'I');
    out.push(loading);
    let mut app = opened(UserRole::Recruiter, staff);
    for _ in 0..Tab::STAFF.len() {
        out.push(app_clone(&app));
        key(&mut app, KeyCode::Tab);
    }
    out.push(opened(UserRole::Reviewer, own));
    out
}

fn app_clone(app: &App) -> App {
    let mut copy = app_with_queue(UserRole::Recruiter, 3);
    copy.screen = app.screen.clone();
    copy
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn no_panic_at_any_size(w in 1u16..260, h in 1u16..90) {
        thread_local! {
            static APPS: Vec<App> = scenarios();
        }
        let th = Theme::builtin("dark", ColorDepth::TrueColor);
        APPS.with(|apps| {
            for app in apps {
                let _ = render(app, &th, w, h);
            }
        });
    }
}

#[tokio::test]
async fn an_unreachable_server_is_said_in_every_section_and_the_keys_still_work() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let client = Client::new(&format!("http://127.0.0.1:{port}"), "t", 2).expect("client");
    let data = Box::new(
        client
            .insights_bundle(&InsightsQuery::default(), true)
            .await,
    );
    assert!(data.funnel.is_err() && data.me.is_err());
    let mut app = opened(UserRole::Recruiter, data);
    for _ in 0..Tab::STAFF.len() {
        let t = text(&app, 120, 30);
        assert!(
            t.contains("could not be loaded: cannot reach the server"),
            "{t}"
        );
        key(&mut app, KeyCode::Tab);
    }
    // With nothing learnt there is no role to filter by, and it says so.
    assert!(ch(&mut app, 'R').is_empty());
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("No roles to filter by yet"), "{status}");
    let q = request(&ch(&mut app, 'r'));
    assert_eq!(q, InsightsQuery::default());
}

/// The data set with adverse impact and a planted drop on top
/// (`tests/common/insights.rs` works out their figures).
async fn planted() -> (Env, Box<InsightsBundle>) {
    let env = start(false).await;
    insights_env::plant_adverse_impact(&env.state).await;
    insights_env::plant_drop(&env.state).await;
    let data = bundle(&env, &env.admin, &InsightsQuery::default(), true).await;
    (env, data)
}

fn on_tab(mut app: App, want: Tab) -> App {
    while tab(&app) != want {
        key(&mut app, KeyCode::Tab);
    }
    app
}

#[tokio::test]
async fn adverse_impact_shows_rates_ratios_and_suppresses_small_groups() {
    let (_env, data) = planted().await;
    let app = on_tab(opened(UserRole::Recruiter, data), Tab::Impact);
    let t = text(&app, 200, 50);
    // Man is the reference (9 of 14); woman 5 of 10 = 50%, ratio 7/9 =
    // 0.78 below four fifths, Fisher p 0.678 (worked out by hand in
    // crates/takes-platform/tests/api/adverse_impact.rs).
    for want in [
        "Adverse impact by voluntary self-identification",
        "Review stage (completed → advanced)",
        "Decision stage (advanced of decided)",
        "man               9 of 14   64% reference",
        "woman             5 of 10   50%      0.78    0.678  ⚑ BELOW FOUR-FIFTHS",
        "1 group with fewer than 5 in a cell: not shown",
        "woman          mean 3.00, median 3.0, p90 4.0, max 4.0 (n 10)",
        "ethnicity: no answers to show",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    // Non-binary (3 people) is never named, and no count of 3 appears.
    assert!(
        !t.contains("non binary") && !t.contains("non_binary"),
        "{t}"
    );
    assert!(!t.contains("of 3 "), "{t}");
    // At 80 columns the nine tabs fit, shortened.
    let narrow = text(&app, 80, 24);
    assert!(narrow.contains("Impact"), "{narrow}");
    assert!(narrow.contains("Mine"), "{narrow}");
    assert!(
        narrow.contains("⚑ BELOW FOUR-FIFTHS │"),
        "the flag fits: {narrow}"
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        for (theme_name, _) in theme::BUILTIN {
            let th = Theme::builtin(theme_name, ColorDepth::TrueColor);
            for (w, h) in [(80, 24), (200, 50)] {
                insta::assert_snapshot!(
                    format!("insights_impact__{theme_name}__{w}x{h}"),
                    render(&app, &th, w, h)
                );
            }
        }
    });
}

#[tokio::test]
async fn reviewers_never_get_adverse_impact() {
    let (env, _) = planted().await;
    // The runtime's reviewer bundle never asks for it...
    let own = bundle(&env, &env.data.a, &InsightsQuery::default(), false).await;
    assert!(
        matches!(&own.adverse_impact, Err(takes::client::ClientError::Forbidden(m)) if m.contains("not asked")),
        "{:?}",
        own.adverse_impact
    );
    // ...the server would refuse it anyway...
    let client = Client::new(&env.base, &env.data.a, 10).expect("client");
    let asked = client
        .insights_adverse_impact(&InsightsQuery::default())
        .await;
    assert!(
        matches!(asked, Err(takes::client::ClientError::Forbidden(_))),
        "{asked:?}"
    );
    // ...and the screen offers no such section.
    let mut app = opened(UserRole::Reviewer, own);
    assert_eq!(
        app.screen.insights().expect("shown").tabs(),
        &[Tab::Mine][..]
    );
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
        assert_eq!(tab(&app), Tab::Mine);
    }
    let t = text(&app, 200, 50);
    assert!(!t.contains("Adverse impact") && !t.contains("woman"), "{t}");
}

fn text_snapshot(name: &str, app: &App, w: u16, h: u16) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| insta::assert_snapshot!(name, text(app, w, h)));
}

#[tokio::test]
async fn the_weekly_sparklines_leave_the_unfinished_week_out() {
    let (_env, data) = planted().await;
    // Support Agent's weeks: v2's recent invitations completed 10 of 40
    // (25%); this week's one invitation, an hour old, has no completion
    // yet and is left out (it would read 0%).
    let support = data
        .weekly_by_role
        .iter()
        .find(|r| r.role == "Support Agent")
        .expect("Support Agent's weeks");
    assert_eq!(
        support.weeks.last().map(|w| w.key.as_str()),
        Some("2026-11-23"),
        "the API does give the current week (NOW_MS is Friday 2026-11-27)"
    );
    let app = opened(UserRole::Recruiter, data);
    let t = text(&app, 120, 40);
    let row = t
        .lines()
        .find(|l| l.contains("│Support Agent"))
        .unwrap_or_default();
    assert!(row.trim_end().ends_with("25%  ││"), "{row}\n{t}");
    assert!(!t.contains(" 0%  │"), "no role ends in 0%: {t}");
    assert!(t.contains("finished weeks"), "{t}");
    text_snapshot("insights_weekly_finished__dark__120x40", &app, 120, 40);
}

#[tokio::test]
async fn alerts_wrap_and_a_steady_role_shows_no_empty_z() {
    let (_env, data) = planted().await;
    let app = on_tab(opened(UserRole::Recruiter, data), Tab::Alerts);
    let t = text(&app, 120, 40);
    // Support Agent: 10/40 against 30/40, both changes named in full, on
    // lines that stay inside the frame.
    let joined: String = t
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("changed: question set version 2 replaced version 1; completion window 100 h became 48 h"),
        "{t}"
    );
    assert!(
        t.contains("⚠ DROPPED Support Agent: recent 25% (10/40) against baseline 75% (30/40), z "),
        "{t}"
    );
    // Steady Role: 29/40 against 30/40 is quiet; the server computes no
    // z for a quiet check, so none is shown.
    let steady = t
        .lines()
        .find(|l| l.contains("steady: Steady Role"))
        .unwrap_or_default();
    assert!(
        steady.contains("recent 72% (29/40) against baseline 75% (30/40), p "),
        "{steady}"
    );
    assert!(!t.contains("z –"), "{t}");
    text_snapshot("insights_alerts_wrapped__dark__120x40", &app, 120, 40);
}

#[tokio::test]
async fn a_long_reliability_reason_wraps_instead_of_being_cut() {
    let (_env, data) = planted().await;
    // Every reason the API gives for a missing figure, whole.
    let reasons: Vec<String> = data
        .reliability
        .as_ref()
        .expect("reliability")
        .question_sets
        .iter()
        .flat_map(|s| &s.quarters)
        .flat_map(|q| {
            [
                q.reliability.icc2_1_reason.clone(),
                q.reliability.alpha_ordinal_reason.clone(),
            ]
        })
        .flatten()
        .collect();
    assert!(!reasons.is_empty(), "the planted data has a missing figure");
    let app = on_tab(opened(UserRole::Recruiter, data), Tab::Reliability);
    let t = text(&app, 80, 40);
    let joined: String = t
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    for r in reasons {
        assert!(joined.contains(&r), "{r}: {t}");
    }
}
