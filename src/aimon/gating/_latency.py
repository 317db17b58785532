"""Latency, TTFT and cost of a candidate: a quantile against an SLA, and ratios to production.

- SLA: the exact binomial test of a quantile (H0: the ``q`` quantile is at most the SLA; the
  number of requests slower than the SLA is then at most Binomial(n, 1 - q)), with the
  distribution-free order-statistic confidence bounds of the quantile (as
  ``scipy.stats.quantile_test``). No assumption about the shape of the latency distribution.
- Ratio: candidate quantile / production quantile (or mean cost per request) with a seeded
  bootstrap, the two logs resampled independently. A quantile of a resample is drawn from its
  exact distribution (the k-th order statistic of n draws with replacement is ``x_(j)`` with
  P(<= x_(j)) = P(Binomial(n, j/n) >= k)), so no resample is materialised.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class QuantileVsLimit:
    estimate: float
    lower: float
    upper: float
    p_value: float
    n: int
    n_over: int
    p_proof: float = float("nan")  # p-value of H0 "the quantile is >= limit" (proof the SLA is met)


def quantile_vs_limit(x: np.ndarray, limit: float, q: float, alpha: float) -> QuantileVsLimit:
    """Test H0 "the q-quantile of x is <= limit" (p-value) with one-sided (1 - alpha) order-statistic
    bounds of the quantile: P(lower <= quantile) >= 1 - alpha and P(quantile <= upper) >= 1 - alpha."""
    from scipy.stats import binom

    x = np.sort(x)
    n = x.size
    n_over = int(np.sum(x > limit))
    p_value = float(binom.sf(n_over - 1, n, 1 - q))
    k = np.arange(1, n + 1)
    # lower bound x_(l): largest l with P(Binomial(n, q) >= l) >= 1 - alpha
    ok_low = binom.sf(k - 1, n, q) >= 1 - alpha
    lower = float(x[k[ok_low][-1] - 1]) if ok_low.any() else -np.inf
    # upper bound x_(u): smallest u with P(Binomial(n, q) <= u - 1) >= 1 - alpha
    ok_up = binom.cdf(k - 1, n, q) >= 1 - alpha
    upper = float(x[k[ok_up][0] - 1]) if ok_up.any() else np.inf
    n_at_most = int(np.sum(x < limit))  # requests strictly faster than the limit
    p_proof = float(binom.sf(n_at_most - 1, n, q))  # P(Binomial(n, q) >= n_at_most) when the quantile = limit
    return QuantileVsLimit(float(np.quantile(x, q)), lower, upper, p_value, n, n_over, p_proof)


def bootstrap_quantiles(x: np.ndarray, q: float, n_boot: int, rng) -> np.ndarray:
    """``n_boot`` draws of the q-quantile (order statistic ``ceil(q n)``, numpy's 'inverted_cdf')
    of a resample of ``x``, from its exact distribution."""
    from scipy.stats import binom

    x = np.sort(x)
    n = x.size
    k = max(1, int(np.ceil(q * n)))
    cdf = binom.sf(k - 1, n, np.arange(1, n + 1) / n)  # P(X*_(k) <= x_(j)), j = 1..n
    j = np.searchsorted(cdf, rng.random(n_boot), side="left")
    return x[np.minimum(j, n - 1)]


def bootstrap_means(x: np.ndarray, n_boot: int, rng, chunk_values: int = 2_000_000) -> np.ndarray:
    n = x.size
    per = max(1, chunk_values // n)
    out = []
    done = 0
    while done < n_boot:
        k = min(per, n_boot - done)
        out.append(x[rng.integers(0, n, size=(k, n))].mean(axis=1))
        done += k
    return np.concatenate(out)


@dataclass
class Ratio:
    candidate: float
    production: float
    ratio: float
    lower: float
    upper: float
    p_value: float
    p_proof: float = float("nan")  # share of resampled ratios at or above the limit


def ratio_test(c: np.ndarray, p: np.ndarray, limit: float, alpha: float, n_boot: int, seed: int,
               q: float | None) -> Ratio:
    """Ratio candidate / production of the q-quantile (``q`` given) or of the mean (``q=None``);
    one-sided (1 - alpha) bootstrap bounds and the p-value of H0 "ratio <= limit" (the share of
    resampled ratios at or below the limit)."""
    rng = np.random.default_rng(seed)
    if q is None:
        vc, vp = float(np.mean(c)), float(np.mean(p))
        bc, bp = bootstrap_means(c, n_boot, rng), bootstrap_means(p, n_boot, rng)
    else:
        vc, vp = float(np.quantile(c, q)), float(np.quantile(p, q))
        bc, bp = bootstrap_quantiles(c, q, n_boot, rng), bootstrap_quantiles(p, q, n_boot, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = bc / bp
        ratio = vc / vp if vp != 0 else (np.inf if vc > 0 else np.nan)
    ratios = ratios[~np.isnan(ratios)]
    if ratios.size == 0:
        return Ratio(vc, vp, float(ratio), np.nan, np.nan, np.nan)
    p_value = (1 + np.sum(ratios <= limit)) / (ratios.size + 1)
    p_proof = (1 + np.sum(ratios >= limit)) / (ratios.size + 1)
    return Ratio(vc, vp, float(ratio), float(np.quantile(ratios, alpha)), float(np.quantile(ratios, 1 - alpha)),
                 float(min(p_value, 1.0)), float(min(p_proof, 1.0)))
