//! One calibration session's results screen: the results (or why they are
//! locked), the item discussion notes go to, and the note being written.

use takes_api::{CalibrationResults, ItemResult};

use crate::features::editor::TextInput;

/// Progress of the caller on a session, for the lock of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalibrationProgress {
    pub scored: usize,
    pub items: usize,
    pub submitted: bool,
}

/// The results screen of one session.
#[derive(Debug, Clone)]
pub struct ResultsState {
    pub session_id: String,
    pub title: String,
    pub results: Option<CalibrationResults>,
    /// Why the server did not show them (403 before submitting).
    pub locked: Option<String>,
    pub error: Option<String>,
    pub progress: Option<CalibrationProgress>,
    pub scroll: usize,
    /// The item discussion notes go to (`n`/`p`).
    pub item: usize,
    /// A discussion note being written; kept until the server has it.
    pub editor: Option<TextInput>,
    pub sending: bool,
}

/// Items in the order the results screen lists them: flagged first, then
/// by position. Notes are addressed in this order too.
pub fn ordered_items(res: &CalibrationResults) -> Vec<&ItemResult> {
    let mut items: Vec<&ItemResult> = res.items.iter().collect();
    items.sort_by_key(|i| (!i.flagged, i.position));
    items
}
