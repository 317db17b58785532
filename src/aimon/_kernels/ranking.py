"""Rank statistics per window: ROC AUC with ties (the Mann-Whitney U form)."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _auc_sorted(scores, positive, bounds):
    """AUC per window of rows already sorted by score within each window."""
    k = bounds.shape[0] - 1
    out = np.full(k, np.nan)
    for w in range(k):
        a = bounds[w]
        b = bounds[w + 1]
        n_pos = 0.0
        rank_sum = 0.0
        i = a
        while i < b:
            j = i
            while j + 1 < b and scores[j + 1] == scores[i]:
                j += 1
            avg_rank = (i + j) / 2.0 - a + 1.0  # average 1-based rank of the tied run i..j
            for t in range(i, j + 1):
                if positive[t] > 0.5:
                    n_pos += 1.0
                    rank_sum += avg_rank
            i = j + 1
        n_neg = (b - a) - n_pos
        if n_pos > 0 and n_neg > 0:
            out[w] = (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
    return out


def window_auc(scores, positive, bounds):
    """ROC AUC of ``scores`` for the 0/1 ``positive`` per window (rows bounds[k]:bounds[k+1]).

    Rows with NaN score or label must be removed by the caller. Tied scores get average ranks,
    which equals the trapezoidal ROC AUC. NaN where a window holds only one class. The rows are
    ordered by (window, score) with numpy, and the kernel makes one pass.
    """
    wid = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    order = np.lexsort((scores, wid))
    return _auc_sorted(np.ascontiguousarray(scores[order]), np.ascontiguousarray(positive[order]),
                       np.asarray(bounds, dtype=np.int64))
