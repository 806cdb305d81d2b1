//! The results (every submitted score, flags, reviewers' tendencies and the
//! reliability figures) and the admin's reveal that opens them to all.

use axum::extract::State;
use takes_api::{
    CalibrationResults, CalibrationRevealReceipt, ItemResult, ItemResultScore, Problem,
    ReviewerResult,
};

use super::access::{access, Access};
use crate::auth::Caller;
use crate::calibration as calc;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::state::AppState;
use crate::store::{audit, calibration as store};

/// Every submitted score per item with mean, median, spread and flags;
/// each reviewer's deviation from the panel; alpha (ordinal, interval, with
/// a bootstrap interval) and ICC(2,1)/ICC(2,k). `403` until the caller has
/// submitted (or an admin revealed the results); each answer is recorded in
/// the audit log as `calibration.results_viewed`.
#[utoipa::path(get, path = "/v1/calibration/{id}/results", operation_id = "calibration_results", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id")),
    responses((status = 200, body = CalibrationResults), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CalibrationResults>> {
    let now = state.clock.now();
    // A write transaction: reading the results is itself recorded.
    let mut w = state.db.begin_write().await?;
    let acc = access(&mut w.tx, &caller, &id).await?;
    acc.gate().check(now)?;
    let data = load_results(&mut w.tx, &acc, &caller).await?;
    let via = match acc.me {
        Some(Some(_)) => "submitted",
        Some(None) => "revealed",
        None => "admin_after_deadline",
    };
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "calibration.results_viewed",
        ("calibration_session", &acc.id),
        serde_json::json!({ "via": via }),
    )
    .await?;
    w.commit().await?;
    let seed = calc::seed_for(&acc.id);
    // The bootstrap is CPU work; keep it off the async workers.
    let reliability = tokio::task::spawn_blocking(move || {
        let rows: Vec<Vec<Option<f64>>> = data
            .table
            .iter()
            .map(|u| u.iter().map(|v| v.map(|x| x as f64)).collect())
            .collect();
        (calc::reliability(&rows, seed), data)
    })
    .await
    .map_err(|e| ApiError::internal(format!("the reliability computation failed: {e}")))?;
    let (reliability, data) = reliability;
    Ok(axum::Json(CalibrationResults {
        session_id: acc.id.clone(),
        title: acc.title.clone(),
        deadline_at: rfc3339(acc.deadline_at),
        closed: acc.closed(now),
        revealed_at: acc.revealed_at.map(rfc3339),
        items: data.items,
        reviewers: data.reviewers,
        reliability,
    }))
}

struct ResultsData {
    items: Vec<ItemResult>,
    reviewers: Vec<ReviewerResult>,
    table: Vec<Vec<Option<i64>>>,
}

async fn load_results(
    conn: &mut sqlx::AnyConnection,
    acc: &Access,
    caller: &Caller,
) -> ApiResult<ResultsData> {
    let (raters, table) = store::submitted_table(conn, &acc.id).await?;
    let participants = store::participants(conn, &acc.id, &caller.id).await?;
    let item_rows = store::result_items(conn, &acc.id).await?;
    let note_rows = store::score_notes(conn, &acc.id).await?;
    let notes = store::notes(conn, &acc.id).await?;
    let name_of = |user_id: &str| {
        participants
            .iter()
            .find(|p| p.user_id == user_id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let score_note = |item_id: &str, user_id: &str| {
        note_rows
            .iter()
            .find(|(item, user, _)| item == item_id && user == user_id)
            .map(|(_, _, note)| note.clone())
    };
    let mut items = Vec::with_capacity(item_rows.len());
    for (u, row) in item_rows.into_iter().enumerate() {
        let item_id = row.id;
        let rubric = row.rubric;
        let mut scores = Vec::new();
        for (r, rater) in raters.iter().enumerate() {
            if let Some(Some(rating)) = table.get(u).and_then(|row| row.get(r)) {
                scores.push(ItemResultScore {
                    reviewer_id: rater.clone(),
                    name: name_of(rater),
                    is_me: *rater == caller.id,
                    rating: *rating,
                    note: score_note(&item_id, rater),
                });
            }
        }
        let ratings: Vec<i64> = scores.iter().map(|s| s.rating).collect();
        let stats = calc::item_stats(&ratings, rubric.pass_score);
        items.push(ItemResult {
            position: row.position,
            prompt: row.prompt,
            competency: row.competency,
            scores,
            mean: stats.mean,
            median: stats.median,
            spread: stats.spread,
            flagged: stats.flagged(),
            flag_reasons: stats.flag_reasons,
            notes: notes
                .iter()
                .filter(|n| n.item_id == item_id)
                .cloned()
                .collect(),
            rubric,
            item_id,
        });
    }
    let deviation = calc::deviations(&table, raters.len());
    let reviewers = participants
        .into_iter()
        .map(|p| {
            let col = raters.iter().position(|r| *r == p.user_id);
            let mean_deviation = col.and_then(|c| deviation.get(c).copied().flatten());
            ReviewerResult {
                items_scored: col
                    .map(|c| {
                        table
                            .iter()
                            .filter(|u| u.get(c).is_some_and(Option::is_some))
                            .count() as i64
                    })
                    .unwrap_or(0),
                tendency: mean_deviation.map(calc::tendency),
                mean_deviation,
                reviewer_id: p.user_id,
                name: p.name,
                is_me: p.is_me,
                status: p.status,
                submitted_at: p.submitted_at,
            }
        })
        .collect();
    Ok(ResultsData {
        items,
        reviewers,
        table,
    })
}

/// Opens the results to every participant, submitted or not (admins, after
/// the deadline, once).
#[utoipa::path(post, path = "/v1/calibration/{id}/reveal", operation_id = "calibration_reveal", tag = "calibration",
    params(("id" = String, Path, description = "Calibration session id")),
    responses((status = 200, body = CalibrationRevealReceipt), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn reveal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CalibrationRevealReceipt>> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let acc = access(&mut w.tx, &caller, &id).await?;
    if !acc.admin {
        return Err(ApiError::forbidden(format!(
            "revealing results needs the admin role; {} is a {}",
            caller.name,
            caller.role.as_str()
        )));
    }
    if !acc.closed(now) {
        // Before the deadline participants still score; showing them others'
        // scores then would be exactly the anchoring calibration avoids.
        return Err(ApiError::conflict(format!(
            "results can be revealed after the deadline, {}",
            rfc3339(acc.deadline_at)
        )));
    }
    if !store::reveal(&mut w.tx, &acc.id, &caller.id, now).await? {
        return Err(ApiError::conflict(format!(
            "calibration session {id} was already revealed at {}",
            acc.revealed_at.map(rfc3339).unwrap_or_default()
        )));
    }
    audit::record_by(
        &mut w.tx,
        now,
        &caller.id,
        "calibration.revealed",
        ("calibration_session", &acc.id),
        serde_json::json!({}),
    )
    .await?;
    w.commit().await?;
    Ok(axum::Json(CalibrationRevealReceipt {
        session_id: acc.id,
        revealed_at: rfc3339(now),
        revealed_by: caller.name,
    }))
}
