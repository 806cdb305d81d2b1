//! `PUT /v1/candidate/self-identification`: the candidate's voluntary
//! answers, authenticated by their access secret. Accepted while the
//! interview is open and for a day after the candidate completed it (the
//! page offers the step on the done page, after the last answer completed
//! the interview). Nothing about it is audited or announced: the answers
//! are only ever read back as aggregates.

use std::collections::BTreeSet;

use axum::extract::State;
use takes_api::self_identification::{answers, SelfIdentification, CATEGORIES};
use takes_api::Problem;

use crate::candidate::access::CandidateAccess;
use crate::clock::{rfc3339, DAY};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::state::AppState;
use crate::store::self_identification as store;

/// How long after completing the interview the step may still be sent.
const AFTER_COMPLETION: i64 = DAY;

fn check(body: &SelfIdentification) -> ApiResult<Vec<(String, String)>> {
    let version = body.text_version.trim();
    if version.is_empty() || version.len() > 100 || version.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "text_version",
            "text_version must name the question text shown, in 1 to 100 characters",
        ));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(body.answers.len());
    for (i, a) in body.answers.iter().enumerate() {
        let Some(allowed) = answers(&a.category) else {
            let known: Vec<&str> = CATEGORIES.iter().map(|(c, _)| *c).collect();
            return Err(ApiError::invalid(
                &format!("answers[{i}].category"),
                format!(
                    "answers[{i}].category {:?} is not one of {}",
                    a.category,
                    known.join(", ")
                ),
            ));
        };
        if !allowed.contains(&a.answer.as_str()) {
            return Err(ApiError::invalid(
                &format!("answers[{i}].answer"),
                format!(
                    "answers[{i}].answer {:?} is not an answer to {}: one of {}",
                    a.answer,
                    a.category,
                    allowed.join(", ")
                ),
            ));
        }
        if !seen.insert(a.category.as_str()) {
            return Err(ApiError::invalid(
                &format!("answers[{i}].category"),
                format!("answers[{i}].category {:?} is answered twice", a.category),
            ));
        }
        out.push((a.category.clone(), a.answer.clone()));
    }
    Ok(out)
}

/// Records the candidate's voluntary self-identification (any subset of
/// the categories, `prefer_not_to_say` included; an empty list withdraws
/// earlier answers). Never shown to reviewers, never part of the
/// interview: only aggregated in `GET /v1/insights/adverse-impact`.
#[utoipa::path(put, path = "/v1/candidate/self-identification", tag = "candidate",
    security(("candidate_secret" = [])),
    request_body = SelfIdentification,
    responses((status = 200, body = SelfIdentification, description = "Recorded"),
              (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 410, body = Problem, description = "The window has closed, or the interview was completed more than a day ago"),
              (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem, description = "A bad category, answer or text_version, named in `detail`")))]
pub async fn put_self_identification(
    State(state): State<AppState>,
    access: CandidateAccess,
    Json(body): Json<SelfIdentification>,
) -> ApiResult<axum::Json<SelfIdentification>> {
    let now = state.clock.now();
    if let Err(closed) = access.ensure_open(now) {
        let mut conn = state.db.pool.acquire().await?;
        let recent = access.status == "completed"
            && store::completed_at(&mut conn, &access.interview_id)
                .await?
                .is_some_and(|at| now < at.saturating_add(AFTER_COMPLETION));
        if !recent {
            return Err(closed);
        }
    }
    let answers = check(&body)?;
    let version = body.text_version.trim().to_string();
    let mut w = state.db.begin_write().await?;
    store::replace(&mut w.tx, &access.interview_id, &version, &answers, now).await?;
    w.commit().await?;
    Ok(axum::Json(SelfIdentification {
        text_version: version,
        answers: body.answers,
        answered_at: Some(rfc3339(now)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page offers exactly the categories and answers the server
    /// accepts, in the same order.
    #[test]
    fn the_page_asks_what_the_server_accepts() {
        let body = crate::candidate::page::asset("en.json").map_or("", |a| a.body);
        let strings: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let s = &strings["self_id"];
        let order: Vec<&str> = s["order"]
            .as_array()
            .map(|o| o.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let known: Vec<&str> = CATEGORIES.iter().map(|(c, _)| *c).collect();
        assert_eq!(order, known);
        for (category, allowed) in CATEGORIES {
            let offered: Vec<&str> = s["categories"][category]["answers"]
                .as_object()
                .map(|a| a.keys().map(String::as_str).collect())
                .unwrap_or_default();
            let mut want: Vec<&str> = allowed.to_vec();
            let mut got = offered.clone();
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "{category}");
        }
        assert!(s["version"].as_str().is_some_and(|v| !v.is_empty()));
    }
}
