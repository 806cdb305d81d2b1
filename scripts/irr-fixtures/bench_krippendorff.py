#!/usr/bin/env python3
"""Time the Python `krippendorff` package (and pingouin's ICC) on the data
set that crates/takes-irr/examples/bench_irr.rs times, for a side-by-side
comparison.

    cargo run --release -p takes-irr --example bench_irr -- --csv /tmp/irr_bench.csv
    python3 scripts/irr-fixtures/bench_krippendorff.py /tmp/irr_bench.csv

(add --continuous to both for the 0-100 data set). The Rust example writes
the data as a wide CSV: a unit column, one column per rater, empty cells
for missing ratings. Both programs report the median of several runs of one
computation; this one also prints the values so they can be compared with
the Rust output.

If OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set on the machine, they may
slow numpy; to measure an unhampered numpy, unset both for this command
only: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 ...
"""

import argparse
import statistics
import time
from importlib.metadata import version

import numpy as np
import pandas as pd


def median_ms(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="wide CSV written by bench_irr --csv")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-icc", action="store_true", help="skip pingouin")
    args = parser.parse_args()

    import krippendorff

    wide = pd.read_csv(args.csv, index_col=0)
    x = wide.to_numpy(dtype=float)  # units x raters, NaN = missing
    print(
        f"{x.shape[0]} units x {x.shape[1]} raters, {int((~np.isnan(x)).sum())} ratings; "
        f"krippendorff {version('krippendorff')}, numpy {np.__version__}; "
        f"median of {args.runs} runs"
    )
    reliability = x.T  # the package wants raters x units
    for level in ["ordinal", "interval", "nominal"]:
        try:
            value = krippendorff.alpha(reliability_data=reliability, level_of_measurement=level)
        except MemoryError as e:
            # krippendorff 0.9 builds a units x values x values array; with
            # thousands of distinct scores that cannot be allocated.
            print(f"{'alpha ' + level:<28} {'-':>10}  out of memory: {e}")
            continue
        ms = median_ms(
            lambda: krippendorff.alpha(reliability_data=reliability, level_of_measurement=level),
            args.runs,
        )
        print(f"{'alpha ' + level:<28} {value:>10.6f}  {ms:>9.3f} ms")

    if not args.no_icc:
        import pingouin

        complete = x[~np.isnan(x).any(axis=1)]
        n, k = complete.shape
        long = pd.DataFrame(
            {
                "unit": np.repeat(np.arange(n), k),
                "rater": np.tile(np.arange(k), n),
                "score": complete.ravel(),
            }
        )
        table = pingouin.intraclass_corr(long, targets="unit", raters="rater", ratings="score")
        ms = median_ms(
            lambda: pingouin.intraclass_corr(long, targets="unit", raters="rater", ratings="score"),
            max(1, min(args.runs, 3)),
        )
        print(f"{'ICC, all six (' + str(n) + ' units)':<28} {table['ICC'][1]:>10.6f}  {ms:>9.3f} ms"
              f"  (pingouin {version('pingouin')})")


if __name__ == "__main__":
    main()
