"""Per-window summaries of a value column over sorted window boundaries."""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _lerp_quantile(x, m, q):
    # numpy's default ('linear') quantile of the sorted x[:m], with numpy's lerp formula
    pos = q * (m - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, m - 1)
    t = pos - lo
    a = x[lo]
    b = x[hi]
    d = b - a
    if t >= 0.5:
        return b - d * (1.0 - t)
    return a + d * t


@njit(cache=True, parallel=True)
def window_summary(values, bounds, qs):
    """For each window k (rows bounds[k]:bounds[k+1]) of ``values`` (NaN = not usable):
    columns [n_valid, sum, mean, max, quantile(qs[0]), quantile(qs[1]), ...]."""
    k = bounds.shape[0] - 1
    nq = qs.shape[0]
    out = np.full((k, 4 + nq), np.nan)
    for w in prange(k):
        a = bounds[w]
        b = bounds[w + 1]
        buf = np.empty(b - a)
        m = 0
        for i in range(a, b):
            v = values[i]
            if not np.isnan(v):
                buf[m] = v
                m += 1
        out[w, 0] = m
        if m == 0:
            out[w, 1] = 0.0
            continue
        x = np.sort(buf[:m])
        s = 0.0
        for i in range(m):
            s += x[i]
        out[w, 1] = s
        out[w, 2] = s / m
        out[w, 3] = x[m - 1]
        for j in range(nq):
            out[w, 4 + j] = _lerp_quantile(x, m, qs[j])
    return out
