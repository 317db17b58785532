"""HDDM-A and HDDM-W (Frías-Blanco et al. 2015) on a bounded stream in [0, 1], one scan each.

HDDM-A compares running means with Hoeffding bounds, HDDM-W exponentially weighted means with
McDiarmid bounds. Arithmetic follows River's implementations; each resets after a detection.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _mean_changed(n_all, mean_all, n_cut, mean_cut, log_2_conf, increase):
    """Hoeffding test of a change of the mean since the cut (``log_2_conf`` = log(2 / confidence))."""
    if n_cut == n_all:
        return False
    m = (n_all - n_cut) / n_cut * (1.0 / n_all)
    eps = np.sqrt(m / 2.0 * log_2_conf)
    diff = mean_all - mean_cut if increase else mean_cut - mean_all
    return diff >= eps


@njit(cache=True)
def hddm_a_scan(x, drift_conf, warning_conf, two_sided, s, out_idx, out_stat, out_warn):
    """State ``s`` = [n, mean, n and mean at the increase cut, n and mean at the decrease cut,
    in warning]. ``out_stat`` is the mean minus the mean at the cut (signed)."""
    m = 0
    w = 0
    log_d = np.log(1.0 / drift_conf)
    log2_d = np.log(2.0 / drift_conf)
    log2_w = np.log(2.0 / warning_conf)
    for i in range(x.shape[0]):
        s[0] += 1.0
        s[1] += (1.0 / s[0]) * (x[i] - s[1])
        if s[2] == 0.0:
            s[2] = s[0]
            s[3] = s[1]
        if s[4] == 0.0:
            s[4] = s[0]
            s[5] = s[1]
        eps_z = np.sqrt(1.0 / (2.0 * s[0]) * log_d)
        eps_x = np.sqrt(1.0 / (2.0 * s[2]) * log_d)
        if s[3] + eps_x >= s[1] + eps_z:
            s[2] = s[0]
            s[3] = s[1]
        eps_x = np.sqrt(1.0 / (2.0 * s[4]) * log_d)
        if s[5] - eps_x <= s[1] - eps_z:
            s[4] = s[0]
            s[5] = s[1]
        drift = _mean_changed(s[0], s[1], s[2], s[3], log2_d, True)
        warn = (not drift) and _mean_changed(s[0], s[1], s[2], s[3], log2_w, True)
        stat = s[1] - s[3]
        if two_sided and not drift:
            if _mean_changed(s[0], s[1], s[4], s[5], log2_d, False):
                drift = True
                stat = s[1] - s[5]
            elif _mean_changed(s[0], s[1], s[4], s[5], log2_w, False):
                warn = True
        if drift:
            out_idx[m] = i
            out_stat[m] = stat
            m += 1
            s[:] = 0.0
            continue
        if warn and s[6] == 0.0:
            out_warn[w] = i
            w += 1
        s[6] = 1.0 if warn else 0.0
    return m, w


# A sample of HDDM-W: [ewma, initialised, independent bound condition]; 3 floats from ``o``.
@njit(cache=True)
def _sample_update(s, o, v, lam):
    s[o] = v if s[o + 1] == 0.0 else lam * v + (1.0 - lam) * s[o]
    s[o + 1] = 1.0
    s[o + 2] = lam * lam + (1.0 - lam) ** 2 * s[o + 2]


@njit(cache=True)
def _sample_clear(s, o):
    s[o] = 0.0
    s[o + 1] = 0.0
    s[o + 2] = 1.0


@njit(cache=True)
def _w_changed(s, a, b, log_conf):
    """Did the mean of sample ``b`` rise above that of ``a`` beyond the McDiarmid bound?
    (``log_conf`` = log(1 / confidence))"""
    if s[a + 1] == 0.0 or s[b + 1] == 0.0:
        return False
    bound = np.sqrt((s[a + 2] + s[b + 2]) * log_conf / 2.0)
    return s[b] - s[a] > bound


TOTAL, S1_INC, S2_INC, S1_DEC, S2_DEC, INC_CUT, DEC_CUT, WARN = 0, 3, 6, 9, 12, 15, 16, 17


@njit(cache=True)
def hddm_w_reset(s):
    for o in (TOTAL, S1_INC, S2_INC, S1_DEC, S2_DEC):
        _sample_clear(s, o)
    s[INC_CUT] = np.inf
    s[DEC_CUT] = -np.inf
    s[WARN] = 0.0


@njit(cache=True)
def hddm_w_scan(x, drift_conf, warning_conf, lam, two_sided, s, out_idx, out_stat, out_warn):
    """State ``s`` = 5 samples (total, cut and recent for increases, cut and recent for
    decreases) of 3 floats, the two cut points and the warning flag (18 floats)."""
    m = 0
    w = 0
    log_d = np.log(1.0 / drift_conf)
    log_w = np.log(1.0 / warning_conf)
    for i in range(x.shape[0]):
        v = x[i]
        _sample_update(s, TOTAL, v, lam)
        eps = np.sqrt(s[TOTAL + 2] * log_d / 2.0)
        if s[TOTAL] + eps < s[INC_CUT]:
            s[INC_CUT] = s[TOTAL] + eps
            s[S1_INC:S1_INC + 3] = s[TOTAL:TOTAL + 3]
            _sample_clear(s, S2_INC)
        else:
            _sample_update(s, S2_INC, v, lam)
        drift = _w_changed(s, S1_INC, S2_INC, log_d)
        warn = (not drift) and _w_changed(s, S1_INC, S2_INC, log_w)
        stat = s[S2_INC] - s[S1_INC]
        eps = np.sqrt(s[TOTAL + 2] * log_d / 2.0)
        if s[TOTAL] - eps > s[DEC_CUT]:
            s[DEC_CUT] = s[TOTAL] - eps
            s[S1_DEC:S1_DEC + 3] = s[TOTAL:TOTAL + 3]
            _sample_clear(s, S2_DEC)
        else:
            _sample_update(s, S2_DEC, v, lam)
        if two_sided and not drift:
            if _w_changed(s, S2_DEC, S1_DEC, log_d):
                drift = True
                stat = s[S2_DEC] - s[S1_DEC]
            elif _w_changed(s, S2_DEC, S1_DEC, log_w):
                warn = True
        if drift:
            out_idx[m] = i
            out_stat[m] = stat
            m += 1
            hddm_w_reset(s)
            continue
        if warn and s[WARN] == 0.0:
            out_warn[w] = i
            w += 1
        s[WARN] = 1.0 if warn else 0.0
    return m, w


def hddm_a_state():
    return np.zeros(7)


def hddm_w_state():
    s = np.zeros(18)
    hddm_w_reset(s)
    return s
