//! Placeholder: filled in by the ATS-integration work.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationConfig {}
