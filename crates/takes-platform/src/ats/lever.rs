//! Reading the candidate behind a Lever stage change: the webhook names
//! only ids, so the name, email and posting come from the Lever API
//! (`GET /v1/opportunities/{id}`, Basic auth with the API key as user).
//! Writing results back to the opportunity is in `writeback` (what is
//! owed), `worker` (sending it) and `calls` (the Lever API requests).

pub mod calls;
pub mod worker;
pub mod writeback;

use axum::http::StatusCode;
use serde_json::Value;

use super::config::LeverConfig;
use crate::error::{ApiError, ApiResult};

/// What we need of an opportunity.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    pub name: String,
    pub email: String,
    /// Posting ids of its applications (usually one).
    pub postings: Vec<String>,
    /// The stage it is in now, by Lever's word (the webhook's body is not
    /// trusted for this: its signature covers only token and time).
    pub stage: String,
}

fn upstream(detail: String) -> ApiError {
    ApiError::new(StatusCode::BAD_GATEWAY, "upstream", detail)
}

/// `api_base` + `/v1/opportunities/{id}/…`, each segment escaped.
pub(crate) fn opportunity_url(
    cfg: &LeverConfig,
    id: &str,
    rest: &[&str],
) -> Result<reqwest::Url, String> {
    let mut url = reqwest::Url::parse(&cfg.api_base)
        .map_err(|e| format!("[ats.lever] api_base {:?} is not a URL: {e}", cfg.api_base))?;
    url.path_segments_mut()
        .map_err(|_| "[ats.lever] api_base cannot take a path".to_string())?
        .pop_if_empty()
        .extend(["v1", "opportunities", id])
        .extend(rest);
    Ok(url)
}

pub async fn opportunity(cfg: &LeverConfig, id: &str) -> ApiResult<Opportunity> {
    let mut url = opportunity_url(cfg, id, &[]).map_err(ApiError::internal)?;
    url.query_pairs_mut().append_pair("expand", "applications");
    let resp = super::http()
        .get(url)
        .basic_auth(cfg.api_key.expose(), Some(""))
        .send()
        .await
        .map_err(|e| upstream(format!("the Lever API could not be reached: {e}")))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(upstream(format!(
            "the Lever API answered {status} for opportunity {id:?}"
        )));
    }
    let body: Value = resp.json().await.map_err(|e| {
        upstream(format!(
            "the Lever API sent something that is not JSON: {e}"
        ))
    })?;
    parse(&body).map_err(|missing| {
        upstream(format!(
            "the Lever API's opportunity {id:?} has no {missing}"
        ))
    })
}

/// Picks the fields out of Lever's `{"data": {…}}`; the error names the
/// missing one.
pub fn parse(body: &Value) -> Result<Opportunity, &'static str> {
    let data = body.get("data").ok_or("data")?;
    let name = data
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or("name")?;
    let email = data
        .get("emails")
        .and_then(Value::as_array)
        .and_then(|emails| {
            emails
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .find(|e| !e.is_empty())
        })
        .ok_or("email address (emails)")?;
    // Expanded applications are objects with a `posting`; unexpanded ones
    // are bare ids, which say nothing about the posting.
    let postings = data
        .get("applications")
        .and_then(Value::as_array)
        .map(|apps| {
            apps.iter()
                .filter_map(|a| a.get("posting").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    // Unexpanded, `stage` is the stage id; expanded, an object with one.
    let stage = data
        .get("stage")
        .and_then(|s| s.as_str().or_else(|| s.get("id").and_then(Value::as_str)))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or("stage")?;
    Ok(Opportunity {
        name: name.to_string(),
        email: email.to_string(),
        postings,
        stage: stage.to_string(),
    })
}

/// The role for an opportunity: its first mapped posting, else the
/// configured default.
pub fn role_for(cfg: &LeverConfig, opp: &Opportunity) -> Option<String> {
    opp.postings
        .iter()
        .find_map(|p| cfg.postings.get(p).cloned())
        .or_else(|| cfg.role_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_name_email_and_postings() {
        let body = json!({"data": {
            "id": "opp-1", "name": "Ada Lovelace", "emails": ["", "ada@example.com"],
            "applications": [{"id": "app-1", "posting": "post-9"}], "stage": "st-1"
        }});
        let o = parse(&body).expect("opportunity");
        assert_eq!(o.name, "Ada Lovelace");
        assert_eq!(o.email, "ada@example.com");
        assert_eq!(o.postings, vec!["post-9".to_string()]);
        assert_eq!(o.stage, "st-1");
        let expanded = json!({"data": {"name": "A", "emails": ["a@b.c"], "stage": {"id": "st-2", "text": "Screen"}}});
        assert_eq!(parse(&expanded).map(|o| o.stage), Ok("st-2".to_string()));
        assert_eq!(
            parse(&json!({"data": {"name": "A", "emails": ["a@b.c"]}})),
            Err("stage")
        );
        assert_eq!(
            parse(&json!({"data": {"name": "A", "emails": []}})),
            Err("email address (emails)")
        );
        assert_eq!(parse(&json!({"data": {"emails": ["a@b.c"]}})), Err("name"));
        assert_eq!(parse(&json!([])), Err("data"));
        let bare = parse(&json!({"data": {"name": "A", "emails": ["a@b.c"],
                                          "applications": ["app-1"], "stage": "s"}}))
        .expect("bare ids");
        assert!(bare.postings.is_empty());
    }
}
