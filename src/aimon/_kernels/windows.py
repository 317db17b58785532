"""Per-window summaries of a value column over sorted window boundaries."""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .select import select


@njit(cache=True)
def lerp(a, b, t):
    # numpy's 'linear' quantile interpolation, with numpy's formula for t >= 0.5
    d = b - a
    if t >= 0.5:
        return b - d * (1.0 - t)
    return a + d * t


@njit(cache=True, parallel=True)
def window_summary(values, bounds, qs):
    """For each window k (rows bounds[k]:bounds[k+1]) of ``values`` (NaN = not usable):
    columns [n_valid, sum, mean, max, quantile(qs[0]), ...] with numpy's 'linear' quantiles.
    ``qs`` must be ascending. Quantiles come from quickselect, not a sort: O(n) per window."""
    k = bounds.shape[0] - 1
    nq = qs.shape[0]
    out = np.full((k, 4 + nq), np.nan)
    for w in prange(k):
        a = bounds[w]
        b = bounds[w + 1]
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
        out[w, 0] = m
        out[w, 1] = s
        if m == 0:
            continue
        out[w, 2] = s / m
        out[w, 3] = mx
        start = 0
        for j in range(nq):
            pos = qs[j] * (m - 1)
            lo = min(int(np.floor(pos)), m - 1)
            select(buf, start, m, lo)
            upper = buf[lo]
            if lo + 1 < m:
                upper = buf[lo + 1]
                for t in range(lo + 2, m):
                    if buf[t] < upper:
                        upper = buf[t]
            out[w, 4 + j] = lerp(buf[lo], upper, pos - lo)
            start = lo
    return out
