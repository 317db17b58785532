"""Tails of the Kolmogorov-Smirnov distributions: the one-sided (Smirnov) tail for large n and
the exact two-sample tail."""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def smirnov_sf(n, x):
    """P(D+_n >= x) by the exact Smirnov-Birnbaum-Tingey sum
    x * sum_{j=0}^{floor(n(1-x))} C(n, j) (x + j/n)^(j-1) (1 - x - j/n)^(n-j),
    every term positive and evaluated in logs (no overflow, no cancellation)."""
    if x <= 0.0:
        return 1.0
    if x >= 1.0:
        return 0.0
    jmax = int(math.floor(n * (1.0 - x)))
    lg_n = math.lgamma(n + 1.0)
    chunk = 4096
    total = 0.0
    for c in prange((jmax + chunk) // chunk):  # a sum reduction: each thread keeps its own sum
        j0 = c * chunk
        j1 = min(j0 + chunk, jmax + 1)
        # log C(n, j) by lgamma at the chunk start, then by the ratio C(n, j+1) / C(n, j)
        log_c = lg_n - math.lgamma(j0 + 1.0) - math.lgamma(n - j0 + 1.0)
        part = 0.0
        for j in range(j0, j1):
            b = 1.0 - x - j / n
            if b > 0.0:
                part += math.exp(log_c + (j - 1) * math.log(x + j / n) + (n - j) * math.log(b))
            log_c += math.log((n - j) / (j + 1.0))
        total += part
    return x * total


@njit(cache=True)
def ks_outside_probability(n1, n2, h, step1, step2):
    """Probability that a uniformly random lattice path from (0, 0) to (n1, n2) reaches a point
    with |i * step1 - j * step2| >= h (i x-steps and j y-steps taken so far): the exact two-sided
    p-value P(D >= d) of the two-sample KS statistic, for step1 = n2 / g, step2 = n1 / g and
    h = round(d * lcm(n1, n2)).

    The upper tail is carried directly rather than as one minus the inside probability, so tiny
    p-values keep their relative precision. With q(i, j) the probability that a random path to
    (i, j) has left the band, q = 1 outside the band and, inside it, q(i, j) is the average
    (i * q(i - 1, j) + j * q(i, j - 1)) / (i + j) (a path to (i, j) arrives by an x-step with
    probability i / (i + j)): every step is a weighted mean of non-negative numbers.
    Only the cells inside the band are visited (row i: j from ``lo`` to ``hi``); every cell outside
    holds 1, and the band only moves right as i grows.
    """
    if n1 == n2:
        return _outside_equal_sizes(n1, h)
    row = np.ones(n2 + 1)
    lo_prev = 0
    for i in range(n1 + 1):
        # inside: |i * step1 - j * step2| < h, i.e. (i * step1 - h) / step2 < j < (i * step1 + h) / step2
        lo = max((i * step1 - h) // step2 + 1, 0)
        hi = min((i * step1 + h - 1) // step2, n2)
        if lo > hi:
            return 1.0  # every path leaves the band by this column
        for j in range(lo_prev, min(lo, n2 + 1)):
            row[j] = 1.0  # newly outside on the left
        if i == 0:
            for j in range(lo, hi + 1):
                row[j] = 0.0  # the paths along the first row stay inside up to hi
            continue
        # row[j] holds q(i - 1, j) on entry (1 when that cell was outside) and q(i, j) on exit;
        # q(i, 0) = q(i - 1, 0) needs no update
        prev = row[max(lo, 1) - 1]  # q(i, 0) when the band starts at 0, else an outside cell (1)
        for j in range(max(lo, 1), hi + 1):
            prev = (i * row[j] + j * prev) / (i + j)
            row[j] = prev
        lo_prev = lo
    return row[n2]


@njit(cache=True)
def _outside_equal_sizes(n, h):
    """``ks_outside_probability`` for two samples of n values (band |i - j| < h), by the
    reflection principle: 2 * sum_k (-1)^(k+1) C(2n, n - k h) / C(2n, n), each ratio a product of
    the factors (n - t) / (n + 1 + t), t < k h (positive, so no overflow and no cancellation in
    the leading term that carries the tail)."""
    total = 0.0
    ratio = 1.0
    t = 0
    sign = 1.0
    for k in range(1, n // h + 1):
        while t < k * h:
            ratio *= (n - t) / (n + 1.0 + t)
            t += 1
        if ratio == 0.0:
            break
        total += sign * ratio
        sign = -sign
    return min(max(2.0 * total, 0.0), 1.0)
