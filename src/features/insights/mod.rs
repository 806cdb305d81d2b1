//! The Insights screen (issue 15): the platform's process figures for
//! recruiters and admins (funnel, turnaround, scores, muted-first shift,
//! reliability, validity, completion alerts) and "my reviewing" for every
//! reviewer. Reviewers pressing the same key get only their own figures:
//! the organisation's are never asked for, so no 403 is ever shown.

mod alerts;
mod chart;
mod impact;
pub mod state;
mod text;
pub mod view;
mod words;

use takes_api::UserRole;

use super::Hint;
use crate::app::effect::Effect;
use crate::app::state::{App, Screen};
use crate::client::insights::InsightsBundle;
use crate::config::{Command, Scope};
use state::{cycle, InsightsState, Tab};

pub fn hints(app: &App) -> Vec<Hint> {
    let s = Scope::Insights;
    let staff = app.screen.insights().is_some_and(|i| i.staff);
    let scores = app.screen.insights().is_some_and(|i| i.tab == Tab::Scores);
    vec![
        Hint::group(s, &[Command::NextTab, Command::PrevTab], "section").when(staff),
        Hint::new(s, Command::RoleFilter, "role").when(staff),
        Hint::new(s, Command::DepartmentFilter, "department").when(staff),
        Hint::new(s, Command::PeriodFilter, "period"),
        Hint::group(
            s,
            &[Command::NextQuestion, Command::PrevQuestion],
            "question",
        )
        .when(scores),
        Hint::new(s, Command::Down, "scroll"),
        Hint::new(s, Command::Refresh, "reload"),
        Hint::new(s, Command::Help, "help"),
        Hint::new(s, Command::Back, "queue"),
    ]
}

/// Opens the screen: the organisation's figures for recruiters and admins,
/// "my reviewing" for reviewers.
pub fn open(app: &mut App) -> Vec<Effect> {
    let staff = app
        .me
        .as_ref()
        .is_some_and(|m| m.role != UserRole::Reviewer);
    app.screen = Screen::Insights(Box::new(InsightsState::new(staff)));
    reload(app)
}

/// Asks again with the filters as they are now; an answer to an older
/// request is dropped when it arrives.
fn reload(app: &mut App) -> Vec<Effect> {
    let now = app.now_ms;
    let Some(s) = app.screen.insights_mut() else {
        return vec![];
    };
    s.gen += 1;
    s.loading = true;
    vec![Effect::FetchInsights {
        gen: s.gen,
        query: s.query(now),
        staff: s.staff,
    }]
}

pub fn on_loaded(app: &mut App, gen: u64, data: Box<InsightsBundle>) -> Vec<Effect> {
    let Some(s) = app.screen.insights_mut() else {
        return vec![];
    };
    if s.gen != gen {
        return vec![];
    }
    s.loading = false;
    s.learn(&data);
    let questions = data.scores.as_ref().map_or(0, |r| r.by_question.len());
    s.question = s.question.min(questions.saturating_sub(1));
    let offline = [data.me.as_ref().err(), data.funnel.as_ref().err()]
        .into_iter()
        .flatten()
        .find(|e| e.is_offline())
        .cloned();
    s.data = Some(data);
    if let Some(e) = offline {
        app.request_failed("Loading the insights failed", &e);
    }
    vec![]
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let (w, h) = app.size;
    let page = (h as usize).saturating_sub(8).max(1);
    let Some(s) = app.screen.insights_mut() else {
        return vec![];
    };
    let tabs = s.tabs();
    let at = tabs.iter().position(|t| *t == s.tab).unwrap_or(0);
    let questions = s
        .data
        .as_ref()
        .and_then(|d| d.scores.as_ref().ok())
        .map_or(0, |r| r.by_question.len());
    match cmd {
        Command::NextTab => {
            s.tab = tabs[(at + 1) % tabs.len()];
            s.scroll = 0;
        }
        Command::PrevTab => {
            s.tab = tabs[(at + tabs.len() - 1) % tabs.len()];
            s.scroll = 0;
        }
        Command::Down => s.scroll = s.scroll.saturating_add(1),
        Command::Up => s.scroll = s.scroll.saturating_sub(1),
        Command::PageDown => s.scroll = s.scroll.saturating_add(page),
        Command::PageUp => s.scroll = s.scroll.saturating_sub(page),
        Command::Top => s.scroll = 0,
        Command::Bottom => s.scroll = usize::MAX,
        Command::NextQuestion if questions > 0 => s.question = (s.question + 1) % questions,
        Command::PrevQuestion if questions > 0 => {
            s.question = (s.question + questions - 1) % questions
        }
        Command::RoleFilter if s.staff => {
            if s.roles.is_empty() {
                app.info("No roles to filter by yet");
                return vec![];
            }
            s.role = cycle(s.role, s.roles.len());
            let label = s.role_label();
            app.info(format!("Role: {label}"));
            return reload(app);
        }
        Command::DepartmentFilter if s.staff => {
            if s.departments.is_empty() {
                app.info("No departments to filter by yet");
                return vec![];
            }
            s.department = cycle(s.department, s.departments.len());
            let label = s.department_label();
            app.info(format!("Department: {label}"));
            return reload(app);
        }
        Command::PeriodFilter => {
            s.period = s.period.next();
            let label = s.period.label();
            app.info(format!("Period: {label}"));
            return reload(app);
        }
        Command::ClearFilter => {
            s.role = None;
            s.department = None;
            s.period = state::Period::All;
            app.info("Filters cleared");
            return reload(app);
        }
        Command::Refresh => return reload(app),
        _ => {}
    }
    s.scroll = s.scroll.min(view::max_scroll(s, w, h));
    vec![]
}
