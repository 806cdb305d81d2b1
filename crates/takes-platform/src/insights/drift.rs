//! Reliability drift: live inter-rater reliability per question set and
//! calendar quarter, through `takes-irr` (the same figures a calibration
//! session reports), so the two can be read side by side.

use std::collections::BTreeMap;

use takes_api::Reliability;

use sha2::{Digest, Sha256};
use takes_irr::{Ratings, RatingsBuilder};

use super::kept::Kept;
use crate::calibration::{reliability_of, seed_for};

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
    quarter_key(ms).map(|(year, q)| format!("{year}-Q{q}"))
}

/// (year, quarter) of a time in ms since the epoch (UTC): the calendar
/// arithmetic of [`quarter_of`] without the string, once per interview.
fn quarter_key(ms: i64) -> Option<(i32, u8)> {
    let dt = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    Some((dt.year(), (u8::from(dt.month()) - 1) / 3 + 1))
}

/// Reliability per quarter of submission. An interview belongs to the
/// quarter in which its last review in the data was submitted, so one
/// interview's ratings are never split across two quarters. Keys of any
/// ordered type are ranked to indices first; see [`by_quarter_indexed`].
pub fn by_quarter<K: Ord>(
    ratings: &[LiveRating<K>],
    set_id: &str,
) -> BTreeMap<String, (usize, Reliability)> {
    let interviews = ranks(ratings.iter().map(|r| &r.interview));
    let questions = ranks(ratings.iter().map(|r| &r.question));
    let reviewers = ranks(ratings.iter().map(|r| &r.reviewer));
    let indexed: Vec<LiveRating<u32>> = ratings
        .iter()
        .zip(interviews.into_iter().zip(questions).zip(reviewers))
        .map(|(r, ((interview, question), reviewer))| LiveRating {
            interview,
            question,
            reviewer,
            rating: r.rating,
            submitted_at: r.submitted_at,
        })
        .collect();
    by_quarter_indexed(&indexed, set_id, &KeptReliability::default())
}

/// Each key's rank among the distinct keys, so that indices order as the
/// keys do.
fn ranks<'a, K: Ord + 'a>(keys: impl Iterator<Item = &'a K>) -> Vec<u32> {
    let keys: Vec<&K> = keys.collect();
    let mut distinct = keys.clone();
    distinct.sort_unstable();
    distinct.dedup();
    keys.iter()
        .map(|k| distinct.binary_search(k).unwrap_or(0) as u32)
        .collect()
}

/// [`by_quarter`] for keys that are indices in id order (the live path).
///
/// Units are (interview, question) pairs in ascending order and raters the
/// reviewers present in the quarter in ascending order, each unit holding
/// only the ratings it has (`takes-irr`'s sparse form, never a dense
/// units × reviewers table). One sort of the ratings, then linear passes.
pub fn by_quarter_indexed(
    ratings: &[LiveRating<u32>],
    set_id: &str,
    kept: &KeptReliability,
) -> BTreeMap<String, (usize, Reliability)> {
    // Stable, so of two ratings of one cell the later one wins, as a table
    // written in input order would have it.
    let mut order: Vec<&LiveRating<u32>> = ratings.iter().collect();
    order.sort_by_key(|r| (r.interview, r.question, r.reviewer));
    let mut quarters: Vec<Quarter> = Vec::new();
    for interview in order.chunk_by(|a, b| a.interview == b.interview) {
        let last = interview.iter().map(|r| r.submitted_at).max();
        let Some(key) = last.and_then(quarter_key) else {
            continue;
        };
        let slot = match quarters.iter().position(|q| q.key == key) {
            Some(i) => i,
            None => {
                quarters.push(Quarter {
                    key,
                    interviews: Vec::new(),
                    reviewers: Vec::new(),
                });
                quarters.len() - 1
            }
        };
        if let Some(q) = quarters.get_mut(slot) {
            q.reviewers.extend(interview.iter().map(|r| r.reviewer));
            q.interviews.push(interview);
        }
    }
    quarters
        .into_iter()
        .map(|mut q| {
            q.reviewers.sort_unstable();
            q.reviewers.dedup();
            let mut units = RatingsBuilder::new(q.reviewers.len());
            for interview in &q.interviews {
                for unit in interview.chunk_by(|a, b| a.question == b.question) {
                    for r in unit {
                        if let Ok(column) = q.reviewers.binary_search(&r.reviewer) {
                            units.rate(column, r.rating as f64);
                        }
                    }
                    units.end_unit();
                }
            }
            let name = format!("{}-Q{}", q.key.0, q.key.1);
            let units = units.build();
            let seed = seed_for(&format!("{set_id}/{name}"));
            let figures = kept.get_or((seed, digest(&units)), || reliability_of(&units, seed));
            (name, (q.interviews.len(), figures))
        })
        .collect()
}

/// A quarter's figures by its seed and its ratings' [`digest`]: a closed
/// quarter's ratings no longer change, so only the current quarter's
/// bootstrap is drawn again after a submission.
pub type KeptReliability = Kept<(u64, [u8; 32]), Reliability>;

/// SHA-256 of everything the figures read from `data`: the raters, and
/// each unit's ratings in order.
fn digest(data: &Ratings) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update((data.n_raters() as u64).to_le_bytes());
    for u in 0..data.n_units() {
        let row = data.unit(u);
        h.update((row.len() as u64).to_le_bytes());
        for &(rater, value) in row {
            h.update((rater as u64).to_le_bytes());
            h.update(value.to_bits().to_le_bytes());
        }
    }
    h.finalize().into()
}

/// The ratings of one quarter, gathered interview by interview.
struct Quarter<'a> {
    key: (i32, u8),
    /// Each interview's ratings in (question, reviewer) order, interviews
    /// ascending.
    interviews: Vec<&'a [&'a LiveRating<u32>]>,
    /// Reviewers seen, with repeats until sorted.
    reviewers: Vec<u32>,
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

    #[test]
    fn a_quarter_whose_ratings_did_not_change_is_not_drawn_again() {
        let q1 = 1_767_225_600_000;
        let q3 = 1_782_864_000_000;
        let mut data: Vec<LiveRating<u32>> = Vec::new();
        for k in 0..6u32 {
            for (at, base) in [(q1, 0), (q3, 100)] {
                for reviewer in 0..2 {
                    data.push(LiveRating {
                        interview: base + k,
                        question: 0,
                        reviewer,
                        rating: 1 + ((k + reviewer * (base / 100)) % 5) as i64,
                        submitted_at: at,
                    });
                }
            }
        }
        let kept = KeptReliability::default();
        let first = by_quarter_indexed(&data, "set", &kept);
        assert_eq!(kept.len(), 2);
        assert_eq!(by_quarter_indexed(&data, "set", &kept), first);
        assert_eq!(kept.len(), 2, "nothing changed, nothing drawn");
        // A new review in Q3: Q1 is found, Q3 drawn again, and both are
        // what a computation that kept nothing gives.
        data.push(LiveRating {
            interview: 100,
            question: 0,
            reviewer: 2,
            rating: 5,
            submitted_at: q3 + 1,
        });
        let after = by_quarter_indexed(&data, "set", &kept);
        assert_eq!(kept.len(), 3);
        assert_eq!(
            after,
            by_quarter_indexed(&data, "set", &KeptReliability::default())
        );
        assert_eq!(after["2026-Q1"], first["2026-Q1"]);
        assert_ne!(after["2026-Q3"], first["2026-Q3"]);
    }
}
