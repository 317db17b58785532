"""Tail of the one-sided Kolmogorov-Smirnov (Smirnov) distribution for large n."""
from __future__ import annotations

import math

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
