"""``changepoints(df, column, method=...)``: scan a column of an inference log with a detector.

The rows are put in time order, the column becomes a stream (NaN skipped and counted), each
segment of ``by`` gets its own detector, and the detections come back with their timestamps.
"""
from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd

from .._log import numeric, prepare, segments
from ..errors import AimonWarning, DataDroppedWarning, SchemaError
from ..roles import infer_roles, require
from ._base import get

DERIVED = {"misclassified": "1 where prediction != label (NaN until the label arrives)",
           "correct": "1 where prediction == label (NaN until the label arrives)"}
REFERENCE_SIZE = 1000  # values of a segment's start used as reference when none is given
CURVE_POINTS = 2000    # points kept per segment for .plot()


class Changepoints:
    """Detections of one detector on one column of a log (per segment with ``by``).

    Attributes
    ----------
    table : DataFrame
        One row per detection: segment columns, ``time``, ``row`` (position in the input frame),
        ``statistic`` (the detector's test value; its sign gives the direction), ``mean_before``
        and ``mean_after`` (mean of the stream since the previous / until the next detection).
    warnings : DataFrame
        Where warning zones began (DDM, EDDM, HDDM), same columns as ``table`` up to ``row``.
    skipped : dict
        Values left out of the stream, by reason.
    detectors : dict
        The detector used per segment (its state continues with ``.scan(more_values)``).
    """

    def __init__(self, table, warnings_, column, method, by, skipped, detectors, curves, events, notes):
        self.table = table
        self.warnings = warnings_
        self.column = column
        self.method = method
        self.by = by
        self.skipped = skipped
        self.detectors = detectors
        self.notes = notes
        self._curves = curves
        self._events = events

    def __len__(self):
        return len(self.table)

    def __repr__(self):
        head = (f"Changepoints({self.method} on {self.column!r}: {len(self)} detections"
                f"{', skipped ' + str(self.skipped) if self.skipped else ''})")
        return head + ("\n" + self.table.to_string(max_rows=20) if len(self) else "")

    def _repr_html_(self):
        skipped = ", ".join(f"{v} {html.escape(str(k))}" for k, v in self.skipped.items())
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<p><b>{html.escape(self.method)}</b> on <code>{html.escape(str(self.column))}</code>: "
                f"{len(self)} detections{'; skipped: ' + skipped if skipped else ''}</p>"
                + (f"<ul>{notes}</ul>" if notes else "")
                + self.table.head(50).to_html(escape=True, index=False, float_format="{:.4g}".format))

    def plot(self, ax=None):
        """Rolling mean of the stream per segment, with a vertical line at each detection."""
        from ._plot import plot_changepoints

        return plot_changepoints(self, ax=ax)


def changepoints(df: pd.DataFrame, column, method="adwin", by=None, standardize=True, reference=None,
                 cooldown=None, timestamp=None, **params) -> Changepoints:
    """Detect changes in ``column`` of an inference log with a sequential detector.

    Parameters
    ----------
    df : DataFrame
        The log; rows are scanned in time order (timestamp role, or ``timestamp=``).
    column : str
        A numeric column (``'latency_ms'``), a 0/1 error column for the binary detectors
        (``'error'``; HTTP status codes count >= 500 as errors), or a derived stream:
        ``'misclassified'`` (prediction != label, unlabelled rows skipped and counted) or
        ``'correct'``. The binary detectors look for a rise of the rate of ones.
    method : str
        ``'adwin'``, ``'page_hinkley'``, ``'cusum'``, ``'ddm'``, ``'eddm'``, ``'hddm_a'``,
        ``'hddm_w'`` or ``'kswin'`` (see :data:`aimon.detectors.REGISTRY`).
    by : str or list, optional
        Segment columns; each segment is scanned by its own detector.
    standardize : bool
        For the scale-dependent detectors (adwin, page_hinkley, cusum) on a non-binary stream,
        put the thresholds in units of the standard deviation of the reference (the detector's
        ``standardized`` defaults, overridden by ``params``). ``False``: ``params`` in the units
        of the column, River's defaults otherwise.
    reference : DataFrame or array, optional
        Reference period for ``standardize`` (its ``column``, or the values). Default: the
        first 1,000 usable values of each segment (at most a fifth of it).
    cooldown : int or timedelta-like, optional
        After a detection, drop further detections within this many values or this much time.
    timestamp : str, optional
        Name of the time column if it is not inferred.
    **params
        Detector parameters (River's names), e.g. ``delta=0.01``.

    Returns
    -------
    Changepoints
        ``.table`` of detections with timestamps, ``.warnings``, ``.plot()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> t = pd.date_range("2026-01-01", periods=4000, freq="min")
    >>> lat = np.r_[np.full(2000, 100.0), np.full(2000, 130.0)] + np.random.default_rng(0).normal(0, 10, 4000)
    >>> df = pd.DataFrame({"latency_ms": lat}, index=t)
    >>> aimon.changepoints(df, "latency_ms", method="cusum").table["time"].dt.strftime("%H:%M").tolist()
    ['09:25']
    """
    cls = get(method)
    overrides = {} if timestamp is None else {"timestamp": timestamp}
    roles = infer_roles(df, **overrides)
    require(roles, ["timestamp"], df, "changepoints()")
    log = prepare(df, roles)
    values, skipped = _stream(df, column, roles, log.order, cls)
    ref_values = None
    binary_stream = _is_binary(values)
    scale_it = standardize and cls.scaled is not None and not binary_stream
    if reference is not None and scale_it:
        ref_values = _reference(reference, column, roles, cls)
    by_cols, groups = ([], [((), slice(None))]) if by is None else segments(df, by, log)
    rows, warn_rows, dets, curves, notes = [], [], {}, {}, []
    for key, pos in groups:
        x = values[pos]
        times = log.times[pos]
        if scale_it:
            ref = ref_values if ref_values is not None else _head(x)
            det = cls.standardized(ref, **params) if np.isfinite(ref).sum() >= 2 and np.nanstd(ref) > 0 \
                else cls(**params)
        else:
            det = cls(**params)
        res = det.scan(x)
        label = key if by_cols else None
        dets[label] = det
        if not res.ready:
            notes.append(f"{'segment ' + repr(key) + ': ' if by_cols else ''}only {res.n - res.skipped} usable "
                         f"values; {cls.__name__} needs {det.warmup} before it can detect a change.")
        idx = _cool(res.indices, times, cooldown)
        original = np.asarray(log.order)[pos][idx] if not isinstance(pos, slice) else np.asarray(log.order)[idx]
        before, after = _means_around(x, idx)
        for j, i in enumerate(idx):
            rows.append({**dict(zip(by_cols, key)), "time": times[i], "row": int(original[j]),
                         "statistic": float(res.statistic[np.searchsorted(res.indices, i)]),
                         "mean_before": before[j], "mean_after": after[j]})
        worig = np.asarray(log.order)[pos][res.warnings] if not isinstance(pos, slice) \
            else np.asarray(log.order)[res.warnings]
        for i, o in zip(res.warnings, worig):
            warn_rows.append({**dict(zip(by_cols, key)), "time": times[i], "row": int(o)})
        curves[label] = _curve(x, times)
    cols = [*by_cols, "time", "row", "statistic", "mean_before", "mean_after"]
    table = pd.DataFrame(rows, columns=cols)
    if not len(table):
        table["time"] = pd.DatetimeIndex([], tz=log.times.tz).as_unit(log.times.unit)
    table = table.astype({"row": np.int64, "statistic": float, "mean_before": float, "mean_after": float})
    wtable = pd.DataFrame(warn_rows, columns=[*by_cols, "time", "row"])
    skipped = {**{k: v for k, v in log.dropped.items() if k != "note"}, **{k: v for k, v in skipped.items() if v}}
    if skipped:
        warnings.warn(f"changepoints(): values left out of the stream: "
                      f"{', '.join(f'{v} {k}' for k, v in skipped.items())} (counted in .skipped).",
                      DataDroppedWarning, stacklevel=2)
    for note in notes:
        warnings.warn(f"changepoints(): {note}", AimonWarning, stacklevel=2)
    return Changepoints(table, wtable, column, cls.name, by_cols, skipped, dets, curves,
                        df.attrs.get("events"), notes)


def _stream(df, column, roles, order, cls):
    """Values of ``column`` in time order and the counts of values that are not usable."""
    if column in DERIVED and column not in df.columns:
        require(roles, ["prediction", "label"], df, f"changepoints({column!r})")
        from ..metrics.quality import _check_classes_shared, _codes

        _check_classes_shared(df, roles)  # 'yes'/'no' against 0/1 would be all wrong: refused
        yc, pc, _ = _codes(df, roles, order)  # classes of any kind ('yes'/'no', 0/1) compared as classes
        y, p = np.where(yc < 0, np.nan, yc), np.where(pc < 0, np.nan, pc)
        both = ~(np.isnan(y) | np.isnan(p))
        hit = (y == p) if column == "correct" else (y != p)
        values = np.where(both, hit.astype(np.float64), np.nan)
        return values, {"unlabelled": int(np.isnan(y).sum()), "no_prediction": int((np.isnan(p) & ~np.isnan(y)).sum())}
    if not isinstance(column, str) and not np.isscalar(column) or column not in df.columns:
        raise SchemaError([f"changepoints(): column {column!r} does not exist. Name a numeric column, or a derived "
                           f"stream: {', '.join(f'{k!r} ({v})' for k, v in DERIVED.items())}."], df.columns)
    if cls.binary and column == roles.get("error"):
        from ..metrics.ops import error_flags

        values, missing, invalid = error_flags(df, column, order)
    else:
        values, missing, invalid = numeric(df, column, str(column), order)
    return values, {"missing": missing, "invalid": invalid}


def _is_binary(values):
    finite = values[np.isfinite(values)]
    return bool(finite.size) and bool(np.isin(finite, (0.0, 1.0)).all())


def _reference(reference, column, roles, cls):
    if isinstance(reference, pd.DataFrame):
        ref_log = prepare(reference, infer_roles(reference, timestamp=roles["timestamp"]))
        values, _ = _stream(reference, column, roles, ref_log.order, cls)
        return values
    from ._base import as_stream

    return as_stream(reference, "reference", False)


def _head(x):
    """The first usable values of a stream: reference when none is given."""
    finite = x[np.isfinite(x)]
    n = min(REFERENCE_SIZE, max(finite.size // 5, 30))
    return finite[:n]


def _cool(indices, times, cooldown):
    """Detections kept when each one silences the next ``cooldown`` values (int) or time span."""
    if cooldown is None or len(indices) < 2:
        return np.asarray(indices)
    if isinstance(cooldown, (int, np.integer)) and not isinstance(cooldown, bool):
        gap, at = int(cooldown), np.asarray(indices)
    else:
        try:
            gap = pd.Timedelta(cooldown)
        except (TypeError, ValueError):
            raise SchemaError([f"cooldown={cooldown!r}: give a number of values (int) or a time span such as "
                               "'1h'."]) from None
        at = times[indices]
    keep, last = [], None
    for j, i in enumerate(indices):
        if last is None or at[j] - last > gap:
            keep.append(i)
            last = at[j]
    return np.asarray(keep, dtype=np.int64)


def _means_around(x, idx):
    """Mean of the usable values since the previous detection (inclusive of this one) and until the next."""
    ok = np.isfinite(x)
    csum = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    ccnt = np.concatenate([[0], np.cumsum(ok)])
    edges = np.concatenate([[0], np.asarray(idx) + 1, [len(x)]])

    def mean(a, b):
        n = ccnt[b] - ccnt[a]
        return (csum[b] - csum[a]) / n if n else np.nan

    before = [mean(edges[j], edges[j + 1]) for j in range(len(idx))]
    after = [mean(edges[j + 1], edges[j + 2]) for j in range(len(idx))]
    return before, after


def _curve(x, times):
    """A rolling mean of the stream, thinned to at most CURVE_POINTS points (for plotting)."""
    ok = np.isfinite(x)
    if not ok.any():
        return pd.Series([], dtype=float, index=times[:0])
    s = pd.Series(x[ok], index=times[ok])
    w = max(20, ok.sum() // 200)
    roll = s.rolling(w, min_periods=1).mean()
    step = max(1, len(roll) // CURVE_POINTS)
    return roll.iloc[::step]
