//! The email outbox. A message is rendered and inserted by the transaction
//! that causes it, so a rolled-back change sends nothing and a committed one
//! cannot be lost; the worker sends it later.

use crate::clock::Millis;
use crate::error::ApiResult;
use crate::ids::new_id;
use crate::store::email as store;

use super::config::EmailConfig;
use super::templates::{self, Kind};

/// Stands in the stored body for the candidate's access secret, which is
/// kept apart, sealed (`sealing`), so it is never readable at rest and is
/// erased once the message is sent or dead-lettered.
pub const SECRET_PLACEHOLDER: &str = "{{access_secret}}";

pub struct NewEmail<'a> {
    pub kind: Kind,
    pub interview_id: &'a str,
    pub to: &'a str,
    pub vars: Vec<(&'a str, String)>,
    /// The access secret the body's [`SECRET_PLACEHOLDER`] stands for.
    pub secret: Option<String>,
}

/// Queues the message unless one of the same kind for the same interview
/// already exists. Returns whether it was queued.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    config: &EmailConfig,
    now: Millis,
    email: NewEmail<'_>,
) -> ApiResult<bool> {
    let rendered = templates::render(config, email.kind, &email.vars);
    let id = new_id();
    let message_id = format!("<{id}@{}>", domain_of(&config.from));
    let dedupe_key = format!("{}:{}", email.kind.as_str(), email.interview_id);
    let secret = match email.secret {
        Some(s) => Some(super::sealing::seal(config, &id, &s).map_err(|e| {
            tracing::error!(error = %e, "cannot seal an access secret");
            crate::error::ApiError::internal(
                "the invitation's access secret could not be sealed; check [email] secret_key",
            )
        })?),
        None => None,
    };
    let message = store::NewMessage {
        id: &id,
        kind: email.kind.as_str(),
        dedupe_key: &dedupe_key,
        interview_id: email.interview_id,
        to: email.to,
        subject: &rendered.subject,
        body: &rendered.body,
        message_id: &message_id,
        secret,
        at: now,
    };
    Ok(store::enqueue(conn, message).await?)
}

/// The domain for Message-IDs: the sender's, so they are globally unique
/// the way RFC 5322 asks.
fn domain_of(from: &str) -> String {
    from.parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "takes.invalid".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_use_the_senders_domain() {
        assert_eq!(domain_of("Jobs <jobs@example.com>"), "example.com");
        assert_eq!(domain_of("not an address"), "takes.invalid");
    }
}
