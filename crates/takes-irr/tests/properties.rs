//! Property tests: relations that are theorems, and no panics on any input.

use proptest::prelude::*;
use takes_irr::{
    alpha, alpha_bootstrap_ci, cohen_kappa, fleiss_kappa, icc, read_long, read_wide, report,
    Metric, Ratings, Weights,
};

const METRICS: [Metric; 4] = [
    Metric::Nominal,
    Metric::Ordinal,
    Metric::Interval,
    Metric::Ratio,
];

type Rows = Vec<Vec<Option<f64>>>;

/// Units × raters of small non-negative integer scores, some missing.
fn rating_rows() -> impl Strategy<Value = Rows> {
    (2usize..25, 2usize..6, 1u8..7).prop_flat_map(|(units, raters, top)| {
        prop::collection::vec(
            prop::collection::vec(
                prop::option::weighted(0.8, (0..=top).prop_map(f64::from)),
                raters,
            ),
            units,
        )
    })
}

/// Complete units × raters of continuous scores.
fn complete_rows() -> impl Strategy<Value = Rows> {
    (2usize..20, 2usize..6).prop_flat_map(|(units, raters)| {
        prop::collection::vec(
            prop::collection::vec((-50.0f64..50.0).prop_map(Some), raters),
            units,
        )
    })
}

fn same(a: &Result<f64, takes_irr::Undefined>, b: &Result<f64, takes_irr::Undefined>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => (x - y).abs() <= 1e-9 * (1.0 + x.abs()),
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn map_scores(rows: &Rows, f: impl Fn(f64) -> f64) -> Rows {
    rows.iter()
        .map(|r| r.iter().map(|c| c.map(&f)).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Raters who always agree give α = 1 at every level, however the
    /// scores vary between units and whoever is missing.
    #[test]
    fn perfect_agreement_gives_alpha_one(
        truth in prop::collection::vec(1u8..9, 2..20),
        raters in 2usize..6,
        present in prop::collection::vec(prop::collection::vec(any::<bool>(), 6), 20),
    ) {
        prop_assume!(truth[0] != truth[1]);
        let rows: Rows = truth.iter().enumerate().map(|(u, &t)| {
            (0..raters).map(|r| {
                // The first two units are complete, so two distinct values pair.
                (u < 2 || present[u][r]).then_some(f64::from(t))
            }).collect()
        }).collect();
        let d = Ratings::from_rows(&rows);
        for m in METRICS {
            let a = alpha(&d, m).unwrap();
            prop_assert!((a - 1.0).abs() < 1e-12, "{m:?}: {a}");
        }
    }

    /// α does not depend on the order of units or of raters.
    #[test]
    fn alpha_invariant_to_permuting_units_and_raters(
        (rows, unit_order, rater_order) in rating_rows().prop_flat_map(|rows| {
            let units: Vec<usize> = (0..rows.len()).collect();
            let raters: Vec<usize> = (0..rows[0].len()).collect();
            (Just(rows), Just(units).prop_shuffle(), Just(raters).prop_shuffle())
        })
    ) {
        let shuffled: Rows = unit_order.iter()
            .map(|&u| rater_order.iter().map(|&r| rows[u][r]).collect())
            .collect();
        let (a, b) = (Ratings::from_rows(&rows), Ratings::from_rows(&shuffled));
        for m in METRICS {
            let (x, y) = (alpha(&a, m), alpha(&b, m));
            prop_assert!(same(&x, &y), "{m:?}: {x:?} vs {y:?}");
        }
        prop_assert!(same(&fleiss_kappa(&a), &fleiss_kappa(&b)));
    }

    /// With only two distinct values every difference function is the same
    /// constant between them, so all four levels give the same α.
    #[test]
    fn two_values_make_all_levels_equal(
        rows in rating_rows(),
        low in 0.0f64..100.0,
        gap in 0.5f64..100.0,
    ) {
        let two = map_scores(&rows, |x| if x < 2.0 { low } else { low + gap });
        let d = Ratings::from_rows(&two);
        let nominal = alpha(&d, Metric::Nominal);
        for m in [Metric::Ordinal, Metric::Interval, Metric::Ratio] {
            let other = alpha(&d, m);
            prop_assert!(same(&nominal, &other), "{m:?}: {nominal:?} vs {other:?}");
        }
    }

    /// Each level is invariant to the transformations its metric allows:
    /// interval to affine maps, ordinal to increasing maps, ratio to
    /// positive scaling, nominal to any one-to-one relabelling.
    #[test]
    fn alpha_invariant_to_admissible_transformations(
        rows in rating_rows(),
        // Ranges keep the transformed scores well inside f64 precision, so
        // any difference is the code's, not the data's rounding.
        scale in prop_oneof![-1000.0f64..-0.01, 0.01f64..1000.0],
        shift in -1e4f64..1e4,
    ) {
        let d = Ratings::from_rows(&rows);
        let check = |m: Metric, f: &dyn Fn(f64) -> f64| {
            let t = Ratings::from_rows(&map_scores(&rows, f));
            (alpha(&d, m), alpha(&t, m))
        };
        let (x, y) = check(Metric::Interval, &|v| scale * v + shift);
        prop_assert!(same(&x, &y), "interval {x:?} {y:?}");
        let (x, y) = check(Metric::Ordinal, &|v| v * v * v + v.exp());
        prop_assert!(same(&x, &y), "ordinal {x:?} {y:?}");
        let (x, y) = check(Metric::Ratio, &|v| scale.abs() * v);
        prop_assert!(same(&x, &y), "ratio {x:?} {y:?}");
        let (x, y) = check(Metric::Nominal, &|v| (v * 7.0 + 3.0) % 11.0 - 5.0);
        prop_assert!(same(&x, &y), "nominal {x:?} {y:?}");
    }

    /// α ≤ 1 always (observed disagreement is never negative); the bootstrap
    /// interval is ordered and inside [−1, 1]-ish bounds of its draws.
    #[test]
    fn alpha_at_most_one_and_interval_ordered(rows in rating_rows(), seed in any::<u64>()) {
        let d = Ratings::from_rows(&rows);
        for m in METRICS {
            if let Ok(a) = alpha(&d, m) {
                prop_assert!(a <= 1.0 + 1e-12, "{m:?}: {a}");
            }
            if let Ok((lo, hi)) = alpha_bootstrap_ci(&d, m, 50, seed) {
                prop_assert!(lo <= hi && hi <= 1.0 + 1e-12, "{m:?}: {lo} {hi}");
            }
        }
    }

    /// Spearman–Brown links each ICC(x,k) to its ICC(x,1) exactly:
    /// ICC(x,k) = k r / (1 + (k − 1) r). Hence ICC(x,k) ≥ ICC(x,1) when
    /// 0 < ICC(x,1) ≤ 1. ICC(1,1) and ICC(3,1) lie in [−1/(k−1), 1].
    /// ICC(3,1) ≥ ICC(2,1) when JMS ≥ EMS and BMS ≥ EMS (same numerator,
    /// larger denominator).
    #[test]
    fn icc_relations(rows in complete_rows()) {
        let i = icc(&Ratings::from_rows(&rows)).unwrap();
        let k = i.n_raters as f64;
        let pairs = [
            (&i.icc1_1, &i.icc1_k),
            (&i.icc2_1, &i.icc2_k),
            (&i.icc3_1, &i.icc3_k),
        ];
        for (single, average) in pairs {
            if let (Ok(r), Ok(rk)) = (single, average) {
                let sb = k * r / (1.0 + (k - 1.0) * r);
                prop_assert!((rk - sb).abs() <= 1e-9 * (1.0 + sb.abs()), "{rk} vs {sb}");
                if *r > 0.0 && *r <= 1.0 {
                    prop_assert!(rk + 1e-12 >= *r);
                }
            }
        }
        for r in [&i.icc1_1, &i.icc3_1].into_iter().flatten() {
            prop_assert!(*r <= 1.0 + 1e-12 && *r >= -1.0 / (k - 1.0) - 1e-12, "{r}");
        }
        if let (Ok(r2), Ok(r3)) = (&i.icc2_1, &i.icc3_1) {
            if i.jms >= i.ems && i.bms >= i.ems {
                prop_assert!(r3 + 1e-12 >= *r2, "{r3} < {r2}");
            }
        }
    }

    /// ICCs are unchanged by any affine change of score units.
    #[test]
    fn icc_invariant_to_affine_maps(
        rows in complete_rows(),
        scale in prop_oneof![-1e3f64..-1e-2, 1e-2f64..1e3],
        shift in -1e4f64..1e4,
    ) {
        let a = icc(&Ratings::from_rows(&rows)).unwrap();
        let b = icc(&Ratings::from_rows(&map_scores(&rows, |v| scale * v + shift))).unwrap();
        for (x, y) in [
            (&a.icc1_1, &b.icc1_1), (&a.icc2_1, &b.icc2_1), (&a.icc3_1, &b.icc3_1),
            (&a.icc1_k, &b.icc1_k), (&a.icc2_k, &b.icc2_k), (&a.icc3_k, &b.icc3_k),
        ] {
            prop_assert!(same(x, y), "{x:?} vs {y:?}");
        }
    }

    /// Cohen's kappa is symmetric in the two raters and is 1 for perfect
    /// agreement on two or more categories; with two categories every
    /// weighting gives the same value.
    #[test]
    fn cohen_kappa_relations(pairs in prop::collection::vec((0u8..5, 0u8..5), 1..40)) {
        let a: Vec<f64> = pairs.iter().map(|p| f64::from(p.0)).collect();
        let b: Vec<f64> = pairs.iter().map(|p| f64::from(p.1)).collect();
        for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
            let (x, y) = (cohen_kappa(&a, &b, w, None), cohen_kappa(&b, &a, w, None));
            prop_assert!(same(&x, &y), "{w:?}");
            if let Ok(k) = cohen_kappa(&a, &a, w, None) {
                prop_assert!((k - 1.0).abs() < 1e-12);
            }
        }
        let binary = |v: &[f64]| v.iter().map(|&x| f64::from(x >= 2.0)).collect::<Vec<_>>();
        let (a2, b2) = (binary(&a), binary(&b));
        let u = cohen_kappa(&a2, &b2, Weights::Unweighted, None);
        prop_assert!(same(&u, &cohen_kappa(&a2, &b2, Weights::Linear, None)));
        prop_assert!(same(&u, &cohen_kappa(&a2, &b2, Weights::Quadratic, None)));
    }

    /// Nothing panics, whatever the shape and whatever the f64s (NaN,
    /// infinities, ±0, subnormals, ±f64::MAX), and every value returned is
    /// finite.
    #[test]
    fn no_panics_on_arbitrary_ratings(
        rows in prop::collection::vec(
            prop::collection::vec(prop::option::of(prop_oneof![
                any::<f64>(),
                Just(f64::NAN), Just(f64::INFINITY), Just(-0.0), Just(f64::MAX),
                Just(-f64::MAX), Just(f64::MIN_POSITIVE / 4.0), (-3i8..4).prop_map(f64::from),
            ]), 0..7),
            0..9),
        cats in prop::option::of(prop::collection::vec(any::<f64>(), 0..5)),
    ) {
        let d = Ratings::from_rows(&rows);
        for m in METRICS {
            if let Ok(a) = alpha(&d, m) { prop_assert!(a.is_finite() && a <= 1.0 + 1e-12); }
            if let Ok((lo, hi)) = alpha_bootstrap_ci(&d, m, 20, 1) {
                prop_assert!(lo.is_finite() && hi.is_finite());
            }
        }
        if let Ok(i) = icc(&d) {
            for r in [&i.icc1_1, &i.icc2_1, &i.icc3_1, &i.icc1_k, &i.icc2_k, &i.icc3_k]
                .into_iter().flatten()
            {
                prop_assert!(r.is_finite());
            }
        }
        if let Ok(k) = fleiss_kappa(&d) { prop_assert!(k.is_finite()); }
        let a: Vec<f64> = rows.iter().filter_map(|r| r.first().copied().flatten()).collect();
        let b: Vec<f64> = rows.iter().filter_map(|r| r.get(1).copied().flatten()).collect();
        for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
            if let Ok(k) = cohen_kappa(&a, &b, w, cats.as_deref()) { prop_assert!(k.is_finite()); }
        }
        let r = report(&d);
        let json = serde_json::to_string(&r).unwrap();
        prop_assert!(!json.contains("NaN"));
        prop_assert!(!r.to_table().is_empty());
    }

    /// The CSV readers never panic, on any bytes.
    #[test]
    fn readers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = read_long(bytes.as_slice());
        let _ = read_wide(bytes.as_slice());
    }

    /// ... nor on text that is nearly CSV of the right shape.
    #[test]
    fn readers_never_panic_on_csv_like_text(
        lines in prop::collection::vec("[a-c0-9 ,.\"e+-]{0,12}", 0..8),
        long in any::<bool>(),
    ) {
        let text = if long {
            format!("unit,rater,score\n{}", lines.join("\n"))
        } else {
            format!("unit,r1,r2\n{}", lines.join("\n"))
        };
        if let Ok(d) = if long { read_long(text.as_bytes()) } else { read_wide(text.as_bytes()) } {
            prop_assert!(d.n_raters() >= 2);
            let _ = report(&d).to_table();
        }
    }
}
