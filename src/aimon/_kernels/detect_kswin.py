"""KSWIN (Raab et al. 2020): Kolmogorov-Smirnov tests on a sliding window, one scan.

Once the window holds ``window_size`` values, every new value triggers a test of the last
``stat_size`` values against ``stat_size`` values drawn without replacement from the older part
of the window. The KS statistic of two samples of equal size ``r`` is ``k / r`` for an integer
``k``, so the caller turns ``alpha`` into the smallest significant ``k`` once (``k_crit``) and the
kernel counts in integers. Draws come from row ``tests`` of ``table`` when one is given (to
replay another implementation's random draws), else from a splitmix64 generator whose state is
part of the detector state. Like River, the whole state (window, generator) resets after a
detection.
"""
from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True)
def splitmix_next(rng):
    """Advance the generator ``rng[0]`` (uint64) and return a float in [0, 1)."""
    z = rng[0] + GOLDEN
    rng[0] = z
    z = (z ^ (z >> np.uint64(30))) * MIX1
    z = (z ^ (z >> np.uint64(27))) * MIX2
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def draw(rng, n, r, mark, out):
    """``r`` distinct positions of 0..n-1 into ``out`` (Floyd's algorithm; ``mark`` is n zeros)."""
    for t in range(r):
        j = n - r + t
        c = int(splitmix_next(rng) * (j + 1))
        if mark[c]:
            c = j
        mark[c] = 1
        out[t] = c
    for t in range(r):
        mark[out[t]] = 0


@njit(cache=True)
def ks_count(a, b):
    """max_v |#(a <= v) - #(b <= v)| for sorted a, b of equal length (ties handled)."""
    r = a.shape[0]
    i = 0
    j = 0
    best = 0
    while i < r and j < r:
        v = min(a[i], b[j])
        while i < r and a[i] == v:
            i += 1
        while j < r and b[j] == v:
            j += 1
        if abs(i - j) > best:
            best = abs(i - j)
    return best


@njit(cache=True)
def kswin_scan(x, window_size, stat_size, k_crit, seed, table, win, ist, rng, out_idx, out_stat):
    """State: ``win`` (window_size floats, a ring), ``ist`` = [filled, head, tests since reset],
    ``rng`` (1 uint64). ``table`` is (tests, stat_size) int64 positions or has 0 rows."""
    m = 0
    r = stat_size
    old = window_size - stat_size
    a = np.empty(r)
    b = np.empty(r)
    pick = np.empty(r, dtype=np.int64)
    mark = np.zeros(max(old, 1), dtype=np.int64)
    for i in range(x.shape[0]):
        if ist[0] < window_size:
            win[ist[0]] = x[i]
            ist[0] += 1
        else:
            win[ist[1]] = x[i]
            ist[1] = (ist[1] + 1) % window_size
        if ist[0] < window_size:
            continue
        if table.shape[0] > 0:
            pick[:] = table[ist[2]]
        else:
            draw(rng, old, r, mark, pick)
        ist[2] += 1
        for t in range(r):
            a[t] = win[(ist[1] + pick[t]) % window_size]
            b[t] = win[(ist[1] + old + t) % window_size]
        a.sort()
        b.sort()
        k = ks_count(a, b)
        if k >= k_crit:
            out_idx[m] = i
            out_stat[m] = k / r
            m += 1
            ist[:] = 0
            rng[0] = seed
    return m


def new_state(window_size, seed):
    return (np.zeros(window_size), np.zeros(3, dtype=np.int64), np.array([seed], dtype=np.uint64))
