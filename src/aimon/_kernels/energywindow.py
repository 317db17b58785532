"""Energy distance of a small window against a large sorted reference without merging them.

In one dimension 2 * integral (F - G)^2 = 2 E|X - Y| - E|X - X'| - E|Y - Y'| (the empirical
energy distance squared). E|Y - Y'| of the reference is one constant per column; E|X - X'| of a
window comes from its own sorted values; the cross term needs, for each window value v, the sum
of |v - r| over the reference, which is c v - S[c] + (S[N] - S[c]) - (N - c) v with c the
reference values below v (one binary search) and S the reference's double-double prefix sums of
``ecdfwindow.prefix_sums``. So each window costs O(n log N) instead of a merge over N values.
The sums are compensated (TwoSum) because the three terms nearly cancel when F is close to G.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .ecdfwindow import _range_sum
from .rankwindow import run_end


@njit(cache=True)
def mean_abs_diff(x):
    """sum over i, j of |x_i - x_j| / n^2 for sorted ``x`` (0 for fewer than two values)."""
    n = x.shape[0]
    s = 0.0
    c = 0.0
    for k in range(n):
        term = x[k] * (2.0 * k - n + 1.0)
        t = s + term  # TwoSum
        bp = t - s
        c += (s - (t - bp)) + (term - bp)
        s = t
    return 2.0 * (s + c) / (float(n) * n) if n > 0 else 0.0


@njit(cache=True)
def energy_window(x, hi, lo, ref_mad, y):
    """integral (F - G)^2 (the L2 entry of ``twosample.merge_stats``) for the sorted reference
    ``x`` (prefix sums ``hi``, ``lo``; ``ref_mad = mean_abs_diff(x)``) and the sorted, non-empty
    window ``y``, at least 0."""
    N = x.shape[0]
    n = y.shape[0]
    s = 0.0
    c = 0.0
    j = 0
    while j < n:
        v = y[j]
        j0 = j
        j = run_end(y, j)
        a = np.searchsorted(x, v, side="left")
        below = a * v - _range_sum(hi, lo, 0, a)  # sum of v - r over r < v
        above = _range_sum(hi, lo, a, N) - (N - a) * v  # sum of r - v over r >= v
        term = (j - j0) * (below + above)
        t = s + term  # TwoSum
        bp = t - s
        c += (s - (t - bp)) + (term - bp)
        s = t
    cross = (s + c) / (float(n) * N)
    l2 = cross - 0.5 * (ref_mad + mean_abs_diff(y))
    return l2 if l2 > 0.0 else 0.0


@njit(cache=True)
def _pair(ref, ref_off, hi, lo, mad, cur, cur_off, ref_of, p, out, i):
    r = ref_of[p]
    if cur_off[p + 1] > cur_off[p] and ref_off[r + 1] > ref_off[r]:
        out[i] = energy_window(ref[ref_off[r]:ref_off[r + 1]], hi[ref_off[r] + r:ref_off[r + 1] + r + 1],
                               lo[ref_off[r] + r:ref_off[r + 1] + r + 1], mad[r], cur[cur_off[p]:cur_off[p + 1]])


# Twin drivers (prange / range): numba fixes ``parallel`` at compile time, see windows.py.
@njit(cache=True, parallel=True)
def energy_window_parallel(ref, ref_off, hi, lo, mad, cur, cur_off, ref_of, pairs):
    """``energy_window`` for each pair p in ``pairs``: window ``cur[cur_off[p]:cur_off[p+1]]``
    against reference ``r = ref_of[p]`` (prefix sums at ``ref_off[r] + r`` in hi/lo, ``mad[r]``).
    Empty pairs stay 0."""
    out = np.zeros(pairs.shape[0])
    for i in prange(pairs.shape[0]):
        _pair(ref, ref_off, hi, lo, mad, cur, cur_off, ref_of, pairs[i], out, i)
    return out


@njit(cache=True)
def energy_window_serial(ref, ref_off, hi, lo, mad, cur, cur_off, ref_of, pairs):
    """Serial twin of ``energy_window_parallel``."""
    out = np.zeros(pairs.shape[0])
    for i in range(pairs.shape[0]):
        _pair(ref, ref_off, hi, lo, mad, cur, cur_off, ref_of, pairs[i], out, i)
    return out
