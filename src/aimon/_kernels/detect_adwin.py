"""ADWIN (Bifet & Gavaldà 2007) as one scan over an array, with River's arithmetic and reset.

The window is kept as exponential histograms: row ``r`` of ``tot`` holds up to ``max_buckets``
bucket totals of 2**r values each, oldest first, in slots ``r * rc .. r * rc + cnt[r] - 1``
(``rc`` = max_buckets + 1 + BATCH: room for a batch before its merges).
Which bucket holds which values depends only on how many values came since the last reset, so
values are added in batches (up to the next test): appending a batch to a row and merging its
oldest pairs gives the same buckets, summed in the same order, as River's one-at-a-time inserts.
River's per-bucket variances are not kept: its cut test uses only the window's variance.
``scal`` = [total, variance, width, tick modulo clock, rows in use, sum of |values|, a lower bound
of delta_prime for the screen, the width it was computed at].
Every ``clock`` values (once the window is longer than ``grace_period``) each cut from the oldest
bucket forwards is tested; on a detection the whole state is reset, as River's ``ADWIN`` does on
the next update, so one change is reported once.
"""
from __future__ import annotations

import numpy as np
from numba import njit

ROWS = 64  # rows of buckets: 2**63 values
BATCH = 64  # values appended at once at most (any batching gives the same buckets)


@njit(cache=True, error_model="numpy")
def _append(x, i0, i1, cnt, tot, mb):
    """Append ``x[i0:i1]`` to row 0; while a row holds more than ``mb`` buckets, its oldest pairs
    merge onto the end of the next row (as River merges the two oldest each time a row reaches
    mb + 1). Return the number of the highest row touched."""
    rc = tot.shape[0] // ROWS
    n = cnt[0]
    for i in range(i0, i1):
        tot[n] = x[i]
        n += 1
    r = 0
    while n > mb:
        merges = (n - mb + 1) // 2
        src = r * rc
        dst = src + rc + cnt[r + 1]
        for j in range(merges):
            tot[dst + j] = tot[src + 2 * j] + tot[src + 2 * j + 1]
        for j in range(n - 2 * merges):
            tot[src + j] = tot[src + 2 * merges + j]
        cnt[r] = n - 2 * merges
        r += 1
        n = cnt[r] + merges
    cnt[r] = n
    return r


@njit(cache=True, error_model="numpy")
def _cut(total, variance, width, absum, rows, cnt, tot, delta, min_len, dp_lo):
    """Signed mean shift (recent minus old) of the first significant cut, or NaN if none.
    ``dp_lo`` <= delta_prime = log(2 log(width) / delta) (two libm calls, made only for the rare
    cuts that pass the screen)."""
    rc = tot.shape[0] // ROWS
    var_w = variance / width
    if not var_w >= 0.0:
        return np.nan  # the bound is NaN (rounding made the variance negative): no cut is significant
    # Screen: with D = u0 - n0 * total / width, |dm| = width |D| / (n0 n1) and eps >= the bound at
    # m = width / (n0 n1), so a cut can be significant only if |D| > sqrt(2 var_w dp n0 n1 / width)
    # + 2/3 dp; over a row, n0 n1 is smallest at one of its ends. ``slack`` covers rounding (far
    # wider than it); the exact test decides the cuts that pass.
    p = total / width
    k_lo = 2.0 * var_w * dp_lo / width * (1.0 - 1e-9)
    slack = 2.0 / 3.0 * dp_lo * (1.0 - 1e-9) - 1e-12 * (abs(total) + absum)
    n0 = 0.0
    n1 = width
    u0 = 0.0
    u1 = total
    size = 1.0
    for _ in range(rows - 1):
        size *= 2.0
    for r in range(rows - 1, -1, -1):
        c = cnt[r] if r > 0 else cnt[0] - 1  # the newest bucket never starts a cut
        lo = min((n0 + size) * (n1 - size), (n0 + c * size) * (n1 - c * size))
        bar = np.sqrt(k_lo * max(lo, 0.0)) + slack
        for k in range(c):
            t = tot[r * rc + k]
            n0 += size
            n1 -= size
            u0 += t
            u1 -= t
            if abs(u0 - n0 * p) > bar and n1 >= min_len and n0 >= min_len:
                delta_prime = np.log(2.0 * np.log(width) / delta)
                m_recip = 1.0 / (n0 - min_len + 1.0) + 1.0 / (n1 - min_len + 1.0)
                eps = np.sqrt(2.0 * m_recip * var_w * delta_prime) + 2.0 / 3.0 * delta_prime * m_recip
                dm = u0 / n0 - u1 / n1
                if abs(dm) > eps:
                    return -dm
        size *= 0.5
    return np.nan


@njit(cache=True, error_model="numpy")
def adwin_scan(x, delta, clock, mb, min_len, grace, scal, cnt, tot, out_idx, out_stat):
    """Feed ``x`` (finite float64) to the ADWIN state; write detection positions and mean shifts
    into ``out_idx``/``out_stat``; return how many. The state arrays are updated in place."""
    total, variance, width, absum = scal[0], scal[1], scal[2], scal[5]
    tick, rows = int(scal[3]), int(scal[4])
    dp_lo, dp_width = scal[6], scal[7]  # delta_prime at an earlier width: it grows with the width
    before = np.empty(BATCH)
    inc = np.empty(BATCH)
    m = 0
    i = 0
    while i < x.shape[0]:
        stop = min(i + clock - tick, i + BATCH, x.shape[0])
        for j in range(i, stop):  # running totals, in River's order
            before[j - i] = total
            total += x[j]
            absum += abs(x[j])
        for j in range(i, stop):  # River's variance increments: independent of each other (SIMD)
            w = width + (j - i + 1.0)
            d = x[j] - before[j - i] / max(w - 1.0, 1.0)
            inc[j - i] = (w - 1.0) * d * d / w if w > 1.0 else 0.0
        for j in range(stop - i):  # River's running variance, value by value
            variance += inc[j]
        width += stop - i
        rows = max(rows, _append(x, i, stop, cnt, tot, mb) + 1)
        tick += stop - i
        i = stop
        if tick == clock:
            tick = 0  # River tests when its tick count is a multiple of clock
            if width > grace:
                if width >= 2.0 * dp_width:  # refreshed when the width doubles (dp_width is 0 after a reset)
                    dp_lo = max(np.log(2.0 * np.log(width) / delta), 0.0) if width > 1.0 else 0.0
                    dp_width = width
                shift = _cut(total, variance, width, absum, rows, cnt, tot, delta, min_len, dp_lo)
                if not np.isnan(shift):
                    out_idx[m] = i - 1
                    out_stat[m] = shift
                    m += 1
                    total, variance, width, absum, tick, rows, dp_width = 0.0, 0.0, 0.0, 0.0, 0, 1, 0.0
                    cnt[:] = 0
    scal[0], scal[1], scal[2], scal[3], scal[4], scal[5] = total, variance, width, tick, rows, absum
    scal[6], scal[7] = dp_lo, dp_width
    return m


def new_state(max_buckets):
    scal = np.zeros(8)
    scal[4] = 1.0
    cnt = np.zeros(ROWS, dtype=np.int64)
    tot = np.zeros(ROWS * (max_buckets + 1 + BATCH))  # a row holds up to mb buckets between batches
    return scal, cnt, tot
