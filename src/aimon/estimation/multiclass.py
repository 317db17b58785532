"""Multiclass models, one-vs-rest: one score column per class.

Each class's scores are calibrated against "label == class" on the reference (same rules as the
binary case), and the calibrated probabilities of a row are divided by their sum so that they
add up to 1 (a row whose calibrated probabilities are all 0 gets 1/C each).

- ``accuracy``: the probability that a row is right is its calibrated probability of the predicted
  class; the estimate (mean of those) is exact.
- ``precision``, ``recall``, ``specificity``, ``f1``: the binary estimate of each class against the
  rest, averaged over the classes where it is defined (macro average; realized values are averaged
  the same way, as scikit-learn's ``average="macro"`` with ``zero_division=np.nan``).
- ``roc_auc``: one-vs-rest expected AUC per class (ranked by that class's raw score), macro average.

Standard deviation of a macro average: the per-class linearisations are summed into one weight per
(row, class), ``h_ic``, and a row's label is one categorical draw, so
``Var = sum_i (sum_c h_ic^2 p_ic - (sum_c h_ic p_ic)^2)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._log import prepare
from ..errors import AimonError, SchemaError
from ..metrics._table import ratio
from ..roles import infer_roles, require
from .calibration import fit_calibration
from .expected import expected, realized


@dataclass
class ScoredMulti:
    times: pd.DatetimeIndex | None
    scores: np.ndarray        # n x C
    pred: np.ndarray          # class codes 0..C-1
    label: np.ndarray         # class codes as floats, NaN where unknown
    rows: int
    excluded: dict = field(default_factory=dict)


PREFIXES = ("y_pred_proba_", "proba_", "score_", "p_")


def detect_class_scores(reference: pd.DataFrame, label_col) -> dict | None:
    """``{class: column}`` from columns named ``<prefix><class>`` (prefixes in :data:`PREFIXES`)
    when at least two exist and their suffixes are label values of the reference."""
    if label_col is None or label_col not in reference.columns:
        return None
    labels = set(pd.unique(reference[label_col].dropna()))
    for prefix in PREFIXES:
        found = {}
        for col in reference.columns:
            if isinstance(col, str) and col.startswith(prefix) and len(col) > len(prefix):
                suffix = col[len(prefix):]
                for key in (suffix, int(suffix) if suffix.lstrip("-").isdigit() else None):
                    if key is not None and key in labels:
                        found[key] = col
                        break
        if len(found) >= 2:
            return found
    return None


def read_multiclass(df, what, need_time, need_label, class_scores: dict, roles: dict) -> ScoredMulti:
    if not isinstance(df, pd.DataFrame):
        raise SchemaError([f"estimate_performance(): {what} must be a DataFrame, got {type(df).__name__}."])
    if not need_label and isinstance(roles.get("label"), str) and roles["label"] not in df.columns:
        roles = {**roles, "label": None}
    r = infer_roles(df, **{k: v for k, v in roles.items() if k != "score"})
    require(r, (["timestamp"] if need_time else []) + (["label"] if need_label else []), df,
            f"estimate_performance() on {what}")
    classes = list(class_scores)
    absent = [c for c in class_scores.values() if c not in df.columns]
    if absent:
        raise SchemaError([f"class_scores=: column(s) {absent!r} are not in {what}. Map each class to its "
                           f"score column, e.g. class_scores={{'A': 'proba_A', ...}}."], df.columns)
    excluded = {}
    if r.get("timestamp") is not None:
        log = prepare(df, r)
        order, times = log.order, log.times
        excluded.update({k: v for k, v in log.dropped.items() if k != "note"})
    else:
        order, times = np.arange(len(df)), None
    S = np.column_stack([pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=np.float64)[order]
                         for c in class_scores.values()])
    finite = np.isfinite(S)
    if (S[finite] < 0).any() or (S[finite] > 1).any():
        raise SchemaError([f"class_scores=: the score columns of {what} must hold probabilities in [0, 1]; found "
                           f"{S[finite].min():.4g} .. {S[finite].max():.4g}."], df.columns)
    keep = finite.all(axis=1)
    if (~keep).sum():
        excluded["score_missing"] = int((~keep).sum())
    codes = {c: i for i, c in enumerate(classes)}
    if r.get("prediction") is not None:
        raw = df[r["prediction"]].to_numpy(dtype=object)[order]
        pred = np.array([codes.get(v, -1) for v in raw], dtype=np.int64)
        unknown = keep & (pred < 0)
        if unknown.any():
            excluded["prediction_unknown_class"] = int(unknown.sum())
        keep &= pred >= 0
    else:
        pred = np.argmax(np.where(finite, S, -np.inf), axis=1)
    if r.get("label") is not None:
        raw = df[r["label"]].to_numpy(dtype=object)[order]
        missing = np.asarray(df[r["label"]].isna())[order]
        label = np.array([codes.get(v, np.nan) for v in raw], dtype=np.float64)
        odd = keep & ~missing & np.isnan(label)
        if odd.any():
            excluded["label_unknown_class"] = int(odd.sum())
    else:
        label = np.full(len(order), np.nan)
    if need_label:
        known = label[keep][~np.isnan(label[keep])]
        if known.size == 0:
            raise SchemaError([f"estimate_performance() on {what}: no labels of the classes {classes!r} in "
                               f"{r['label']!r}. Pass label='...' and class_scores with the label values as keys."],
                              df.columns)
        if np.unique(known).size < 2:
            raise AimonError(f"estimate_performance() on {what}: every labelled reference row has the same "
                             f"class; calibration needs at least two. Use a longer reference period.")
    t = None if times is None else times[keep]
    return ScoredMulti(t, S[keep], pred[keep], label[keep], len(df), excluded)


def fit(ref: ScoredMulti, method: str):
    """One calibration per class (class vs rest) on the reference's labelled rows."""
    known = ~np.isnan(ref.label)
    cals = []
    for c in range(ref.scores.shape[1]):
        y = (ref.label[known] == c).astype(np.float64)
        if y.min() == y.max():  # a class never (or always) seen: nothing to learn, keep its scores
            cals.append(fit_calibration(ref.scores[known, c], y, "none"))
        else:
            cals.append(fit_calibration(ref.scores[known, c], y, method))
    return cals


def probabilities(cals, S):
    P = np.column_stack([cal.predict(S[:, c]) for c, cal in enumerate(cals)])
    total = P.sum(axis=1, keepdims=True)
    return np.where(total > 0, P / np.where(total > 0, total, 1.0), 1.0 / S.shape[1])


def estimate(metric, S, P, pred, bounds):
    """Macro (or accuracy) estimate and sd per window."""
    from .._kernels.expected_auc import expected_auc

    n, C = P.shape
    if metric == "accuracy":
        q = P[np.arange(n), pred]
        return expected("accuracy", q, np.ones(n), bounds)
    k = len(bounds) - 1
    ests, grads = np.full((k, C), np.nan), np.zeros((n, C))
    for c in range(C):
        if metric == "roc_auc":
            e, _, g = expected_auc(S[:, c], P[:, c], bounds, with_grad=True)
        else:
            e, _, g = expected(metric, P[:, c], (pred == c).astype(np.float64), bounds, with_grad=True)
        ests[:, c], grads[:, c] = e, g
    valid = ~np.isnan(ests)
    n_valid = valid.sum(axis=1)
    est = ratio(np.where(valid, ests, 0.0).sum(axis=1), n_valid)
    counts = np.diff(bounds)
    h = grads * np.repeat(valid, counts, axis=0) / np.repeat(np.maximum(n_valid, 1), counts)[:, None]
    per_row = (h * h * P).sum(axis=1) - (h * P).sum(axis=1) ** 2
    var = np.add.reduceat(np.append(per_row, 0.0), bounds[:-1]) if k else np.zeros(0)
    var[counts == 0] = 0.0
    return est, np.where(np.isnan(est), np.nan, np.sqrt(np.maximum(var, 0.0)))


def realized_macro(metric, S, y, pred, bounds):
    """Realized accuracy or macro metric per window over rows with a known label (no NaN in y)."""
    from .._kernels.ranking import window_auc

    if metric == "accuracy":
        return realized("accuracy", (y == pred).astype(np.float64), np.ones(len(y)), bounds)
    C = S.shape[1]
    vals = np.full((len(bounds) - 1, C), np.nan)
    for c in range(C):
        yc = (y == c).astype(np.float64)
        if metric == "roc_auc":
            vals[:, c] = window_auc(np.ascontiguousarray(S[:, c]), yc, bounds)
        else:
            vals[:, c] = realized(metric, yc, (pred == c).astype(np.float64), bounds)
    valid = ~np.isnan(vals)
    return ratio(np.where(valid, vals, 0.0).sum(axis=1), valid.sum(axis=1))
