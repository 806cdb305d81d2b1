//! The panel screen: everyone's submitted scores for one assignment.

use takes_api::Panel;

#[derive(Debug, Clone)]
pub struct PanelState {
    pub assignment_id: String,
    pub panel: Option<Panel>,
    pub error: Option<String>,
    pub scroll: usize,
}
