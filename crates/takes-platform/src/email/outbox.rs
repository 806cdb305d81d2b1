//! The email outbox. A message is rendered and inserted by the transaction
//! that causes it, so a rolled-back change sends nothing and a committed one
//! cannot be lost; the worker sends it later.

use crate::clock::Millis;
use crate::error::ApiResult;
use crate::ids::new_id;

use super::config::EmailConfig;
use super::templates::{self, Kind};

/// Stands in the stored body for the candidate's access secret, which is
/// kept apart so it can be erased once the message is sent.
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
    let done = sqlx::query(
        "INSERT INTO email_outbox (id, kind, dedupe_key, interview_id, to_address, subject, body, \
           message_id, secret, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(&id)
    .bind(email.kind.as_str())
    .bind(format!("{}:{}", email.kind.as_str(), email.interview_id))
    .bind(email.interview_id)
    .bind(email.to)
    .bind(&rendered.subject)
    .bind(&rendered.body)
    .bind(&message_id)
    .bind(email.secret)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
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
