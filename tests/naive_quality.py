"""Slow, obviously correct references for ``aimon.quality`` and ``aimon.join_labels``.

Windows are found with ``resample``; every metric is computed row by row, or with scikit-learn,
on the rows of one window. Nothing here imports aimon.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, brier_score_loss, f1_score, mean_absolute_error,
                             mean_absolute_percentage_error, precision_score, recall_score,
                             roc_auc_score, root_mean_squared_error)

NAN = float("nan")


def missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def window_rows(times: pd.Series, freq: str, grid=None):
    """[(window start, boolean mask of the rows in it)] for left-closed ``freq`` windows.

    The windows cover ``grid`` (default: ``times``), so that a segment can use its frame's windows.
    """
    t = pd.DatetimeIndex(times)
    g = t if grid is None else pd.DatetimeIndex(grid)
    if len(g) == 0:
        return []
    starts = pd.Series(1, index=g.sort_values()).resample(freq).size().index
    out = []
    for k, start in enumerate(starts):
        mask = np.asarray(t >= start)
        if k + 1 < len(starts):
            mask &= np.asarray(t < starts[k + 1])
        out.append((start, mask))
    return out


def ece(outcomes, scores) -> float:
    """10 equal-width bins [b/10, (b+1)/10) (the last one closed), sum_b n_b/n |mean(o) - mean(s)|."""
    n = len(scores)
    if n == 0:
        return NAN
    total = 0.0
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        members = [i for i in range(n) if lo <= scores[i] < hi or (b == 9 and scores[i] == 1.0)]
        if members:
            mo = sum(outcomes[i] for i in members) / len(members)
            ms = sum(scores[i] for i in members) / len(members)
            total += len(members) / n * abs(mo - ms)
    return total


def mean_or_nan(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else NAN


def confidence_block(scores, threshold, binary: bool) -> dict:
    conf = [max(s, 1 - s) if binary else s for s in scores if not missing(s)]
    return {"mean_confidence": mean_or_nan(conf),
            "low_confidence_share": mean_or_nan(1.0 if c < threshold else 0.0 for c in conf)}


def binary_metrics(labels, preds, scores, pos_label=1, decision_threshold=0.5) -> dict:
    """Metrics of one window. ``preds`` None: prediction = score >= decision_threshold."""
    n = len(labels)
    y = [NAN if missing(v) else float(v == pos_label) for v in labels]
    if preds is None:
        p = [NAN if missing(s) else float(s >= decision_threshold) for s in scores]
    else:
        p = [NAN if missing(v) else float(v == pos_label) for v in preds]
    both = [i for i in range(n) if not (math.isnan(y[i]) or math.isnan(p[i]))]
    yb = np.array([y[i] for i in both], dtype=int)
    pb = np.array([p[i] for i in both], dtype=int)
    out = {"positives": int(yb.sum()), "predicted_positives": int(pb.sum())}
    if both:
        out["accuracy"] = accuracy_score(yb, pb)
        out["precision"] = precision_score(yb, pb, zero_division=np.nan)
        out["recall"] = recall_score(yb, pb, zero_division=np.nan)
        out["f1"] = f1_score(yb, pb, zero_division=np.nan)
    else:
        out.update(accuracy=NAN, precision=NAN, recall=NAN, f1=NAN)
    if scores is not None:
        rows = [i for i in range(n) if not (math.isnan(y[i]) or missing(scores[i]))]
        ys = np.array([y[i] for i in rows], dtype=int)
        ss = np.array([scores[i] for i in rows], dtype=float)
        out["roc_auc"] = roc_auc_score(ys, ss) if len(set(ys.tolist())) == 2 else NAN
        out["brier"] = brier_score_loss(ys, ss, labels=[0, 1]) if rows else NAN
        out["ece"] = ece(ys.tolist(), ss.tolist())
    return out


def multiclass_metrics(labels, preds, scores) -> dict:
    n = len(labels)
    both = [i for i in range(n) if not (missing(labels[i]) or missing(preds[i]))]
    y = [labels[i] for i in both]
    p = [preds[i] for i in both]
    if both:
        out = {"accuracy": accuracy_score(y, p),
               "precision": precision_score(y, p, average="macro", zero_division=np.nan),
               "recall": recall_score(y, p, average="macro", zero_division=np.nan),
               "f1": f1_score(y, p, average="macro", zero_division=np.nan)}
    else:
        out = {"accuracy": NAN, "precision": NAN, "recall": NAN, "f1": NAN}
    if scores is not None:
        rows = [i for i in both if not missing(scores[i])]
        out["ece"] = ece([float(labels[i] == preds[i]) for i in rows], [scores[i] for i in rows])
    return out


def regression_metrics(labels, preds) -> dict:
    both = [i for i in range(len(labels)) if not (missing(labels[i]) or missing(preds[i]))]
    y = np.array([labels[i] for i in both], dtype=float)
    p = np.array([preds[i] for i in both], dtype=float)
    nz = y != 0
    if both:
        out = {"mae": mean_absolute_error(y, p), "rmse": root_mean_squared_error(y, p),
               "bias": sum(p[i] - y[i] for i in range(len(y))) / len(y)}
    else:
        out = {"mae": NAN, "rmse": NAN, "bias": NAN}
    out["mape"] = mean_absolute_percentage_error(y[nz], p[nz]) if nz.any() else NAN
    out["mape_excluded"] = int((~nz).sum())
    return out


def quality_ref(df: pd.DataFrame, freq: str, task: str, *, time="timestamp", label="label",
                prediction=None, score=None, fallback=None, pos_label=1, confidence_threshold=0.6,
                decision_threshold=0.5, grid=None) -> pd.DataFrame:
    """One row per window, computed on that window's rows only (windows of ``grid`` if given)."""
    times = pd.Series(df.index) if time is None else df[time].reset_index(drop=True)
    rows = []
    for start, mask in window_rows(times, freq, grid):
        sub = df[mask]
        labs = [] if label is None else list(sub[label])
        if label is None:
            labs = [NAN] * len(sub)
        preds = None if prediction is None else list(sub[prediction])
        scores = None if score is None else [float(v) for v in sub[score]]
        n_lab = sum(not missing(v) for v in labs)
        row = {"window": start, "requests": len(sub), "labelled": n_lab, "unlabelled": len(sub) - n_lab,
               "label_coverage": n_lab / len(sub) if len(sub) else NAN}
        if task == "binary":
            row.update(binary_metrics(labs, preds, scores, pos_label, decision_threshold))
        elif task == "multiclass":
            row.update(multiclass_metrics(labs, preds, scores))
        else:
            row.update(regression_metrics(labs, preds))
        if scores is not None and task != "regression":
            row.update(confidence_block(scores, confidence_threshold, task == "binary"))
        if fallback is not None:
            row["fallback_rate"] = mean_or_nan(float(v) for v in sub[fallback] if not missing(v))
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["window"]).set_index("window")
    return pd.DataFrame(rows).set_index("window")


def join_ref(pred: pd.DataFrame, labels: pd.DataFrame, *, on="request_id", label="label",
             label_time="label_time", time=None, as_of=None, max_delay=None):
    """A plain pandas merge: (label, arrival time, delay) per prediction row, and the counts."""
    lab = labels.copy()
    counts = {"labels": len(labels)}
    has_time = label_time in lab.columns
    if as_of is not None:
        arrived = lab[label_time] <= as_of
        counts["not_arrived"] = int((~arrived).sum())
        lab = lab[arrived]
    if has_time:
        lab = lab.sort_values(label_time, kind="stable")
    last = lab.groupby(on, sort=False).tail(1)
    counts["duplicates"] = len(lab) - len(last)
    counts["unmatched"] = int((~last[on].isin(pred[on])).sum())
    cols = [on, label] + ([label_time] if has_time else [])
    left = pred[[on]].reset_index(drop=True)
    m = left.merge(last[cols].rename(columns={label: "_new", label_time: "_arr"}), on=on, how="left",
                   validate="one_to_one")
    hit = m[on].isin(last[on]).to_numpy().copy()
    pt = pd.Series(pd.DatetimeIndex(pred.index if time is None else pred[time]))
    if has_time:
        delay = m["_arr"] - pt
        if max_delay is not None:
            late = (delay > pd.Timedelta(max_delay)).to_numpy() & hit
            counts["too_late"] = int(late.sum())
            hit &= ~late
    counts["matched"] = int(hit.sum())
    old_label = pred[label].to_numpy(dtype=object) if label in pred.columns else [NAN] * len(pred)
    old_time = pred[label_time].tolist() if label_time in pred.columns else [pd.NaT] * len(pred)
    new = m["_new"].tolist()
    arr = m["_arr"].tolist() if has_time else None
    out_label, out_time = [], []
    for i in range(len(pred)):
        out_label.append(new[i] if hit[i] else old_label[i])
        if has_time:
            out_time.append(arr[i] if hit[i] else old_time[i])
    result = {"label": out_label}
    if has_time:
        result["label_time"] = out_time
        result["label_delay"] = [pd.NaT if missing(a) else a - t for a, t in zip(out_time, pt)]
    return result, counts


def run_quality(df, *args, **kwargs):
    """aimon.quality, checking that the input frame (and its attrs) is left unchanged."""
    import copy
    import warnings

    import aimon

    before = copy.deepcopy(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = aimon.quality(df, *args, **kwargs)
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == before.attrs
    return out
