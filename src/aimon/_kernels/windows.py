"""Per-window summaries of a value column over sorted window boundaries."""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .select import quantiles_split

PARALLEL_MIN_ROWS = 200_000  # below this, threads cost more than they save


@njit(cache=True)
def _median3(a, b, c):
    if a > b:
        a, b = b, a
    if b > c:
        b = c
    return a if a > b else b


@njit(cache=True)
def summarize(values, a, b, qs, row):
    """Fill ``row`` = [n_valid, sum, mean, max, quantiles...] for values[a:b] (NaN = not usable).
    Quantiles (``qs`` ascending) are selected on a copy in linear time, not sorted. The copy is
    also the first partition of the selection: values below a median-of-three pivot are written
    from the front, the others from the back, so the selection then works on one part only."""
    n = b - a
    row[0] = 0
    row[1] = 0.0
    if n == 0:
        return
    p = _median3(values[a], values[a + n // 2], values[b - 1])  # NaN if any of the three is
    buf = np.empty(n)
    lo = 0
    hi = n - 1
    s = 0.0
    mx = -np.inf
    if np.isnan(p):  # no pivot: plain copy, one part
        for i in range(a, b):
            v = values[i]
            if not np.isnan(v):
                buf[lo] = v
                lo += 1
                s += v
                if v > mx:
                    mx = v
        m = lo
        split = 0
    else:
        for i in range(a, b):
            v = values[i]
            buf[lo] = v  # branch-free: written at both ends, kept where its pointer moves
            buf[hi] = v
            lo += v < p  # NaN moves neither pointer
            hi -= v >= p
            if v == v:
                s += v
            if v > mx:
                mx = v
        m = lo + n - 1 - hi
        for i in range(m - lo):  # close the gap NaN left between the parts
            buf[lo + i] = buf[hi + 1 + i]
        split = lo
    row[0] = m
    row[1] = s
    if m == 0:
        return
    row[2] = s / m
    row[3] = mx
    quantiles_split(buf, m, split, qs, row, 4)


# Two drivers that differ only in prange/range: numba fixes `parallel` at compile time, and one
# Python function jitted twice would share a single on-disk cache entry name for both variants.
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


@njit(cache=True)
def _sum_count(values, bounds, w, sums, counts):
    s = 0.0
    c = 0
    for i in range(bounds[w], bounds[w + 1]):
        v = values[i]
        if not np.isnan(v):
            s += v
            c += 1
    sums[w] = s
    counts[w] = c


@njit(cache=True, parallel=True)
def _sum_count_parallel(values, bounds):
    k = bounds.shape[0] - 1
    sums = np.zeros(k)
    counts = np.zeros(k)
    for w in prange(k):
        _sum_count(values, bounds, w, sums, counts)
    return sums, counts


@njit(cache=True)
def _sum_count_serial(values, bounds):
    k = bounds.shape[0] - 1
    sums = np.zeros(k)
    counts = np.zeros(k)
    for w in range(k):
        _sum_count(values, bounds, w, sums, counts)
    return sums, counts


def window_sum_count(values, bounds):
    """Sum and number of non-NaN ``values`` per window (rows bounds[k]:bounds[k+1]), in one pass
    (no prefix sum over the whole array)."""
    if values.shape[0] >= PARALLEL_MIN_ROWS:
        return _sum_count_parallel(values, bounds)
    return _sum_count_serial(values, bounds)


@njit(cache=True)
def _count_at_least(values, bounds, thr, w, out):
    c = 0
    for i in range(bounds[w], bounds[w + 1]):
        if values[i] >= thr:
            c += 1
    out[w] = c


@njit(cache=True, parallel=True)
def _count_at_least_parallel(values, bounds, thr):
    out = np.zeros(bounds.shape[0] - 1, dtype=np.int64)
    for w in prange(out.shape[0]):
        _count_at_least(values, bounds, thr, w, out)
    return out


@njit(cache=True)
def _count_at_least_serial(values, bounds, thr):
    out = np.zeros(bounds.shape[0] - 1, dtype=np.int64)
    for w in range(out.shape[0]):
        _count_at_least(values, bounds, thr, w, out)
    return out


def window_count_at_least(values, bounds, thr):
    """Number of ``values >= thr`` per window (rows bounds[k]:bounds[k+1]) of an int64 or uint8
    array (status codes, 0/1 or booleans read as they are: no float copy)."""
    if values.shape[0] >= PARALLEL_MIN_ROWS:
        return _count_at_least_parallel(values, bounds, thr)
    return _count_at_least_serial(values, bounds, thr)
