"""Calibrate a binary model's scores on a labelled reference.

Three maps from score to probability, fitted on the reference's labelled rows:

- **none**: the scores are used as they are. ``method="auto"`` keeps them when two calibration
  tests both fail to reject at 0.025 each (0.05 overall, Bonferroni): the model is already
  calibrated.
- **isotonic**: the non-decreasing step function closest to the labels in least squares
  (pool adjacent violators on the distinct scores), linear between distinct scores and constant
  beyond the fitted range (as scikit-learn's ``IsotonicRegression(out_of_bounds="clip")``).
  It assumes nothing about the shape of the miscalibration but needs data: ``auto`` uses it
  from 1,000 labelled rows on.
- **platt**: a logistic curve in the score's log-odds, ``1 / (1 + exp(-(a * logit(s) + b)))``,
  fitted by Newton's method (maximum likelihood with scikit-learn's tiny ridge ``a**2 / (2 C)``,
  ``C = 1e6``, so that separable data still give a finite slope). Two parameters: it does not
  overfit a small reference, so ``auto`` uses it below 1,000 labelled rows.

The two tests:

- Spiegelhalter's: under calibration ``Z = sum((y - p)(1 - 2p)) / sqrt(sum((1 - 2p)^2 p (1 - p)))``
  is approximately standard normal (Spiegelhalter 1986, Stat Med 5:421). It is blind to some
  miscalibrations (``P(y) = s**2`` with uniform ``s`` has ``E[Z] = 0``), hence the second test.
- Cox's: fit the logistic recalibration ``logit P(y) = b + a logit(s)`` (the Platt fit above) and
  compare it with ``a = 1, b = 0`` by a likelihood-ratio test, chi-squared with 2 degrees of
  freedom (Cox 1958, Biometrika 45:562). It sees a wrong overall rate and scores that are too
  extreme or too timid.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import SchemaError

METHODS = ("auto", "isotonic", "platt", "none")
MIN_ISOTONIC = 1000     # labelled reference rows from which "auto" prefers isotonic to Platt
TEST_ALPHA = 0.05       # "auto" keeps the scores when both tests' p-values are >= TEST_ALPHA / 2
PLATT_C = 1e6           # inverse ridge strength on the slope (scikit-learn's C)
EPS = 1e-12


def spiegelhalter(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spiegelhalter's Z statistic and its two-sided normal p-value for probabilities ``p``
    and 0/1 outcomes ``y`` (no NaN). ``(nan, nan)`` when every ``p`` is 0, 1/2 or 1."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    num = float(np.sum((y - p) * (1.0 - 2.0 * p)))
    var = float(np.sum((1.0 - 2.0 * p) ** 2 * p * (1.0 - p)))
    if not var > 0:
        return math.nan, math.nan
    z = num / math.sqrt(var)
    return z, math.erfc(abs(z) / math.sqrt(2.0))


def _loglik(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, EPS, 1.0 - EPS)
    return float(np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def cox_test(p: np.ndarray, y: np.ndarray) -> tuple[float, float, tuple[float, float]]:
    """Cox's likelihood-ratio test of calibration: statistic, p-value (chi-squared, 2 df:
    ``exp(-stat / 2)``) and the fitted (slope, intercept) of the logistic recalibration."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    f = _logit(p)
    a, b = platt_fit(f, y)
    stat = max(2.0 * (_loglik(1.0 / (1.0 + np.exp(-(a * f + b))), y) - _loglik(p, y)), 0.0)
    return stat, math.exp(-stat / 2.0), (a, b)


def isotonic_fit(x: np.ndarray, y: np.ndarray, with_counts=False):
    """Distinct ``x`` (sorted) and the isotonic fit of ``y`` at them (ties of ``x`` pooled first);
    ``with_counts=True`` also returns the number of rows at each distinct ``x``."""
    from .._kernels.isotonic import pava

    ux, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse.ravel(), weights=y, minlength=ux.size)
    fitted = pava(sums / counts, counts.astype(np.float64))
    return (ux, fitted, counts) if with_counts else (ux, fitted)


def _logit(s: np.ndarray) -> np.ndarray:
    s = np.clip(s, EPS, 1.0 - EPS)
    return np.log(s) - np.log1p(-s)


def platt_fit(x: np.ndarray, y: np.ndarray, C: float = PLATT_C, max_iter: int = 100) -> tuple[float, float]:
    """Slope and intercept of the logistic regression of ``y`` on the 1-D feature ``x``
    (penalty ``a**2 / (2 C)`` on the slope only), by damped Newton steps on the distinct values
    of ``x`` (weighted by their counts and positives: the same likelihood, fewer terms)."""
    x, inverse, n = np.unique(x, return_inverse=True, return_counts=True)
    k = np.bincount(inverse.ravel(), weights=y, minlength=x.size)
    n = n.astype(np.float64)
    a, b = 0.0, float(_logit(np.array([np.clip(k.sum() / n.sum(), 0.01, 0.99)]))[0])

    def loss(a, b):
        z = a * x + b
        return float(np.sum(n * np.logaddexp(0.0, z) - k * z) + a * a / (2.0 * C))

    current = loss(a, b)
    for _ in range(max_iter):
        q = 1.0 / (1.0 + np.exp(-(a * x + b)))
        r = n * q - k
        g = np.array([np.sum(r * x) + a / C, r.sum()])
        w = n * q * (1.0 - q)
        h = np.array([[np.sum(w * x * x) + 1.0 / C, np.sum(w * x)], [np.sum(w * x), w.sum()]])
        try:
            step = np.linalg.solve(h + 1e-12 * np.eye(2), g)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-8:
            na, nb = a - t * step[0], b - t * step[1]
            new = loss(na, nb)
            if new <= current:
                break
            t /= 2.0
        if t <= 1e-8:
            break
        a, b, done = na, nb, current - new < 1e-12 * max(1.0, abs(current))
        current = new
        if done and np.abs(g).max() < 1e-6 * max(1.0, n.sum()):
            break
    return a, b


@dataclass
class Calibration:
    """A fitted map from scores to probabilities (see the module docstring).

    ``method`` is what was applied; ``test_z``/``test_pvalue`` Spiegelhalter's test of the raw
    reference scores, ``cox_stat``/``cox_pvalue`` Cox's; ``n`` the labelled reference rows it was
    fitted on.
    """

    method: str
    n: int
    test_z: float
    test_pvalue: float
    cox_stat: float
    cox_pvalue: float
    reason: str
    params: dict = field(default_factory=dict, repr=False)

    def window_sd(self, score: np.ndarray, grad: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Standard deviation per window of an estimate that moves by ``grad[i]`` per unit change of
        row i's calibrated probability, from the sampling error of the calibration itself (zero
        for ``none``). Platt: ``J Cov(a, b) J'`` with the inverse Hessian of the fit. Isotonic:
        each pooled block's value is a mean of its ``N`` reference labels, variance
        ``p~ (1 - p~) / N`` (``p~ = (N p + 1/2) / (N + 1)``), blocks independent; a row between two
        distinct reference scores depends on both by its interpolation weights."""
        k = len(bounds) - 1
        wid = np.repeat(np.arange(k), np.diff(bounds))
        s = np.asarray(score, dtype=np.float64)
        if self.method == "platt":
            f = _logit(s)
            p = self.predict(s)
            dp = p * (1.0 - p)
            ja = np.bincount(wid, weights=grad * dp * f, minlength=k)
            jb = np.bincount(wid, weights=grad * dp, minlength=k)
            c = self.params["cov"]
            var = ja * ja * c[0, 0] + 2 * ja * jb * c[0, 1] + jb * jb * c[1, 1]
            return np.sqrt(np.maximum(var, 0.0))
        if self.method != "isotonic":
            return np.zeros(k)
        x, block, bvar = self.params["x"], self.params["block"], self.params["block_var"]
        pos = np.interp(s, x, np.arange(x.size, dtype=np.float64))  # fractional index among the distinct x
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, x.size - 1)
        t = pos - lo
        nb = bvar.size
        cells = np.concatenate([wid * nb + block[lo], wid * nb + block[hi]])
        w = np.concatenate([grad * (1.0 - t), grad * t])
        J = np.bincount(cells, weights=w, minlength=k * nb).reshape(k, nb)
        return np.sqrt((J * J * bvar).sum(axis=1))  # no BLAS: its threads stall on busy machines

    def predict(self, score: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for the scores (NaN stays NaN)."""
        s = np.asarray(score, dtype=np.float64)
        if self.method == "isotonic":
            return np.interp(s, self.params["x"], self.params["y"])
        if self.method == "platt":
            return 1.0 / (1.0 + np.exp(-(self.params["a"] * _logit(s) + self.params["b"])))
        return s.copy()


def fit_calibration(score: np.ndarray, y: np.ndarray, method: str = "auto") -> Calibration:
    """Fit the calibration map on reference scores and 0/1 labels (finite, same length)."""
    if method not in METHODS:
        raise SchemaError([f"calibration={method!r} is not one of {METHODS}."])
    score = np.asarray(score, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    z, pvalue = spiegelhalter(score, y)
    stat, cox_p, (a, b) = cox_test(score, y)
    n = int(score.size)
    tests = f"Spiegelhalter p = {pvalue:.3g}, Cox p = {cox_p:.3g}"
    if method == "auto":
        if not (pvalue < TEST_ALPHA / 2 or cox_p < TEST_ALPHA / 2):  # a NaN p-value does not reject
            method, reason = "none", f"already calibrated ({tests}; both >= {TEST_ALPHA / 2})"
        elif n >= MIN_ISOTONIC:
            method, reason = "isotonic", f"miscalibrated ({tests}); {n} labelled rows >= {MIN_ISOTONIC}"
        else:
            method, reason = "platt", f"miscalibrated ({tests}); {n} labelled rows < {MIN_ISOTONIC}"
    else:
        reason = f"chosen with calibration={method!r} ({tests})"
    params = {}
    if method == "isotonic":
        params["x"], params["y"], counts = isotonic_fit(score, y, with_counts=True)
        block = np.concatenate([[0], np.cumsum(np.diff(params["y"]) != 0)]).astype(np.int64)
        n_block = np.bincount(block, weights=counts)
        value = np.bincount(block, weights=params["y"] * counts) / n_block
        shrunk = (value * n_block + 0.5) / (n_block + 1.0)
        params["block"], params["block_var"] = block, shrunk * (1.0 - shrunk) / n_block
    elif method == "platt":
        params["a"], params["b"] = a, b
        f = _logit(score)
        q = 1.0 / (1.0 + np.exp(-(a * f + b)))
        w = q * (1.0 - q)
        h = np.array([[np.sum(w * f * f) + 1.0 / PLATT_C, np.sum(w * f)], [np.sum(w * f), w.sum()]])
        params["cov"] = np.linalg.pinv(h)
    return Calibration(method, n, z, pvalue, stat, cox_p, reason, params)
