//! The demo's calibration session: four sample responses from interviews
//! that already have a panel, scored and submitted by the second and third
//! demo reviewers. The first reviewer (who `takes demo` signs in as) has
//! not scored yet, so they meet the lock, score, submit and see the results.

use anyhow::{bail, Context};
use sqlx::AnyConnection;

use crate::clock::{Millis, DAY, HOUR};
use crate::store::calibration::{self as store, NewSession};

/// Sample responses in the demo session; three is the usual advice, the
/// fourth gives the reliability figures a little more to work with.
const SAMPLES: usize = 4;

struct Candidate {
    response_id: String,
    interview_id: String,
    scale: (i64, i64),
    /// Mean of the live panel's submitted ratings: a proxy for quality.
    mean: f64,
}

/// Adds the demo session inside the demo's transaction. `reviewer_ids`
/// are the demo reviewers in order; the first stays unscored.
pub async fn demo_session(
    c: &mut AnyConnection,
    now: Millis,
    reviewer_ids: &[String],
    admin_id: &str,
) -> anyhow::Result<()> {
    if reviewer_ids.len() < 3 {
        bail!("the demo calibration session needs three reviewers");
    }
    // The question set with the most interviews that already have a panel.
    let (set_id, set_name) = store::demo_sample_set(c)
        .await?
        .context("the demo has no interview with a panel to take calibration samples from")?;
    let pool_rows = store::demo_sample_pool(c, &set_id).await?;
    let mut pool: Vec<Candidate> = pool_rows
        .into_iter()
        .map(|r| Candidate {
            response_id: r.response_id,
            interview_id: r.interview_id,
            scale: r.scale,
            mean: r.mean.unwrap_or(0.0),
        })
        .collect();
    pool.sort_by(|a, b| {
        b.mean
            .total_cmp(&a.mean)
            .then_with(|| a.response_id.cmp(&b.response_id))
    });
    let picked = pick_spread(&pool, SAMPLES);
    if picked.len() < 3 {
        bail!(
            "only {} calibration samples found in {set_name:?}",
            picked.len()
        );
    }
    let response_ids: Vec<String> = picked.iter().map(|p| p.response_id.clone()).collect();
    let session_id = store::insert_session(
        c,
        NewSession {
            title: &format!("Quarterly calibration: {set_name}"),
            created_by: admin_id,
            created_at: now - DAY,
            deadline_at: now + 3 * DAY,
            participant_ids: reviewer_ids,
            response_ids: &response_ids,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating the demo calibration session: {e}"))?;
    let items = store::item_ids(c, &session_id).await?;

    for (ri, reviewer_id) in reviewer_ids.iter().enumerate().skip(1).take(2) {
        let submitted_at = now - 20 * HOUR + ri as i64 * HOUR;
        for (k, (item_id, sample)) in items.iter().zip(&picked).enumerate() {
            let (rating, note) = demo_rating(sample, k, ri);
            store::seed_score(
                c,
                &session_id,
                item_id,
                reviewer_id,
                rating,
                note,
                submitted_at - HOUR,
            )
            .await?;
        }
        store::submit(c, &session_id, reviewer_id, submitted_at).await?;
    }
    Ok(())
}

/// Up to `n` samples spread from the best-rated to the worst-rated
/// response, each from a different interview when possible, so the session
/// covers strong, borderline and weak answers.
fn pick_spread(sorted: &[Candidate], n: usize) -> Vec<&Candidate> {
    let mut out: Vec<&Candidate> = Vec::new();
    if sorted.is_empty() || n == 0 {
        return out;
    }
    let last = sorted.len() - 1;
    for k in 0..n {
        let target = if n == 1 { 0 } else { k * last / (n - 1) };
        // Nearest unused response from an unused interview, else any unused.
        let order: Vec<usize> = (0..=last)
            .map(|d| (d, target))
            .flat_map(|(d, t)| [t.checked_add(d), t.checked_sub(d)])
            .flatten()
            .filter(|&i| i <= last)
            .collect();
        let unused = |i: &usize| {
            sorted
                .get(*i)
                .is_some_and(|c| !out.iter().any(|o| o.response_id == c.response_id))
        };
        let fresh_interview = |i: &usize| {
            sorted
                .get(*i)
                .is_some_and(|c| !out.iter().any(|o| o.interview_id == c.interview_id))
        };
        let choice = order
            .iter()
            .copied()
            .find(|i| unused(i) && fresh_interview(i))
            .or_else(|| order.iter().copied().find(unused));
        if let Some(c) = choice.and_then(|i| sorted.get(i)) {
            out.push(c);
        }
    }
    out
}

/// Ratings of the two reviewers who have submitted. The second reviewer
/// follows the live panel; the third is a point stricter on two items and
/// two points away on the third, so the results show both a spread flag and
/// a severe reviewer whatever the first reviewer then adds.
fn demo_rating(sample: &Candidate, k: usize, reviewer: usize) -> (i64, Option<&'static str>) {
    let (lo, hi) = sample.scale;
    let base = (sample.mean.round() as i64).clamp(lo, hi);
    if reviewer != 2 {
        let note = match k {
            0 => Some("Concrete situation, clear actions, measurable outcome."),
            2 => Some("A real example, but the result is left vague."),
            _ => None,
        };
        return (base, note);
    }
    match k {
        0 => (base, None),
        2 => {
            let r = if base - 2 >= lo { base - 2 } else { base + 2 };
            (
                r.clamp(lo, hi),
                Some("No measurable outcome; the anchor says that caps it."),
            )
        }
        _ => ((base - 1).clamp(lo, hi), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: &str, interview: &str, mean: f64) -> Candidate {
        Candidate {
            response_id: id.into(),
            interview_id: interview.into(),
            scale: (1, 5),
            mean,
        }
    }

    #[test]
    fn picks_spread_out_samples_from_distinct_interviews() {
        let pool = vec![
            cand("a", "i1", 5.0),
            cand("b", "i1", 4.5),
            cand("c", "i2", 4.0),
            cand("d", "i3", 3.0),
            cand("e", "i3", 2.5),
            cand("f", "i4", 2.0),
            cand("g", "i2", 1.0),
        ];
        let ids: Vec<&str> = pick_spread(&pool, 4)
            .iter()
            .map(|c| c.response_id.as_str())
            .collect();
        assert_eq!(ids.len(), 4);
        assert_eq!(ids[0], "a");
        let interviews: std::collections::HashSet<&str> = pick_spread(&pool, 4)
            .iter()
            .map(|c| c.interview_id.as_str())
            .collect();
        assert_eq!(interviews.len(), 4, "{ids:?}");
        // Fewer candidates than wanted: all of them, no repeats.
        assert_eq!(pick_spread(&pool[..2], 4).len(), 2);
        assert!(pick_spread(&[], 4).is_empty());
    }

    #[test]
    fn the_third_reviewer_disagrees_by_two_on_one_item() {
        let s = cand("x", "i", 3.4);
        assert_eq!(demo_rating(&s, 2, 1).0, 3);
        assert_eq!(demo_rating(&s, 2, 2).0, 1);
        let low = cand("y", "i", 1.2);
        assert_eq!(demo_rating(&low, 2, 2).0, 3);
        assert_eq!(demo_rating(&low, 1, 2).0, 1);
    }
}
