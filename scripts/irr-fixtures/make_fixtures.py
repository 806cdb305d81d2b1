#!/usr/bin/env python3
"""Generate cross-check fixtures for the takes-irr crate.

Builds a few seeded random rating data sets (with missing ratings), computes
every figure of takes_irr::Report with established Python implementations,
and writes one JSON file per data set to crates/takes-irr/tests/fixtures/.

    pip install krippendorff pingouin scikit-learn statsmodels
    python3 scripts/irr-fixtures/make_fixtures.py

References (which package computes what):
  * Krippendorff's alpha, all four levels ........ krippendorff.alpha
  * Shrout & Fleiss ICCs on complete units ....... pingouin.intraclass_corr
  * Cohen's kappa, unweighted/linear/quadratic ... sklearn.metrics.cohen_kappa_score
  * Fleiss' kappa ................................ statsmodels.stats.inter_rater.fleiss_kappa

A figure is null exactly when takes-irr's report should give null: ICCs need
>= 2 raters and >= 2 units rated by everyone; Fleiss' kappa needs the same
number (>= 2) of ratings for every unit; Cohen's kappas need exactly two
raters (on the units both rated).
"""

import json
import platform
import sys
from importlib.metadata import version
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pingouin
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "takes-irr" / "tests" / "fixtures"
PACKAGES = ["krippendorff", "pingouin", "scikit-learn", "statsmodels", "numpy", "pandas"]


def simulate(seed, units, raters, lo, hi, missing, noise=1.0, decimals=0, rater_bias=0.5,
             per_unit=None):
    """Unit effect + rater bias + noise, rounded onto [lo, hi]; NaN = missing.

    With per_unit, each unit keeps exactly that many ratings from a random
    subset of raters (the design Fleiss' kappa was made for)."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(lo, hi, size=(units, 1))
    bias = rng.normal(0.0, rater_bias, size=(1, raters))
    x = truth + bias + rng.normal(0.0, noise, size=(units, raters))
    x = np.clip(np.round(x, decimals), lo, hi)
    x[rng.uniform(size=x.shape) < missing] = np.nan
    if per_unit is not None:
        for row in x:
            row[rng.permutation(raters)[per_unit:]] = np.nan
    return x


def figures(x):
    """Reference values for every Report key, from the packages."""
    units, raters = x.shape
    rated = ~np.isnan(x)
    out = {
        "n_units": units,
        "n_raters": raters,
        "n_ratings": int(rated.sum()),
    }
    for level in ["nominal", "ordinal", "interval", "ratio"]:
        out[f"alpha_{level}"] = float(
            krippendorff.alpha(reliability_data=x.T, level_of_measurement=level)
        )

    complete = x[rated.all(axis=1)]
    out["icc_units"] = int(complete.shape[0])
    keys = ["icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k"]
    if raters >= 2 and complete.shape[0] >= 2:
        long = pd.DataFrame(
            [(i, j, complete[i, j]) for i in range(complete.shape[0]) for j in range(raters)],
            columns=["unit", "rater", "score"],
        )
        table = pingouin.intraclass_corr(long, targets="unit", raters="rater", ratings="score")
        # pingouin lists ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k in this order.
        assert len(table) == 6
        for key, value in zip(keys, table["ICC"]):
            out[key] = float(value)
    else:
        out.update({k: None for k in keys})

    counts = rated.sum(axis=1)
    if counts.min() == counts.max() and counts.min() >= 2:
        per_unit = [row[~np.isnan(row)] for row in x]
        table, _ = aggregate_raters(np.array(per_unit))
        out["fleiss_kappa"] = float(fleiss_kappa(table, method="fleiss"))
    else:
        out["fleiss_kappa"] = None

    if raters == 2:
        both = rated.all(axis=1)
        a, b = x[both, 0], x[both, 1]
        out["cohen_kappa"] = float(cohen_kappa_score(a, b))
        out["cohen_kappa_linear"] = float(cohen_kappa_score(a, b, weights="linear"))
        out["cohen_kappa_quadratic"] = float(cohen_kappa_score(a, b, weights="quadratic"))
    else:
        out["cohen_kappa"] = out["cohen_kappa_linear"] = out["cohen_kappa_quadratic"] = None
    return out


DATASETS = [
    # name, description, simulate() arguments
    ("likert5_3raters_missing", "40 units x 3 raters, 0-4 scale (zeros occur), 15% missing",
     dict(seed=101, units=40, raters=3, lo=0, hi=4, missing=0.15)),
    ("likert7_6raters_missing", "60 units x 6 raters, 1-7 scale, 30% missing (some units unpairable)",
     dict(seed=202, units=60, raters=6, lo=1, hi=7, missing=0.30, noise=1.2)),
    ("continuous_4raters_missing", "30 units x 4 raters, scores 0-100 with 2 decimals, 10% missing",
     dict(seed=303, units=30, raters=4, lo=0, hi=100, missing=0.10, noise=8.0, decimals=2, rater_bias=4.0)),
    ("binary_2raters_missing", "50 units x 2 raters, 0/1 ratings, 10% missing",
     dict(seed=404, units=50, raters=2, lo=0, hi=1, missing=0.10, noise=0.4, rater_bias=0.1)),
    ("ordinal_2raters_complete", "80 units x 2 raters, 1-4 scale, complete",
     dict(seed=505, units=80, raters=2, lo=1, hi=4, missing=0.0, noise=0.7)),
    ("nominal_5raters_complete", "25 units x 5 raters, 1-4 scale, complete (Fleiss applies)",
     dict(seed=606, units=25, raters=5, lo=1, hi=4, missing=0.0, noise=0.9)),
    ("fleiss_3of6_raters", "30 units x 6 raters, each unit rated by 3 random raters, 1-5 scale",
     dict(seed=808, units=30, raters=6, lo=1, hi=5, missing=0.0, per_unit=3)),
    ("likert10_8raters_500units", "500 units x 8 raters, 1-10 scale, 10% missing",
     dict(seed=707, units=500, raters=8, lo=1, hi=10, missing=0.10, noise=1.5)),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    provenance = {
        "command": "python3 scripts/irr-fixtures/make_fixtures.py",
        "python": platform.python_version(),
        "packages": {p: version(p) for p in PACKAGES},
    }
    for name, description, args in DATASETS:
        x = simulate(**args)
        fixture = {
            "name": name,
            "description": description,
            "generated_by": provenance,
            "simulation": args,
            # units x raters, null = missing rating
            "scores": [[None if np.isnan(v) else float(v) for v in row] for row in x],
            "expected": figures(x),
        }
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(fixture, indent=1) + "\n")
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
