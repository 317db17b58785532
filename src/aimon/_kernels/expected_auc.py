"""Expected ROC AUC of fixed scores when each label is an independent Bernoulli(p_i)."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _expected_auc_sorted(scores, p, bounds, grad):
    """Per window of rows sorted by score: E[N / D] to second order and the delta-method sd.

    N = sum over ordered pairs i != j of y_i (1 - y_j) w_ij (w = 1 if s_i > s_j, 1/2 if tied),
    D = n_pos * n_neg. With L_k = expected negatives ranked below row k (ties count half) and
    H_k = expected positives ranked above it, E[N] = sum p_k L_k, E[D] = P Q - sum p_k (1 - p_k),
    dN/dy_k = L_k - H_k and dD/dy_k = (Q - q_k) - (P - p_k) at y = p. With A = E[N] / E[D] and
    g_k = dN/dy_k - A dD/dy_k: Var(N / D) ~ sum p_k q_k g_k^2 / E[D]^2, and the second-order delta
    method E[N / D] ~ A + (A Var D - Cov(N, D)) / E[D]^2 = A - sum p_k q_k dD/dy_k g_k / E[D]^2
    (Var D and Cov(N, D) from the same linearisation). ``grad[k]`` receives g_k / E[D], the
    row's weight in the linearisation (0 in windows without an estimate).
    """
    k = bounds.shape[0] - 1
    est = np.full(k, np.nan)
    sd = np.full(k, np.nan)
    for w in range(k):
        a = bounds[w]
        b = bounds[w + 1]
        if b - a < 2:
            continue
        big_p = 0.0
        big_q = 0.0
        pq = 0.0
        for i in range(a, b):
            big_p += p[i]
            big_q += 1.0 - p[i]
            pq += p[i] * (1.0 - p[i])
        ed = big_p * big_q - pq
        if not ed > 0.0:
            continue
        # pass 1: E[N]
        en = 0.0
        below_neg = 0.0
        i = a
        while i < b:
            j = i
            gq = 0.0
            while j < b and scores[j] == scores[i]:
                gq += 1.0 - p[j]
                j += 1
            for t in range(i, j):
                en += p[t] * (below_neg + 0.5 * (gq - (1.0 - p[t])))
            below_neg += gq
            i = j
        auc = en / ed
        # pass 2: variance of the linearisation sum_k (y_k - p_k) (dN_k - auc dD_k) / E[D]
        var = 0.0
        bias = 0.0
        below_neg = 0.0
        below_pos = 0.0
        i = a
        while i < b:
            j = i
            gq = 0.0
            gp = 0.0
            while j < b and scores[j] == scores[i]:
                gq += 1.0 - p[j]
                gp += p[j]
                j += 1
            above_pos = big_p - below_pos - gp
            for t in range(i, j):
                lk = below_neg + 0.5 * (gq - (1.0 - p[t]))
                hk = above_pos + 0.5 * (gp - p[t])
                dd = (big_q - (1.0 - p[t])) - (big_p - p[t])
                g = (lk - hk) - auc * dd
                grad[t] = g / ed
                var += p[t] * (1.0 - p[t]) * g * g
                bias -= p[t] * (1.0 - p[t]) * dd * g
            below_neg += gq
            below_pos += gp
            i = j
        est[w] = auc + bias / (ed * ed)
        sd[w] = np.sqrt(var) / ed
    return est, sd


def expected_auc(scores, p, bounds, with_grad=False):
    """Expected ROC AUC (second-order delta method) and its standard deviation per window.

    ``scores`` rank the rows (the model's raw scores), ``p`` are the calibrated probabilities
    that each row is positive; rows ``bounds[k]:bounds[k+1]`` form window k; no NaN. NaN where a
    window has fewer than two rows or cannot hold both classes (every p is 0, or every p is 1).
    ``with_grad=True`` also returns each row's weight in the linearisation (in input order).
    """
    wid = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    order = np.lexsort((scores, wid))
    grad_sorted = np.zeros(len(order))
    est, sd = _expected_auc_sorted(np.ascontiguousarray(scores[order], dtype=np.float64),
                                   np.ascontiguousarray(p[order], dtype=np.float64),
                                   np.asarray(bounds, dtype=np.int64), grad_sorted)
    if not with_grad:
        return est, sd
    grad = np.empty_like(grad_sorted)
    grad[order] = grad_sorted
    return est, sd, grad
