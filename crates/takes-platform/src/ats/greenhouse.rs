//! The Greenhouse Assessment Partner contract as data: the tests we offer
//! (one per role with questions), the tests Greenhouse sent, and each
//! test's status in Greenhouse's terms. Greenhouse stops polling once it
//! sees `partner_status` "complete", so that is said only when results
//! exist: every assigned review submitted, or a recruiter's decision
//! closing the review; until then a candidate who has finished is
//! `awaiting_review`.

use serde_json::{Map, Value};

use super::config::GreenhouseConfig;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::ats as store;

/// A test Greenhouse can send: one of our roles.
pub struct PartnerTest {
    pub id: String,
    pub name: String,
}

/// Roles that have a question set and that `organisation` serves, by
/// title.
pub async fn tests(
    state: &AppState,
    cfg: &GreenhouseConfig,
    organisation: Option<&str>,
) -> ApiResult<Vec<PartnerTest>> {
    let roles = store::roles_with_questions(&state.db).await?;
    Ok(roles
        .into_iter()
        .filter(|(id, _, _)| cfg.serves(organisation, id))
        .map(|(id, title, department)| PartnerTest {
            id,
            name: if department.is_empty() {
                title
            } else {
                format!("{title} ({department})")
            },
        })
        .collect())
}

/// Refuses a PATCH target outside the configured prefixes.
pub fn check_callback(cfg: &GreenhouseConfig, url: &str) -> ApiResult<()> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ApiError::invalid("url", format!("url {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ApiError::invalid("url", "url must be http or https"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ApiError::invalid("url", "url must not carry credentials"));
    }
    // Compared in normalised form, so spelling tricks (case, dot
    // segments) cannot step outside a prefix.
    if cfg
        .callback_url_prefixes
        .iter()
        .any(|p| parsed.as_str().starts_with(p.as_str()))
    {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "url",
            format!(
                "url {url:?} is not under an allowed Greenhouse address ({}); \
                 see [ats.greenhouse] callback_url_prefixes",
                cfg.callback_url_prefixes.join(", ")
            ),
        ))
    }
}

/// Refuses a test (role) that `organisation` does not serve, in the
/// words of an unknown test: another customer's roles are not revealed.
pub fn check_test(
    cfg: &GreenhouseConfig,
    organisation: Option<&str>,
    partner_test_id: &str,
) -> ApiResult<()> {
    if cfg.serves(organisation, partner_test_id) {
        return Ok(());
    }
    Err(ApiError::invalid(
        "partner_test_id",
        format!(
            "partner_test_id {partner_test_id:?} is not a test of this Greenhouse organisation; \
             list_tests names the ones it can send"
        ),
    ))
}

/// Stops the server at start when an organisation lists a role that does
/// not exist, naming the entry (a typo would otherwise hide the role).
pub async fn check_roles(state: &AppState) -> anyhow::Result<()> {
    let Some(cfg) = &state.config.ats.greenhouse else {
        return Ok(());
    };
    let known = store::role_ids(&state.db).await?;
    for (i, o) in cfg.organisations.iter().enumerate() {
        if let Some(role) = o.roles.iter().find(|r| !known.contains(r)) {
            anyhow::bail!(
                "ats.greenhouse.organisations[{i}] ({:?}): role {role:?} does not exist; \
                 roles must be our role ids (GET /v1/roles)",
                o.name
            );
        }
    }
    Ok(())
}

/// A sent test, as `record_test` keeps it.
pub struct Sent<'a> {
    pub interview_id: &'a str,
    pub partner_test_id: &'a str,
    pub patch_url: &'a str,
    pub profile_url: Option<&'a str>,
    pub organisation: Option<&'a str>,
}

/// Remembers a sent test. A repeated send_test keeps the first record.
pub async fn record_test(state: &AppState, t: Sent<'_>) -> ApiResult<()> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let test = store::SentTest {
        interview_id: t.interview_id,
        partner_test_id: t.partner_test_id,
        patch_url: t.patch_url,
        profile_url: t.profile_url,
        organisation: t.organisation,
        at: now,
    };
    store::record_test(&mut w.tx, test).await?;
    w.commit().await?;
    Ok(())
}

/// A test's state as `test_status` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct TestStatus {
    /// "complete" once results exist; `awaiting_review` while the candidate
    /// has finished but the review has not; otherwise our interview status
    /// (`invited`, `started`, `expired`).
    pub partner_status: String,
    pub partner_profile_url: Option<String>,
    /// The mean rating of the submitted reviews, once every assigned
    /// reviewer has submitted.
    pub partner_score: Option<f64>,
    /// Flat strings, as Greenhouse displays them.
    pub metadata: Map<String, Value>,
    /// Results exist: every assigned reviewer has submitted, or a
    /// recruiter decided.
    pub reviewed: bool,
}

/// The status of the test whose `partner_interview_id` is `interview_id`;
/// `None` when `organisation` never sent it (another organisation's test
/// is as unknown as no test). The profile link comes from the configured
/// `profile_url` or `public_url` only, never from the request.
pub async fn status(
    state: &AppState,
    cfg: &GreenhouseConfig,
    organisation: Option<&str>,
    interview_id: &str,
) -> ApiResult<Option<TestStatus>> {
    let Some(facts) = store::test_facts(&state.db, interview_id).await? else {
        return Ok(None);
    };
    if facts.organisation.as_deref() != organisation {
        return Ok(None);
    }
    let status = facts.status;
    let complete = status == "completed";
    let (assigned, submitted) = (facts.assigned, facts.submitted);
    let reviewed =
        complete && ((assigned > 0 && submitted == assigned) || facts.decision.is_some());
    let mut metadata = Map::new();
    if let Some(at) = facts.completed_at {
        metadata.insert("Completed At".into(), Value::String(rfc3339(at)));
    }
    if complete {
        metadata.insert(
            "Reviews".into(),
            Value::String(format!("{submitted} of {assigned} submitted")),
        );
    }
    let partner_score = if reviewed {
        facts.mean_rating.map(|m| (m * 100.0).round() / 100.0)
    } else {
        None
    };
    if let Some(score) = partner_score {
        let scale = match (facts.scale_min, facts.scale_max) {
            (Some(lo), Some(hi)) => format!(" on a {lo}–{hi} scale"),
            _ => String::new(),
        };
        metadata.insert(
            "Mean Rating".into(),
            Value::String(format!("{score:.2}{scale}")),
        );
    }
    if let Some(action) = facts.decision {
        metadata.insert("Decision".into(), Value::String(action));
    }
    Ok(Some(TestStatus {
        partner_status: match (reviewed, complete) {
            (true, _) => "complete".into(),
            (false, true) => "awaiting_review".into(),
            (false, false) => status,
        },
        partner_profile_url: profile_url(state, cfg, interview_id).await?,
        partner_score,
        metadata,
        reviewed,
    }))
}

/// The configured template, else the interview's system results link
/// (the same URL on every poll, opening without an API token); no link at
/// all rather than a guessed one without `public_url`.
async fn profile_url(
    state: &AppState,
    cfg: &GreenhouseConfig,
    interview_id: &str,
) -> ApiResult<Option<String>> {
    if let Some(template) = &cfg.profile_url {
        return Ok(Some(template.replace("{interview_id}", interview_id)));
    }
    let mut w = state.db.begin_write().await?;
    let url = crate::api::share_links::system::profile_url(
        &mut w.tx,
        &state.config,
        interview_id,
        state.clock.now(),
    )
    .await?;
    w.commit().await?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ats::config::ApiKey;

    #[test]
    fn callbacks_stay_under_the_allowed_prefixes() {
        let cfg = GreenhouseConfig {
            api_key: Some(ApiKey::parse("k").expect("key")),
            organisations: Vec::new(),
            profile_url: None,
            callback_url_prefixes: vec!["https://app.greenhouse.io/".into()],
        };
        let ok = "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1";
        assert!(check_callback(&cfg, ok).is_ok());
        for bad in [
            "https://app.greenhouse.io.evil.example/x",
            "https://evil.example/https://app.greenhouse.io/",
            "https://x@app.greenhouse.io/integrations/1",
            "http://app.greenhouse.io/integrations/1",
            "ftp://app.greenhouse.io/",
            "not a url",
        ] {
            let e = check_callback(&cfg, bad).expect_err(bad);
            assert_eq!(e.field.as_deref(), Some("url"), "{bad}");
        }
    }
}
