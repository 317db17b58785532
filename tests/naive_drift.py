"""Slow, obviously correct references for the drift statistics (nothing here imports aimon).

Each one follows the textbook definition with loops or plain numpy, so a test comparing it with
aimon's kernels checks the kernels, not a copy of them.
"""
from __future__ import annotations

import numpy as np


def ecdf(sample, points):
    """Right-continuous ECDF of ``sample`` at ``points`` (a loop over points)."""
    s = np.asarray(sample, dtype=float)
    return np.array([np.count_nonzero(s <= p) / s.size for p in points])


def kuiper(a, b):
    pooled = np.unique(np.concatenate([a, b]))
    diff = ecdf(a, pooled) - ecdf(b, pooled)
    return max(diff.max(), 0.0) + max((-diff).max(), 0.0)


def quantile_bins(ref, bins):
    """Inner edges at reference quantiles (numpy 'linear'), duplicates merged."""
    return np.unique(np.quantile(np.asarray(ref, float), [k / bins for k in range(1, bins)]))


def bin_of(v, inner):
    """Index of the bin of v: the number of edges <= v (a value on an edge goes right)."""
    return sum(1 for e in inner if e <= v)


def numeric_hist(ref, cur, bins):
    inner = quantile_bins(ref, bins)
    r = np.zeros(inner.size + 1)
    c = np.zeros(inner.size + 1)
    for v in ref:
        r[bin_of(v, inner)] += 1
    for v in cur:
        c[bin_of(v, inner)] += 1
    return r, c


def category_hist(ref, cur):
    labels = list(dict.fromkeys(list(ref)))
    labels += [v for v in dict.fromkeys(list(cur)) if v not in labels]
    r = np.array([sum(1 for v in ref if v == lab) for lab in labels], dtype=float)
    c = np.array([sum(1 for v in cur if v == lab) for lab in labels], dtype=float)
    return r, c, labels


def shares_with_eps(r, c, eps):
    keep = (r > 0) | (c > 0)
    p, q = r[keep] / r.sum(), c[keep] / c.sum()
    return np.where(p > 0, p, eps), np.where(q > 0, q, eps)


def psi(r, c, eps=1e-4):
    p, q = shares_with_eps(r, c, eps)
    return float(np.sum((q - p) * np.log(q / p)))


def kl(r, c, eps=1e-4):
    p, q = shares_with_eps(r, c, eps)
    return float(np.sum(q * np.log(q / p)))


def hellinger(r, c):
    p, q = r / r.sum(), c / c.sum()
    return float(np.linalg.norm(np.sqrt(p) - np.sqrt(q)) / np.sqrt(2.0))


def tv(r, c):
    return float(0.5 * np.abs(r / r.sum() - c / c.sum()).sum())


def two_proportion_p(k1, n1, k2, n2):
    """Pooled two-proportion z-test from statsmodels."""
    from statsmodels.stats.proportion import proportions_ztest

    if k1 + k2 in (0, n1 + n2):
        return 1.0
    return float(proportions_ztest([k1, k2], [n1, n2])[1])
