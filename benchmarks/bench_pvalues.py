"""Exact p-values in the tail (issue 11, item 7) against scipy, in one process, numbers checked.

(a) KS exact, equal sizes (reflection-principle sum) and unequal sizes (band recursion), against
    scipy.stats.ks_2samp(method="exact");
(b) Mann-Whitney exact (a sample of <= 8 values, no ties) against scipy.stats.mannwhitneyu(method="exact"),
    where aimon counts the null distribution in exact integers.

Run: `.venv/bin/python benchmarks/bench_pvalues.py`.
"""
import numpy as np
import scipy.stats as ss

import aimon
from _timing import best_of  # noqa: E402  (benchmarks/ is on sys.path when run as a script)


def check(ours, ref, what):
    assert np.isclose(ours, ref, rtol=1e-6, atol=0), (what, ours, ref)


def main():
    rng = np.random.default_rng(0)
    for n1, n2, shift in [(3000, 3000, 0.3), (10000, 10000, 0.01), (10000, 7000, 0.3), (300, 200, 0.5)]:
        a, b = rng.normal(size=n1), rng.normal(size=n2) + shift
        aimon.stats.ks(a, b)  # compile
        t_ours, ours = best_of(lambda: aimon.stats.ks(a, b, method="exact"))
        t_ref, ref = best_of(lambda: ss.ks_2samp(a, b, method="exact"))
        check(ours.p_value, ref.pvalue, "ks")
        print(f"(a) KS exact {n1} x {n2}: p = {ours.p_value:.4g}; aimon {t_ours * 1e3:.1f} ms, scipy "
              f"{t_ref * 1e3:.1f} ms -> {t_ref / t_ours:.1f}x", flush=True)
    for n1, n2 in [(8, 300), (8, 2000)]:
        a, b = rng.normal(size=n1), rng.normal(size=n2) + 0.3
        t_ours, ours = best_of(lambda: aimon.stats.mannwhitney(a, b))
        t_ref, ref = best_of(lambda: ss.mannwhitneyu(a, b, method="exact"), repeat=1)
        check(ours.p_value, ref.pvalue, "mannwhitney")
        print(f"(b) Mann-Whitney exact {n1} x {n2}: p = {ours.p_value:.4g}; aimon {t_ours * 1e3:.1f} ms, scipy "
              f"{t_ref * 1e3:.1f} ms -> {t_ref / t_ours:.1f}x", flush=True)


if __name__ == "__main__":
    main()
