//! Where a submit stands. The confirmation itself is an overlay
//! ([`crate::app::state::Overlay::ConfirmSubmit`]).

/// At most one submit is under way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmitState {
    /// Confirmed, waiting for the journal to send every score first.
    pub pending: Option<String>,
    /// The submit request is out.
    pub sending: Option<String>,
}
