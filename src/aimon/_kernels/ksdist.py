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
    """
    row = np.zeros(n2 + 1)
    for i in range(n1 + 1):
        # row[j] holds q(i - 1, j) on entry and q(i, j) on exit
        for j in range(n2 + 1):
            if abs(i * step1 - j * step2) >= h:
                row[j] = 1.0
            elif i + j > 0:
                row[j] = (i * row[j] + j * row[j - 1]) / (i + j) if j > 0 else row[j]
    return row[n2]
