//! Worked examples with published results.

use takes_irr::{alpha, cohen_kappa, fleiss_kappa, icc, Metric, Ratings, Weights};

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol
}

macro_rules! assert_close {
    ($got:expr, $want:expr, $tol:expr) => {{
        let (g, w): (f64, f64) = ($got, $want);
        assert!(
            close(g, w, $tol),
            "{} = {g}, expected {w} ± {}",
            stringify!($got),
            $tol
        );
    }};
}

/// Units × raters from a raters × units listing where 0 marks "missing".
fn from_raters_by_units(raters: &[&[u8]]) -> Ratings {
    let units = raters.first().map_or(0, |r| r.len());
    let rows: Vec<Vec<Option<f64>>> = (0..units)
        .map(|u| {
            raters
                .iter()
                .map(|r| Some(f64::from(r[u])).filter(|&x| x != 0.0))
                .collect()
        })
        .collect();
    Ratings::from_rows(&rows)
}

/// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
/// section C: 4 observers × 12 units, values 1–5, 7 missing. The paper
/// gives α = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval) and
/// 0.797 (ratio); the exact fractions below were also obtained from the
/// `krippendorff` Python package 0.9.0.
fn krippendorff_2011_c() -> Ratings {
    from_raters_by_units(&[
        &[1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
        &[1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
        &[0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
        &[1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
    ])
}

#[test]
fn krippendorff_2011_reliability_data() {
    let d = krippendorff_2011_c();
    assert_close!(alpha(&d, Metric::Nominal).unwrap(), 0.743, 5e-4);
    assert_close!(alpha(&d, Metric::Ordinal).unwrap(), 0.815, 5e-4);
    assert_close!(alpha(&d, Metric::Interval).unwrap(), 0.849, 5e-4);
    assert_close!(alpha(&d, Metric::Ratio).unwrap(), 0.797, 5e-4);
    // Full precision: the nominal and interval values are exact fractions.
    assert_close!(
        alpha(&d, Metric::Nominal).unwrap(),
        0.743421052631579,
        1e-12
    );
    assert_close!(
        alpha(&d, Metric::Ordinal).unwrap(),
        0.8153875037548814,
        1e-12
    );
    assert_close!(
        alpha(&d, Metric::Interval).unwrap(),
        0.8491071428571428,
        1e-12
    );
    assert_close!(alpha(&d, Metric::Ratio).unwrap(), 0.7974027747116121, 1e-12);
}

/// The 3 coders × 15 units example of Wikipedia's "Krippendorff's alpha"
/// article, used by the `krippendorff` package's own tests
/// (nominal 0.691358, interval 0.810845).
#[test]
fn wikipedia_krippendorff_example() {
    let d = from_raters_by_units(&[
        &[0, 0, 0, 0, 0, 3, 4, 1, 2, 1, 1, 3, 3, 0, 3],
        &[1, 0, 2, 1, 3, 3, 4, 3, 0, 0, 0, 0, 0, 0, 0],
        &[0, 0, 2, 1, 3, 4, 4, 0, 2, 1, 1, 3, 3, 0, 4],
    ]);
    assert_close!(alpha(&d, Metric::Nominal).unwrap(), 0.691358, 5e-7);
    assert_close!(alpha(&d, Metric::Interval).unwrap(), 0.810845, 5e-7);
}

/// Shrout & Fleiss (1979), Table 2: 6 targets × 4 judges, and the six ICCs
/// of their Table 4: .17, .29, .71, .44, .62, .91. Full-precision values
/// from pingouin 0.7.0.
#[test]
fn shrout_fleiss_1979_table_2() {
    let rows: Vec<Vec<Option<f64>>> = [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ]
    .iter()
    .map(|r| r.iter().map(|&x| Some(f64::from(x))).collect())
    .collect();
    let i = icc(&Ratings::from_rows(&rows)).unwrap();
    assert_eq!((i.n_units, i.n_raters), (6, 4));
    assert_close!(i.icc1_1.clone().unwrap(), 0.17, 5e-3);
    assert_close!(i.icc2_1.clone().unwrap(), 0.29, 5e-3);
    assert_close!(i.icc3_1.clone().unwrap(), 0.71, 5e-3);
    assert_close!(i.icc1_k.clone().unwrap(), 0.44, 5e-3);
    assert_close!(i.icc2_k.clone().unwrap(), 0.62, 5e-3);
    assert_close!(i.icc3_k.clone().unwrap(), 0.91, 5e-3);
    assert_close!(i.icc1_1.unwrap(), 0.165742, 5e-7);
    assert_close!(i.icc2_1.unwrap(), 0.289764, 5e-7);
    assert_close!(i.icc3_1.unwrap(), 0.714841, 5e-7);
    assert_close!(i.icc1_k.unwrap(), 0.442797, 5e-7);
    assert_close!(i.icc2_k.unwrap(), 0.620051, 5e-7);
    assert_close!(i.icc3_k.unwrap(), 0.909316, 5e-7);
    // Their Table 3 mean squares: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02.
    assert_close!(i.bms, 11.24, 5e-3);
    assert_close!(i.wms, 6.26, 5e-3);
    assert_close!(i.jms, 32.49, 5e-3);
    assert_close!(i.ems, 1.02, 5e-3);
}

/// Rows of category counts → ratings (raters are exchangeable in Fleiss'
/// kappa, so rater j of a unit is just its j-th rating).
fn from_count_table(table: &[[u32; 5]]) -> Ratings {
    let rows: Vec<Vec<Option<f64>>> = table
        .iter()
        .map(|counts| {
            counts
                .iter()
                .enumerate()
                .flat_map(|(c, &n)| std::iter::repeat_n(Some(c as f64 + 1.0), n as usize))
                .collect()
        })
        .collect();
    Ratings::from_rows(&rows)
}

/// Wikipedia's "Fleiss' kappa" worked example: 10 subjects, 14 raters,
/// 5 categories, κ = 0.210 (also statsmodels' test value).
#[test]
fn wikipedia_fleiss_example() {
    let d = from_count_table(&[
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]);
    assert_close!(fleiss_kappa(&d).unwrap(), 0.210, 5e-4);
    assert_close!(fleiss_kappa(&d).unwrap(), 0.20993070442195522, 1e-12);
}

/// Fleiss (1971): 30 patients, 6 psychiatrists each, 5 diagnoses;
/// κ = .430 in the paper, 0.4302445 from R `irr::kappam.fleiss` on the
/// `diagnoses` data set (as quoted in statsmodels' test suite).
#[test]
fn fleiss_1971_diagnoses() {
    let diagnoses: [[u8; 6]; 30] = [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ];
    let rows: Vec<Vec<Option<f64>>> = diagnoses
        .iter()
        .map(|r| r.iter().map(|&x| Some(f64::from(x))).collect())
        .collect();
    let d = Ratings::from_rows(&rows);
    assert_close!(fleiss_kappa(&d).unwrap(), 0.430, 5e-4);
    assert_close!(fleiss_kappa(&d).unwrap(), 0.4302445, 5e-8);
}

/// Expands a two-rater contingency table (rows: rater A's category,
/// columns: rater B's) into paired ratings 1, 2, ….
fn pairs_from_table<const K: usize>(table: &[[u32; K]; K]) -> (Vec<f64>, Vec<f64>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, row) in table.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            for _ in 0..n {
                a.push(i as f64 + 1.0);
                b.push(j as f64 + 1.0);
            }
        }
    }
    (a, b)
}

/// Wikipedia's "Cohen's kappa" example: 50 grant proposals, 20 yes/yes,
/// 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5, κ = 0.4.
#[test]
fn wikipedia_cohen_example() {
    let (a, b) = pairs_from_table(&[[20, 5], [10, 15]]);
    assert_close!(
        cohen_kappa(&a, &b, Weights::Unweighted, None).unwrap(),
        0.4,
        1e-12
    );
}

/// SAS PROC FREQ example quoted in statsmodels' tests: the 3 × 3 table
/// [[0,4,1],[0,8,0],[0,1,5]] has simple κ = 0.4842 and, with Cicchetti–
/// Allison (linear) weights, κ_w = 0.4701.
#[test]
fn sas_simple_and_weighted_kappa() {
    let (a, b) = pairs_from_table(&[[0, 4, 1], [0, 8, 0], [0, 1, 5]]);
    let cats = [1.0, 2.0, 3.0];
    assert_close!(
        cohen_kappa(&a, &b, Weights::Unweighted, Some(&cats)).unwrap(),
        0.4842,
        5e-5
    );
    assert_close!(
        cohen_kappa(&a, &b, Weights::Linear, Some(&cats)).unwrap(),
        0.4701,
        5e-5
    );
}

/// R `irr::kappa2` on the `anxiety` data (raters 2 and 3, scores 1–6 with
/// 5 unused), as quoted in statsmodels' tests: unweighted −0.006289308,
/// "equal" (linear) weights 0.1459075, "squared" weights 0.2520325.
/// kappa2 weights by position among the levels used, as we do by default.
#[test]
fn irr_kappa2_anxiety() {
    let rater2 = [
        3., 6., 4., 6., 2., 4., 2., 4., 3., 3., 2., 3., 3., 3., 2., 2., 1., 3., 3., 4.,
    ];
    let rater3 = [
        2., 1., 4., 4., 3., 2., 1., 6., 1., 1., 1., 2., 3., 3., 1., 1., 3., 3., 2., 2.,
    ];
    let k = |w| cohen_kappa(&rater2, &rater3, w, None).unwrap();
    assert_close!(k(Weights::Unweighted), -0.006289308, 5e-9);
    assert_close!(k(Weights::Linear), 0.1459075, 5e-8);
    assert_close!(k(Weights::Quadratic), 0.2520325, 5e-8);
    // Declaring the unused category 5 moves category 6 one step further
    // away, which changes the weighted (but not the unweighted) kappa.
    let full = [1., 2., 3., 4., 5., 6.];
    let with_full = |w| cohen_kappa(&rater2, &rater3, w, Some(&full)).unwrap();
    assert_close!(with_full(Weights::Unweighted), -0.006289308, 5e-9);
    assert!((with_full(Weights::Linear) - k(Weights::Linear)).abs() > 1e-3);
}

/// Bootstrap interval on the Krippendorff (2011) data: brackets the point
/// estimate, is reproducible for a seed, and differs across seeds.
#[test]
fn bootstrap_interval_on_krippendorff_data() {
    let d = krippendorff_2011_c();
    for metric in [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ] {
        let point = alpha(&d, metric).unwrap();
        let (lo, hi) = takes_irr::alpha_bootstrap_ci(&d, metric, 2000, 7).unwrap();
        assert!(lo <= point && point <= hi, "{metric:?}: {lo} {point} {hi}");
        assert!(hi - lo > 0.01 && hi <= 1.0, "{metric:?}: {lo} {hi}");
        let again = takes_irr::alpha_bootstrap_ci(&d, metric, 2000, 7).unwrap();
        assert_eq!((lo, hi), again);
        let other = takes_irr::alpha_bootstrap_ci(&d, metric, 2000, 8).unwrap();
        assert_ne!((lo, hi), other);
    }
}
