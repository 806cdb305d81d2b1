//! Cohen's kappa (two raters) and Fleiss' kappa (many raters).
//!
//! Both treat scores as category labels: two scores agree when they are
//! the same number. Counting is done in integers, so the only rounding is
//! the final division.

use crate::numeric::canonical;
use crate::{Ratings, Undefined};

/// Disagreement weights for Cohen's kappa, on category *positions* 0, 1, …
/// in the ordered category list (not on the score values themselves).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weights {
    /// v(i, j) = 0 if i = j, else 1 (Cohen 1960).
    Unweighted,
    /// v(i, j) = |i − j| (Cicchetti & Allison 1971).
    Linear,
    /// v(i, j) = (i − j)² (Fleiss & Cohen 1973).
    Quadratic,
}

/// Cohen's kappa for two raters who rated the same units: `a[i]` and `b[i]`
/// are the two ratings of unit i.
///
/// With p_ij the proportion of units rated i by A and j by B, p_i· and p_·j
/// the marginal proportions and v_ij the disagreement weight,
///
/// ```text
/// κ_w = 1 − Σ_ij v_ij p_ij / Σ_ij v_ij p_i· p_·j
/// ```
///
/// (J. Cohen 1968, *Weighted kappa*, Psychological Bulletin 70(4), 213–220).
/// With [`Weights::Unweighted`] this is Cohen's (1960) κ = (p_o − p_e)/(1 − p_e).
/// Scaling the weights does not change κ, so linear and quadratic weights
/// match the usual 1 − |i−j|/(K−1) and 1 − (i−j)²/(K−1)² agreement forms.
///
/// Categories are ordered by `categories` when given (scores outside it are
/// an error), otherwise they are the distinct scores either rater used,
/// ascending — as `sklearn.metrics.cohen_kappa_score` and R's
/// `irr::kappa2` do. Supplying the full scale matters for weighted kappa
/// when some middle category was never used.
///
/// Undefined when the lists differ in length or are empty, a score is not
/// finite, or the expected disagreement is zero (both raters put every
/// unit in the same single category).
pub fn cohen_kappa(
    a: &[f64],
    b: &[f64],
    weights: Weights,
    categories: Option<&[f64]>,
) -> Result<f64, Undefined> {
    if a.len() != b.len() {
        return Err(Undefined::new(format!(
            "Cohen's kappa needs paired ratings, but one rater has {} and the other {}",
            a.len(),
            b.len()
        )));
    }
    if a.is_empty() {
        return Err(Undefined::new(
            "Cohen's kappa needs at least one rated unit",
        ));
    }
    if let Some(x) = a.iter().chain(b).find(|x| !x.is_finite()) {
        return Err(Undefined::new(format!(
            "a score is {x} (scores must be finite numbers)"
        )));
    }
    // (value, position) sorted by value, for looking positions up.
    let lookup: Vec<(f64, usize)> = match categories {
        Some(list) => {
            if let Some(x) = list.iter().find(|x| !x.is_finite()) {
                return Err(Undefined::new(format!(
                    "category {x} is not a finite number"
                )));
            }
            let mut l: Vec<(f64, usize)> = list
                .iter()
                .enumerate()
                .map(|(i, &v)| (canonical(v), i))
                .collect();
            l.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
            if let Some(w) = l.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(Undefined::new(format!(
                    "category {} is listed twice",
                    w[0].0
                )));
            }
            l
        }
        None => {
            let mut v: Vec<f64> = a.iter().chain(b).map(|&x| canonical(x)).collect();
            v.sort_unstable_by(f64::total_cmp);
            v.dedup();
            v.into_iter().enumerate().map(|(i, x)| (x, i)).collect()
        }
    };
    let position = |x: f64| -> Result<usize, Undefined> {
        let x = canonical(x);
        lookup
            .binary_search_by(|p| p.0.total_cmp(&x))
            .ok()
            .and_then(|i| lookup.get(i))
            .map(|&(_, pos)| pos)
            .ok_or_else(|| Undefined::new(format!("score {x} is not in the category list")))
    };
    let k = lookup.len();
    let mut count_a = vec![0u128; k];
    let mut count_b = vec![0u128; k];
    let mut observed: u128 = 0;
    for (&x, &y) in a.iter().zip(b) {
        let (i, j) = (position(x)?, position(y)?);
        observed += disagreement(weights, i, j);
        if let (Some(ca), Some(cb)) = (count_a.get_mut(i), count_b.get_mut(j)) {
            *ca += 1;
            *cb += 1;
        }
    }
    let n = a.len() as u128;
    let expected = expected_disagreement(weights, &count_a, &count_b, n);
    if expected == 0 {
        return Err(Undefined::new(
            "both raters put every unit in the same single category, so chance agreement \
             is perfect and kappa is 0/0",
        ));
    }
    // κ = 1 − (observed/n) / (expected/n²)
    Ok(1.0 - (n * observed) as f64 / expected as f64)
}

fn disagreement(weights: Weights, i: usize, j: usize) -> u128 {
    let d = i.abs_diff(j) as u128;
    match weights {
        Weights::Unweighted => u128::from(d != 0),
        Weights::Linear => d,
        Weights::Quadratic => d * d,
    }
}

/// Σ_ij v_ij · count_a[i] · count_b[j], in O(K) rather than O(K²) so that
/// many distinct scores (up to one per unit) stay cheap.
fn expected_disagreement(weights: Weights, count_a: &[u128], count_b: &[u128], n: u128) -> u128 {
    match weights {
        Weights::Unweighted => {
            let same: u128 = count_a.iter().zip(count_b).map(|(x, y)| x * y).sum();
            n * n - same
        }
        Weights::Linear => {
            // E|I − J| = Σ_t P(I ≤ t < J) + P(J ≤ t < I) over the gaps t|t+1.
            let (mut below_a, mut below_b, mut total) = (0u128, 0u128, 0u128);
            for (x, y) in count_a.iter().zip(count_b) {
                below_a += x;
                below_b += y;
                total += below_a * (n - below_b) + below_b * (n - below_a);
            }
            total
        }
        Weights::Quadratic => {
            // Σ_ij a_i b_j (i − j)² = n Σ a_i i² + n Σ b_j j² − 2 Σ a_i i Σ b_j j,
            // exact in integers, so no cancellation.
            let moments = |c: &[u128]| {
                c.iter()
                    .enumerate()
                    .fold((0u128, 0u128), |(s1, s2), (i, &x)| {
                        let i = i as u128;
                        (s1 + x * i, s2 + x * i * i)
                    })
            };
            let (a1, a2) = moments(count_a);
            let (b1, b2) = moments(count_b);
            (n * a2 + n * b2).saturating_sub(2 * a1 * b1)
        }
    }
}

/// The paired ratings of raters 0 and 1 on the units both rated.
pub(crate) fn first_two_raters(data: &Ratings) -> (Vec<f64>, Vec<f64>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for u in 0..data.n_units() {
        if let (Some(x), Some(y)) = (data.get(u, 0), data.get(u, 1)) {
            a.push(x);
            b.push(y);
        }
    }
    (a, b)
}

/// Fleiss' kappa for units that each have the same number m ≥ 2 of
/// ratings (by any raters; who gave them does not matter).
///
/// With N units, n_uj the number of ratings of unit u in category j and
/// p_j = Σ_u n_uj / (N m),
///
/// ```text
/// P_u = (Σ_j n_uj² − m) / (m (m − 1)),   P̄ = Σ_u P_u / N,   P_e = Σ_j p_j²
/// κ   = (P̄ − P_e) / (1 − P_e)
/// ```
///
/// (J. L. Fleiss 1971, *Measuring nominal scale agreement among many
/// raters*, Psychological Bulletin 76(5), 378–382). Computed as a ratio of
/// exact integers.
///
/// Undefined when there are no units, a unit's number of ratings differs
/// from the others' or is below two, a score is not finite, or every
/// rating is in one category (P_e = 1).
pub fn fleiss_kappa(data: &Ratings) -> Result<f64, Undefined> {
    data.check_finite()?;
    let mut units = data.units().enumerate();
    let Some((_, first)) = units.next() else {
        return Err(Undefined::new("Fleiss' kappa needs at least one unit"));
    };
    let m = first.len();
    if let Some((u, row)) = units.find(|(_, row)| row.len() != m) {
        return Err(Undefined::new(format!(
            "Fleiss' kappa needs the same number of ratings for every unit, but unit {:?} \
             has {} and unit {:?} has {}",
            data.unit_name(0),
            m,
            data.unit_name(u),
            row.len()
        )));
    }
    if m < 2 {
        return Err(Undefined::new(format!(
            "Fleiss' kappa needs at least two ratings per unit; units have {m}"
        )));
    }
    let mut within_units: u128 = 0;
    let mut scratch: Vec<f64> = Vec::with_capacity(m);
    for row in data.units() {
        scratch.clear();
        scratch.extend(row.iter().map(|&(_, x)| canonical(x)));
        within_units += sum_of_squared_run_lengths(&mut scratch);
    }
    let mut all: Vec<f64> = data
        .units()
        .flat_map(|row| row.iter().map(|&(_, x)| canonical(x)))
        .collect();
    let across_categories = sum_of_squared_run_lengths(&mut all);
    let total = all.len() as u128; // N·m
    let m = m as u128;
    // Multiplying P̄ − P_e and 1 − P_e by T²(m − 1), T = N·m, leaves integers.
    let denominator = (m - 1) * (total * total - across_categories);
    if denominator == 0 {
        return Err(Undefined::new(
            "every rating is in the same category, so chance agreement is perfect and \
             kappa is 0/0",
        ));
    }
    let numerator = total as i128 * (within_units as i128 - total as i128)
        - (m as i128 - 1) * across_categories as i128;
    Ok(numerator as f64 / denominator as f64)
}

/// Σ over distinct values of (number of occurrences)²; sorts `values`.
fn sum_of_squared_run_lengths(values: &mut [f64]) -> u128 {
    values.sort_unstable_by(f64::total_cmp);
    values
        .chunk_by(|a, b| a == b)
        .map(|run| (run.len() as u128) * (run.len() as u128))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute-force Σ_ij v_ij a_i b_j to check the O(K) shortcuts.
    fn brute(weights: Weights, a: &[u128], b: &[u128]) -> u128 {
        let mut s = 0;
        for (i, x) in a.iter().enumerate() {
            for (j, y) in b.iter().enumerate() {
                s += disagreement(weights, i, j) * x * y;
            }
        }
        s
    }

    #[test]
    fn expected_disagreement_shortcuts_match_brute_force() {
        let a = [3u128, 0, 5, 1, 7];
        let b = [0u128, 4, 2, 6, 4];
        let n = 16;
        for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
            assert_eq!(
                expected_disagreement(w, &a, &b, n),
                brute(w, &a, &b),
                "{w:?}"
            );
        }
    }
}
