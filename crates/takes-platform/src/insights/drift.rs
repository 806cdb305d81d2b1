//! Reliability drift: live inter-rater reliability per question set and
//! calendar quarter, through `takes-irr` (the same figures a calibration
//! session reports), so the two can be read side by side.

use std::collections::BTreeMap;

use takes_api::Reliability;

use crate::calibration::{reliability, seed_for};

/// One submitted rating of live reviewing; `K` names the interview,
/// question and reviewer (strings, or indices in id order).
#[derive(Clone, Debug)]
pub struct LiveRating<K = String> {
    pub interview: K,
    pub question: K,
    pub reviewer: K,
    pub rating: i64,
    /// When the reviewer submitted, ms since the epoch (UTC).
    pub submitted_at: i64,
}

/// "2026-Q3" for a time in ms since the epoch (UTC); `None` out of range.
pub fn quarter_of(ms: i64) -> Option<String> {
    let dt = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    Some(format!(
        "{}-Q{}",
        dt.year(),
        (u8::from(dt.month()) - 1) / 3 + 1
    ))
}

/// Reliability per quarter of submission. An interview belongs to the
/// quarter in which its last review in the data was submitted, so one
/// interview's ratings are never split across two quarters.
pub fn by_quarter<K: Ord>(
    ratings: &[LiveRating<K>],
    set_id: &str,
) -> BTreeMap<String, (usize, Reliability)> {
    let mut last: BTreeMap<&K, i64> = BTreeMap::new();
    for r in ratings {
        let e = last.entry(&r.interview).or_insert(r.submitted_at);
        *e = (*e).max(r.submitted_at);
    }
    // One calendar conversion per interview, not per rating.
    let quarter: BTreeMap<&K, Option<String>> = last
        .into_iter()
        .map(|(i, at)| (i, quarter_of(at)))
        .collect();
    let mut quarters: BTreeMap<String, Vec<&LiveRating<K>>> = BTreeMap::new();
    for r in ratings {
        if let Some(Some(q)) = quarter.get(&r.interview) {
            quarters.entry(q.clone()).or_default().push(r);
        }
    }
    quarters
        .into_iter()
        .map(|(q, rs)| {
            let (interviews, table) = table(&rs);
            let figures = reliability(&table, seed_for(&format!("{set_id}/{q}")));
            (q, (interviews, figures))
        })
        .collect()
}

/// Units (interview, question) × raters in a stable order, with the number
/// of distinct interviews.
fn table<K: Ord>(ratings: &[&LiveRating<K>]) -> (usize, Vec<Vec<Option<f64>>>) {
    let mut raters: BTreeMap<&K, usize> = BTreeMap::new();
    for r in ratings {
        raters.entry(&r.reviewer).or_insert(0);
    }
    for (i, v) in raters.values_mut().enumerate() {
        *v = i;
    }
    let mut order: Vec<&LiveRating<K>> = ratings.to_vec();
    order.sort_by(|a, b| (&a.interview, &a.question).cmp(&(&b.interview, &b.question)));
    let mut units: Vec<Vec<Option<f64>>> = Vec::new();
    let mut interviews = 0;
    let mut last: Option<(&K, &K)> = None;
    for r in order {
        let unit = (&r.interview, &r.question);
        if last != Some(unit) {
            if last.map(|(i, _)| i) != Some(&r.interview) {
                interviews += 1;
            }
            units.push(vec![None; raters.len()]);
            last = Some(unit);
        }
        if let (Some(row), Some(&i)) = (units.last_mut(), raters.get(&r.reviewer)) {
            if let Some(cell) = row.get_mut(i) {
                *cell = Some(r.rating as f64);
            }
        }
    }
    (interviews, units)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(interview: &str, question: &str, reviewer: &str, rating: i64, at: i64) -> LiveRating {
        LiveRating {
            interview: interview.into(),
            question: question.into(),
            reviewer: reviewer.into(),
            rating,
            submitted_at: at,
        }
    }

    #[test]
    fn quarters_by_calendar() {
        // 2026-01-01T00:00:00Z = 1767225600000 ms; 2026-07-01 = 1782864000000.
        assert_eq!(quarter_of(1_767_225_600_000).as_deref(), Some("2026-Q1"));
        assert_eq!(quarter_of(1_767_225_599_999).as_deref(), Some("2025-Q4"));
        assert_eq!(quarter_of(1_782_864_000_000).as_deref(), Some("2026-Q3"));
        assert_eq!(quarter_of(i64::MAX), None);
    }

    #[test]
    fn perfect_agreement_in_one_quarter_and_none_in_the_next() {
        // Q1: A and B agree on 4 units (ratings 1..4) -> alpha 1, ICC 1.
        // Q3: on 4 units A gives 1,2,3,4 and B 4,3,2,1 -> alpha below 0.
        // i1's second review lands in Q3, so all of i1 counts in Q3.
        let q1 = 1_767_225_600_000;
        let q3 = 1_782_864_000_000;
        let mut data = Vec::new();
        for (k, v) in [1, 2, 3, 4].iter().enumerate() {
            let i = format!("a{k}");
            data.push(r(&i, "q1", "A", *v, q1));
            data.push(r(&i, "q1", "B", *v, q1 + 1));
            let j = format!("b{k}");
            data.push(r(&j, "q1", "A", *v, q3));
            data.push(r(&j, "q1", "B", 5 - *v, q3));
        }
        data.push(r("i1", "q1", "A", 3, q1));
        data.push(r("i1", "q1", "B", 3, q3));
        let d = by_quarter(&data, "set");
        let (n1, f1) = &d["2026-Q1"];
        assert_eq!(*n1, 4);
        assert_eq!(f1.alpha_ordinal, Some(1.0));
        let (n3, f3) = &d["2026-Q3"];
        assert_eq!(*n3, 5);
        assert!(f3.alpha_ordinal.is_some_and(|a| a < 0.0));
    }
}
