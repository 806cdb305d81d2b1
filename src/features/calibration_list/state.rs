//! The calibration sessions the caller takes part in.

use takes_api::CalibrationSummary;

/// The list of calibration sessions.
#[derive(Debug, Clone, Default)]
pub struct CalibrationListState {
    pub sessions: Vec<CalibrationSummary>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
}

impl CalibrationListState {
    pub fn selected_session(&self) -> Option<&CalibrationSummary> {
        self.sessions.get(self.selected)
    }
}
