"""Shared plumbing of the windowed metrics: segments, window sums, result metadata."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._log import Log, Windows, segments
from ..errors import DataDroppedWarning


def per_segment(df: pd.DataFrame, log: Log, win: Windows, by, compute) -> pd.DataFrame:
    """Build one row per window (and segment).

    ``compute(pos, bounds)`` gets the positions of a segment's rows among the sorted rows (a
    slice for all rows) and the window boundaries of those rows, and returns a dict of columns.
    With ``by``, segment columns come first and rows are ordered by segment, then window.
    """
    index = win.labels.rename("window")
    if by is None:
        return pd.DataFrame(compute(slice(None), win.bounds(log.i8)), index=index)
    by_cols, groups = segments(df, by, log)
    parts = []
    for key, pos in groups:
        part = pd.DataFrame(compute(pos, win.bounds(log.i8[pos])), index=index)
        for name, value in reversed(list(zip(by_cols, key))):
            part.insert(0, name, [value] * len(part))
        parts.append(part)
    if not parts:  # no rows: an empty table that still has the segment columns
        part = pd.DataFrame(compute(slice(0, 0), win.bounds(log.i8[:0])), index=index[:0])
        for name in reversed(by_cols):
            part.insert(0, name, df[name].iloc[:0].to_numpy())
        parts.append(part)
    out = pd.concat(parts)
    for name in by_cols:
        try:
            out[name] = out[name].astype(df[name].dtype)
        except (TypeError, ValueError):
            pass
    return out


def sum_count(values: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum and number of non-NaN ``values`` per window (rows bounds[k]:bounds[k+1], contiguous),
    in one compiled pass over the rows."""
    from .._kernels.windows import window_sum_count

    k = len(bounds) - 1
    if k <= 0:
        return np.zeros(max(k, 0)), np.zeros(max(k, 0))
    return window_sum_count(np.ascontiguousarray(values, dtype=np.float64),
                            np.ascontiguousarray(bounds, dtype=np.int64))


def count_at_least(values: np.ndarray, bounds: np.ndarray, thr: int) -> np.ndarray:
    """Number of ``values >= thr`` per window of an integer array (int64 or uint8), one compiled
    pass, no float conversion."""
    from .._kernels.windows import window_count_at_least

    k = len(bounds) - 1
    if k <= 0:
        return np.zeros(max(k, 0), dtype=np.int64)
    return window_count_at_least(np.ascontiguousarray(values), np.ascontiguousarray(bounds, dtype=np.int64),
                                 values.dtype.type(thr))


def ratio(num, den) -> np.ndarray:
    """num / den with NaN (not inf, no warning) where den == 0."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def finish(table: pd.DataFrame, log: Log, freq, excluded: dict, what: str) -> pd.DataFrame:
    """Attach row accounting to ``table.attrs['aimon']`` and warn about rows left out."""
    excluded = {k: int(v) for k, v in excluded.items() if v}
    table.attrs["aimon"] = {
        "freq": str(freq),
        "rows": log.n_rows,
        "rows_with_timestamp": int(len(log.times)),
        "dropped": {k: v for k, v in log.dropped.items()},
        "excluded": excluded,
    }
    if excluded:
        parts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in excluded.items())
        warnings.warn(f"{what}: values left out of the metrics: {parts} "
                      "(counted per window and in table.attrs['aimon']).", DataDroppedWarning, stacklevel=3)
    return table
