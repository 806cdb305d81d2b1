//! The Lever API requests of a write-back, as Lever documents them: Basic
//! auth with the API key as user name and an empty password, `perform_as`
//! in the query, a JSON body.
//!
//! * note: `POST /v1/opportunities/{id}/notes` `{"value": …}`
//! * tags: `POST /v1/opportunities/{id}/addTags` `{"tags": […]}`
//! * stage: `PUT /v1/opportunities/{id}/stage` `{"stage": …}`
//!
//! A note has no idempotency key in Lever, so a note that may have been
//! created by an unanswered attempt is looked for (by its marker) with
//! `GET /v1/opportunities/{id}/notes` before it is sent again.

use serde_json::Value;

use super::opportunity_url;
use crate::ats::config::LeverConfig;
use crate::clock::Millis;
use crate::webhooks::backoff;

/// What one request came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Lever answered.
    Status {
        code: u16,
        /// `Retry-After`, as a wait.
        retry_after: Option<Millis>,
        /// Lever's `message` (or the start of the body), for admins.
        message: Option<String>,
    },
    /// No answer: `maybe_sent` unless the request surely never left
    /// (no connection, a bad address).
    NoAnswer { error: String, maybe_sent: bool },
}

/// The request of an action: method and the path after the opportunity.
fn route(action: &str) -> Option<(reqwest::Method, &'static str)> {
    match action {
        "note" => Some((reqwest::Method::POST, "notes")),
        "tags" => Some((reqwest::Method::POST, "addTags")),
        "stage" => Some((reqwest::Method::PUT, "stage")),
        _ => None,
    }
}

/// Sends one owed call.
pub async fn send(
    cfg: &LeverConfig,
    perform_as: &str,
    opportunity: &str,
    action: &str,
    body: &str,
    now: Millis,
) -> Answer {
    let Some((method, last)) = route(action) else {
        return Answer::NoAnswer {
            error: format!("unknown write-back action {action:?}"),
            maybe_sent: false,
        };
    };
    let mut url = match opportunity_url(cfg, opportunity, &[last]) {
        Ok(u) => u,
        Err(error) => {
            return Answer::NoAnswer {
                error,
                maybe_sent: false,
            }
        }
    };
    url.query_pairs_mut().append_pair("perform_as", perform_as);
    let sent = crate::ats::http()
        .request(method, url)
        .basic_auth(cfg.api_key.expose(), Some(""))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await;
    match sent {
        Ok(resp) => {
            let code = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| backoff::retry_after(v, now));
            let message = if resp.status().is_success() {
                None
            } else {
                resp.text().await.ok().and_then(|t| message_of(&t))
            };
            Answer::Status {
                code,
                retry_after,
                message,
            }
        }
        Err(err) => Answer::NoAnswer {
            maybe_sent: !(err.is_connect() || err.is_builder()),
            error: error_chain(&err),
        },
    }
}

/// Whether a note carrying `marker` is on the opportunity already. Pages
/// through the notes (100 at a time, up to 5,000).
pub async fn note_exists(
    cfg: &LeverConfig,
    opportunity: &str,
    marker: &str,
) -> Result<bool, String> {
    let mut offset: Option<String> = None;
    for _ in 0..50 {
        let mut url = opportunity_url(cfg, opportunity, &["notes"])?;
        url.query_pairs_mut().append_pair("limit", "100");
        if let Some(o) = &offset {
            url.query_pairs_mut().append_pair("offset", o);
        }
        let resp = crate::ats::http()
            .get(url)
            .basic_auth(cfg.api_key.expose(), Some(""))
            .send()
            .await
            .map_err(|e| format!("looking for the note in Lever: {}", error_chain(&e)))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!(
                "looking for the note in Lever: Lever answered {status}"
            ));
        }
        let page: Value = resp
            .json()
            .await
            .map_err(|e| format!("looking for the note in Lever: not JSON: {e}"))?;
        let notes = page.get("data").and_then(Value::as_array).ok_or_else(|| {
            "looking for the note in Lever: the answer has no `data` list".to_string()
        })?;
        if notes.iter().any(|n| carries(n, marker)) {
            return Ok(true);
        }
        match (
            page.get("hasNext").and_then(Value::as_bool),
            page.get("next").and_then(Value::as_str),
        ) {
            (Some(true), Some(next)) => offset = Some(next.to_string()),
            _ => return Ok(false),
        }
    }
    Ok(false)
}

/// Whether any text in a note holds `marker` (Lever keeps a note's value
/// in `fields[].value`; the layout is not relied on).
fn carries(v: &Value, marker: &str) -> bool {
    match v {
        Value::String(s) => s.contains(marker),
        Value::Array(a) => a.iter().any(|x| carries(x, marker)),
        Value::Object(o) => o.values().any(|x| carries(x, marker)),
        _ => false,
    }
}

/// Lever's error `message`, else the start of the body: printable, short.
fn message_of(body: &str) -> Option<String> {
    let text = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| body.to_string());
    let clean: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out.replace('\0', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_note_is_found_by_its_marker_wherever_lever_keeps_the_text() {
        let note = json!({"id": "n1", "text": "Note", "fields": [
            {"type": "note", "text": "Note", "value": "… Results: https://t.example/results/sl_abc"}]});
        assert!(carries(&note, "https://t.example/results/sl_abc"));
        assert!(!carries(&note, "https://t.example/results/sl_abd"));
    }

    #[test]
    fn messages_are_lever_s_or_the_body_start() {
        assert_eq!(
            message_of(r#"{"code": "ResourceNotFound", "message": "no such\nopportunity"}"#),
            Some("no such opportunity".to_string())
        );
        assert_eq!(message_of("  "), None);
        assert_eq!(message_of(&"x".repeat(500)).map(|m| m.len()), Some(200));
        assert!(route("note").is_some() && route("delete").is_none());
    }
}
