"""Thresholds that stay sane at any sample size.

A p-value answers "is there any difference at all?", and with a million rows the answer is
always yes: a 0.01 sigma shift has p < 1e-9. A drift verdict should answer "did the distribution
move by an amount that matters, beyond what sampling noise alone produces at this size?". So
every statistic gets two numbers:

* the **null quantile**: the ``q`` quantile (0.999 by default) of the statistic between two
  samples drawn with replacement from the reference itself. It is computed once per profile at a
  calibration size ``m`` and carried to any other pair of sizes with the statistic's sampling
  rate: ECDF distances and sqrt-divergences shrink like sqrt(1/n_cur + 1/n_ref), PSI and KL
  (divergences of order chi-square / n) like 1/n_cur + 1/n_ref;
* the **minimum effect**: the smallest change worth an alert (e.g. 0.1 reference standard
  deviations of Wasserstein distance, PSI 0.1). Sampling noise shrinks with n; this does not.

The threshold is the larger of the two. Tests that give p-values (KS, Cramér-von Mises,
Anderson-Darling, Mann-Whitney, chi-square, G) are corrected across columns with
Benjamini-Hochberg and must also show an effect size above the minimum effect.
"""
from __future__ import annotations

import numpy as np

from ..errors import AimonError

NUMERIC_METHODS = ("wasserstein", "ks", "kuiper", "energy", "cramervonmises", "anderson",
                   "mannwhitney", "psi", "jensenshannon", "kl", "hellinger", "tv")
CATEGORICAL_METHODS = ("jensenshannon", "psi", "kl", "hellinger", "tv", "chi2", "gtest")
P_VALUE_METHODS = ("ks", "cramervonmises", "anderson", "mannwhitney", "chi2", "gtest")
DEFAULT_METHOD = {"numeric": "wasserstein", "categorical": "jensenshannon"}

# statistics whose null size shrinks like 1/n (chi-square like); the others like 1/sqrt(n)
RATE_ONE = ("psi", "kl")

# smallest change worth flagging, in the unit of each statistic
MIN_EFFECT = {
    "wasserstein": 0.1,    # Wasserstein-1 / reference sd: a shift of a tenth of a standard deviation
    "energy": 0.1,         # energy distance / reference sd
    "kuiper": 0.1, "ks": 0.1,
    "psi": 0.1,            # the usual "no significant change below 0.1" rule of credit scoring
    "kl": 0.1,
    "jensenshannon": 0.03,  # about 2.5 points of probability mass moved between two categories
    "hellinger": 0.03, "tv": 0.03,
    "missing": 0.02,       # an absolute change of 2 percentage points in the missing share
}
EFFECT_FLOOR = {"numeric": 0.1, "categorical": 0.03}  # floor on the effect size for p-value methods

NULL_SIZE = 500      # calibration sample size m
NULL_DRAWS = 1000    # bootstrap pairs (fewer for categoricals with very many levels, see draws_for)
NULL_QUANTILE = 0.999  # ten columns x a month of days is 300 looks: a 0.99 quantile would cry wolf


def check_method(method, kind: str) -> str:
    """The method used for a column of ``kind`` ('auto' resolves to the documented default)."""
    if method is None or method == "auto":
        return DEFAULT_METHOD[kind]
    allowed = NUMERIC_METHODS if kind == "numeric" else CATEGORICAL_METHODS
    if method not in allowed:
        raise AimonError(f"method={method!r} does not apply to a {kind} column. Use one of "
                         f"{', '.join(allowed)} (or 'auto').")
    return method


def scale_null(q_m: np.ndarray, method: str, m: int, n_cur, n_ref) -> np.ndarray:
    """Carry the null quantile at sizes (m, m) to sizes (n_cur, n_ref)."""
    n_cur = np.asarray(n_cur, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (1.0 / n_cur + 1.0 / n_ref) / (2.0 / m)
    return q_m * (ratio if method in RATE_ONE else np.sqrt(ratio))


def thresholds(method: str, null_q_m: float, m: int, n_cur, n_ref, min_effect=None, threshold=None):
    """Threshold on the statistic per current size: fixed, or max(minimum effect, null quantile)."""
    n_cur = np.asarray(n_cur, dtype=np.float64)
    if threshold is not None:
        return np.full(n_cur.shape, float(threshold))
    floor = MIN_EFFECT.get(method, 0.0) if min_effect is None else float(min_effect)
    if method in P_VALUE_METHODS:
        return np.full(n_cur.shape, floor)
    null = scale_null(null_q_m, method, m, n_cur, n_ref)
    return np.maximum(floor, np.where(np.isfinite(null), null, np.inf))


def draw_pairs(n_ref: int, m: int = NULL_SIZE, draws: int = NULL_DRAWS, seed: int = 0):
    """Two (draws, m) arrays of sorted row positions in 0..n_ref-1, drawn with replacement:
    indexing a sorted reference with them gives sorted bootstrap samples directly."""
    rng = np.random.default_rng(seed)
    a = np.sort(rng.integers(0, n_ref, size=(draws, m)), axis=1)
    b = np.sort(rng.integers(0, n_ref, size=(draws, m)), axis=1)
    return a, b


def draws_for(levels: int, draws: int) -> int:
    """Bootstrap pairs for a categorical with ``levels`` levels: fewer when the (draws x levels)
    count matrices would exceed ~2e7 cells, never fewer than 100."""
    return int(min(draws, max(100, 20_000_000 // max(levels, 1))))


def check_quantile(q) -> float:
    if not (isinstance(q, (int, float)) and 0.5 <= q < 1):
        raise AimonError(f"null_quantile={q!r}: use a probability such as 0.99.")
    return float(q)
