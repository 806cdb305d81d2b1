//! The panel of an interview: every reviewer with their submitted scores,
//! and each question's mean and spread.

use sqlx::{AnyConnection, Row};
use takes_api::{AssignmentStatus, Panel, PanelQuestion, PanelReviewer};

use super::scores;
use super::view::{candidate_view, status};
use crate::clock::rfc3339;
use crate::error::ApiResult;

/// The panel of an interview; `me` marks the caller's row. Drafts of
/// reviewers who have not submitted stay private.
pub async fn panel(
    conn: &mut AnyConnection,
    interview_id: &str,
    question_set_id: &str,
    me: Option<&str>,
) -> ApiResult<Panel> {
    let cand = sqlx::query("SELECT c.name FROM interviews i JOIN candidates c ON c.id = i.candidate_id WHERE i.id = $1")
        .bind(interview_id)
        .fetch_one(&mut *conn)
        .await?;
    let reviewers = sqlx::query(
        "SELECT a.id, a.reviewer_id, u.name, a.status, a.submitted_at FROM assignments a \
         JOIN users u ON u.id = a.reviewer_id WHERE a.interview_id = $1 AND a.withdrawn_at IS NULL ORDER BY u.name",
    )
    .bind(interview_id)
    .fetch_all(&mut *conn)
    .await?;
    let questions = sqlx::query(
        "SELECT id, position, prompt, competency FROM questions WHERE question_set_id = $1 ORDER BY position",
    )
    .bind(question_set_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut panel_reviewers = Vec::with_capacity(reviewers.len());
    for r in &reviewers {
        let status = status(&r.try_get::<String, _>("status")?)?;
        let assignment_id: String = r.try_get("id")?;
        let reviewer_id: String = r.try_get("reviewer_id")?;
        let scores = if status == AssignmentStatus::Submitted {
            scores(conn, &assignment_id).await?
        } else {
            Vec::new()
        };
        panel_reviewers.push(PanelReviewer {
            is_me: me == Some(reviewer_id.as_str()),
            reviewer_id,
            name: r.try_get("name")?,
            status,
            submitted_at: r.try_get::<Option<i64>, _>("submitted_at")?.map(rfc3339),
            scores,
        });
    }
    let mut panel_questions = Vec::with_capacity(questions.len());
    for q in &questions {
        let qid: String = q.try_get("id")?;
        let ratings: Vec<i64> = panel_reviewers
            .iter()
            .flat_map(|r| r.scores.iter())
            .filter(|s| s.question_id == qid)
            .map(|s| s.rating)
            .collect();
        let mean = (!ratings.is_empty())
            .then(|| ratings.iter().sum::<i64>() as f64 / ratings.len() as f64);
        let spread = match (ratings.iter().min(), ratings.iter().max()) {
            (Some(lo), Some(hi)) => Some(hi - lo),
            _ => None,
        };
        panel_questions.push(PanelQuestion {
            question_id: qid,
            position: q.try_get("position")?,
            prompt: q.try_get("prompt")?,
            competency: q.try_get("competency")?,
            mean,
            spread,
        });
    }
    Ok(Panel {
        interview_id: interview_id.to_string(),
        candidate: candidate_view(cand.try_get("name")?, String::new(), true),
        questions: panel_questions,
        reviewers: panel_reviewers,
    })
}
