//! The ATS-facing endpoints under `/v1/ats/`. None takes a bearer token:
//! each integration proves itself its own way (a Standard Webhooks
//! signature, Greenhouse's Basic-auth key, Lever's signed token), and an
//! integration that is not configured answers 404 saying so — except
//! `notices` and `lever_writebacks`, the admins' view of what we owe the
//! ATSs (bearer token).

pub mod generic;
pub mod greenhouse;
pub mod lever;
pub mod lever_writebacks;
pub mod notices;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ats::inbound::Invited;
use crate::clock::rfc3339;
use crate::error::ApiError;

/// What an inbound ATS event led to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AtsOutcome {
    pub status: OutcomeStatus,
    /// The interview the candidate was invited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
    /// When the candidate's completion window closes (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Why nothing was done, for `ignored`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// This message id was handled before; the answer is the first one and
    /// nothing was done again.
    #[serde(default)]
    pub replayed: bool,
}

/// `created`: invited now. `existing`: the ATS's id already had an
/// invitation, which is returned and not sent again. `ignored`: the event
/// does not invite anyone (another event type or stage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    Created,
    Existing,
    Ignored,
}

impl AtsOutcome {
    pub fn invited(i: &Invited) -> AtsOutcome {
        AtsOutcome {
            status: if i.created {
                OutcomeStatus::Created
            } else {
                OutcomeStatus::Existing
            },
            interview_id: Some(i.interview_id.clone()),
            candidate_id: Some(i.candidate_id.clone()),
            expires_at: Some(rfc3339(i.expires_at)),
            reason: None,
            replayed: false,
        }
    }

    pub fn ignored(reason: impl Into<String>) -> AtsOutcome {
        AtsOutcome {
            status: OutcomeStatus::Ignored,
            interview_id: None,
            candidate_id: None,
            expires_at: None,
            reason: Some(reason.into()),
            replayed: false,
        }
    }
}

/// 404 for an integration whose table is missing from the config.
pub(crate) fn not_configured(name: &str, table: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-configured",
        format!("the {name} integration is off: add a {table} table to the server's config file"),
    )
}

/// The raw body (signatures cover the exact bytes), or a problem.
pub(crate) fn raw_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                format!(
                    "body is larger than the limit of {} bytes",
                    crate::extract::BODY_LIMIT
                ),
            )
        } else {
            ApiError::bad_request(format!("could not read the body: {}", e.body_text()))
        }
    })
}

/// Parses a JSON body: 400 when it is not JSON at all, 422 naming the
/// offending field (by its path, e.g. `data.candidate.email`) otherwise.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| path_error(e.path().to_string(), e.into_inner(), ""))?;
    de.end()
        .map_err(|e| ApiError::bad_request(format!("body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Parses part of a body already read as JSON; `prefix` is its path.
pub(crate) fn parse_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    prefix: &str,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| path_error(e.path().to_string(), e.into_inner(), prefix))
}

fn path_error(path: String, inner: serde_json::Error, prefix: &str) -> ApiError {
    if !matches!(inner.classify(), serde_json::error::Category::Data) {
        return ApiError::bad_request(format!("body is not valid JSON: {inner}"));
    }
    // A missing field is reported at its parent; name the field itself.
    let text = inner.to_string();
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let inner_path = match (path.as_str(), missing) {
        (".", Some(m)) => m.to_string(),
        (".", None) => String::new(),
        (_, Some(m)) => format!("{path}.{m}"),
        (_, None) => path,
    };
    let field = match (prefix.trim_end_matches('.'), inner_path.as_str()) {
        ("", "") => "body".to_string(),
        (p, "") => p.to_string(),
        ("", i) => i.to_string(),
        (p, i) => format!("{p}.{i}"),
    };
    ApiError::invalid(&field, format!("invalid body: {field}: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_errors_name_the_field_by_path() {
        #[derive(Debug, Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            email: String,
        }
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[allow(dead_code)]
            candidate: Inner,
        }
        let e = parse_json::<Outer>(br#"{"candidate": {}}"#).expect_err("missing");
        assert_eq!(e.field.as_deref(), Some("candidate.email"));
        let e = parse_json::<Outer>(br#"{"candidate": {"email": 5}}"#).expect_err("type");
        assert_eq!(e.field.as_deref(), Some("candidate.email"));
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = parse_json::<Outer>(b"{not json").expect_err("syntax");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let e = parse_json::<Outer>(br#"{"candidate": {"email": "a"}} x"#).expect_err("trailing");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let e = parse_value::<Inner>(serde_json::json!({}), "data.candidate").expect_err("value");
        assert_eq!(e.field.as_deref(), Some("data.candidate.email"));
        let e = parse_value::<Inner>(serde_json::json!(3), "data").expect_err("not object");
        assert_eq!(e.field.as_deref(), Some("data"));
    }
}
