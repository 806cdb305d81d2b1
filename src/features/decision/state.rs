//! The recruiter's decision dialog: choose, give a reason, confirm, send.

use takes_api::DecisionAction;

use crate::features::editor::TextInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionStage {
    Choose,
    Reason,
    Confirm,
    Sending,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecisionDialog {
    pub interview_id: String,
    pub candidate: String,
    pub choice: DecisionAction,
    pub reason: TextInput,
    pub stage: DecisionStage,
    pub error: Option<String>,
}
