"""DDM (Gama et al. 2004) and EDDM (Baena-García et al. 2006) on a 0/1 error stream, one scan each.

Arithmetic and warm-up follow River's implementations; each resets after a detection. Values are
0.0 or 1.0 (the wrapper checks). Warning zones are written to ``out_warn`` (first value of each
run of warnings).
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def ddm_scan(x, warm_start, warning_threshold, drift_threshold, s, out_idx, out_stat, out_warn):
    """State ``s`` = [n, error rate, p_min, s_min, p_min + s_min, in warning]; returns
    (detections, warnings). ``out_stat`` holds (p + s - p_min) / s_min at each detection."""
    m = 0
    w = 0
    for i in range(x.shape[0]):
        s[0] += 1.0
        s[1] += (1.0 / s[0]) * (x[i] - s[1])
        p = s[1]
        sd = np.sqrt(p * (1.0 - p) / s[0])
        if s[0] > warm_start:
            if p + sd <= s[4]:
                s[2] = p
                s[3] = sd
                s[4] = p + sd
            if p + sd > s[2] + drift_threshold * s[3]:
                out_idx[m] = i
                out_stat[m] = (p + sd - s[2]) / s[3] if s[3] > 0 else np.inf
                m += 1
                s[0] = 0.0
                s[1] = 0.0
                s[4] = np.inf
                s[5] = 0.0
            elif p + sd > s[2] + warning_threshold * s[3]:
                if s[5] == 0.0:
                    out_warn[w] = i
                    w += 1
                s[5] = 1.0
            else:
                s[5] = 0.0
    return m, w


@njit(cache=True)
def eddm_scan(x, warm_start, alpha, beta, s, out_idx, out_stat, out_warn):
    """State ``s`` = [n, last error position, errors, distances seen, their mean, their sum of
    squared deviations, max of mean + 2 sd, in warning]; returns (detections, warnings).
    ``out_stat`` holds the level (mean + 2 sd) / max at each detection."""
    m = 0
    w = 0
    for i in range(x.shape[0]):
        s[0] += 1.0
        if x[i] != 1.0:
            continue
        s[2] += 1.0
        d = s[0] - s[1]
        old = s[4]
        s[3] += 1.0
        s[4] += (1.0 / s[3]) * (d - s[4])
        s[5] += (d - old) * (d - s[4])
        if s[0] > warm_start:
            var = s[5] / (s[3] - 1.0) if s[3] > 1.0 else 0.0
            p2s = s[4] + 2.0 * var ** 0.5
            if p2s > s[6]:
                s[6] = p2s
            elif s[2] > warm_start:
                level = p2s / s[6]
                if level < beta:
                    out_idx[m] = i
                    out_stat[m] = level
                    m += 1
                    s[:] = 0.0
                    s[6] = -1.0
                    continue
                elif level < alpha:
                    if s[7] == 0.0:
                        out_warn[w] = i
                        w += 1
                    s[7] = 1.0
                else:
                    s[7] = 0.0
        s[1] = s[0]
    return m, w


def ddm_state():
    return np.array([0.0, 0.0, np.nan, np.nan, np.inf, 0.0])


def eddm_state():
    s = np.zeros(8)
    s[6] = -1.0
    return s
