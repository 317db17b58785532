"""Window statistics of one time-indexed Series."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._log import numeric, prepare, windows
from ..errors import SchemaError
from ..roles import INDEX, Roles
from ._table import finish, per_segment


def window_stats(series: pd.Series, freq="5min", quantiles=(0.5, 0.95, 0.99)) -> pd.DataFrame:
    """Count, mean, max and quantiles of a time-indexed Series per window.

    The same kernel as :func:`aimon.ops` applied to any numeric Series with a DatetimeIndex
    (NaN and inf are left out and counted in ``missing``). Quantiles are numpy's 'linear' ones.

    Parameters
    ----------
    series : Series
        Numeric values with a DatetimeIndex.
    freq : str
        Window length (a pandas frequency); windows as ``series.resample(freq)`` makes them.
    quantiles : sequence of float
        Quantiles in [0, 1]; each becomes a column ``p<100 q>``.

    Returns
    -------
    DataFrame
        ``count``, ``mean``, one column per quantile, ``max`` and ``missing`` per window.

    Examples
    --------
    >>> import pandas as pd, aimon
    >>> s = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2026-01-01", periods=3, freq="min"))
    >>> s.aimon.window_stats("2min")["p50"].tolist()
    [1.5, 3.0]
    """
    if not isinstance(series, pd.Series):
        raise SchemaError(f"window_stats() needs a pandas Series, got {type(series).__name__}.")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise SchemaError([f"window_stats() needs a Series with a DatetimeIndex; this one has a "
                           f"{type(series.index).__name__}. Set one with series.index = pd.to_datetime(...)."])
    try:
        qs = np.sort(np.asarray(quantiles, dtype=np.float64).ravel())
    except (TypeError, ValueError):
        qs = np.array([np.nan])
    if qs.size == 0 or np.isnan(qs).any() or (qs < 0).any() or (qs > 1).any():
        raise SchemaError([f"quantiles={quantiles!r}: give numbers between 0 and 1, e.g. (0.5, 0.95)."])
    name = series.name if series.name is not None else "value"
    frame = series.rename(name).to_frame()
    roles = Roles(timestamp=INDEX)
    log = prepare(frame, roles)
    win = windows(log.times, freq)
    values, n_missing, n_invalid = numeric(frame, name, "value", log.rows)

    def compute(pos, bounds):
        from .._kernels.windows import window_summary

        s = window_summary(values[pos], bounds, qs)
        cols = {"count": s[:, 0].astype(np.int64), "mean": s[:, 2]}
        for j, q in enumerate(qs):
            cols[f"p{q * 100:g}"] = s[:, 4 + j]
        cols["max"] = s[:, 3]
        cols["missing"] = np.diff(bounds) - cols["count"]
        return cols

    table = per_segment(frame, log, win, None, compute)
    return finish(table, log, freq, {"missing": n_missing, "invalid": n_invalid}, "window_stats()")
