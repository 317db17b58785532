"""Slow, obviously correct references for the performance estimation tests: every labelling of a
tiny window enumerated with its probability, and metrics from their textbook definitions."""
from __future__ import annotations

import itertools
import math

import numpy as np


def labellings(n):
    """All 2**n 0/1 label vectors as rows of a matrix."""
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def probabilities(Y, p):
    """P(Y row) for independent Bernoulli(p) labels."""
    return np.prod(np.where(Y == 1.0, p, 1.0 - p), axis=1)


def auc_of(Y, s):
    """ROC AUC of scores s for every label row of Y: pairs (pos, neg) with s_pos > s_neg count 1,
    ties 1/2; NaN where a row has one class."""
    W = (s[:, None] > s[None, :]) + 0.5 * (s[:, None] == s[None, :])
    np.fill_diagonal(W, 0.0)
    N = np.einsum("ri,ij,rj->r", Y, W, 1.0 - Y)
    n1 = Y.sum(axis=1)
    D = n1 * (len(s) - n1)
    return np.where(D > 0, N / np.where(D > 0, D, 1.0), np.nan)


def confusion_of(Y, d, metric):
    """A confusion-matrix metric for every label row of Y and predictions d (NaN where 0/0)."""
    tp = (Y * d).sum(axis=1)
    fp = ((1 - Y) * d).sum(axis=1)
    fn = (Y * (1 - d)).sum(axis=1)
    tn = ((1 - Y) * (1 - d)).sum(axis=1)
    num, den = {"accuracy": (tp + tn, tp + tn + fp + fn), "precision": (tp, tp + fp), "recall": (tp, tp + fn),
                "specificity": (tn, tn + fp), "f1": (2 * tp, 2 * tp + fp + fn)}[metric]
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def expectation(values, prob):
    """E[value | value defined] over the enumerated labellings."""
    ok = ~np.isnan(values)
    return float(np.sum(values[ok] * prob[ok]) / np.sum(prob[ok]))


def spiegelhalter(p, y):
    """Spiegelhalter's Z and two-sided p-value, term by term."""
    num = 0.0
    var = 0.0
    for pi, yi in zip(p, y):
        num += (yi - pi) * (1 - 2 * pi)
        var += (1 - 2 * pi) ** 2 * pi * (1 - pi)
    z = num / math.sqrt(var)
    return z, 2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2))))
