//! The candidate's rejection email, sent by the platform unless the ATS is
//! configured to tell candidates itself (`[email] rejection_email = "ats"`).

use crate::clock::Millis;
use crate::email::config::RejectionEmail;
use crate::email::outbox::{self as email_outbox, NewEmail};
use crate::email::templates::Kind;
use crate::error::ApiResult;
use crate::state::AppState;

/// Queues the rejection email for `interview_id` inside the deciding
/// transaction; once per interview, however often it is rejected.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    now: Millis,
    interview_id: &str,
) -> ApiResult<()> {
    let config = &state.config.email;
    if config.rejection_email == RejectionEmail::Ats {
        return Ok(());
    }
    let s = crate::webhooks::events::subject(conn, interview_id).await?;
    email_outbox::enqueue(
        conn,
        config,
        now,
        NewEmail {
            kind: Kind::Rejection,
            interview_id,
            to: &s.candidate.email,
            vars: vec![
                ("candidate_name", s.candidate.name.clone()),
                ("role_title", s.role.title.clone()),
                ("support_contact", config.support_contact.clone()),
            ],
            secret: None,
        },
    )
    .await?;
    Ok(())
}
