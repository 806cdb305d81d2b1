//! The role browser: the list of roles (kept while one is open) and the
//! role shown.

use takes_api::roles::{QuestionSetVersion, RoleDetail, RoleSummary};

/// The list of roles.
#[derive(Debug, Clone, Default)]
pub struct RolesState {
    pub roles: Vec<RoleSummary>,
    pub selected: usize,
    pub loading: bool,
    /// What went wrong, fit to show (a 403 says who may browse roles).
    pub error: Option<String>,
}

impl RolesState {
    pub fn selected_role(&self) -> Option<&RoleSummary> {
        self.roles.get(self.selected)
    }
}

/// One role, as far as it is loaded.
#[derive(Debug, Clone)]
pub struct RoleState {
    pub id: String,
    /// From the list until the role arrives.
    pub title: String,
    pub detail: Option<RoleDetail>,
    pub loading: bool,
    pub error: Option<String>,
    /// First line shown of the role's text.
    pub scroll: usize,
    /// Index into `detail.versions` (newest first) of the version whose
    /// questions are shown; starts at the current one.
    pub version: usize,
}

impl RoleState {
    pub fn new(id: String, title: String) -> RoleState {
        RoleState {
            id,
            title,
            detail: None,
            loading: true,
            error: None,
            scroll: 0,
            version: 0,
        }
    }

    /// The version whose questions are shown.
    pub fn shown_version(&self) -> Option<&QuestionSetVersion> {
        self.detail.as_ref()?.versions.get(self.version)
    }
}

/// Where the current version sits in `versions` (newest first), else the
/// newest.
pub fn current_index(d: &RoleDetail) -> usize {
    d.versions.iter().position(|v| v.current).unwrap_or(0)
}
