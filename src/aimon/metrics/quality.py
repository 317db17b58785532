"""Model quality per time window: classification, calibration, confidence and regression metrics.

Conventions (stated so that every number can be checked):

- Only rows with a label count towards label metrics; ``labelled`` and ``unlabelled`` say how many.
- Binary tasks: labels 0/1 or bool (or any two classes with ``pos_label=``); ``score`` is the
  probability of the positive class. Without a ``prediction`` column, the prediction is
  ``score >= decision_threshold``.
- Precision, recall and F1 are NaN where undefined (no predicted / no actual positives), as in
  scikit-learn with ``zero_division=np.nan``; multiclass macro averages leave such classes out.
  The counts ``positives`` and ``predicted_positives`` show why.
- ROC AUC uses average ranks for ties (= ``roc_auc_score``); NaN when a window has one class.
- ECE: 10 equal-width bins of the positive-class score (binary) or of the top-label confidence
  (multiclass), ``sum_b n_b/n * |mean(outcome) - mean(score)|``.
- Confidence: ``max(score, 1 - score)`` for binary, ``score`` for multiclass, and ``score`` as
  it is for a log with neither label nor prediction (an LLM assistant's confidence; pass
  ``task="binary"`` when such a score is a class probability); a
  prediction is *low-confidence* (flag for human review) when confidence < ``confidence_threshold``.
- Regression: MAE, RMSE, bias (mean of prediction - label) and MAPE over rows with label != 0
  (rows with a zero label are counted in ``mape_excluded``).
- LLM signals (see :mod:`aimon.metrics.llm`): ``hallucination_rate`` over the ``evaluated`` rows,
  ``negative_feedback_share`` over the ``feedback_count`` rows, ``fallback_rate``. Without a label
  column the label metrics are left out rather than reported as NaN.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._log import Problems, numeric, prepare, windows
from ..errors import SchemaError
from ..roles import absent_roles_note, infer_roles, require
from . import encoding
from ._table import finish, per_segment, ratio, sum_count
from .llm import feedback_flags, hallucination_flags, llm_block

TASKS = ("auto", "binary", "multiclass", "regression")
ECE_BINS = 10


def _is_01(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values.dtype):
        return True
    if values.dtype == object:  # bools (or 0/1) with None for missing labels
        return all(isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)) and v in (0, 1)
                   for v in pd.unique(values.dropna()))
    if not pd.api.types.is_numeric_dtype(values.dtype):
        return False
    u = pd.unique(values.dropna().to_numpy(dtype=np.float64))
    return bool(np.isin(u, [0.0, 1.0]).all())


def confidence(score: np.ndarray, r, task="auto") -> np.ndarray:
    """Confidence of a binary model's outputs: ``max(score, 1 - score)`` when ``score`` is the
    probability of the positive class, and ``score`` itself for a log with neither label nor
    prediction (an LLM assistant's self-reported confidence, say) unless ``task="binary"`` says
    that the score is a class probability."""
    if task == "auto" and r.get("label") is None and r.get("prediction") is None:
        return score
    return np.maximum(score, 1.0 - score)


def detect_task(df, r, task, pos_label) -> str:
    if task not in TASKS:
        raise SchemaError([f"task={task!r} is not one of {TASKS}."])
    if task != "auto":
        return task
    if pos_label is not None:
        return "binary"
    lab = df[r["label"]] if r.get("label") is not None else None
    pre = df[r["prediction"]] if r.get("prediction") is not None else None
    if lab is None and pre is None:
        return "binary"  # score only: confidence metrics of a binary classifier
    if encoding.is_binary(lab, pre):
        return "binary"  # two values across label and prediction ('yes'/'no' on both sides too)
    col = r["label"] if lab is not None else r.get("prediction")
    if lab is not None and pre is not None and not lab.notna().any():
        col = r["prediction"]  # no label has arrived yet: the predictions tell the task
    s = df[col]
    if _is_01(s):
        return "binary"
    if pd.api.types.is_numeric_dtype(s.dtype):
        x = s.dropna().to_numpy(dtype=np.float64)
        integral = np.isfinite(x).all() and np.all(x == np.round(x))
        return "multiclass" if integral and len(np.unique(x)) <= 20 else "regression"
    return "multiclass"


def _check_classes_shared(df, r):
    """Refuse a classifier's label and prediction columns that share no class because one holds
    numbers and the other text (a class-encoding mismatch; accuracy would be 0 without a word)."""
    if r.get("label") is None or r.get("prediction") is None:
        return
    lab, pre = df[r["label"]].dropna(), df[r["prediction"]].dropna()
    if not len(lab) or not len(pre):
        return
    if encoding.kinds_differ(encoding.distinct(lab, 50), encoding.distinct(pre, 50)):
        raise SchemaError([f"The label column {r['label']!r} (values like {encoding.distinct(lab, 4)!r}) and the "
                           f"prediction column {r['prediction']!r} (values like {encoding.distinct(pre, 4)!r}) "
                           f"share no class, so every prediction would count as wrong. Map one onto the other "
                           f"first (e.g. df[{r['label']!r}].map({{...}})), or name other columns with label=/"
                           f"prediction=."], df.columns)


def _binary_pair(df, r, order, pos_label):
    """Label and prediction as 1.0 (positive) / 0.0 / NaN (missing), each side mapped to the
    positive class (see :mod:`aimon.metrics.encoding`)."""
    cols = {k: r.get(k) for k in ("label", "prediction")}
    sides = {k: (df[c] if c is not None else None) for k, c in cols.items()}
    for k, s in sides.items():
        if s is not None and len(encoding.distinct(s)) > 2:
            raise SchemaError([f"Role {k!r}: column {cols[k]!r} has more than two classes "
                               f"({list(pd.unique(s.dropna()))[:5]!r}), so the task is not binary. Pass "
                               f"task='multiclass', or name another column with {k}='...'."], df.columns)
    positive = encoding.positive_class(sides["label"], sides["prediction"], pos_label, cols)
    return {k: encoding.encode(s, positive[k], order) if k in positive else np.full(len(order), np.nan)
            for k, s in sides.items()}


SCORE_SCALES = ("probability", "percent", "logit")


def _scores(df, col, order, scale="probability"):
    values, n_missing, n_invalid = numeric(df, col, "score", order)
    if scale == "percent":
        values = values / 100.0
    elif scale == "logit":
        with np.errstate(over="ignore"):
            values = 1.0 / (1.0 + np.exp(-values))
    finite = values[~np.isnan(values)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        lo, hi = (finite.min(), finite.max()) if scale != "percent" else (finite.min() * 100, finite.max() * 100)
        raise SchemaError([f"Role 'score': column {col!r} must hold probabilities in [0, 1]"
                           f"{' (percentages in [0, 100] with score_scale=' + repr(scale) + ')' if scale == 'percent' else ''}; "
                           f"found values from {lo:.4g} to {hi:.4g}. Pass score_scale='percent' for 0-100 "
                           f"scores or score_scale='logit' for raw log-odds (a sigmoid maps them), or "
                           f"score=None to skip score metrics."], df.columns)
    return values, n_missing + n_invalid


def _fallback(df, col, order):
    values, n_missing, n_invalid = numeric(df, col, "fallback", order)
    return values, n_missing + n_invalid


def _codes(df, r, order):
    """Class codes (-1 = missing) of label and prediction on one shared set of classes."""
    lab = pd.Series(df[r["label"]].to_numpy(dtype=object)[order]) if r.get("label") else None
    pre = pd.Series(df[r["prediction"]].to_numpy(dtype=object)[order])
    both = pd.concat([s for s in (lab, pre) if s is not None], ignore_index=True)
    codes, classes = pd.factorize(both, sort=False)
    n = len(order)
    y = codes[:n] if lab is not None else np.full(n, -1)
    p = codes[n:] if lab is not None else codes[:n]
    return y.astype(np.int64), p.astype(np.int64), len(classes)


def _prf(tp, n_true, n_pred):
    precision = ratio(tp, n_pred)
    recall = ratio(tp, n_true)
    f1 = ratio(2 * tp, n_true + n_pred)
    return precision, recall, f1


def _ece(outcome, score, bounds):
    k = len(bounds) - 1
    wid = np.repeat(np.arange(k), np.diff(bounds))
    ok = ~(np.isnan(outcome) | np.isnan(score))
    wid, o, s = wid[ok], outcome[ok], score[ok]
    b = np.minimum((s * ECE_BINS).astype(np.int64), ECE_BINS - 1)
    cell = wid * ECE_BINS + b
    so = np.bincount(cell, weights=o, minlength=k * ECE_BINS).reshape(k, ECE_BINS)
    ss = np.bincount(cell, weights=s, minlength=k * ECE_BINS).reshape(k, ECE_BINS)
    n = np.bincount(wid, minlength=k)
    return ratio(np.abs(so - ss).sum(axis=1), n)


def _auc(score, y, bounds):
    from .._kernels.ranking import window_auc

    k = len(bounds) - 1
    wid = np.repeat(np.arange(k), np.diff(bounds))
    ok = ~(np.isnan(score) | np.isnan(y))
    counts = np.bincount(wid[ok], minlength=k)
    sub_bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return window_auc(np.ascontiguousarray(score[ok]), np.ascontiguousarray(y[ok]), sub_bounds)


def quality(df: pd.DataFrame, freq="1D", by=None, confidence_threshold=0.6, decision_threshold=0.5,
            task="auto", pos_label=None, score_scale="probability", **roles) -> pd.DataFrame:
    """Model quality metrics per time window (and segment).

    Parameters
    ----------
    df : DataFrame
        Inference log with a ``label`` column (NaN until ground truth arrives) and a
        ``prediction`` and/or ``score`` column.
    freq : str
        Window length (any pandas frequency); windows match ``df.resample(freq)``.
    by : str or list of str, optional
        Segment column(s).
    confidence_threshold : float
        Predictions with confidence below it count as low-confidence (sent to human review).
    decision_threshold : float
        Binary prediction = ``score >= decision_threshold`` when no prediction column exists.
    task : {"auto", "binary", "multiclass", "regression"}
        Inferred from the label column when "auto".
    pos_label : optional
        The positive class of a binary task. Inferred when the classes are 0/1 or bool (1/True), or
        when exactly one of the two values is a common positive name ('yes', 'true', 'positive',
        'fraud', 'spam', 'churn', 'default', ...); otherwise required. A binary task is one with at
        most two distinct values across label and prediction. Label and prediction columns that
        share no value (e.g. 'yes'/'no' against 0/1) are refused unless ``pos_label`` is given
        (then a 0/1 or bool side reads 1/True as positive).
    score_scale : {"probability", "percent", "logit"}
        How ``score`` is expressed: probabilities in [0, 1] (default), percentages in [0, 100], or
        log-odds mapped by a sigmoid. Scores outside the range of the scale are refused.
    **roles
        Column overrides, e.g. ``label="y"``, ``score="p_default"``.

    Returns
    -------
    DataFrame indexed by window start with ``requests``, ``labelled``, ``unlabelled``,
    ``label_coverage`` and the metrics of the task (see the module docstring for definitions).

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> q = df.aimon.quality("1D")
    >>> bool((q["labelled"] + q["unlabelled"] == q["requests"]).all())
    True
    """
    for name, v in (("confidence_threshold", confidence_threshold), ("decision_threshold", decision_threshold)):
        if not (isinstance(v, (int, float)) and 0 <= v <= 1):
            raise SchemaError([f"{name}={v!r}: give a number between 0 and 1."])
    if score_scale not in SCORE_SCALES:
        raise SchemaError([f"score_scale={score_scale!r} is not one of {SCORE_SCALES}."])
    r = infer_roles(df, **roles)
    signals = ("label", "score", "prediction", "fallback", "hallucination", "feedback")
    require(r, ["timestamp"] + (["label"] if all(r.get(k) is None for k in signals) else []), df, "quality()")
    has_label = r.get("label") is not None
    timed = [f"Role {k!r}: column {r[k]!r} holds times ({df[r[k]].dtype}), not classes or values. Name another "
             f"column with {k}='...'." for k in ("label", "prediction") if r.get(k) is not None and (
                 pd.api.types.is_datetime64_any_dtype(df[r[k]].dtype)
                 or pd.api.types.is_timedelta64_dtype(df[r[k]].dtype))]
    if timed:
        raise SchemaError(timed, df.columns)
    asked, task = task, detect_task(df, r, task, pos_label)
    if has_label and task != "regression" and r.get("prediction") is None and r.get("score") is None:
        require(r, ["prediction"], df, "quality()")
    if task == "regression" and r.get("prediction") is None:
        require(r, ["prediction"], df, "quality() for regression")
    if task == "multiclass" and r.get("prediction") is None:
        require(r, ["prediction"], df, "quality() for a multiclass model")
    if task == "multiclass":
        _check_classes_shared(df, r)
    checks = Problems(df)  # every unusable role column is reported in one error
    log = checks.run(prepare, df, r)
    order = log.order if log is not None else np.arange(len(df))
    signal = {}
    for role, convert in (("score", lambda d, c, o: _scores(d, c, o, score_scale)), ("fallback", _fallback), ("hallucination", hallucination_flags),
                          ("feedback", feedback_flags)):
        if r.get(role) is not None:
            signal[role] = checks.run(convert, df, r[role], order)
    if task == "binary" and (has_label or r.get("prediction") is not None):
        pair = checks.run(_binary_pair, df, r, order, pos_label)
    checks.note(absent_roles_note(df, r, ("label", "prediction", "score"), "quality()"))
    checks.raise_any()
    checks.warn_any()
    win = windows(log.times, freq)
    excluded = {}
    score = fallback = None
    if "score" in signal:
        score, excluded["score_missing"] = signal["score"]
    if "fallback" in signal:
        fallback, excluded["fallback_unknown"] = signal["fallback"]
    hallucination, feedback = signal.get("hallucination"), signal.get("feedback")

    if task == "binary":
        y = pair["label"] if has_label else np.full(len(order), np.nan)
        if r.get("prediction") is not None:
            p = pair["prediction"]
            excluded["prediction_missing"] = int(np.isnan(p).sum())
        elif score is not None:
            p = np.where(np.isnan(score), np.nan, (score >= decision_threshold).astype(np.float64))
        else:
            p = np.full(len(order), np.nan)
        labelled = ~np.isnan(y)
        conf = None if score is None else confidence(score, r, asked)
    elif task == "multiclass":
        yc, pc, n_classes = _codes(df, r, order)
        excluded["prediction_missing"] = int((pc < 0).sum())
        labelled = yc >= 0
        conf = score
        y = p = None
    else:
        y, m, i = numeric(df, r["label"], "label", order) if has_label else (np.full(len(order), np.nan), 0, 0)
        p, pm, pi = numeric(df, r["prediction"], "prediction", order)
        excluded["prediction_missing"] = pm + pi
        labelled = ~np.isnan(y)
        conf = None
    excluded["unlabelled"] = int((~labelled).sum())

    def compute(pos, bounds):
        requests = np.diff(bounds)
        lab = labelled[pos].astype(np.float64)
        n_lab, _ = sum_count(lab, bounds)
        cols = {"requests": requests}
        if has_label:
            cols.update({"labelled": n_lab.astype(np.int64), "unlabelled": (requests - n_lab).astype(np.int64),
                         "label_coverage": ratio(n_lab, requests)})
        if has_label and task == "binary":
            cols.update(_binary_block(y[pos], p[pos], None if score is None else score[pos], bounds))
        elif has_label and task == "multiclass":
            cols.update(_multiclass_block(yc[pos], pc[pos], n_classes, None if score is None else score[pos], bounds))
        elif has_label:
            cols.update(_regression_block(y[pos], p[pos], bounds))
        if conf is not None:
            c = conf[pos]
            total, counted = sum_count(c, bounds)
            low, _ = sum_count(np.where(np.isnan(c), np.nan, (c < confidence_threshold).astype(np.float64)), bounds)
            cols["mean_confidence"] = ratio(total, counted)
            cols["low_confidence_share"] = ratio(low, counted)
        if fallback is not None:
            fb, known = sum_count(fallback[pos], bounds)
            cols["fallback_rate"] = ratio(fb, known)
        cols.update(llm_block(None if hallucination is None else hallucination[pos],
                              None if feedback is None else feedback[pos], bounds))
        return cols

    table = per_segment(df, log, win, by, compute)
    out = finish(table, log, freq, {k: v for k, v in excluded.items() if k != "unlabelled"}, "quality()")
    out.attrs["aimon"]["task"] = task
    out.attrs["aimon"]["unlabelled"] = int(excluded["unlabelled"])
    return out


def _binary_block(y, p, score, bounds):
    both = ~(np.isnan(y) | np.isnan(p))
    yy = np.where(both, y, np.nan)
    pp = np.where(both, p, np.nan)
    n, _ = sum_count(np.where(both, 1.0, np.nan), bounds)
    correct, _ = sum_count(np.where(both, (yy == pp).astype(np.float64), np.nan), bounds)
    tp, _ = sum_count(np.where(both, yy * pp, np.nan), bounds)
    pos_true, _ = sum_count(yy, bounds)
    pos_pred, _ = sum_count(pp, bounds)
    precision, recall, f1 = _prf(tp, pos_true, pos_pred)
    cols = {"positives": pos_true.astype(np.int64), "predicted_positives": pos_pred.astype(np.int64),
            "accuracy": ratio(correct, n), "precision": precision, "recall": recall, "f1": f1}
    if score is not None:
        ys = np.where(np.isnan(score), np.nan, y)
        ss = np.where(np.isnan(ys), np.nan, score)
        cols["roc_auc"] = _auc(ss, ys, bounds)
        se, cnt = sum_count((ss - ys) ** 2, bounds)
        cols["brier"] = ratio(se, cnt)
        cols["ece"] = _ece(ys, ss, bounds)
    return cols


def _multiclass_block(yc, pc, n_classes, score, bounds):
    k = len(bounds) - 1
    wid = np.repeat(np.arange(k), np.diff(bounds))
    both = (yc >= 0) & (pc >= 0)
    w, y, p = wid[both], yc[both], pc[both]
    c = max(n_classes, 1)
    n = np.bincount(w, minlength=k).astype(np.float64)
    hit = y == p
    correct = np.bincount(w[hit], minlength=k).astype(np.float64)
    tp = np.bincount(w[hit] * c + y[hit], minlength=k * c).reshape(k, c).astype(np.float64)
    n_true = np.bincount(w * c + y, minlength=k * c).reshape(k, c).astype(np.float64)
    n_pred = np.bincount(w * c + p, minlength=k * c).reshape(k, c).astype(np.float64)
    precision, recall, f1 = _prf(tp, n_true, n_pred)
    present = (n_true + n_pred) > 0
    cols = {"accuracy": ratio(correct, n), "precision": _masked_mean(precision, present),
            "recall": _masked_mean(recall, present), "f1": _masked_mean(f1, present)}
    if score is not None:
        outcome = np.where(both, (yc == pc).astype(np.float64), np.nan)
        cols["ece"] = _ece(outcome, np.where(both, score, np.nan), bounds)
    return cols


def _masked_mean(values, present):
    """Mean over classes present in a window, leaving out NaN (undefined) entries."""
    v = np.where(present & ~np.isnan(values), values, 0.0)
    cnt = (present & ~np.isnan(values)).sum(axis=1)
    return ratio(v.sum(axis=1), cnt)


def _regression_block(y, p, bounds):
    both = ~(np.isnan(y) | np.isnan(p))
    err = np.where(both, p - y, np.nan)
    n, _ = sum_count(np.where(both, 1.0, np.nan), bounds)
    abs_sum, _ = sum_count(np.abs(err), bounds)
    sq_sum, _ = sum_count(err ** 2, bounds)
    bias_sum, _ = sum_count(err, bounds)
    nonzero = both & (y != 0)
    ape = np.where(nonzero, np.abs(err) / np.where(nonzero, np.abs(y), 1.0), np.nan)
    ape_sum, ape_n = sum_count(ape, bounds)
    return {"mae": ratio(abs_sum, n), "rmse": np.sqrt(ratio(sq_sum, n)), "bias": ratio(bias_sum, n),
            "mape": ratio(ape_sum, ape_n), "mape_excluded": (n - ape_n).astype(np.int64)}
