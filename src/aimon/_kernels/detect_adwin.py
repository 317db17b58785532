"""ADWIN (Bifet & Gavaldà 2007) as one scan over an array, with River's arithmetic and reset.

The window is kept as exponential histograms: row ``r`` of ``tot``/``var`` holds up to
``max_buckets + 1`` buckets summarising 2**r values each, in a ring of ``cap`` slots (a power of
two) starting at ``r * cap``, the oldest at ``head[r]``; ``cnt[r]`` says how many are filled.
``scal`` = [total, variance, width, tick modulo clock, rows in use].
Every ``clock`` values (once the window is longer than ``grace_period``) each cut from the oldest
bucket forwards is tested; on a detection the whole state is reset, as River's ``ADWIN`` does on
the next update, so one change is reported once.
"""
from __future__ import annotations

import numpy as np
from numba import njit

ROWS = 64  # rows of buckets: 2**63 values


@njit(cache=True, inline="always")
def _slot(head, r, k, rc):
    """Position in ``tot``/``var`` of the k-th oldest bucket of row r (each row is a ring of
    ``rc`` slots, a power of two >= max_buckets + 1)."""
    return r * rc + ((head[r] + k) & (rc - 1))


@njit(cache=True, inline="always")
def _compress(cnt, head, tot, var, mb, rows):
    """Merge the two oldest buckets of each full row into the next row; return the rows in use."""
    cap = tot.shape[0] // ROWS
    r = 0
    inv = 1.0  # 1 / bucket size: a power of two, so multiplying equals dividing exactly
    size = 1.0
    while cnt[r] == mb + 1:
        a = _slot(head, r, 0, cap)
        b = _slot(head, r, 1, cap)
        mu1 = tot[a] * inv
        mu2 = tot[b] * inv
        j = _slot(head, r + 1, cnt[r + 1], cap)
        tot[j] = tot[a] + tot[b]
        var[j] = var[a] + var[b] + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
        cnt[r + 1] += 1
        head[r] = (head[r] + 2) & (cap - 1)
        cnt[r] -= 2
        if r + 2 > rows:
            rows = r + 2
        if cnt[r + 1] <= mb:
            break
        r += 1
        size *= 2.0
        inv *= 0.5
    return rows


@njit(cache=True)
def _cut(total, variance, width, rows, cnt, head, tot, mb, delta, min_len):
    """Signed mean shift (recent minus old) of the first significant cut, or NaN if none."""
    cap = tot.shape[0] // ROWS
    n0 = 0.0
    n1 = width
    u0 = 0.0
    u1 = total
    delta_prime = np.log(2.0 * np.log(width) / delta)
    var_w = variance / width
    if not var_w >= 0.0:
        return np.nan  # the bound is NaN (rounding made the variance negative): no cut is significant
    c_lo = 2.0 / 3.0 * delta_prime * (1.0 - 1e-9)
    k_lo = 2.0 * var_w * delta_prime * (1.0 - 1e-9)
    size = 1.0
    for _ in range(rows - 1):
        size *= 2.0
    for r in range(rows - 1, -1, -1):
        c = cnt[r]
        for k in range(c):
            t = tot[_slot(head, r, k, cap)]
            n0 += size
            n1 -= size
            u0 += t
            u1 -= t
            if r == 0 and k == c - 1:
                return np.nan
            if n1 >= min_len and n0 >= min_len:
                # cheap screen without divisions or roots, multiplied through by
                # n0 n1 a0 a1 > 0: skip cuts that are clearly not significant (an upper bound of
                # |dm| against lower bounds of the threshold, margins far wider than rounding); the
                # exact test below decides every other cut, so detections are River's exactly
                a0 = n0 - min_len + 1.0
                a1 = n1 - min_len + 1.0
                p0 = n0 * n1
                q0 = a0 * a1
                s0 = a0 + a1
                big = (abs(u0 * n1 - u1 * n0) + 1e-12 * (abs(u0) * n1 + abs(u1) * n0)) * q0 - c_lo * s0 * p0
                if big <= 0.0 or big * big < k_lo * s0 * q0 * p0 * p0:
                    continue
                m_recip = 1.0 / a0 + 1.0 / a1
                eps = np.sqrt(2.0 * m_recip * var_w * delta_prime) + 2.0 / 3.0 * delta_prime * m_recip
                dm = u0 / n0 - u1 / n1
                if abs(dm) > eps:
                    return -dm
        size *= 0.5
    return np.nan


@njit(cache=True)
def adwin_scan(x, delta, clock, mb, min_len, grace, scal, cnt, head, tot, var, out_idx, out_stat):
    """Feed ``x`` (finite float64) to the ADWIN state; write detection positions and mean shifts
    into ``out_idx``/``out_stat``; return how many. The state arrays are updated in place."""
    total, variance, width = scal[0], scal[1], scal[2]
    rc = tot.shape[0] // ROWS
    tick, rows = int(scal[3]), int(scal[4])
    m = 0
    for i in range(x.shape[0]):
        value = x[i]
        j = _slot(head, 0, cnt[0], rc)
        tot[j] = value
        var[j] = 0.0
        cnt[0] += 1
        width += 1.0
        if width > 1.0:
            d = value - total / (width - 1.0)
            variance += (width - 1.0) * d * d / width
        total += value
        if cnt[0] == mb + 1:
            rows = _compress(cnt, head, tot, var, mb, rows)
        tick += 1
        if tick == clock:
            tick = 0  # River tests when its tick count is a multiple of clock
            if width > grace:
                shift = _cut(total, variance, width, rows, cnt, head, tot, mb, delta, min_len)
                if not np.isnan(shift):
                    out_idx[m] = i
                    out_stat[m] = shift
                    m += 1
                    total, variance, width, tick, rows = 0.0, 0.0, 0.0, 0, 1
                    cnt[:] = 0
                    head[:] = 0
    scal[0], scal[1], scal[2], scal[3], scal[4] = total, variance, width, tick, rows
    return m


def new_state(max_buckets):
    scal = np.zeros(5)
    scal[4] = 1.0
    cnt = np.zeros(ROWS, dtype=np.int64)
    rc = 1
    while rc < max_buckets + 1:
        rc *= 2
    tot = np.zeros(ROWS * rc)
    return scal, cnt, cnt.copy(), tot, tot.copy()
