"""Expected confusion-matrix metrics of a window when each label is an independent Bernoulli(p).

Every binary metric here is a ratio of two sums that are linear in the labels ``y``::

    metric = (sum_i u_i + a_i y_i) / (sum_i v_i + b_i y_i)

with per-row coefficients that depend only on the prediction ``d_i`` (0/1):

============  ===========  ============  ======  ======
metric        u            a             v       b
============  ===========  ============  ======  ======
accuracy      1 - d        2 d - 1       1       0
precision     0            d             d       0
recall        0            d             0       1
specificity   1 - d        -(1 - d)      1       -1
f1            0            2 d           d       1
============  ===========  ============  ======  ======

(F1 = 2 TP / (2 TP + FP + FN) = 2 TP / (predicted positives + positives).)

The **realized** value puts the labels in. The **estimate** is ``E[U / V]`` under independent
Bernoulli(p) labels. Accuracy and precision have a constant denominator, so their estimate
``E[U] / V`` is exact. Recall, specificity and F1 divide by the random number of (non-)positives,
and ``E[U / V]`` has no closed form; we use the second-order delta method::

    E[U / V] ~ m + (m Var V - Cov(U, V)) / E[V]^2,   m = E[U] / E[V],
    Var V = sum p q b^2,  Cov(U, V) = sum p q a b   (q = 1 - p; both exact for linear U, V)

whose error is O(n^-2) against O(n^-1) for the plain ratio ``m``. The tests measure it against
exact enumeration of every labelling on tiny windows (conditioned on the metric being defined)
and Monte Carlo on larger ones.

The **standard deviation** is the delta method's: ``U / V - m ~ (U - m V) / E[V]`` with
``m = E[U] / E[V]``, a sum of independent terms ``(a_i - m b_i)(y_i - p_i)``, so
``Var = sum p_i (1 - p_i) (a_i - m b_i)^2 / E[V]^2``. It is the spread of the realized value
around the estimate from the labels' randomness alone (the calibration is taken as known).
"""
from __future__ import annotations

import numpy as np

from ..metrics._table import ratio, sum_count

CONFUSION_METRICS = ("accuracy", "precision", "recall", "specificity", "f1")


def coefficients(metric: str, d: np.ndarray):
    """(u, a, v, b) per row for the 0/1 predictions ``d`` (see the module docstring)."""
    one = np.ones_like(d)
    zero = np.zeros_like(d)
    if metric == "accuracy":
        return 1.0 - d, 2.0 * d - 1.0, one, zero
    if metric == "precision":
        return zero, d, d, zero
    if metric == "recall":
        return zero, d, zero, one
    if metric == "specificity":
        return 1.0 - d, d - 1.0, one, -one
    if metric == "f1":
        return zero, 2.0 * d, d, one
    raise ValueError(metric)


def _wsum(x, bounds):
    return sum_count(np.ascontiguousarray(x, dtype=np.float64), bounds)[0]


def expected(metric: str, p: np.ndarray, d: np.ndarray, bounds: np.ndarray, with_grad=False):
    """Estimate and standard deviation of ``metric`` per window (rows bounds[k]:bounds[k+1]);
    ``p`` calibrated probabilities, ``d`` 0/1 predictions, no NaN. ``with_grad=True`` also
    returns each row's weight ``(a_i - m b_i) / E[V]`` in the linearisation (0 where undefined)."""
    u, a, v, b = coefficients(metric, d)
    eu = _wsum(u + a * p, bounds)
    ev = _wsum(v + b * p, bounds)
    m = ratio(eu, ev)
    pq = p * (1.0 - p)
    saa, sab, sbb = _wsum(pq * a * a, bounds), _wsum(pq * a * b, bounds), _wsum(pq * b * b, bounds)
    mm = np.where(np.isnan(m), 0.0, m)
    var = np.maximum(saa - 2.0 * mm * sab + mm * mm * sbb, 0.0)
    sd = np.where(np.isnan(m), np.nan, np.sqrt(ratio(var, ev * ev)))
    bias = ratio(mm * sbb - sab, ev * ev)  # (m Var V - Cov(U, V)) / E[V]^2; 0 when V is constant
    est = m + np.where(np.isnan(bias), 0.0, bias)
    if not with_grad:
        return est, sd
    counts = np.diff(bounds)
    mr, evr = np.repeat(mm, counts), np.repeat(ev, counts)
    grad = np.where(np.repeat(np.isnan(m), counts), 0.0, ratio(a - mr * b, evr))
    return est, sd, np.nan_to_num(grad)


def realized(metric: str, y: np.ndarray, d: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The metric per window from 0/1 labels ``y`` and predictions ``d`` (NaN where 0/0)."""
    u, a, v, b = coefficients(metric, d)
    return ratio(_wsum(u + a * y, bounds), _wsum(v + b * y, bounds))
