"""Sequential change detectors on a Dask DataFrame, in time order.

A detector's state after row i depends on every row before it, so the stream is scanned in one
pass in time order: the columns the stream is made of (the timestamp, the column or the
label/prediction pair of a derived stream, the segment columns) are gathered on the client --
16 to 32 bytes a row, within ``max_values`` -- and :func:`aimon.changepoints` scans them. The
answer, row numbers included, is the pandas call's on ``ddf.compute()``.
"""
from __future__ import annotations

from . import _run

MAX_VALUES = 200_000_000


def changepoints(ddf, column, method="adwin", by=None, standardize=True, reference=None, cooldown=None,
                 timestamp=None, max_values: int = MAX_VALUES, **params):
    """:func:`aimon.changepoints` on a Dask DataFrame.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The log; rows are scanned in time order.
    column, method, by, standardize, reference, cooldown, timestamp, **params
        As in :func:`aimon.changepoints`.
    max_values : int
        Most values (rows x gathered columns) brought to the client for the scan.

    Returns
    -------
    Changepoints
        Equal to ``aimon.changepoints(ddf.compute(), column, ...)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon, dask.dataframe as dd
    >>> t = pd.date_range("2026-01-01", periods=4000, freq="min")
    >>> lat = np.r_[np.full(2000, 100.0), np.full(2000, 130.0)] + np.random.default_rng(0).normal(0, 10, 4000)
    >>> ddf = dd.from_pandas(pd.DataFrame({"latency_ms": lat}, index=t), npartitions=4)
    >>> aimon.dask.changepoints(ddf, "latency_ms", method="cusum").table["time"].dt.strftime("%H:%M").tolist()
    ['09:25']
    """
    from ..detectors.changepoints import changepoints as fn

    ddf = _run.dask_frame(ddf, "changepoints")
    r = _run.infer_roles(ddf._meta, **({} if timestamp is None else {"timestamp": timestamp}))
    wanted = [r["timestamp"], column]
    if column in ("misclassified", "correct") and column not in ddf.columns:
        wanted += [r.get("label"), r.get("prediction")]
    wanted += [] if by is None else ([by] if isinstance(by, str) else list(by))
    keep = [c for c in ddf.columns if c in set(wanted)]
    frame = _run.gather(ddf, keep, max_values, "changepoints",
                        "Filter a period or a segment first, detect on a windowed metric (aimon.dask.ops(...) "
                        "then aimon.changepoints on it), or raise max_values.")
    return fn(frame, column, method=method, by=by, standardize=standardize, reference=reference,
              cooldown=cooldown, timestamp=timestamp, **params)
