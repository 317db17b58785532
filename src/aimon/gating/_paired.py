"""Paired tests of candidate vs production on the same golden rows (plain arrays, no pandas).

Every test answers one question: *is the candidate significantly worse than production by more
than ``margin``?* (one-sided, H0: ``delta >= -margin`` for a higher-is-better metric, where
``delta = candidate - production``). A small p-value is evidence of harm.

- accuracy: a score test on the paired 2x2 table (Tango 1998); with ``margin=0`` its square is
  McNemar's chi-square (no continuity correction).
- ROC AUC: DeLong, DeLong & Clarke-Pearson (1988) for correlated AUCs, computed with midranks
  (Sun & Xu 2014).
- precision, recall, F1, RMSE: a seeded paired bootstrap (rows resampled together).
- MAE: a paired t-test on the per-row absolute-error differences.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIGHER_IS_BETTER = {"accuracy": True, "precision": True, "recall": True, "f1": True, "auc": True,
                    "mae": False, "rmse": False}
TESTS = {"accuracy": "paired score test (McNemar/Tango)", "auc": "DeLong paired AUC",
         "precision": "paired bootstrap", "recall": "paired bootstrap", "f1": "paired bootstrap",
         "rmse": "paired bootstrap", "mae": "paired t-test"}
CHUNK_VALUES = 2_000_000  # resample indices drawn per chunk (memory stays small)


@dataclass
class Paired:
    """Result of one paired comparison. ``delta`` is candidate - production; ``bound`` the one-sided
    (1 - alpha) confidence bound of ``delta`` on the side that would show harm (upper bound for
    higher-is-better metrics, lower bound otherwise); ``p_value`` tests H0 "not worse by more
    than margin" (small: evidence of harm) and ``p_proof`` the classical non-inferiority H0
    "worse by at least margin" (small: proof of non-inferiority)."""

    candidate: float
    production: float
    delta: float
    bound: float
    p_value: float
    note: str = ""
    p_proof: float = float("nan")  # p-value of H0 "worse by at least margin" (strict non-inferiority)


def _norm():
    from scipy.stats import norm

    return norm


# ----------------------------------------------------------------------------- accuracy
def tango_p01(n10: int, n01: int, n: int, delta0: float) -> float:
    """Restricted maximum-likelihood estimate of P(candidate wrong, production right) under
    H0: P(cand right, prod wrong) - P(cand wrong, prod right) = delta0 (Tango 1998)."""
    a = 2.0 * n
    b = -n10 - n01 + (2.0 * n - n10 + n01) * delta0
    c = -n01 * delta0 * (1.0 - delta0)
    disc = max(b * b - 4.0 * a * c, 0.0)
    return (-b + np.sqrt(disc)) / (2.0 * a)


def accuracy_test(correct_c: np.ndarray, correct_p: np.ndarray, margin: float, alpha: float) -> Paired:
    """Paired score test of accuracy (see the module docstring). ``correct_*`` are 0/1 arrays."""
    n = correct_c.size
    n10 = int(np.sum((correct_c == 1) & (correct_p == 0)))  # candidate right, production wrong
    n01 = int(np.sum((correct_c == 0) & (correct_p == 1)))
    delta0 = -float(margin)
    p01 = tango_p01(n10, n01, n, delta0)
    var = n * (2.0 * p01 + delta0 * (1.0 - delta0))
    diff = n10 - n01 - n * delta0
    if var <= 0:
        z = 0.0 if diff == 0 else np.copysign(np.inf, diff)
    else:
        z = diff / np.sqrt(var)
    norm = _norm()
    p = float(norm.cdf(z))
    acc_c, acc_p = float(np.mean(correct_c)), float(np.mean(correct_p))
    d = acc_c - acc_p
    se = np.sqrt(max((n10 + n01) / n - d * d, 0.0) / n)  # Wald bound for display
    return Paired(acc_c, acc_p, d, d + float(norm.ppf(1 - alpha)) * se, p,
                  f"{n10} rows only the candidate got right, {n01} only production", float(norm.sf(z)))


# ----------------------------------------------------------------------------- DeLong
def _placements(scores: np.ndarray, y: np.ndarray):
    """(V10 for positives, V01 for negatives) of one model, from midranks."""
    from scipy.stats import rankdata

    pos, neg = scores[y == 1], scores[y == 0]
    m, n = pos.size, neg.size
    tz = rankdata(np.concatenate([pos, neg]))
    v10 = (tz[:m] - rankdata(pos)) / n
    v01 = 1.0 - (tz[m:] - rankdata(neg)) / m
    return v10, v01


def delong(score_c: np.ndarray, score_p: np.ndarray, y: np.ndarray, margin: float, alpha: float) -> Paired:
    """DeLong's test that AUC(candidate) - AUC(production) >= -margin on the same rows."""
    m, n = int(np.sum(y == 1)), int(np.sum(y == 0))
    if m < 2 or n < 2:
        nan = float("nan")
        return Paired(nan, nan, nan, nan, nan, f"needs >= 2 rows of each class ({m} positive, {n} negative)")
    v10c, v01c = _placements(score_c, y)
    v10p, v01p = _placements(score_p, y)
    auc_c, auc_p = float(v10c.mean()), float(v10p.mean())
    s10 = np.cov(np.vstack([v10c, v10p]), ddof=1)
    s01 = np.cov(np.vstack([v01c, v01p]), ddof=1)
    s = s10 / m + s01 / n
    var = float(s[0, 0] + s[1, 1] - 2 * s[0, 1])
    d = auc_c - auc_p
    norm = _norm()
    if var <= 1e-15:
        z = 0.0 if d + margin == 0 else np.copysign(np.inf, d + margin)
        se = 0.0
    else:
        se = np.sqrt(var)
        z = (d + margin) / se
    return Paired(auc_c, auc_p, d, d + float(norm.ppf(1 - alpha)) * se, float(norm.cdf(z)),
                  f"{m} positive, {n} negative rows", float(norm.sf(z)))


# ----------------------------------------------------------------------------- MAE
def mae_test(err_c: np.ndarray, err_p: np.ndarray, margin: float, alpha: float) -> Paired:
    """Paired t-test on |e_c| - |e_p| (H0: mean difference <= margin; harm is a larger error)."""
    from scipy.stats import t as student

    d = np.abs(err_c) - np.abs(err_p)
    n = d.size
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else 0.0
    if sd == 0.0:
        stat = 0.0 if mean - margin == 0 else np.copysign(np.inf, mean - margin)
        se = 0.0
    else:
        se = sd / np.sqrt(n)
        stat = (mean - margin) / se
    p = float(student.sf(stat, n - 1))
    bound = mean - float(student.ppf(1 - alpha, n - 1)) * se if n > 1 else mean
    return Paired(float(np.mean(np.abs(err_c))), float(np.mean(np.abs(err_p))), mean, bound, p,
                  p_proof=float(student.cdf(stat, n - 1)))


# ----------------------------------------------------------------------------- bootstrap
def resample_chunks(n: int, n_boot: int, seed: int):
    """Yield index matrices (rows = resamples) drawn from ``default_rng(seed)``, chunk by chunk."""
    rng = np.random.default_rng(seed)
    per = max(1, CHUNK_VALUES // max(n, 1))
    done = 0
    while done < n_boot:
        k = min(per, n_boot - done)
        yield rng.integers(0, n, size=(k, n), dtype=np.int32 if n < 2**31 else np.int64)
        done += k


def bootstrap_sums(parts: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Column sums of ``parts`` (rows x k) over each resample: (n_boot x k).

    When the rows take few distinct values (0/1 confusion indicators) each resample is reduced
    to counts of the distinct rows (one bincount); otherwise to per-row weights."""
    n = parts.shape[0]
    uniq, codes = np.unique(parts, axis=0, return_inverse=True)
    codes = codes.ravel()
    out = []
    for idx in resample_chunks(n, n_boot, seed):
        k = idx.shape[0]
        if len(uniq) <= 64:
            cnt = np.bincount((np.arange(k)[:, None] * len(uniq) + codes[idx]).ravel(), minlength=k * len(uniq))
            out.append(cnt.reshape(k, len(uniq)).astype(np.float64) @ uniq)
        else:
            flat = (np.arange(k)[:, None] * n + idx).ravel()
            w = np.bincount(flat, minlength=k * n).reshape(k, n).astype(np.float64)
            out.append(w @ parts)
    return np.vstack(out)


def _confusion_parts(y, pc, pp):
    one = np.ones_like(y, dtype=np.float64)
    return np.column_stack([y * pc, (1 - y) * pc, y * (1 - pc), y * pp, (1 - y) * pp, y * (1 - pp), one])


def _prf(tp, fp, fn, metric):
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "precision":
            return tp / (tp + fp)
        if metric == "recall":
            return tp / (tp + fn)
        return 2 * tp / (2 * tp + fp + fn)


def metric_from_sums(metric: str, sums: np.ndarray):
    """(candidate, production) metric values from the summed parts (rows are resamples)."""
    if metric == "rmse":
        return np.sqrt(sums[..., 0] / sums[..., 2]), np.sqrt(sums[..., 1] / sums[..., 2])
    return (_prf(sums[..., 0], sums[..., 1], sums[..., 2], metric),
            _prf(sums[..., 3], sums[..., 4], sums[..., 5], metric))


def metric_parts(metric: str, y, c, p) -> np.ndarray:
    if metric == "rmse":
        return np.column_stack([(c - y) ** 2, (p - y) ** 2, np.ones_like(y, dtype=np.float64)])
    return _confusion_parts(y.astype(np.float64), c.astype(np.float64), p.astype(np.float64))


def bootstrap_test(metric: str, y, c, p, margin: float, alpha: float, n_boot: int, seed: int) -> Paired:
    """Seeded paired bootstrap of ``metric`` (precision, recall, f1 on 0/1 arrays; rmse on values)."""
    parts = metric_parts(metric, y, c, p)
    mc, mp = metric_from_sums(metric, parts.sum(axis=0))
    bc, bp = metric_from_sums(metric, bootstrap_sums(parts, n_boot, seed))
    deltas = bc - bp
    ok = ~np.isnan(deltas)
    deltas = deltas[ok]
    note = f"{n_boot} resamples, seed {seed}"
    if (~ok).any():
        note += f"; {int((~ok).sum())} resamples where the metric is undefined left out"
    d = float(mc - mp)
    if deltas.size == 0:
        return Paired(float(mc), float(mp), d, float("nan"), float("nan"), note)
    if HIGHER_IS_BETTER[metric]:
        bound = float(np.quantile(deltas, 1 - alpha))
        p_value = (1 + np.sum(deltas >= -margin)) / (deltas.size + 1)
        p_proof = (1 + np.sum(deltas <= -margin)) / (deltas.size + 1)
    else:
        bound = float(np.quantile(deltas, alpha))
        p_value = (1 + np.sum(deltas <= margin)) / (deltas.size + 1)
        p_proof = (1 + np.sum(deltas >= margin)) / (deltas.size + 1)
    return Paired(float(mc), float(mp), d, bound, float(min(p_value, 1.0)), note, float(min(p_proof, 1.0)))
