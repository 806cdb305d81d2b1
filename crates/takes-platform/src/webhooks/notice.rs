//! Telling a receiver's owner that deliveries keep failing, as the
//! Standard Webhooks specification asks ("notify the consumers using other
//! channels (e.g. email)"): once an endpoint has failed every attempt for
//! [`FAILING_NOTICE_AFTER`], admins see it flagged (`failing_since`,
//! `failure_notified_at` on the endpoint, an audit entry) and its contact
//! gets one email per failing streak. A success clears the flag.

use sqlx::AnyConnection;

use crate::clock::{rfc3339, Millis, DAY};
use crate::ids::new_id;
use crate::state::AppState;
use crate::store::audit;
use crate::store::webhooks::deliveries::Due;
use crate::store::webhooks::{self as store, NoticeEmail};

/// An endpoint failing this long (every attempt, across deliveries) is
/// flagged to admins and its contact is emailed, once per streak.
pub const FAILING_NOTICE_AFTER: Millis = DAY;

/// Records a failed attempt against the endpoint; when the endpoint has
/// now been failing long enough and nobody was told, tells them.
pub async fn failed_attempt(
    state: &AppState,
    conn: &mut AnyConnection,
    job: &Due,
    at: Millis,
    error: Option<&str>,
) -> anyhow::Result<()> {
    let Some((since, contact, url, description)) =
        store::mark_failing(conn, &job.endpoint_id, at, FAILING_NOTICE_AFTER).await?
    else {
        return Ok(());
    };
    audit::record(
        conn,
        at,
        audit::Entry {
            actor_id: None,
            action: "webhook_endpoint.failing",
            entity_type: "webhook_endpoint",
            entity_id: &job.endpoint_id,
            detail: serde_json::json!({"failing_since": rfc3339(since), "contact_email": contact,
                                       "last_error": error}),
        },
    )
    .await?;
    let Some(to) = contact else {
        return Ok(());
    };
    let id = new_id();
    let domain = state
        .config
        .email
        .from
        .parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "takes.invalid".into());
    let name = if description.is_empty() {
        url.clone()
    } else {
        format!("{description} ({url})")
    };
    let body = format!(
        "Hello,\n\n\
         every webhook delivery from takes to {name} has failed since {since}.\n\
         The last attempt ({at}) failed with: {error}\n\n\
         Nothing is lost yet: each event is retried for about three days, and an \
         administrator can replay any event afterwards. Please check that the receiver \
         is up and answers 2xx, then ask your takes administrator to look at the \
         deliveries of endpoint {endpoint} (`takes webhooks deliveries --endpoint {endpoint}`).\n\n\
         You get this message once per failing period; it was sent to the contact \
         registered for the endpoint.\n",
        since = rfc3339(since),
        at = rfc3339(at),
        error = error.unwrap_or("no answer"),
        endpoint = job.endpoint_id,
    );
    store::queue_notice_email(
        conn,
        NoticeEmail {
            id: &id,
            dedupe_key: &format!("webhook_failing:{}:{since}", job.endpoint_id),
            to: &to,
            subject: &format!("Webhook deliveries to {url} are failing"),
            body: &body,
            message_id: &format!("<{id}@{domain}>"),
            at,
        },
    )
    .await?;
    Ok(())
}
