//! The units × raters table of scores that every statistic reads.

use crate::Undefined;

/// Scores given by raters to units, with any rating allowed to be missing.
///
/// Stored sparsely (each unit keeps only the ratings it has), because long
/// files can name many raters who each rated a few units: a dense table
/// would be mostly empty and could be too large to hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratings {
    unit_ids: Vec<String>,
    rater_ids: Vec<String>,
    /// Unit `u`'s ratings are `entries[starts[u]..starts[u + 1]]`, ordered by
    /// rater index, at most one per rater.
    starts: Vec<usize>,
    entries: Vec<(usize, f64)>,
}

impl Ratings {
    /// Builds ratings from rows, one per unit, one column per rater; `None`
    /// is a missing rating. Rows may differ in length (short rows are
    /// missing the remaining raters). Units and raters are named `1`, `2`, …
    /// in the order given.
    ///
    /// Any `f64` is accepted; the statistics report non-finite scores as
    /// [`Undefined`] rather than computing with them.
    pub fn from_rows<R: AsRef<[Option<f64>]>>(rows: &[R]) -> Self {
        let n_raters = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
        let mut starts = Vec::with_capacity(rows.len() + 1);
        let mut entries = Vec::new();
        starts.push(0);
        for row in rows {
            for (rater, cell) in row.as_ref().iter().enumerate() {
                if let Some(x) = cell {
                    entries.push((rater, *x));
                }
            }
            starts.push(entries.len());
        }
        Ratings {
            unit_ids: (1..=rows.len()).map(|i| i.to_string()).collect(),
            rater_ids: (1..=n_raters).map(|i| i.to_string()).collect(),
            starts,
            entries,
        }
    }

    /// Builds ratings from `(unit index, rater index, score)` triples that
    /// name each (unit, rater) pair at most once; the input readers have
    /// already rejected duplicates with line numbers.
    pub(crate) fn from_triples(
        unit_ids: Vec<String>,
        rater_ids: Vec<String>,
        mut triples: Vec<(usize, usize, f64)>,
    ) -> Self {
        triples.sort_by_key(|&(u, r, _)| (u, r));
        let mut starts = Vec::with_capacity(unit_ids.len() + 1);
        let mut entries = Vec::with_capacity(triples.len());
        starts.push(0);
        let mut next = triples.iter().peekable();
        for unit in 0..unit_ids.len() {
            while let Some(&&(u, r, x)) = next.peek() {
                if u != unit {
                    break;
                }
                entries.push((r, x));
                next.next();
            }
            starts.push(entries.len());
        }
        Ratings {
            unit_ids,
            rater_ids,
            starts,
            entries,
        }
    }

    /// Number of units (rows), including units with no ratings.
    pub fn n_units(&self) -> usize {
        self.unit_ids.len()
    }

    /// Number of raters (columns), including raters with no ratings.
    pub fn n_raters(&self) -> usize {
        self.rater_ids.len()
    }

    /// Number of ratings present.
    pub fn n_ratings(&self) -> usize {
        self.entries.len()
    }

    /// Unit names, in input order.
    pub fn unit_ids(&self) -> &[String] {
        &self.unit_ids
    }

    /// Rater names, in input order.
    pub fn rater_ids(&self) -> &[String] {
        &self.rater_ids
    }

    /// The score rater `rater` gave unit `unit`, if any (out-of-range
    /// indices are simply missing).
    pub fn get(&self, unit: usize, rater: usize) -> Option<f64> {
        let row = self.unit(unit);
        row.binary_search_by_key(&rater, |&(r, _)| r)
            .ok()
            .and_then(|i| row.get(i))
            .map(|&(_, x)| x)
    }

    /// The ratings of one unit as `(rater index, score)`, ordered by rater
    /// (empty for an out-of-range index).
    pub fn unit(&self, unit: usize) -> &[(usize, f64)] {
        match (self.starts.get(unit), self.starts.get(unit + 1)) {
            (Some(&a), Some(&b)) => self.entries.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Every unit's ratings in order.
    pub(crate) fn units(&self) -> impl Iterator<Item = &[(usize, f64)]> + '_ {
        (0..self.n_units()).map(move |u| self.unit(u))
    }

    /// Rejects NaN and infinite scores, naming where the first one is.
    /// Every statistic calls this first, because a single NaN would
    /// otherwise turn the result into NaN without saying why.
    pub(crate) fn check_finite(&self) -> Result<(), Undefined> {
        for (u, row) in self.units().enumerate() {
            if let Some(&(r, x)) = row.iter().find(|(_, x)| !x.is_finite()) {
                return Err(Undefined::new(format!(
                    "the score of unit {:?} by rater {:?} is {} (scores must be finite numbers)",
                    self.unit_name(u),
                    self.rater_name(r),
                    x
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn unit_name(&self, unit: usize) -> &str {
        self.unit_ids.get(unit).map_or("?", String::as_str)
    }

    pub(crate) fn rater_name(&self, rater: usize) -> &str {
        self.rater_ids.get(rater).map_or("?", String::as_str)
    }
}

/// Builds [`Ratings`] one unit at a time from sparse `(rater, score)`
/// pairs, for callers holding many units of few raters each, where the
/// dense rows [`Ratings::from_rows`] takes would cost units × raters.
/// Units and raters are named `1`, `2`, … as by `from_rows`.
#[derive(Clone, Debug, Default)]
pub struct RatingsBuilder {
    n_raters: usize,
    starts: Vec<usize>,
    entries: Vec<(usize, f64)>,
}

impl RatingsBuilder {
    /// A builder for at least `n_raters` raters (more if a higher rater
    /// index is rated).
    pub fn new(n_raters: usize) -> Self {
        RatingsBuilder {
            n_raters,
            starts: vec![0],
            entries: Vec::new(),
        }
    }

    /// Adds `rater`'s score to the unit being built. Scores may come in
    /// any rater order; a second score by the same rater in the same unit
    /// replaces the first, as writing the same cell of a table twice would.
    pub fn rate(&mut self, rater: usize, score: f64) {
        let start = self.starts.last().copied().unwrap_or(0);
        self.n_raters = self.n_raters.max(rater + 1);
        match self.entries.last() {
            Some(&(last, _)) if self.entries.len() > start && last >= rater => {
                let unit = self.entries.get(start..).unwrap_or(&[]);
                match unit.binary_search_by_key(&rater, |&(r, _)| r) {
                    Ok(i) => {
                        if let Some(e) = self.entries.get_mut(start + i) {
                            e.1 = score;
                        }
                    }
                    Err(i) => self.entries.insert(start + i, (rater, score)),
                }
            }
            _ => self.entries.push((rater, score)),
        }
    }

    /// Ends the unit being built (a unit without ratings is kept, empty).
    pub fn end_unit(&mut self) {
        self.starts.push(self.entries.len());
    }

    /// The ratings built so far (a unit not yet ended is dropped).
    pub fn build(self) -> Ratings {
        let n_units = self.starts.len() - 1;
        let mut entries = self.entries;
        entries.truncate(self.starts.last().copied().unwrap_or(0));
        Ratings {
            unit_ids: (1..=n_units).map(|i| i.to_string()).collect(),
            rater_ids: (1..=self.n_raters).map(|i| i.to_string()).collect(),
            starts: self.starts,
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_rows_pads_and_indexes() {
        let r = Ratings::from_rows(&[vec![Some(1.0)], vec![None, Some(2.0), Some(3.0)]]);
        assert_eq!(r.n_units(), 2);
        assert_eq!(r.n_raters(), 3);
        assert_eq!(r.n_ratings(), 3);
        assert_eq!(r.get(0, 0), Some(1.0));
        assert_eq!(r.get(0, 1), None);
        assert_eq!(r.get(1, 2), Some(3.0));
        assert_eq!(r.get(7, 7), None);
        assert_eq!(r.unit_ids(), ["1", "2"]);
    }

    #[test]
    fn from_triples_groups_by_unit() {
        let r = Ratings::from_triples(
            vec!["a".into(), "b".into(), "c".into()],
            vec!["x".into(), "y".into()],
            vec![(2, 1, 5.0), (0, 1, 1.0), (0, 0, 2.0)],
        );
        assert_eq!(r.unit(0), [(0, 2.0), (1, 1.0)]);
        assert_eq!(r.unit(1), []);
        assert_eq!(r.unit(2), [(1, 5.0)]);
    }

    #[test]
    fn builder_matches_from_rows() {
        let rows = [
            vec![Some(1.0), None, Some(3.0)],
            vec![None, None, None],
            vec![None, Some(2.0), None, Some(4.0)],
        ];
        let mut b = RatingsBuilder::new(2);
        // Out of order, with rater 0's 9.0 replaced by 1.0 as a table would.
        b.rate(2, 3.0);
        b.rate(0, 9.0);
        b.rate(0, 1.0);
        b.end_unit();
        b.end_unit();
        b.rate(1, 2.0);
        b.rate(3, 4.0);
        b.end_unit();
        b.rate(0, 5.0); // never ended: dropped
        assert_eq!(b.build(), Ratings::from_rows(&rows));
    }

    #[test]
    fn check_finite_names_the_cell() {
        let r = Ratings::from_rows(&[vec![Some(1.0), Some(f64::NAN)]]);
        let e = r.check_finite().unwrap_err();
        assert!(e.reason.contains("unit \"1\" by rater \"2\""), "{e}");
    }
}
