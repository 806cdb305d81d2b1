//! Scorecards for ATSs: each submitted reviewer's ratings in Greenhouse's
//! Harvest scorecard shape, ratings mapped onto `definitely_not … strong_yes`.

use axum::extract::State;
use serde::Deserialize;
use takes_api::{
    GreenhouseAttribute, GreenhouseQuestion, GreenhouseRating, GreenhouseRatings,
    GreenhouseRecommendation, GreenhouseScorecard, GreenhouseStep, GreenhouseUser, Problem,
    ScorecardExport,
};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path, Query};
use crate::state::AppState;
use crate::store::assignments::{self, SubmittedReviewer};
use crate::store::interviews::{self, ScorecardHead, ScorecardQuestion};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardParams {
    /// Export shape; only `greenhouse` (the default) so far.
    format: Option<String>,
}

/// Places `rating` on a five-step scale by where it sits between the
/// rubric's ends, so 1–5, 1–4 and 0–10 rubrics all map sensibly.
pub fn greenhouse_rating(rating: f64, min: i64, max: i64) -> GreenhouseRating {
    if max <= min {
        return GreenhouseRating::NoDecision;
    }
    let x = ((rating - min as f64) / (max - min) as f64).clamp(0.0, 1.0);
    match (x * 4.0).round() as i64 {
        0 => GreenhouseRating::DefinitelyNot,
        1 => GreenhouseRating::No,
        2 => GreenhouseRating::Mixed,
        3 => GreenhouseRating::Yes,
        _ => GreenhouseRating::StrongYes,
    }
}

/// The overall recommendation from `x`, the mean rating placed between
/// the rubric ends (0..=1); see [`GreenhouseRecommendation`] for the table.
pub fn greenhouse_recommendation(x: f64) -> GreenhouseRecommendation {
    let x = x.clamp(0.0, 1.0);
    if x < 0.25 {
        GreenhouseRecommendation::DefinitelyNot
    } else if x < 0.5 {
        GreenhouseRecommendation::No
    } else if x == 0.5 {
        GreenhouseRecommendation::NoDecision
    } else if x < 0.75 {
        GreenhouseRecommendation::Yes
    } else {
        GreenhouseRecommendation::StrongYes
    }
}

fn user(id: String, name: String) -> GreenhouseUser {
    let (first, last) = match name.split_once(' ') {
        Some((f, l)) => (f.to_string(), l.to_string()),
        None => (name.clone(), String::new()),
    };
    GreenhouseUser {
        id,
        name,
        first_name: first,
        last_name: last,
        employee_id: None,
    }
}

/// Every submitted reviewer's scorecard for the interview (recruiters and
/// admins). Drafts are never exported.
#[utoipa::path(get, path = "/v1/interviews/{id}/scorecard", tag = "decisions",
    params(("id" = String, Path, description = "Interview id"), ScorecardParams),
    responses((status = 200, body = ScorecardExport), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn scorecard(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<ScorecardParams>,
) -> ApiResult<axum::Json<ScorecardExport>> {
    caller.require_decider()?;
    let format = params.format.unwrap_or_else(|| "greenhouse".into());
    if format != "greenhouse" {
        return Err(ApiError::invalid(
            "format",
            format!("format {format:?} is not supported; use greenhouse"),
        ));
    }
    let mut conn = state.db.pool.acquire().await?;
    let head = interviews::scorecard_head(&mut conn, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no interview {id:?}")).with_field("id"))?;
    let questions = interviews::scorecard_questions(&mut conn, &head.question_set_id).await?;
    let reviewers = assignments::submitted_reviewers(&mut conn, &id).await?;
    let mut scorecards = Vec::with_capacity(reviewers.len());
    for r in reviewers {
        let scores = assignments::scorecard_scores(&mut conn, &r.assignment_id).await?;
        scorecards.push(scorecard_of(&head, &questions, r, &scores));
    }
    Ok(axum::Json(ScorecardExport {
        interview_id: id,
        format,
        candidate: assignments::candidate_view(head.name, String::new(), true),
        scorecards,
    }))
}

/// One reviewer's scorecard from their `(question_id, rating, note)` scores.
fn scorecard_of(
    head: &ScorecardHead,
    questions: &[ScorecardQuestion],
    reviewer: SubmittedReviewer,
    scores: &[(String, i64, Option<String>)],
) -> GreenhouseScorecard {
    let mut attributes = Vec::new();
    let mut ratings = GreenhouseRatings::default();
    let mut answers = Vec::new();
    let mut normalised = Vec::new();
    for q in questions {
        let Some((_, rating, note)) = scores.iter().find(|(qid, _, _)| *qid == q.id) else {
            continue;
        };
        let (rating, note) = (*rating, note.clone());
        let (min, max) = q.scale;
        let gh = greenhouse_rating(rating as f64, min, max);
        if max > min {
            normalised.push((rating - min) as f64 / (max - min) as f64);
        }
        let name = format!("Q{} {}", q.position, q.competency);
        match gh {
            GreenhouseRating::DefinitelyNot => ratings.definitely_not.push(name.clone()),
            GreenhouseRating::No => ratings.no.push(name.clone()),
            GreenhouseRating::Mixed => ratings.mixed.push(name.clone()),
            GreenhouseRating::Yes => ratings.yes.push(name.clone()),
            GreenhouseRating::StrongYes => ratings.strong_yes.push(name.clone()),
            GreenhouseRating::NoDecision => {}
        }
        answers.push(GreenhouseQuestion {
            id: Some(q.id.clone()),
            question: q.prompt.clone(),
            answer: match &note {
                Some(n) => format!("{rating} of {min}–{max}. {n}"),
                None => format!("{rating} of {min}–{max}"),
            },
        });
        attributes.push(GreenhouseAttribute {
            name,
            kind: "Async video interview".into(),
            note,
            rating: gh,
        });
    }
    let overall = if normalised.is_empty() {
        GreenhouseRecommendation::NoDecision
    } else {
        greenhouse_recommendation(normalised.iter().sum::<f64>() / normalised.len() as f64)
    };
    let submitted_at = rfc3339(reviewer.submitted_at.unwrap_or(0));
    let user = user(reviewer.user_id, reviewer.name);
    GreenhouseScorecard {
        id: reviewer.assignment_id,
        application_id: None,
        candidate_id: head.candidate_id.clone(),
        interview: format!("Async video interview: {}", head.title),
        interview_step: GreenhouseStep {
            id: None,
            name: "Async video screen".into(),
        },
        interviewed_at: head.completed_at.map(rfc3339),
        submitted_at: submitted_at.clone(),
        submitted_by: user.clone(),
        interviewer: user,
        overall_recommendation: overall,
        created_at: submitted_at.clone(),
        updated_at: submitted_at,
        attributes,
        ratings,
        questions: answers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_ratings_onto_greenhouse_steps() {
        use GreenhouseRating::*;
        let got: Vec<_> = (1..=5).map(|r| greenhouse_rating(r as f64, 1, 5)).collect();
        assert_eq!(got, vec![DefinitelyNot, No, Mixed, Yes, StrongYes]);
        assert_eq!(greenhouse_rating(0.0, 0, 10), DefinitelyNot);
        assert_eq!(greenhouse_rating(10.0, 0, 10), StrongYes);
        assert_eq!(greenhouse_rating(5.0, 0, 10), Mixed);
        assert_eq!(greenhouse_rating(1.0, 1, 1), NoDecision);
    }

    #[test]
    fn overall_recommendations_take_only_harvests_values() {
        use GreenhouseRecommendation as R;
        let got: Vec<_> = [0.0, 0.2, 0.25, 0.49, 0.5, 0.51, 0.75, 1.0]
            .iter()
            .map(|&x| greenhouse_recommendation(x))
            .collect();
        assert_eq!(
            got,
            vec![
                R::DefinitelyNot,
                R::DefinitelyNot,
                R::No,
                R::No,
                R::NoDecision,
                R::Yes,
                R::StrongYes,
                R::StrongYes
            ]
        );
    }
}
