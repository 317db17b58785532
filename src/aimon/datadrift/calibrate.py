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

from functools import lru_cache

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
    "kuiper": 0.1,
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
                         f"{', '.join(allowed)} (or 'auto'), or choose per kind or column with a dict, "
                         f"e.g. method={{'numeric': {method!r}}}.")
    return method


def scale_null(q_m: np.ndarray, method: str, m: int, n_cur, n_ref) -> np.ndarray:
    """Carry the null quantile at sizes (m, m) to sizes (n_cur, n_ref)."""
    n_cur = np.asarray(n_cur, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (1.0 / n_cur + 1.0 / n_ref) / (2.0 / m)
    return q_m * (ratio if method in RATE_ONE else np.sqrt(ratio))


def thresholds(method: str, null_q_m: float, m: int, n_cur, n_ref, min_effect=None, threshold=None):
    """Threshold on the statistic per current size: fixed, or max(minimum effect, null quantile).
    (Test methods are decided on their p-values instead; see ``_evaluate.decide``.)"""
    n_cur = np.asarray(n_cur, dtype=np.float64)
    if threshold is not None:
        return np.full(n_cur.shape, float(threshold))
    floor = MIN_EFFECT.get(method, 0.0) if min_effect is None else float(min_effect)
    null = scale_null(null_q_m, method, m, n_cur, n_ref)
    return np.maximum(floor, np.where(np.isfinite(null), null, np.inf))


@lru_cache(maxsize=4)
def draw_pairs(n_ref: int, m: int = NULL_SIZE, draws: int = NULL_DRAWS, seed: int = 0):
    """Two (draws, m) arrays of sorted row positions in 0..n_ref-1, drawn with replacement:
    indexing a sorted reference with them gives sorted bootstrap samples directly. Cached (and
    read-only): columns without missing values share one draw."""
    rng = np.random.default_rng(seed)
    a = np.sort(rng.integers(0, n_ref, size=(draws, m)), axis=1)
    b = np.sort(rng.integers(0, n_ref, size=(draws, m)), axis=1)
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


def draws_for(levels: int, draws: int) -> int:
    """Bootstrap pairs for a categorical with ``levels`` levels: fewer when the (draws x levels)
    count matrices would exceed ~5e6 cells, never fewer than 100."""
    return int(min(draws, max(100, 5_000_000 // max(levels, 1))))


def check_quantile(q) -> float:
    if not (isinstance(q, (int, float)) and 0.5 <= q < 1):
        raise AimonError(f"null_quantile={q!r}: use a probability such as 0.99.")
    return float(q)


def null_quantile(cp, method: str, m: int, draws: int, q: float, seed: int) -> float:
    """The ``q`` quantile of ``method``'s statistic between two bootstrap samples of size ``m`` from
    the reference column ``cp`` (NaN when the reference has fewer than 2 values).

    Wasserstein: W1 of two equal-size sorted samples is the mean gap between their order
    statistics, one vectorised subtraction. Binned and categorical statistics depend on the
    reference only through its bin shares, so the pairs are multinomial draws over the bins.
    Kuiper and energy distance use the merge kernel on resampled values.
    """
    from .._kernels import binned, twosample
    from .stats import EPS

    if method in P_VALUE_METHODS:
        return float("nan")
    n = cp.n_valid if cp.kind == "numeric" else int(cp.counts.sum())
    if n < 2:
        return float("nan")
    if cp.kind == "numeric" and method in ("wasserstein", "kuiper", "energy"):
        ia, ib = draw_pairs(n, m, draws, seed)
        sd = cp.std
        if method == "wasserstein":
            stat = twosample.matched_gaps(cp.values, ia, ib) / sd if sd > 0 else np.zeros(draws)
        else:
            a, b = cp.values[ia], cp.values[ib]
            off = np.arange(0, draws * m + 1, m, dtype=np.int64)
            rows = twosample.merge_stats_serial(a.ravel(), off, b.ravel(), off, np.arange(draws, dtype=np.int64))
            if method == "kuiper":
                stat = rows[:, twosample.D_PLUS] + rows[:, twosample.D_MINUS]
            else:
                stat = np.sqrt(2 * rows[:, twosample.L2]) / sd if sd > 0 else np.zeros(draws)
        return float(np.quantile(stat, q))
    col = {"psi": binned.PSI, "jensenshannon": binned.JS, "kl": binned.KL, "hellinger": binned.HELLINGER,
           "tv": binned.TV}[method]
    counts = cp.counts
    k = counts.size
    draws = draws_for(k, draws)
    rng = np.random.default_rng(seed)
    cum = np.cumsum(counts / counts.sum())
    rid = np.repeat(np.arange(draws) * k, m)

    def sample():  # multinomial counts of m draws per row
        if k <= 64:  # few bins: numpy's multinomial draws k binomials per row
            return rng.multinomial(m, counts / counts.sum(), size=draws).astype(np.float64).ravel()
        # many levels: draw the categories themselves (m per row) and count them
        codes = np.minimum(np.searchsorted(cum, rng.random(draws * m), side="right"), k - 1)
        return np.bincount(rid + codes, minlength=draws * k).astype(np.float64)

    ca, cb = sample(), sample()
    off = np.arange(0, draws * k + 1, k, dtype=np.int64)
    hist = binned.histogram_stats_serial(ca, off, cb, off, np.arange(draws, dtype=np.int64), EPS)
    return float(np.quantile(hist[:, col], q))
