//! The acknowledgement sentence ("received; you will hear from us by
//! DATE"). It lives once, as `acknowledgement` in the page's `en.json`:
//! the done step renders it with DATE in the candidate's time zone, and
//! the acknowledgement email with DATE in UTC, so the two cannot drift.

use std::sync::OnceLock;

use crate::clock::{Millis, HOUR};
use crate::invitations::config::InvitationConfig;

const STRINGS: &str = include_str!("../../candidate/i18n/en.json");

/// The localised template, with `{role}` and `{date}` placeholders.
pub fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        serde_json::from_str::<serde_json::Value>(STRINGS)
            .ok()
            .and_then(|v| v.get("acknowledgement")?.as_str().map(str::to_string))
            // The unit test below keeps the key present; this only avoids
            // a panic if a broken file were ever shipped.
            .unwrap_or_else(|| "{role}: {date}".into())
    })
}

/// The sentence for `role`, reviewed by `date` (already formatted).
pub fn sentence(role: &str, date: &str) -> String {
    template().replace("{role}", role).replace("{date}", date)
}

/// When the candidate hears from the team: the reviews' due time for an
/// interview completed at `completed_at` (routing assigns the same).
pub fn review_by(config: &InvitationConfig, completed_at: Millis) -> Millis {
    completed_at + config.review_within_hours.max(1) * HOUR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_comes_from_the_page_strings() {
        let t = template();
        assert!(t.contains("{role}") && t.contains("{date}"), "{t}");
        assert_eq!(
            sentence("Backend Engineer", "Friday 1 January 2027, 09:00 UTC"),
            "Thank you: we received all your answers for Backend Engineer. \
             You will hear from us by Friday 1 January 2027, 09:00 UTC."
        );
    }
}
