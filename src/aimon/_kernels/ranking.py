"""Rank statistics per window: ROC AUC with ties (the Mann-Whitney U form)."""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def window_auc(scores, positive, bounds):
    """ROC AUC of ``scores`` for the 0/1 ``positive`` per window (rows bounds[k]:bounds[k+1]).

    Rows with NaN score or label must be removed by the caller. Tied scores get average ranks,
    which equals the trapezoidal ROC AUC. NaN where a window holds only one class.
    """
    k = bounds.shape[0] - 1
    out = np.full(k, np.nan)
    for w in prange(k):
        a = bounds[w]
        b = bounds[w + 1]
        m = b - a
        if m < 2:
            continue
        order = np.argsort(scores[a:b], kind="mergesort")
        n_pos = 0.0
        rank_sum = 0.0
        i = 0
        while i < m:
            j = i
            s = scores[a + order[i]]
            while j + 1 < m and scores[a + order[j + 1]] == s:
                j += 1
            avg_rank = (i + j) / 2.0 + 1.0
            for t in range(i, j + 1):
                if positive[a + order[t]] > 0.5:
                    n_pos += 1.0
                    rank_sum += avg_rank
            i = j + 1
        n_neg = m - n_pos
        if n_pos > 0 and n_neg > 0:
            out[w] = (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
    return out
