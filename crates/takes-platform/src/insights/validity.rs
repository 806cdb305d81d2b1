//! Downstream validity: does a score predict an outcome after hire?
//! Spearman's rank correlation with a percentile bootstrap interval, and a
//! plain verdict when there are too few hires to say.

use super::inference::SplitMix64;
use super::kept::Kept;

/// Below this many (score, outcome) pairs no correlation is reported: the
/// interval would span most of −1..1 and invite reading noise.
pub const MIN_PAIRS: usize = 10;
/// Below this, a correlation is shown but marked as based on few hires.
pub const SMALL_PAIRS: usize = 30;
/// Resamples for the interval.
pub const BOOTSTRAP_ITERATIONS: usize = 2000;

/// Ranks 1..=n with ties given their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut out = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) share ranks start+1..=end.
        let avg = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = avg;
        }
        start = end;
    }
    out
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if x.len() < 2 || x.len() != y.len() {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    let d = (sxx * syy).sqrt();
    (d > 0.0).then(|| (sxy / d).clamp(-1.0, 1.0))
}

/// Spearman's rho: Pearson's correlation of the average ranks; `None`
/// when either side has no variation or the lengths differ.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

/// One score's correlation with one outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Validity {
    pub n: usize,
    pub rho: Option<f64>,
    /// Percentile bootstrap 95% interval (pairs resampled together).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub verdict: Verdict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Fewer than [`MIN_PAIRS`] hires with this outcome.
    TooFew,
    /// A figure, but from fewer than [`SMALL_PAIRS`] hires.
    Small,
    /// The interval excludes 0 and rho is positive.
    Predicts,
    /// The interval includes 0 (or rho is not positive): no evidence that
    /// this score predicts the outcome.
    DoesNotPredict,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::TooFew => "too_few",
            Verdict::Small => "small",
            Verdict::Predicts => "predicts",
            Verdict::DoesNotPredict => "does_not_predict",
        }
    }
}

/// Intervals already drawn, by everything that determines one: the seed
/// and the pairs' [`Table`] (a resample's ranks depend only on the order of
/// the classes and how many pairs fall in each cell). Outcomes arrive for
/// hired candidates months after their interview, so a request after a
/// submission or an outcome finds nearly every interval here.
pub type Intervals = Kept<IntervalKey, Option<(f64, f64)>>;

#[derive(PartialEq, Eq, Hash)]
pub struct IntervalKey {
    seed: u64,
    x: Vec<u32>,
    y: Vec<u32>,
    sizes: Vec<u64>,
}

/// [`validity_kept`] without keeping its interval.
pub fn validity(pairs: &[(f64, f64)], seed: u64) -> Validity {
    validity_kept(pairs, seed, &Intervals::default())
}

/// One score's validity, its interval taken from `kept` when the same
/// table was bootstrapped with the same seed before, and kept there
/// otherwise.
pub fn validity_kept(pairs: &[(f64, f64)], seed: u64, kept: &Intervals) -> Validity {
    let n = pairs.len();
    let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    if n < MIN_PAIRS {
        return Validity {
            n,
            rho: None,
            lower: None,
            upper: None,
            verdict: Verdict::TooFew,
        };
    }
    let rho = spearman(&x, &y);
    let (lower, upper) = bootstrap(pairs, seed, kept).unzip();
    let verdict = if n < SMALL_PAIRS {
        Verdict::Small
    } else if rho.is_some_and(|r| r > 0.0) && lower.is_some_and(|l| l > 0.0) {
        Verdict::Predicts
    } else {
        Verdict::DoesNotPredict
    };
    Validity {
        n,
        rho,
        lower,
        upper,
        verdict,
    }
}

/// The values of one side of the pairs as tie classes: `class[j]` is the
/// class of pair `j`, classes numbered in ascending order of value, equal
/// values (by `==`, as [`ranks`] groups ties) in one class.
struct Classes {
    class: Vec<u32>,
    count: usize,
}

impl Classes {
    fn of(values: impl Iterator<Item = f64>) -> Classes {
        let values: Vec<f64> = values.collect();
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        let mut class = vec![0u32; values.len()];
        let mut count = 0;
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && values[order[end]] == values[order[start]] {
                end += 1;
            }
            for &i in &order[start..end] {
                class[i] = count as u32;
            }
            count += 1;
            start = end;
        }
        Classes { class, count }
    }
}

/// The pairs as a table of (score class, outcome class) cells and how many
/// pairs fall in each. A resample's Spearman depends only on how often
/// each cell was drawn, and drawing n pairs with replacement puts
/// Multinomial(n, size/n) draws into the cells; so a resample costs one
/// multinomial draw and a pass over the cells, not n draws and n ranks.
/// 113,000 hires with ratings 1 to 5 and a yes/no outcome are 10 cells.
struct Table {
    /// Per cell: its score class and its outcome class.
    x: Vec<u32>,
    y: Vec<u32>,
    sizes: Vec<u64>,
    x_classes: usize,
    y_classes: usize,
}

impl Table {
    fn of(pairs: &[(f64, f64)]) -> Table {
        let (xs, ys) = (
            Classes::of(pairs.iter().map(|p| p.0)),
            Classes::of(pairs.iter().map(|p| p.1)),
        );
        let mut keys: Vec<(u32, u32)> = xs.class.iter().copied().zip(ys.class).collect();
        keys.sort_unstable();
        let mut table = Table {
            x: Vec::new(),
            y: Vec::new(),
            sizes: Vec::new(),
            x_classes: xs.count,
            y_classes: ys.count,
        };
        for (i, key) in keys.iter().enumerate() {
            if i > 0 && keys[i - 1] == *key {
                if let Some(last) = table.sizes.last_mut() {
                    *last += 1;
                }
            } else {
                table.x.push(key.0);
                table.y.push(key.1);
                table.sizes.push(1);
            }
        }
        table
    }
}

/// Reused between resamples: per class, how many were drawn and their
/// average rank.
struct Scratch {
    tally_x: Vec<u64>,
    tally_y: Vec<u64>,
    rank_x: Vec<f64>,
    rank_y: Vec<f64>,
}

impl Scratch {
    fn for_table(t: &Table) -> Scratch {
        Scratch {
            tally_x: vec![0; t.x_classes],
            tally_y: vec![0; t.y_classes],
            rank_x: vec![0.0; t.x_classes],
            rank_y: vec![0.0; t.y_classes],
        }
    }
}

/// Average ranks per class from the class tallies, exactly as [`ranks`]
/// gives them: a class's values share the ranks after every smaller value.
fn class_ranks(tally: &[u64], rank: &mut [f64]) {
    let mut start = 0u64;
    for (t, r) in tally.iter().zip(rank.iter_mut()) {
        let end = start + t;
        *r = (start + 1 + end) as f64 / 2.0;
        start = end;
    }
}

/// Spearman's rho of the pairs that `counts[k]` copies of each cell `k`
/// of `t` make: Pearson's correlation of their average ranks, summed per
/// cell and per class. `None` when a side has no variation.
fn table_spearman(t: &Table, counts: &[u64], s: &mut Scratch) -> Option<f64> {
    s.tally_x.iter_mut().for_each(|v| *v = 0);
    s.tally_y.iter_mut().for_each(|v| *v = 0);
    let mut n = 0u64;
    for ((&x, &y), &c) in t.x.iter().zip(&t.y).zip(counts) {
        s.tally_x[x as usize] += c;
        s.tally_y[y as usize] += c;
        n += c;
    }
    if n < 2 {
        return None;
    }
    class_ranks(&s.tally_x, &mut s.rank_x);
    class_ranks(&s.tally_y, &mut s.rank_y);
    // Average ranks always average (n + 1) / 2.
    let mean = (n + 1) as f64 / 2.0;
    let spread = |tally: &[u64], rank: &[f64]| -> f64 {
        tally
            .iter()
            .zip(rank)
            .map(|(&c, &r)| c as f64 * (r - mean).powi(2))
            .sum()
    };
    let (sxx, syy) = (spread(&s.tally_x, &s.rank_x), spread(&s.tally_y, &s.rank_y));
    let sxy: f64 =
        t.x.iter()
            .zip(&t.y)
            .zip(counts)
            .map(|((&x, &y), &c)| {
                c as f64 * (s.rank_x[x as usize] - mean) * (s.rank_y[y as usize] - mean)
            })
            .sum();
    let d = (sxx * syy).sqrt();
    (d > 0.0).then(|| (sxy / d).clamp(-1.0, 1.0))
}

/// Percentile bootstrap of Spearman's rho: each resample draws the n pairs
/// with replacement and takes [`spearman`] of them, drawn as cell counts
/// of the pairs' [`Table`] (the same distribution as drawing pair by pair,
/// at a cost that does not grow with n).
fn bootstrap(pairs: &[(f64, f64)], seed: u64, kept: &Intervals) -> Option<(f64, f64)> {
    if pairs.iter().any(|(a, b)| !a.is_finite() || !b.is_finite()) {
        return bootstrap_by_sorting(pairs, seed);
    }
    let table = Table::of(pairs);
    // One value on a side: no resample varies, so none has a rho.
    if table.x_classes < 2 || table.y_classes < 2 {
        return None;
    }
    let key = IntervalKey {
        seed,
        x: table.x.clone(),
        y: table.y.clone(),
        sizes: table.sizes.clone(),
    };
    kept.get_or(key, || bootstrap_table(&table, seed))
}

fn bootstrap_table(table: &Table, seed: u64) -> Option<(f64, f64)> {
    let mut rng = SplitMix64(seed);
    let mut scratch = Scratch::for_table(table);
    let mut counts = vec![0u64; table.sizes.len()];
    let mut draw = CellDraw::for_table(table);
    let mut draws = Vec::with_capacity(BOOTSTRAP_ITERATIONS);
    for _ in 0..BOOTSTRAP_ITERATIONS {
        draw.draw(&mut rng, &mut counts);
        // A resample with no variation on a side has no rho; skip it.
        if let Some(r) = table_spearman(table, &counts, &mut scratch) {
            draws.push(r);
        }
    }
    interval(draws)
}

/// A binomial draw costs about as much as this many uniform draws.
const DRAWS_PER_BINOMIAL: u64 = 16;

/// How a resample's cell counts are drawn: hire by hire while there are
/// few hires for the cells (one uniform draw each), as one multinomial draw
/// (one binomial per cell) when there are many. The counts have the same
/// distribution either way; which way depends only on the table, so a
/// seed still gives one interval.
enum CellDraw {
    /// The cell of each of the n pairs.
    ByPair(Vec<u32>),
    ByCell(Box<takes_irr::random::Multinomial>),
}

impl CellDraw {
    fn for_table(table: &Table) -> CellDraw {
        let n: u64 = table.sizes.iter().sum();
        if n <= DRAWS_PER_BINOMIAL * table.sizes.len() as u64 {
            let cells = table
                .sizes
                .iter()
                .enumerate()
                .flat_map(|(k, &size)| std::iter::repeat_n(k as u32, size as usize))
                .collect();
            CellDraw::ByPair(cells)
        } else {
            CellDraw::ByCell(Box::new(takes_irr::random::Multinomial::new(
                n,
                &table.sizes,
            )))
        }
    }

    fn draw(&mut self, rng: &mut SplitMix64, counts: &mut [u64]) {
        match self {
            CellDraw::ByPair(cells) => {
                counts.iter_mut().for_each(|c| *c = 0);
                for _ in 0..cells.len() {
                    counts[cells[rng.below(cells.len())] as usize] += 1;
                }
            }
            CellDraw::ByCell(m) => m.draw(rng, counts),
        }
    }
}

/// The bootstrap as first written (drawing pair by pair and sorting every
/// resample): the reference for [`bootstrap`], and its path when a value
/// is not finite.
fn bootstrap_by_sorting(pairs: &[(f64, f64)], seed: u64) -> Option<(f64, f64)> {
    let n = pairs.len();
    let mut rng = SplitMix64(seed);
    let mut draws = Vec::with_capacity(BOOTSTRAP_ITERATIONS);
    let (mut x, mut y) = (vec![0.0; n], vec![0.0; n]);
    for _ in 0..BOOTSTRAP_ITERATIONS {
        for i in 0..n {
            let (a, b) = pairs[rng.below(n)];
            x[i] = a;
            y[i] = b;
        }
        // A resample with no variation on a side has no rho; skip it.
        if let Some(r) = spearman(&x, &y) {
            draws.push(r);
        }
    }
    interval(draws)
}

fn interval(mut draws: Vec<f64>) -> Option<(f64, f64)> {
    if draws.len() * 2 < BOOTSTRAP_ITERATIONS {
        return None;
    }
    draws.sort_unstable_by(f64::total_cmp);
    Some((
        super::describe::quantile_sorted(&draws, 0.025)?,
        super::describe::quantile_sorted(&draws, 0.975)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        // 10, 20, 20, 30: ranks 1, (2+3)/2 = 2.5, 2.5, 4.
        assert_eq!(ranks(&[20.0, 10.0, 30.0, 20.0]), [2.5, 1.0, 4.0, 2.5]);
    }

    #[test]
    fn spearman_by_hand() {
        // x 1..5, y 2 1 4 3 5: d = -1 1 -1 1 0, sum d^2 = 4,
        // rho = 1 - 6 * 4 / (5 * 24) = 0.8.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        assert!((rho.unwrap_or(0.0) - 0.8).abs() < 1e-12);
        // Reversed order: -1. No variation: undefined.
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(spearman(&[1.0, f64::NAN], &[1.0, 2.0]), None);
    }

    #[test]
    fn too_few_hires_are_said_plainly() {
        let pairs: Vec<_> = (0..9).map(|i| (i as f64, i as f64)).collect();
        let v = validity(&pairs, 1);
        assert_eq!((v.verdict, v.rho), (Verdict::TooFew, None));
    }

    #[test]
    fn a_monotone_outcome_predicts_and_noise_does_not() {
        // 40 hires, outcome = score: every resample with variation has
        // rho = 1, so the interval is [1, 1].
        let pairs: Vec<_> = (0..40)
            .map(|i| ((i % 5) as f64, (i % 5) as f64 * 2.0))
            .collect();
        let v = validity(&pairs, 7);
        assert_eq!(v.rho, Some(1.0));
        assert_eq!((v.lower, v.upper), (Some(1.0), Some(1.0)));
        assert_eq!(v.verdict, Verdict::Predicts);
        // Outcome independent of score by construction: the score cycles
        // with period 5, the outcome with period 8 over 40 = lcm(5, 8)
        // hires, so every (score, outcome) combination occurs exactly once
        // and rho is 0.
        let pairs: Vec<_> = (0..40).map(|i| ((i % 5) as f64, (i % 8) as f64)).collect();
        let v = validity(&pairs, 7);
        assert!(v.rho.unwrap_or(1.0).abs() < 1e-12);
        assert!(v.lower.unwrap_or(1.0) < 0.0 && v.upper.unwrap_or(-1.0) > 0.0);
        assert_eq!(v.verdict, Verdict::DoesNotPredict);
        // Same seed, same interval.
        assert_eq!(validity(&pairs, 7), v);
    }

    #[test]
    fn between_ten_and_thirty_is_small() {
        let pairs: Vec<_> = (0..12).map(|i| (i as f64, (i * i) as f64)).collect();
        let v = validity(&pairs, 3);
        assert_eq!(v.verdict, Verdict::Small);
        assert_eq!(v.rho, Some(1.0));
    }

    /// Pairs with ties on both sides (rating means, 1-5 performance) and a
    /// -0.0 tied with 0.0.
    fn tied_pairs(rng: &mut SplitMix64, n: usize, link: f64) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let score = (rng.below(9) as f64) / 3.0;
                let outcome = if i % 7 == 0 {
                    -0.0
                } else if rng.uniform() < link {
                    (score * 4.0 / 8.0 * 3.0).round()
                } else {
                    rng.below(5) as f64
                };
                (score, outcome)
            })
            .collect()
    }

    #[test]
    fn a_table_of_counts_gives_the_spearman_of_its_pairs() {
        // Any counts over the cells (a resample) must give what ranking the
        // pairs they stand for gives; counts of 0 and cells drawn many
        // times included.
        let mut rng = SplitMix64(11);
        for n in [10, 31, 240] {
            let pairs = tied_pairs(&mut rng, n, 0.5);
            let table = Table::of(&pairs);
            assert_eq!(table.sizes.iter().sum::<u64>(), n as u64);
            let mut scratch = Scratch::for_table(&table);
            // A pair of each cell stands for all of its pairs.
            let (xs, ys) = (
                Classes::of(pairs.iter().map(|p| p.0)),
                Classes::of(pairs.iter().map(|p| p.1)),
            );
            let of_cell: Vec<(f64, f64)> = (0..table.sizes.len())
                .map(|k| {
                    let j = (0..n)
                        .find(|&j| xs.class[j] == table.x[k] && ys.class[j] == table.y[k])
                        .expect("every cell holds a pair");
                    pairs[j]
                })
                .collect();
            for _ in 0..50 {
                let counts: Vec<u64> = table.sizes.iter().map(|_| rng.below(4) as u64).collect();
                let (mut x, mut y) = (Vec::new(), Vec::new());
                for (&(a, b), &c) in of_cell.iter().zip(&counts) {
                    for _ in 0..c {
                        x.push(a);
                        y.push(b);
                    }
                }
                let want = spearman(&x, &y);
                let got = table_spearman(&table, &counts, &mut scratch);
                match (want, got) {
                    (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} != {b}"),
                    (a, b) => assert_eq!(a, b),
                }
            }
        }
    }

    #[test]
    fn the_table_bootstrap_agrees_with_resampling_pair_by_pair() {
        // Same distribution, different draws: the intervals agree to the
        // Monte Carlo error of a 2.5% quantile of 2,000 resamples (about
        // 0.003 here; 0.03 is ten of those).
        let mut rng = SplitMix64(5);
        // 600 pairs over about 45 cells are drawn pair by pair, 3,000 by
        // cell; both must agree with drawing the pairs themselves.
        for (n, link) in [(600, 0.0), (600, 0.4), (600, 0.8), (3000, 0.4)] {
            let pairs = tied_pairs(&mut rng, n, link);
            let by_pair = matches!(CellDraw::for_table(&Table::of(&pairs)), CellDraw::ByPair(_));
            assert_eq!(by_pair, n == 600, "n = {n}");
            let (lo, hi) = bootstrap(&pairs, 1, &Intervals::default()).expect("an interval");
            let (lo2, hi2) = bootstrap_by_sorting(&pairs, 1).expect("an interval");
            assert!(
                (lo - lo2).abs() < 0.03 && (hi - hi2).abs() < 0.03,
                "link {link}: [{lo}, {hi}] against [{lo2}, {hi2}]"
            );
            let rho = spearman(
                &pairs.iter().map(|p| p.0).collect::<Vec<_>>(),
                &pairs.iter().map(|p| p.1).collect::<Vec<_>>(),
            )
            .expect("a rho");
            assert!(lo < rho && rho < hi, "{rho} in [{lo}, {hi}]");
            // Same seed, same interval.
            assert_eq!(bootstrap(&pairs, 1, &Intervals::default()), Some((lo, hi)));
        }
        // A side without variation has no interval either way.
        let flat: Vec<(f64, f64)> = (0..40).map(|i| (i as f64, 1.0)).collect();
        assert_eq!(bootstrap(&flat, 5, &Intervals::default()), None);
        assert_eq!(bootstrap_by_sorting(&flat, 5), None);
        // A value that is not finite takes the pair-by-pair path.
        let mut odd: Vec<(f64, f64)> = (0..40).map(|i| (i as f64, (i % 3) as f64)).collect();
        odd[3].1 = f64::NAN;
        assert_eq!(
            bootstrap(&odd, 5, &Intervals::default()),
            bootstrap_by_sorting(&odd, 5)
        );
    }

    #[test]
    fn an_interval_is_kept_by_its_table_and_seed() {
        let mut rng = SplitMix64(3);
        let pairs = tied_pairs(&mut rng, 300, 0.5);
        let kept = Intervals::default();
        let first = validity_kept(&pairs, 9, &kept);
        assert_eq!(kept.len(), 1);
        assert_eq!(first, validity(&pairs, 9));
        // Other values in the same order and the same cells: the same
        // ranks, so the same resamples; found, not drawn again.
        let moved: Vec<(f64, f64)> = pairs
            .iter()
            .map(|&(x, y)| (x * 2.0 + 1.0, y - 7.0))
            .collect();
        assert_eq!(validity_kept(&moved, 9, &kept), first);
        assert_eq!(kept.len(), 1);
        // Another seed, or one more pair, is another table.
        validity_kept(&pairs, 10, &kept);
        let mut more = pairs.clone();
        more.push(pairs[0]);
        let grown = validity_kept(&more, 9, &kept);
        assert_eq!(kept.len(), 3);
        assert_eq!(grown, validity(&more, 9));
    }
}
