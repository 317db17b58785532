"""Per-window summaries of a value column over sorted window boundaries."""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .select import select

PARALLEL_MIN_ROWS = 200_000  # below this, threads cost more than they save


@njit(cache=True)
def lerp(a, b, t):
    # numpy's 'linear' quantile interpolation, with numpy's formula for t >= 0.5
    d = b - a
    if t >= 0.5:
        return b - d * (1.0 - t)
    return a + d * t


@njit(cache=True)
def summarize(values, a, b, qs, row):
    """Fill ``row`` = [n_valid, sum, mean, max, quantiles...] for values[a:b] (NaN = not usable).
    Quantiles (``qs`` ascending) come from quickselect on a copy, not a sort: O(n)."""
    buf = np.empty(b - a)
    m = 0
    s = 0.0
    mx = -np.inf
    for i in range(a, b):
        v = values[i]
        if not np.isnan(v):
            buf[m] = v
            m += 1
            s += v
            if v > mx:
                mx = v
    row[0] = m
    row[1] = s
    if m == 0:
        return
    row[2] = s / m
    row[3] = mx
    start = 0
    for j in range(qs.shape[0]):
        pos = qs[j] * (m - 1)
        lo = min(int(np.floor(pos)), m - 1)
        select(buf, start, m, lo)
        upper = buf[lo]
        if lo + 1 < m:
            upper = buf[lo + 1]
            for t in range(lo + 2, m):
                if buf[t] < upper:
                    upper = buf[t]
        row[4 + j] = lerp(buf[lo], upper, pos - lo)
        start = lo


@njit(cache=True, parallel=True)
def _summary_parallel(values, bounds, qs):
    k = bounds.shape[0] - 1
    out = np.full((k, 4 + qs.shape[0]), np.nan)
    for w in prange(k):
        summarize(values, bounds[w], bounds[w + 1], qs, out[w])
    return out


@njit(cache=True)
def _summary_serial(values, bounds, qs):
    k = bounds.shape[0] - 1
    out = np.full((k, 4 + qs.shape[0]), np.nan)
    for w in range(k):
        summarize(values, bounds[w], bounds[w + 1], qs, out[w])
    return out


def window_summary(values, bounds, qs):
    """For each window k (rows bounds[k]:bounds[k+1]) of ``values``: columns
    [n_valid, sum, mean, max, quantile(qs[0]), ...] with numpy's 'linear' quantiles.
    ``qs`` must be ascending; windows are summarised in parallel for large inputs."""
    if values.shape[0] >= PARALLEL_MIN_ROWS:
        return _summary_parallel(values, bounds, qs)
    return _summary_serial(values, bounds, qs)
