"""Read scores, predictions and labels of a binary classifier's log into arrays, with checks."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._log import prepare
from ..errors import AimonError, SchemaError
from ..metrics.quality import _binary_pair, _scores
from ..roles import infer_roles, require


def _two_classes(df, r, order, pos_label) -> dict:
    """Label and prediction as 0/1 floats (NaN = missing), with the positive class inferred or given
    (:mod:`aimon.metrics.encoding`), or an error that names the ways out."""
    try:
        return _binary_pair(df, r, order, pos_label)
    except SchemaError as exc:
        raise SchemaError([f"estimate_performance(): {exc} For a binary model with other class names pass "
                           f"pos_label=<the positive class>; for a multiclass model pass class_scores={{class: "
                           f"score column}}. Regression models are not covered: their outputs are no "
                           f"probabilities of the outcome."], df.columns) from None


@dataclass
class Scored:
    """Rows of a log in time order (or row order), only those with a usable score."""

    times: pd.DatetimeIndex | None   # None when the log has no timestamp (chunk_size only)
    score: np.ndarray
    pred: np.ndarray                 # 0/1 floats
    label: np.ndarray                # 0/1 floats, NaN where no label (yet)
    rows: int                        # rows in the input frame
    excluded: dict = field(default_factory=dict)


def read_binary(df: pd.DataFrame, what: str, need_time: bool, need_label: bool, pos_label,
                decision_threshold: float, roles: dict) -> Scored:
    """Validate and convert one log (``what`` names it in messages: 'df' or 'reference')."""
    if not isinstance(df, pd.DataFrame):
        raise SchemaError([f"estimate_performance(): {what} must be a DataFrame, got {type(df).__name__}."])
    if not need_label and isinstance(roles.get("label"), str) and roles["label"] not in df.columns:
        roles = {**roles, "label": None}  # the label column named for the reference: none here yet
    r = infer_roles(df, **roles)
    purpose = f"estimate_performance() on {what}"
    require(r, ["score"] + (["timestamp"] if need_time else []) + (["label"] if need_label else []), df, purpose)
    has_time = r.get("timestamp") is not None
    excluded = {}
    if has_time:
        log = prepare(df, r)
        order, times = log.order, log.times
        excluded.update({k: v for k, v in log.dropped.items() if k != "note"})
    else:
        order, times = np.arange(len(df)), None
    score, n_bad = _scores(df, r["score"], order)
    pair = _two_classes(df, r, order, pos_label)
    if r.get("prediction") is not None:
        pred = pair["prediction"]
    else:
        pred = np.where(np.isnan(score), np.nan, (score >= decision_threshold).astype(np.float64))
    label = pair["label"] if r.get("label") is not None else np.full(len(order), np.nan)
    keep = ~(np.isnan(score) | np.isnan(pred))
    if n_bad:
        excluded["score_missing"] = int(n_bad)
    n_pred = int((~np.isnan(score) & np.isnan(pred)).sum())
    if n_pred:
        excluded["prediction_missing"] = n_pred
    if need_label:
        lab = label[keep]
        known = lab[~np.isnan(lab)]
        col = r["label"]
        if known.size == 0:
            raise SchemaError([f"{purpose}: the reference has no labels in {col!r} (all missing) on rows with a "
                               f"score. The reference must be a labelled period; pass label='...' to name "
                               f"its label column."], df.columns)
        if known.min() == known.max():
            raise AimonError(f"{purpose}: every labelled reference row has the same class "
                             f"({col!r} = {int(known[0]) if pos_label is None else ('positive' if known[0] else 'negative')}); "
                             f"calibration needs both classes. Use a longer reference period.")
    t = None if times is None else times[keep]
    return Scored(t, score[keep], pred[keep], label[keep], len(df), excluded)
