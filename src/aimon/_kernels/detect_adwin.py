"""ADWIN (Bifet & Gavaldà 2007) as one scan over an array, with River's arithmetic and reset.

The window is kept as exponential histograms: row ``r`` of ``tot``/``var`` holds up to
``max_buckets + 1`` buckets (slots ``r*cap .. r*cap+cap-1``, oldest first) summarising 2**r
values each; ``cnt[r]`` says how many are filled. ``scal`` = [total, variance, width, tick, rows].
Every ``clock`` values (once the window is longer than ``grace_period``) each cut from the oldest
bucket forwards is tested; on a detection the whole state is reset, as River's ``ADWIN`` does on
the next update, so one change is reported once.
"""
from __future__ import annotations

import numpy as np
from numba import njit

ROWS = 64  # rows of buckets: 2**63 values


@njit(cache=True)
def _reset(scal, cnt):
    scal[:] = 0.0
    scal[4] = 1.0
    cnt[:] = 0


@njit(cache=True)
def _insert(value, scal, cnt, tot, var, mb):
    cap = mb + 1
    tot[cnt[0]] = value
    var[cnt[0]] = 0.0
    cnt[0] += 1
    width = scal[2] + 1.0
    if width > 1.0:
        d = value - scal[0] / (width - 1.0)
        scal[1] += (width - 1.0) * d * d / width
    scal[0] += value
    scal[2] = width
    r = 0
    while cnt[r] == mb + 1:  # merge the two oldest buckets of a full row into the next row
        size = 2.0 ** r
        a = r * cap
        mu1 = tot[a] / size
        mu2 = tot[a + 1] / size
        b = (r + 1) * cap + cnt[r + 1]
        tot[b] = tot[a] + tot[a + 1]
        var[b] = var[a] + var[a + 1] + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
        cnt[r + 1] += 1
        for i in range(2, cnt[r]):
            tot[a + i - 2] = tot[a + i]
            var[a + i - 2] = var[a + i]
        cnt[r] -= 2
        if r + 2 > scal[4]:
            scal[4] = r + 2.0
        if cnt[r + 1] <= mb:
            break
        r += 1


@njit(cache=True)
def _cut(scal, cnt, tot, mb, delta, min_len):
    """Signed mean shift (recent minus old) of the first significant cut, or NaN if none."""
    cap = mb + 1
    width = scal[2]
    n0 = 0.0
    n1 = width
    u0 = 0.0
    u1 = scal[0]
    rows = int(scal[4])
    delta_prime = np.log(2.0 * np.log(width) / delta)
    var_w = scal[1] / width
    for r in range(rows - 1, -1, -1):
        size = 2.0 ** r
        c = cnt[r]
        for k in range(c):
            t = tot[r * cap + k]
            n0 += size
            n1 -= size
            u0 += t
            u1 -= t
            if r == 0 and k == c - 1:
                return np.nan
            if n1 >= min_len and n0 >= min_len:
                m_recip = 1.0 / (n0 - min_len + 1.0) + 1.0 / (n1 - min_len + 1.0)
                eps = np.sqrt(2.0 * m_recip * var_w * delta_prime) + 2.0 / 3.0 * delta_prime * m_recip
                dm = u0 / n0 - u1 / n1
                if abs(dm) > eps:
                    return -dm
    return np.nan


@njit(cache=True)
def adwin_scan(x, delta, clock, mb, min_len, grace, scal, cnt, tot, var, out_idx, out_stat):
    """Feed ``x`` (finite float64) to the ADWIN state; write detection positions and mean shifts
    into ``out_idx``/``out_stat``; return how many. The state arrays are updated in place."""
    m = 0
    for i in range(x.shape[0]):
        _insert(x[i], scal, cnt, tot, var, mb)
        scal[3] += 1.0
        if scal[3] % clock == 0 and scal[2] > grace:
            shift = _cut(scal, cnt, tot, mb, delta, min_len)
            if not np.isnan(shift):
                out_idx[m] = i
                out_stat[m] = shift
                m += 1
                _reset(scal, cnt)
    return m


def new_state(max_buckets):
    scal = np.zeros(5)
    scal[4] = 1.0
    cnt = np.zeros(ROWS, dtype=np.int64)
    tot = np.zeros(ROWS * (max_buckets + 1))
    return scal, cnt, tot, tot.copy()
