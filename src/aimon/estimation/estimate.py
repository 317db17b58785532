"""``aimon.estimate_performance``: a binary classifier's performance per window before its labels arrive.

The idea is NannyML's confidence-based performance estimation (CBPE): if the scores, once
calibrated on a labelled reference, are the probabilities that each row is positive, then every
metric has an expected value per window that needs no labels. Steps:

1. calibrate the reference scores (:mod:`.calibration`: none, isotonic or Platt);
2. per window, the calibrated probabilities give each metric's estimate and the standard
   deviation of the realized value around it (:mod:`.expected`, and the expected ROC AUC kernel);
3. the band is ``estimate +/- z sd`` (``z`` from ``level``); the reference's own per-window realized
   values give the reference range (mean +/- 3 sd);
4. where labels have arrived (``label_coverage >= min_label_coverage``), the realized value and the
   estimation error stand beside the estimate; a realized value outside its band is flagged as
   concept drift.

The estimate assumes that P(label | score) is the same as in the reference (no concept drift).
Input drift is fine: it moves the scores, and the estimate follows them.
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..roles import infer_roles
from . import chunks
from .calibration import Calibration, fit_calibration
from .expected import CONFUSION_METRICS, expected, realized
from .inputs import read_binary
from .result import PerformanceEstimate

METRICS = ("roc_auc",) + CONFUSION_METRICS
REFERENCE_SD = 3.0   # the reference range is mean +/- 3 sd of the reference's per-window values


def _metric_list(metrics):
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    bad = [m for m in metrics if m not in METRICS]
    if bad or not metrics:
        raise SchemaError([f"metrics={bad or metrics!r}: choose from {METRICS}."])
    return list(dict.fromkeys(metrics))


def _estimate(metric, score, p, d, bounds, cal):
    """Estimate and sd per window: the labels' chance variation and the calibration's own
    sampling error (independent, so their variances add)."""
    if metric == "roc_auc":
        from .._kernels.expected_auc import expected_auc

        est, sd, grad = expected_auc(score, p, bounds, with_grad=True)
    else:
        est, sd, grad = expected(metric, p, d, bounds, with_grad=True)
    return est, np.sqrt(sd ** 2 + cal.window_sd(score, grad, bounds) ** 2)


def _realized(metric, score, y, d, bounds, multi=False):
    """Realized metric per window over the rows whose label is known."""
    known = ~np.isnan(y)
    known[bounds[-1] if len(bounds) else 0:] = False  # rows after the last window (a dropped partial chunk)
    counts = _counts(known, bounds)
    sub = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    if multi:
        from .multiclass import realized_macro

        return realized_macro(metric, score[known], y[known], d[known], sub)
    if metric == "roc_auc":
        from .._kernels.ranking import window_auc

        return window_auc(np.ascontiguousarray(score[known]), np.ascontiguousarray(y[known]), sub)
    return realized(metric, y[known], d[known], sub)


def _reference_range(metric, ref, how, value, multi):
    """Mean +/- 3 sd of the realized metric over the reference's windows (complete chunks only)."""
    score = ref.scores if multi else ref.score
    bounds, _, _ = chunks.split(ref.times, len(score), how, value)
    if how == "size" and len(bounds) > 2 and bounds[-1] - bounds[-2] < value:
        bounds = bounds[:-1]
    vals = _realized(metric, score, ref.label, ref.pred, bounds, multi)
    vals = vals[~np.isnan(vals)]
    if vals.size < 2:
        return np.nan, np.nan, int(vals.size)
    m, s = float(vals.mean()), float(vals.std(ddof=1))
    return m - REFERENCE_SD * s, m + REFERENCE_SD * s, int(vals.size)


def estimate_performance(df: pd.DataFrame, reference: pd.DataFrame, metrics=("roc_auc", "accuracy"), freq=None,
                         chunk_size=None, calibration="auto", level=0.95, min_label_coverage=0.9,
                         decision_threshold=0.5, pos_label=None, class_scores=None, **roles) -> PerformanceEstimate:
    """Estimate a binary classifier's performance per window from its scores, before labels arrive.

    Parameters
    ----------
    df : DataFrame
        Inference log to judge: a ``score`` column (probability of the positive class), a
        ``prediction`` column (else ``score >= decision_threshold``), and a ``label`` column where
        labels have arrived (optional; NaN until they do).
    reference : DataFrame or timestamp-like
        A labelled period in which the model performed as expected (same columns). Its scores
        are calibrated against its labels, and its per-window metrics give the reference range.
        A timestamp splits ``df``: the rows before it are the reference, the rows from it on
        are judged.
    metrics : str or list of str
        Any of ``roc_auc``, ``accuracy``, ``precision``, ``recall``, ``specificity``, ``f1``.
    freq : str, optional
        Time windows (any pandas frequency, as ``df.resample(freq)``). Default ``"1D"``.
    chunk_size : int, optional
        Windows of this many consecutive rows (in time order) instead of time windows; the last
        chunk may be smaller.
    calibration : {"auto", "isotonic", "platt", "none"}
        How the reference scores are calibrated (see :mod:`aimon.estimation.calibration`):
        ``auto`` keeps calibrated scores (Spiegelhalter's test), else isotonic from 1,000 labelled
        reference rows and Platt below.
    level : float
        Probability that the band ``[lower, upper]`` holds the realized value when the model
        and its calibration still hold (normal approximation).
    min_label_coverage : float
        Realized values are shown for windows where at least this share of rows has a label.
    decision_threshold : float
        Prediction = ``score >= decision_threshold`` when there is no prediction column.
    pos_label : optional
        The positive class when labels/predictions are not 0/1 or bool.
    class_scores : dict, optional
        A multiclass model: ``{class: score column}`` (label values as keys). Each class is
        calibrated one-vs-rest; precision, recall, specificity, F1 and ROC AUC are macro averages
        over the classes (see :mod:`aimon.estimation.multiclass`). Predictions come from the
        ``prediction`` column, else the class with the highest score. When there is no ``score``
        column, columns named ``y_pred_proba_<class>``, ``proba_<class>``, ``score_<class>`` or
        ``p_<class>`` whose suffixes are label values of the reference are used.
    **roles
        Column overrides for both frames, e.g. ``score="y_pred_proba"``, ``label="repaid"``.

    Returns
    -------
    PerformanceEstimate
        ``.table`` has one row per window: ``rows``, ``labelled``, ``label_coverage``, per metric
        ``<m>_estimate``, ``<m>_lower``, ``<m>_upper``, ``<m>_realized``, ``<m>_error`` (realized
        - estimate), ``<m>_alert``; then ``alert``, ``concept_drift`` and ``note`` (why a value
        is NaN). Regression models are not covered (see docs/estimation.md).

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> ref = df[df.index < df.attrs["reference_end"]]
    >>> est = df[df.index >= df.attrs["reference_end"]].aimon.estimate_performance(reference=ref)
    >>> est.calibration.method, list(est.table.columns[3:6])
    ('isotonic', ['roc_auc_estimate', 'roc_auc_lower', 'roc_auc_upper'])
    """
    metrics = _metric_list(metrics)
    how, value = chunks.check(freq, chunk_size)
    if isinstance(reference, (str, pd.Timestamp)) or hasattr(reference, "isoformat"):
        df, reference = _split(df, reference, roles)
    for name, v, lo in (("level", level, 0.0), ("min_label_coverage", min_label_coverage, 0.0),
                        ("decision_threshold", decision_threshold, 0.0)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= 1 or (name == "level" and not 0 < v < 1):
            raise SchemaError([f"{name}={v!r}: give a number between 0 and 1."])
    need_time = how == "freq"
    if class_scores is None and isinstance(reference, pd.DataFrame) and roles.get("score") is None \
            and infer_roles(reference, **roles).get("score") is None:
        from .multiclass import detect_class_scores

        class_scores = detect_class_scores(reference, infer_roles(reference, **roles).get("label"))
    multi = class_scores is not None
    if multi:
        from . import multiclass

        if not isinstance(class_scores, dict) or len(class_scores) < 2:
            raise SchemaError(["class_scores=: give a dict {class: score column} with at least two classes."])
        ref = multiclass.read_multiclass(reference, "reference", need_time, True, class_scores, roles)
        cur = multiclass.read_multiclass(df, "df", need_time, False, class_scores, roles)
        cals = multiclass.fit(ref, calibration)
        P = multiclass.probabilities(cals, cur.scores)
        cal = cals
        score = cur.scores

        def estimate_metric(m, bounds):
            return multiclass.estimate(m, cur.scores, P, cur.pred, bounds)
    else:
        ref = read_binary(reference, "reference", need_time, True, pos_label, decision_threshold, roles)
        cur = read_binary(df, "df", need_time, False, pos_label, decision_threshold, roles)
        known = ~np.isnan(ref.label)
        cal = fit_calibration(ref.score[known], ref.label[known], calibration)
        p = cal.predict(cur.score)
        score = cur.score

        def estimate_metric(m, bounds):
            return _estimate(m, cur.score, p, cur.pred, bounds, cal)
    bounds, index, extra = chunks.split(cur.times, len(score), how, value)
    rows = np.diff(bounds)
    n_lab = _counts(~np.isnan(cur.label), bounds)
    coverage = np.where(rows > 0, n_lab / np.maximum(rows, 1), np.nan)
    judged = coverage >= min_label_coverage
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    cols = dict(extra)
    cols.update({"rows": rows, "labelled": n_lab, "label_coverage": coverage})
    notes = [[] for _ in rows]
    ranges = {}
    any_alert = np.zeros(len(rows), dtype=bool)
    drift = np.zeros(len(rows), dtype=bool)
    for m in metrics:
        est, sd = estimate_metric(m, bounds)
        lo, hi = np.clip(est - z * sd, 0.0, 1.0), np.clip(est + z * sd, 0.0, 1.0)
        real = np.where(judged, _realized(m, score, cur.label, cur.pred, bounds, multi), np.nan)
        ref_lo, ref_hi, n_ref = _reference_range(m, ref, how, value, multi)
        ranges[m] = {"lower": ref_lo, "upper": ref_hi, "windows": n_ref}
        alert = hi < ref_lo  # the whole band lies below the reference range (False when NaN)
        outside = (real < lo) | (real > hi)
        cols.update({f"{m}_estimate": est, f"{m}_lower": lo, f"{m}_upper": hi, f"{m}_realized": real,
                     f"{m}_error": real - est, f"{m}_alert": alert})
        any_alert |= alert
        drift |= outside
        for k in np.flatnonzero(np.isnan(est)):
            notes[k].append(_why(m, rows[k]))
    for k in np.flatnonzero((rows > 0) & ~judged):
        notes[k].append(f"realized: {n_lab[k]} of {rows[k]} labels arrived (< {min_label_coverage:.0%})")
    cols.update({"alert": any_alert, "concept_drift": drift,
                 "note": ["; ".join(dict.fromkeys(n)) for n in notes]})
    table = pd.DataFrame(cols, index=index)
    excluded = {f"reference_{k}": v for k, v in ref.excluded.items()}
    excluded.update(cur.excluded)
    if excluded:
        import warnings

        from ..errors import DataDroppedWarning

        parts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in excluded.items())
        warnings.warn(f"estimate_performance(): rows left out: {parts} (counted in .excluded).",
                      DataDroppedWarning, stacklevel=2)
    return PerformanceEstimate(table=table, metrics=metrics, calibration=cal, reference_range=ranges,
                               level=level, chunking=(how, value), excluded=excluded)


def _split(df, when, roles):
    """(rows from ``when`` on, rows before it) of ``df`` by its timestamp role."""
    from .._log import _timestamps
    from ..roles import require

    if not isinstance(df, pd.DataFrame):
        raise SchemaError([f"estimate_performance(): df must be a DataFrame, got {type(df).__name__}."])
    r = infer_roles(df, **roles)
    require(r, ["timestamp"], df, "estimate_performance(reference=<a time>)")
    times, _ = _timestamps(df, r["timestamp"])
    try:
        cut = pd.Timestamp(when)
    except (ValueError, TypeError):
        raise SchemaError([f"reference={when!r} is neither a DataFrame nor a time."]) from None
    if (cut.tz is None) != (times.tz is None):
        cut = cut.tz_localize(times.tz) if cut.tz is None else cut.tz_convert(None)
    before = np.asarray(times < cut)
    return df[~before], df[before]


def _counts(mask, bounds):
    seen = np.concatenate([[0], np.cumsum(mask)])
    return (seen[bounds[1:]] - seen[bounds[:-1]]).astype(np.int64)


def _why(metric, n):
    if n == 0:
        return "no scored rows"
    if metric == "roc_auc" and n == 1:
        return "roc_auc: one row (needs a positive and a negative)"
    if metric == "roc_auc":
        return "roc_auc: the calibrated probabilities rule out one class"
    return f"{metric}: undefined (its expected denominator is 0, e.g. no predicted positives)"
