"""Join ground truth that arrives late to the predictions it belongs to."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._log import _timestamps
from ..errors import SchemaError
from ..roles import infer_roles


def join_labels(predictions: pd.DataFrame, labels: pd.DataFrame, on="request_id", label="label",
                label_time="label_time", as_of=None, max_delay=None, **roles) -> pd.DataFrame:
    """Match late ground truth to predictions and add the label delay.

    Parameters
    ----------
    predictions : DataFrame
        The inference log (its timestamp role gives the prediction time).
    labels : DataFrame
        One row per arriving label: the key ``on``, the ``label`` and optionally ``label_time``.
        When a key has several labels, the latest (by ``label_time``, else the last row) wins.
    on : str
        Key column present in both frames.
    as_of : timestamp-like, optional
        Only labels that had arrived by then are joined (what a monitor knew at that moment).
    max_delay : timedelta-like, optional
        Labels that arrived later than this after the prediction are left out.

    Returns
    -------
    A new frame: ``predictions`` with ``label`` (existing labels are kept where no new label
    matches), ``label_time`` and ``label_delay``. ``attrs['aimon_join']`` counts matched,
    unmatched, duplicate, too-late and not-yet-arrived labels.

    Examples
    --------
    >>> import pandas as pd, aimon
    >>> p = pd.DataFrame({"request_id": [1, 2], "score": [0.9, 0.2]},
    ...                  index=pd.to_datetime(["2026-01-01 10:00", "2026-01-01 11:00"]))
    >>> l = pd.DataFrame({"request_id": [2], "label": [0],
    ...                   "label_time": pd.to_datetime(["2026-01-02 11:00"])})
    >>> aimon.join_labels(p, l)["label_delay"].iloc[1]
    Timedelta('1 days 00:00:00')
    """
    for frame, what in ((predictions, "predictions"), (labels, "labels")):
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"join_labels(): {what} must be a DataFrame, got {type(frame).__name__}.")
        if on not in frame.columns:
            raise SchemaError([f"join_labels(): the key column {on!r} is not in {what}. Pass on='...'."],
                              frame.columns)
    if label not in labels.columns:
        raise SchemaError([f"join_labels(): the labels frame has no {label!r} column. Pass label='...'."],
                          labels.columns)
    r = infer_roles(predictions, **roles)
    lab = labels
    has_time = label_time in labels.columns
    counts = {"labels": len(labels)}
    if has_time:
        lt, _ = _timestamps(labels, label_time)
        lab = labels.assign(**{label_time: lt})
        if as_of is not None:
            cutoff = pd.Timestamp(as_of)
            if (cutoff.tz is None) != (lt.tz is None):
                cutoff = cutoff.tz_localize(lt.tz) if cutoff.tz is None else cutoff.tz_convert(None)
            arrived = np.asarray(lt <= cutoff)
            counts["not_arrived"] = int((~arrived).sum())
            lab = lab[arrived]
        lab = lab.sort_values(label_time, kind="stable", na_position="first")  # a label without a time never beats a timed one
    elif as_of is not None or max_delay is not None:
        raise SchemaError([f"join_labels(): as_of / max_delay need the label arrival time column "
                           f"{label_time!r} in labels. Pass label_time='...'."], labels.columns)
    dup = lab[on].duplicated(keep="last")
    counts["duplicates"] = int(dup.sum())
    lab = lab[~dup].set_index(on)
    keys = predictions[on]
    if keys.duplicated().any():
        raise SchemaError([f"join_labels(): the key {on!r} is not unique in predictions "
                           f"({int(keys.duplicated().sum())} repeated keys). Join on a unique request id."])
    matched = keys.isin(lab.index)
    counts["unmatched"] = int((~lab.index.isin(keys)).sum())
    out = predictions.copy()

    def take(col):  # lab[col] for every prediction key (missing where none); safe when lab is empty
        return pd.Series(lab[col].reindex(keys.to_numpy()).array, index=out.index)

    new_label = take(label)
    if has_time:
        arrival = pd.Series(pd.DatetimeIndex(take(label_time)), index=out.index)
        pred_time, _ = _timestamps(predictions, r["timestamp"]) if r.get("timestamp") else (None, None)
        if pred_time is None:
            raise SchemaError(["join_labels(): the predictions have no timestamp role; name it with "
                               "timestamp='...' to compute the label delay."], predictions.columns)
        if (pred_time.tz is None) != (arrival.dt.tz is None):
            raise SchemaError([f"join_labels(): prediction times and {label_time!r} differ in time-zone "
                               "awareness; make both tz-aware (tz_localize) or both naive."])
        pred_time = pd.Series(pred_time, index=out.index)
        if max_delay is not None:
            late = (arrival - pred_time > pd.Timedelta(max_delay)).to_numpy()
            counts["too_late"] = int(late.sum())
            matched = matched & ~late  # a label that came too late is left out, as if it never came
        arrival = arrival.where(matched)
        if label_time in predictions.columns:  # keep the arrival times of labels already there
            old, _ = _timestamps(predictions, label_time)
            if (old.tz is None) != (arrival.dt.tz is None):
                raise SchemaError([f"join_labels(): {label_time!r} in predictions and in labels differ in "
                                   "time-zone awareness; make both tz-aware (tz_localize) or both naive."])
            arrival = arrival.where(matched, pd.Series(old, index=out.index))
        out[label_time] = arrival
        out["label_delay"] = arrival - pred_time
    if label in out.columns:
        out[label] = _prefer(new_label, out[label], matched)
    else:
        out[label] = new_label.where(matched)
    counts["matched"] = int(matched.sum())
    out.attrs = {**predictions.attrs, "aimon_join": counts}
    return out


def _prefer(new: pd.Series, old: pd.Series, use_new: pd.Series) -> pd.Series:
    """``new`` where ``use_new``, else ``old``, in their common dtype (pandas 2.2's ``where``
    would otherwise cast all-round floats back to integers, and warns that it will stop)."""
    dtype = pd.concat([new.iloc[:0], old.iloc[:0]]).dtype
    return new.astype(dtype).where(use_new, old.astype(dtype))
