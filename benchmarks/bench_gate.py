"""The release gate's statistics vs the code a user would otherwise write.

1. Paired bootstrap of the F1 difference (5,000 golden rows): aimon's vectorised resampling vs a
   loop over the same resamples with scikit-learn's ``f1_score``; the intervals must be equal.
2. DeLong's paired AUC test: midranks (O(n log n)) vs the definition over every
   (positive, negative) pair; the p-values must be equal.
3. Bootstrap of a latency p95 ratio (50,000 requests per model): exact order-statistic draws vs
   resampling with ``np.quantile``; the 5% bounds must agree within 1%.

Run with `make bench` or `python benchmarks/bench_gate.py`.
"""
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from _timing import best_of  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

from aimon.gating import _latency, _paired

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from naive_gate import delong_slow  # noqa: E402


def bench_bootstrap(n=5000, n_boot=500):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    c = np.where(rng.random(n) < 0.85, y, 1 - y)
    p = np.where(rng.random(n) < 0.87, y, 1 - y)
    t_ours, res = best_of(lambda: _paired.bootstrap_test("f1", y, c, p, 0.0, 0.05, n_boot, 1))
    idx = np.vstack(list(_paired.resample_chunks(n, n_boot, 1)))

    def loop():
        return np.array([f1_score(y[i], c[i]) - f1_score(y[i], p[i]) for i in idx])

    t_ref, deltas = best_of(loop, repeat=1)
    assert np.isclose(res.bound, np.quantile(deltas, 0.95))
    print(f"paired bootstrap F1, {n:,} rows x {n_boot} resamples: aimon {t_ours:.3f} s, sklearn loop {t_ref:.2f} s "
          f"-> {t_ref / t_ours:.0f}x faster; 95% bounds agree ({res.bound:+.5f})")


def bench_delong(n=5000):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, n)
    a = y + rng.normal(0, 1, n)
    b = 0.7 * a + rng.normal(0, 0.8, n)
    t_ours, res = best_of(lambda: _paired.delong(a, b, y, 0.0, 0.05))
    t_ref, (_, _, var) = best_of(lambda: delong_slow(a, b, y), repeat=1)
    from scipy.stats import norm

    assert np.isclose(res.p_value, norm.cdf(res.delta / np.sqrt(var)))
    print(f"DeLong paired AUC, {n:,} rows: aimon {t_ours:.4f} s, pairwise definition {t_ref:.2f} s "
          f"-> {t_ref / t_ours:.0f}x faster; p-values agree ({res.p_value:.4g})")


def bench_ratio(n=50_000, n_boot=1000):
    rng = np.random.default_rng(2)
    c, p = rng.gamma(4, 33, n), rng.gamma(4, 30, n)
    t_ours, res = best_of(lambda: _latency.ratio_test(c, p, 1.1, 0.05, n_boot, 0, 0.95))

    def loop():
        r = np.random.default_rng(5)
        out = np.empty(n_boot)
        for k in range(n_boot):
            out[k] = (np.quantile(c[r.integers(0, n, n)], 0.95, method="inverted_cdf")
                      / np.quantile(p[r.integers(0, n, n)], 0.95, method="inverted_cdf"))
        return out

    t_ref, ratios = best_of(loop, repeat=1)
    lo = np.quantile(ratios, 0.05)
    assert abs(res.lower - lo) < 0.01 * lo, (res.lower, lo)
    print(f"p95 ratio bootstrap, {n:,} requests per model x {n_boot}: aimon {t_ours:.3f} s, numpy loop {t_ref:.2f} s "
          f"-> {t_ref / t_ours:.0f}x faster; 5% bounds {res.lower:.4f} vs {lo:.4f}")


if __name__ == "__main__":
    bench_bootstrap()
    bench_delong()
    bench_ratio()
