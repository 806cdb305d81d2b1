//! The Greenhouse Assessment Partner contract as data: the tests we offer
//! (one per role with questions), the tests Greenhouse sent, and each
//! test's status in Greenhouse's terms (`partner_status` "complete" once
//! the candidate finished; score and details once the panel has reviewed).

use serde_json::{Map, Value};
use sqlx::Row;

use super::config::GreenhouseConfig;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A test Greenhouse can send: one of our roles.
pub struct PartnerTest {
    pub id: String,
    pub name: String,
}

/// Roles that have a question set, by title.
pub async fn tests(state: &AppState) -> ApiResult<Vec<PartnerTest>> {
    let rows = sqlx::query(
        "SELECT r.id, r.title, r.department FROM job_roles r \
         WHERE EXISTS (SELECT 1 FROM question_sets s WHERE s.job_role_id = r.id) \
         ORDER BY r.title, r.department, r.id",
    )
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let title: String = r.try_get("title")?;
            let department: String = r.try_get("department")?;
            Ok(PartnerTest {
                id: r.try_get("id")?,
                name: if department.is_empty() {
                    title
                } else {
                    format!("{title} ({department})")
                },
            })
        })
        .collect()
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

/// Remembers a sent test. A repeated send_test keeps the first record.
pub async fn record_test(
    state: &AppState,
    interview_id: &str,
    partner_test_id: &str,
    patch_url: &str,
    profile_url: Option<&str>,
) -> ApiResult<()> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO greenhouse_tests (interview_id, partner_test_id, patch_url, profile_url, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (interview_id) DO NOTHING",
    )
    .bind(interview_id)
    .bind(partner_test_id)
    .bind(patch_url)
    .bind(profile_url.map(str::to_string))
    .bind(now)
    .execute(&mut *w.tx)
    .await?;
    w.commit().await?;
    Ok(())
}

/// A test's state as `test_status` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct TestStatus {
    /// "complete" once the candidate has answered everything; otherwise
    /// our interview status (`invited`, `started`, `expired`).
    pub partner_status: String,
    pub partner_profile_url: Option<String>,
    /// The mean rating of the submitted reviews, once every assigned
    /// reviewer has submitted.
    pub partner_score: Option<f64>,
    /// Flat strings, as Greenhouse displays them.
    pub metadata: Map<String, Value>,
    /// Every assigned reviewer has submitted.
    pub reviewed: bool,
}

/// The status of the test whose `partner_interview_id` is `interview_id`;
/// `None` when Greenhouse never sent it. `base_url` is the fallback for
/// links when neither `profile_url` nor `public_url` is configured.
pub async fn status(
    state: &AppState,
    cfg: &GreenhouseConfig,
    interview_id: &str,
    base_url: Option<&str>,
) -> ApiResult<Option<TestStatus>> {
    let row = sqlx::query(
        "SELECT i.status, i.completed_at, i.question_set_id, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id) AS assigned, \
           (SELECT COUNT(*) FROM assignments a WHERE a.interview_id = i.id AND a.status = 'submitted') AS submitted, \
           (SELECT CAST(AVG(CAST(s.rating AS DOUBLE PRECISION)) AS DOUBLE PRECISION) FROM scores s \
              JOIN assignments a ON a.id = s.assignment_id \
              WHERE a.interview_id = i.id AND a.status = 'submitted') AS mean_rating, \
           (SELECT MIN(q.scale_min) FROM questions q WHERE q.question_set_id = i.question_set_id) AS scale_min, \
           (SELECT MAX(q.scale_max) FROM questions q WHERE q.question_set_id = i.question_set_id) AS scale_max \
         FROM greenhouse_tests g JOIN interviews i ON i.id = g.interview_id WHERE g.interview_id = $1",
    )
    .bind(interview_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    let complete = status == "completed";
    let assigned: i64 = row.try_get("assigned")?;
    let submitted: i64 = row.try_get("submitted")?;
    let reviewed = complete && assigned > 0 && submitted == assigned;
    let mut metadata = Map::new();
    if let Some(at) = row.try_get::<Option<i64>, _>("completed_at")? {
        metadata.insert("Completed At".into(), Value::String(rfc3339(at)));
    }
    if complete {
        metadata.insert(
            "Reviews".into(),
            Value::String(format!("{submitted} of {assigned} submitted")),
        );
    }
    let mean: Option<f64> = row.try_get("mean_rating")?;
    let partner_score = if reviewed {
        mean.map(|m| (m * 100.0).round() / 100.0)
    } else {
        None
    };
    if let Some(score) = partner_score {
        let lo: Option<i64> = row.try_get("scale_min")?;
        let hi: Option<i64> = row.try_get("scale_max")?;
        let scale = match (lo, hi) {
            (Some(lo), Some(hi)) => format!(" on a {lo}–{hi} scale"),
            _ => String::new(),
        };
        metadata.insert(
            "Mean Rating".into(),
            Value::String(format!("{score:.2}{scale}")),
        );
    }
    let decision = sqlx::query(
        "SELECT action FROM decisions WHERE interview_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1",
    )
    .bind(interview_id)
    .fetch_optional(&state.db.pool)
    .await?;
    if let Some(d) = decision {
        metadata.insert("Decision".into(), Value::String(d.try_get("action")?));
    }
    Ok(Some(TestStatus {
        partner_status: if complete { "complete".into() } else { status },
        partner_profile_url: profile_url(state, cfg, interview_id, base_url),
        partner_score,
        metadata,
        reviewed,
    }))
}

fn profile_url(
    state: &AppState,
    cfg: &GreenhouseConfig,
    interview_id: &str,
    base_url: Option<&str>,
) -> Option<String> {
    if let Some(template) = &cfg.profile_url {
        return Some(template.replace("{interview_id}", interview_id));
    }
    let base = state.config.public_url.as_deref().or(base_url)?;
    Some(format!(
        "{}/v1/interviews/{interview_id}/scorecard",
        base.trim_end_matches('/')
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ats::config::ApiKey;

    #[test]
    fn callbacks_stay_under_the_allowed_prefixes() {
        let cfg = GreenhouseConfig {
            api_key: ApiKey::parse("k").expect("key"),
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
