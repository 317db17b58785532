"""ECDF gaps and Wasserstein-1 of a small sample against a large sorted reference, in
O(n log N) per window: binary searches in the reference plus prefix sums of it, never a walk
over all N reference values. This is what keeps ``drift_over_time`` growing with the rows of the
log rather than with windows x reference size.

Between two consecutive distinct window values the window's ECDF G is a constant c, and the
reference ECDF F climbs one level per reference value in between. The area |F - c| over that
stretch splits at the level where F passes c; each part is a telescoping sum over the reference
values, i.e. a difference of prefix sums. Prefix sums are kept in double-double (a value and its
rounding error) and the reference is centred, so the cancellation stays at the scale of the
values actually between the window points.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def prefix_sums(x):
    """Double-double prefix sums S[k] = sum(x[:k]) as (hi, lo) arrays of length len(x) + 1."""
    n = x.shape[0]
    hi = np.zeros(n + 1)
    lo = np.zeros(n + 1)
    s = 0.0
    c = 0.0
    for i in range(n):
        t = s + x[i]  # TwoSum: t + e == s + x[i] exactly
        bp = t - s
        e = (s - (t - bp)) + (x[i] - bp)
        s = t
        c += e
        hi[i + 1] = s
        lo[i + 1] = c
    return hi, lo


@njit(cache=True)
def _range_sum(hi, lo, a, b):
    """sum(x[a:b]) from the double-double prefix sums."""
    return (hi[b] - hi[a]) + (lo[b] - lo[a])


@njit(cache=True)
def _stretch(x, hi, lo, a, b, t0, t1, gy, n, N):
    """N * integral over [t0, t1) of |F - gy/n|, where F*N = a on [t0, x[a]), then one more per
    reference value x[a..b-1], reaching b on [x[b-1], t1)."""
    cN = gy * N / n
    # levels a + s for s = 0..b-a on widths w_s = t_{s+1} - t_s with t_0 = t0, t_s = x[a+s-1], t_{b-a+1} = t1
    # low levels (a + s) * n <= gy * N, i.e. s <= s_star
    s_star = (gy * N) // n - a
    m = b - a
    if s_star < -1:
        s_star = -1
    if s_star > m:
        s_star = m
    total = 0.0
    if s_star >= 0:
        w, aw = _sums(x, hi, lo, a, 0, s_star, t0, t1, m)
        total += cN * w - aw
    if s_star < m:
        w, aw = _sums(x, hi, lo, a, s_star + 1, m, t0, t1, m)
        total += aw - cN * w
    return total


@njit(cache=True)
def _t(x, a, s, t0, t1, m):
    if s == 0:
        return t0
    if s == m + 1:
        return t1
    return x[a + s - 1]


@njit(cache=True)
def _sums(x, hi, lo, a, s1, s2, t0, t1, m):
    """(sum of w_s, sum of (a + s) w_s) for s = s1..s2, by telescoping:
    sum (a+s) w_s = sum_{u=s1+1}^{s2} (t_{s2+1} - t_u) + (a + s1) (t_{s2+1} - t_{s1})."""
    top = _t(x, a, s2 + 1, t0, t1, m)
    bottom = _t(x, a, s1, t0, t1, m)
    k = s2 - s1
    inner = 0.0
    if k > 0:  # t_u for u = s1+1..s2 are x[a+s1 .. a+s2-1]
        inner = k * top - _range_sum(hi, lo, a + s1, a + s2)
    return top - bottom, inner + (a + s1) * (top - bottom)


@njit(cache=True)
def ecdf_window(x, hi, lo, y, out):
    """out[0] = D+ = max(F - G), out[1] = D- = max(G - F) over the pooled values, out[2] = integral
    |F - G| (Wasserstein-1) for the sorted reference ``x`` (prefix sums ``hi``, ``lo``) and the
    sorted, non-empty window ``y``."""
    N = x.shape[0]
    n = y.shape[0]
    dp = 0.0
    dm = 0.0
    area = 0.0
    # before the first window value: G = 0
    v = y[0]
    cnt = np.searchsorted(x, v, side="left")
    if cnt > 0:
        dp = cnt / N
        area += cnt * v - _range_sum(hi, lo, 0, cnt)
    j = 0
    while j < n:
        v = y[j]
        while j < n and y[j] == v:
            j += 1
        gy = j
        a = np.searchsorted(x, v, side="right")
        g = gy / n
        f = a / N
        if g - f > dm:
            dm = g - f
        if f - g > dp:
            dp = f - g
        if j < n:
            w = y[j]
            b = np.searchsorted(x, w, side="left")
            if b > a and b / N - g > dp:
                dp = b / N - g
            area += _stretch(x, hi, lo, a, b, v, w, gy, n, N)
        else:  # after the last window value: G = 1
            if a < N:
                area += _range_sum(hi, lo, a, N) - (N - a) * v
    out[0] = dp
    out[1] = dm
    out[2] = area / N


@njit(cache=True)
def _window_pair(ref, ref_off, hi, lo, cur, cur_off, ref_of, p, row):
    """``ecdf_window`` of pair p into ``row``; an empty side leaves it 0."""
    r = ref_of[p]
    if cur_off[p + 1] > cur_off[p] and ref_off[r + 1] > ref_off[r]:
        ecdf_window(ref[ref_off[r]:ref_off[r + 1]], hi[ref_off[r] + r:ref_off[r + 1] + r + 1],
                    lo[ref_off[r] + r:ref_off[r + 1] + r + 1], cur[cur_off[p]:cur_off[p + 1]], row)


# Twin drivers (prange / range): numba fixes ``parallel`` at compile time, see windows.py.
@njit(cache=True, parallel=True)
def ecdf_window_parallel(ref, ref_off, hi, lo, cur, cur_off, ref_of):
    """``ecdf_window`` for every pair p: window ``cur[cur_off[p]:cur_off[p+1]]`` against reference
    ``r = ref_of[p]`` (``ref[ref_off[r]:ref_off[r+1]]``, prefix sums at ``ref_off[r] + r`` in hi/lo).
    Rows of empty windows stay 0. Returns a (pairs, 3) array."""
    out = np.zeros((cur_off.shape[0] - 1, 3))
    for p in prange(out.shape[0]):
        _window_pair(ref, ref_off, hi, lo, cur, cur_off, ref_of, p, out[p])
    return out


@njit(cache=True)
def ecdf_window_serial(ref, ref_off, hi, lo, cur, cur_off, ref_of):
    """Serial twin of ``ecdf_window_parallel``."""
    out = np.zeros((cur_off.shape[0] - 1, 3))
    for p in range(out.shape[0]):
        _window_pair(ref, ref_off, hi, lo, cur, cur_off, ref_of, p, out[p])
    return out
