"""Rank statistics of a small window against a large sorted reference without merging them.

Mann-Whitney's midrank sum and tie term and the Cramér-von Mises U only change, relative to the
reference alone, at the window's own values. Between two window values every reference value
has the same number c of window values below it, so its midrank is its rank in the reference
plus c; a reference tie group of m values at rank offset p then adds m c^2 + (m^3 - m)/12 to the
CvM sum. Binary searches find each window value's place in the reference and one prefix sum of
the reference's tie terms covers the stretches in between: O(n log N) per window of n values
instead of a merge pass over all N reference values.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def run_end(y, j):
    """The end of the run of values equal to y[j] in the sorted array ``y`` (a tie group)."""
    v = y[j]
    n = y.shape[0]
    while j < n and y[j] == v:
        j += 1
    return j


@njit(cache=True)
def tie_prefix(x):
    """T[k] = sum of (m^3 - m) over the tied groups of the sorted ``x`` that start before k
    (a group's term sits at its first position), length len(x) + 1."""
    n = x.shape[0]
    T = np.zeros(n + 1)
    i = 0
    while i < n:
        j = i + 1
        while j < n and x[j] == x[i]:
            j += 1
        m = float(j - i)
        T[i + 1] = m * m * m - m
        i = j
    for k in range(n):
        T[k + 1] += T[k]
    return T


@njit(cache=True)
def _sq(d, m):
    """sum over s = 1..m of (d - s)^2."""
    return m * d * d - d * m * (m + 1.0) + m * (m + 1.0) * (2.0 * m + 1.0) / 6.0


@njit(cache=True)
def rank_window(x, T, y, out):
    """out = [midrank sum of x, sum of t^3 - t over the pooled tie groups, CvM U] for the sorted
    reference ``x`` (tie prefix ``T``) and the sorted, non-empty window ``y``: the RANK_SUM,
    TIES and CVM_U entries of ``twosample.merge_stats``."""
    N = x.shape[0]
    n = y.shape[0]
    u1 = 0.0  # sum over x of (midrank - rank within x)^2
    u2 = 0.0  # the same over y
    rank_y = 0.0  # midrank sum of y in the pooled sample
    ties = T[N]
    p = 0  # reference values before this point are accounted for
    j = 0
    while j < n:
        v = y[j]
        j0 = j
        j = run_end(y, j)
        k = float(j - j0)
        a = np.searchsorted(x, v, side="left")
        b = np.searchsorted(x, v, side="right")
        # reference values in [p, a): c = j0 window values below each, no tie with the window
        c = float(j0)
        u1 += c * c * (a - p) + (T[a] - T[p]) / 12.0
        m = float(b - a)
        avg_off = (m + k + 1.0) / 2.0  # midrank of the pooled group minus (a + j0)
        if m > 0:
            u1 += _sq(c + avg_off, m)
            ties += ((m + k) ** 3 - (m + k)) - (m * m * m - m)
        else:
            ties += k * k * k - k
        u2 += _sq(a + avg_off, k)
        rank_y += k * (a + j0 + avg_off)
        p = b
    c = float(n)
    u1 += c * c * (N - p) + (T[N] - T[p]) / 12.0
    total = N + n
    out[0] = total * (total + 1.0) / 2.0 - rank_y
    out[1] = ties
    out[2] = N * u1 + n * u2


@njit(cache=True)
def _pair(ref, ref_off, T, cur, cur_off, ref_of, p, row):
    r = ref_of[p]
    if cur_off[p + 1] > cur_off[p] and ref_off[r + 1] > ref_off[r]:
        rank_window(ref[ref_off[r]:ref_off[r + 1]], T[ref_off[r] + r:ref_off[r + 1] + r + 1],
                    cur[cur_off[p]:cur_off[p + 1]], row)


# Twin drivers (prange / range): numba fixes ``parallel`` at compile time, see windows.py.
@njit(cache=True, parallel=True)
def rank_window_parallel(ref, ref_off, T, cur, cur_off, ref_of):
    """``rank_window`` for every pair p: window ``cur[cur_off[p]:cur_off[p+1]]`` against reference
    ``r = ref_of[p]`` (tie prefix at ``ref_off[r] + r`` in T). Empty pairs stay 0; (pairs, 3)."""
    out = np.zeros((cur_off.shape[0] - 1, 3))
    for p in prange(out.shape[0]):
        _pair(ref, ref_off, T, cur, cur_off, ref_of, p, out[p])
    return out


@njit(cache=True)
def rank_window_serial(ref, ref_off, T, cur, cur_off, ref_of):
    """Serial twin of ``rank_window_parallel``."""
    out = np.zeros((cur_off.shape[0] - 1, 3))
    for p in range(out.shape[0]):
        _pair(ref, ref_off, T, cur, cur_off, ref_of, p, out[p])
    return out
