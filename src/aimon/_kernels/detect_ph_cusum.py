"""Page-Hinkley (River's variant) and the two-sided tabular CUSUM, each as one scan.

Both reset after a detection (River resets Page-Hinkley on the next update), so a change is
reported once. Thresholds arrive as arguments, in the units of the scanned values.
"""
from __future__ import annotations

import numpy as np
from numba import njit

UP, DOWN, BOTH = 1, 2, 3


@njit(cache=True)
def _ph_reset(s):
    s[0] = 0.0       # n
    s[1] = 0.0       # running mean
    s[2] = 0.0       # faded cumulative deviation, increase test
    s[3] = 0.0       # faded cumulative deviation, decrease test
    s[4] = np.inf    # minimum of s[2]
    s[5] = -1.0      # maximum of s[3] (River starts it at -1)


@njit(cache=True)
def page_hinkley_scan(x, min_instances, delta, threshold, alpha, mode, s, out_idx, out_stat):
    """Page-Hinkley over ``x`` with state ``s`` (6 floats, updated in place); detections are
    written to ``out_idx``/``out_stat`` (+test for an increase, -test for a decrease)."""
    m = 0
    for i in range(x.shape[0]):
        v = x[i]
        s[0] += 1.0
        s[1] += (1.0 / s[0]) * (v - s[1])
        dev = v - s[1]
        s[2] = alpha * s[2] + dev - delta
        s[3] = alpha * s[3] + dev + delta
        if s[2] < s[4]:
            s[4] = s[2]
        if s[3] > s[5]:
            s[5] = s[3]
        if s[0] >= min_instances:
            up = s[2] - s[4]
            down = s[5] - s[3]
            if (mode & UP) and up > threshold:
                out_idx[m] = i
                out_stat[m] = up
                m += 1
                _ph_reset(s)
            elif (mode & DOWN) and down > threshold:
                out_idx[m] = i
                out_stat[m] = -down
                m += 1
                _ph_reset(s)
    return m


@njit(cache=True)
def cusum_scan(x, k, h, min_instances, target, s, out_idx, out_stat):
    """Two-sided CUSUM: S+ = max(0, S+ + x - mu0 - k), S- = max(0, S- + mu0 - x - k), a change
    when either exceeds ``h``. ``mu0`` is ``target`` or, when ``target`` is NaN, the mean of the
    first ``min_instances`` values (re-learned after each detection). State ``s`` (5 floats):
    [values in warm-up, their sum, mu0, S+, S-]; ``s[2]`` NaN while warming up."""
    m = 0
    for i in range(x.shape[0]):
        v = x[i]
        if np.isnan(s[2]):
            if not np.isnan(target):
                s[2] = target
            else:
                s[0] += 1.0
                s[1] += v
                if s[0] >= min_instances:
                    s[2] = s[1] / s[0]
                continue
        s[3] = max(0.0, s[3] + v - s[2] - k)
        s[4] = max(0.0, s[4] + s[2] - v - k)
        if s[3] > h or s[4] > h:
            out_idx[m] = i
            out_stat[m] = s[3] if s[3] > h else -s[4]
            m += 1
            s[0] = 0.0
            s[1] = 0.0
            s[2] = np.nan
            s[3] = 0.0
            s[4] = 0.0
    return m


def ph_state():
    s = np.zeros(6)
    s[4] = np.inf
    s[5] = -1.0
    return s


def cusum_state():
    return np.array([0.0, 0.0, np.nan, 0.0, 0.0])
