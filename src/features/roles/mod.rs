//! The role browser (recruiters and admins, read-only): the list of roles,
//! one role with its settings, questions, rubrics, versions and reviewer
//! pool. Opening it and moving between its two screens are moves
//! ([`crate::app::navigate`]); the keys within a screen are here.

pub mod detail;
pub mod state;
pub mod view;

use takes_api::roles::{RoleDetail, RolePage};
use takes_api::UserRole;

use super::Hint;
use crate::app::effect::Effect;
use crate::app::state::{App, Screen, ScreenKind};
use crate::client::ClientError;
use crate::config::{Command, Scope};
use state::{current_index, RoleState};

/// Who may browse, said when someone else asks (the server refuses them
/// too).
pub const WHO: &str = "The role browser is for recruiters and admins";

pub fn hints(app: &App) -> Vec<Hint> {
    let s = Scope::Roles;
    match app.screen.role() {
        None => vec![
            Hint::new(s, Command::Open, "open"),
            Hint::new(s, Command::Down, "move"),
            Hint::new(s, Command::Refresh, "reload"),
            Hint::new(s, Command::Help, "help"),
            Hint::new(s, Command::Back, "queue"),
        ],
        Some(r) => {
            let versions = r.detail.as_ref().map_or(0, |d| d.versions.len());
            vec![
                Hint::new(s, Command::Down, "scroll"),
                Hint::group(
                    s,
                    &[Command::OlderVersion, Command::NewerVersion],
                    "version",
                )
                .when(versions > 1),
                Hint::new(s, Command::Refresh, "reload"),
                Hint::new(s, Command::Help, "help"),
                Hint::new(s, Command::Back, "roles"),
            ]
        }
    }
}

/// The list, (re)loaded; reviewers are told who it is for instead.
pub fn open(app: &mut App) -> Vec<Effect> {
    if app
        .me
        .as_ref()
        .is_some_and(|m| m.role == UserRole::Reviewer)
    {
        app.info(format!("{WHO}."));
        return vec![];
    }
    app.screen = Screen::Roles;
    app.roles.loading = true;
    vec![Effect::FetchRoles]
}

/// The selected role of the list.
pub fn open_selected(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.roles.selected_role() else {
        return vec![];
    };
    let (id, title) = (r.id.clone(), r.title.clone());
    app.screen = Screen::Role(Box::new(RoleState::new(id.clone(), title)));
    vec![Effect::FetchRole(id)]
}

/// A failure as the browser shows it: a 403 says who may browse.
fn problem(app: &mut App, what: &str, e: &ClientError) -> String {
    match e {
        ClientError::Forbidden(d) => format!("{WHO} (the server said: {d})."),
        e => {
            app.request_failed(what, e);
            format!("{what}: {e}")
        }
    }
}

pub fn on_list_loaded(app: &mut App, result: Result<RolePage, ClientError>) -> Vec<Effect> {
    app.roles.loading = false;
    match result {
        Ok(page) => {
            let r = &mut app.roles;
            // The selection stays on its role across a reload.
            let was = r.selected_role().map(|s| s.id.clone());
            r.roles = page.items;
            r.selected = was
                .and_then(|id| r.roles.iter().position(|x| x.id == id))
                .unwrap_or(r.selected)
                .min(r.roles.len().saturating_sub(1));
            r.error = None;
        }
        Err(e) => app.roles.error = Some(problem(app, "Loading the roles failed", &e)),
    }
    vec![]
}

pub fn on_role_loaded(
    app: &mut App,
    id: String,
    result: Result<RoleDetail, ClientError>,
) -> Vec<Effect> {
    if app.screen.role().is_none_or(|r| r.id != id) {
        return vec![];
    }
    let error = match &result {
        Err(e) => Some(problem(app, "Loading the role failed", e)),
        Ok(_) => None,
    };
    let Some(r) = app.screen.role_mut() else {
        return vec![];
    };
    r.loading = false;
    r.error = error;
    if let Ok(d) = result {
        // A reload keeps the version shown (by number), else the current.
        let shown = r.shown_version().map(|v| v.version);
        r.version = shown
            .and_then(|n| d.versions.iter().position(|v| v.version == n))
            .unwrap_or_else(|| current_index(&d));
        r.title = d.title.clone();
        r.detail = Some(d);
    }
    vec![]
}

pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    match app.screen.kind() {
        ScreenKind::Roles => list_command(app, cmd),
        ScreenKind::Role => role_command(app, cmd),
        _ => vec![],
    }
}

/// Rows of the list that fit on screen (the frame takes four lines).
fn page(app: &App) -> usize {
    (app.size.1 as usize).saturating_sub(5).max(1)
}

fn list_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let page = page(app);
    let r = &mut app.roles;
    let last = r.roles.len().saturating_sub(1);
    match cmd {
        Command::Down => r.selected = (r.selected + 1).min(last),
        Command::Up => r.selected = r.selected.saturating_sub(1),
        Command::PageDown => r.selected = (r.selected + page).min(last),
        Command::PageUp => r.selected = r.selected.saturating_sub(page),
        Command::Top => r.selected = 0,
        Command::Bottom => r.selected = last,
        Command::Refresh => {
            r.loading = true;
            return vec![Effect::FetchRoles];
        }
        _ => {}
    }
    vec![]
}

fn role_command(app: &mut App, cmd: Command) -> Vec<Effect> {
    let (w, h) = app.size;
    let keys = view::version_keys(app);
    let Some(r) = app.screen.role_mut() else {
        return vec![];
    };
    let shown = view::text_size(w, h);
    let total = r
        .detail
        .as_ref()
        .map_or(0, |d| detail::rows(d, r.version, shown.0, &keys).len());
    let max = total.saturating_sub(shown.1);
    let versions = r.detail.as_ref().map_or(0, |d| d.versions.len());
    let mut one_version = false;
    match cmd {
        Command::Down => r.scroll = (r.scroll + 1).min(max),
        Command::Up => r.scroll = r.scroll.saturating_sub(1),
        Command::PageDown => r.scroll = (r.scroll + shown.1.max(1)).min(max),
        Command::PageUp => r.scroll = r.scroll.saturating_sub(shown.1.max(1)),
        Command::Top => r.scroll = 0,
        Command::Bottom => r.scroll = max,
        Command::OlderVersion if versions > 1 => r.version = (r.version + 1) % versions,
        Command::NewerVersion if versions > 1 => r.version = (r.version + versions - 1) % versions,
        Command::OlderVersion | Command::NewerVersion => one_version = true,
        Command::Refresh => {
            r.loading = true;
            return vec![Effect::FetchRole(r.id.clone())];
        }
        _ => {}
    }
    // Another version is longer or shorter: the scroll stays within it.
    if let Some(d) = &r.detail {
        let total = detail::rows(d, r.version, shown.0, &keys).len();
        r.scroll = r.scroll.min(total.saturating_sub(shown.1));
    }
    if one_version && versions == 1 {
        app.info("This role has one question-set version");
    }
    vec![]
}
