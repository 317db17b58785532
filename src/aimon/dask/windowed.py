"""Windowed metrics on a Dask DataFrame: ``ops``, ``quality``, ``slo`` (``drift_over_time`` is in
:mod:`aimon.dask.timeline`).

Each is the pandas function of the same name run on chunks of whole windows (see
:mod:`aimon.dask._chunks`), so every number is the one the pandas call gives on the same rows.
With ``by=``, every segment of the log gets every window, in the pandas call's order.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ..errors import AimonError, SchemaError
from . import _run

OPS_ROLES = ("latency", "ttft", "error", "input_tokens", "output_tokens", "cost")
QUALITY_ROLES = ("label", "score", "prediction", "fallback", "hallucination", "feedback")
SLO_ROLES = ("latency", "error")


def _by_columns(ddf, by):
    if by is None:
        return None
    cols = [by] if isinstance(by, str) else list(by)
    absent = [c for c in cols if c not in ddf.columns]
    if absent:
        raise SchemaError([f"by=: column(s) {absent!r} do not exist. Pass existing column names."], list(ddf.columns))
    return cols


def _windowed(ddf, fn, freq, kwargs, used, roles, what, halo=None, by=None):
    ddf = _run.dask_frame(ddf, what)
    by_cols = _by_columns(ddf, by)
    r, explicit, keep = _run.roles_of(ddf, roles, used, f"{what}()", extra=by_cols or ())
    frame = ddf[keep] if keep else ddf[[]]
    plan = _run.Plan(frame, r["timestamp"], freq, halo, by_cols)
    call = dict(kwargs, freq=freq, **explicit)
    if plan.n_rows == 0:  # nothing to cut: the pandas call on the empty meta says what it says
        return fn(frame._meta, by=by, **call), plan
    if plan.n_valid == 0:
        _run.refuse_no_time(plan, what)
    chunk_fn = fn if by_cols is None else partial(_run.segmented, fn=fn, by=by_cols, keys=plan.keys)
    results = _run.compute(plan.tasks(chunk_fn, call))
    tables = [t for t, _, _ in results]
    attrs = _run.merge_attrs([t.attrs.get("aimon", {}) for t in tables], [h for _, h, _ in results])
    table = pd.concat(tables)
    labels = plan.labels(freq)
    if by_cols is not None:
        table = _by_segment(table, by_cols, plan.keys, plan.by_dtypes)
        labels = labels[np.tile(np.arange(len(labels)), len(plan.keys))]  # every window, per segment
    if not table.index.equals(labels):  # a broken invariant, never a silently different table
        raise AimonError(f"aimon.dask.{what}(): the chunks' windows do not tile the log's windows; please report.")
    if by_cols is None or len(plan.keys) == 1:  # as pandas: one block of windows keeps its frequency
        table.index = plan.labels(freq).rename(table.index.name)
    table.attrs["aimon"] = attrs
    _run.rewarn([w for _, _, ws in results for w in ws], attrs, f"{what}()", r["timestamp"])
    return table, plan


def _by_segment(table, by, keys, dtypes):
    """Rows ordered as the pandas call orders them: by segment (its groupby order), then window."""
    index_name = table.index.name
    flat = table.reset_index()
    for name in by:
        try:
            flat[name] = flat[name].astype(dtypes[name])
        except (TypeError, ValueError):
            pass
    rank = flat[by].merge(keys, on=by, how="left")["_aimon_rank"].to_numpy()
    return flat.iloc[np.argsort(rank, kind="stable")].set_index(index_name)


def ops(ddf, freq="5min", by=None, **roles) -> pd.DataFrame:
    """:func:`aimon.ops` on a Dask DataFrame: the same table, computed where the windows' rows live.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Inference log (a time index or a ``timestamp`` column), partitions in time order.
    freq, **roles
        As in :func:`aimon.ops`; ``by=`` gives one row per window and segment.

    Returns
    -------
    DataFrame
        Equal to ``aimon.ops(ddf.compute(), freq)``.

    Examples
    --------
    >>> import aimon, dask.dataframe as dd
    >>> df = aimon.datasets.load_credit_scoring().iloc[:5000]
    >>> t = aimon.dask.ops(dd.from_pandas(df, npartitions=4), "1h")
    >>> t.equals(aimon.ops(df, "1h"))
    True
    """
    from ..metrics.ops import ops as fn

    return _windowed(ddf, fn, freq, {}, OPS_ROLES, roles, "ops", by=by)[0]


def slo(ddf, latency_ms=None, quantile=0.95, freq="1h", by=None, burn_alerts=None, **roles) -> pd.DataFrame:
    """:func:`aimon.slo` on a Dask DataFrame.

    Trailing burn-rate windows reach back across chunks: each chunk also reads the rows of the
    longest alert window before it (they are not counted twice).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
    latency_ms, quantile, freq, burn_alerts, **roles
        As in :func:`aimon.slo` (``by=`` included).

    Returns
    -------
    DataFrame
        Equal to ``aimon.slo(ddf.compute(), ...)``.

    Examples
    --------
    >>> import aimon, dask.dataframe as dd
    >>> df = aimon.datasets.load_credit_scoring().iloc[:5000]
    >>> s = aimon.dask.slo(dd.from_pandas(df, npartitions=3), latency_ms=300)
    >>> s.equals(aimon.slo(df, latency_ms=300))
    True
    """
    from ..metrics.slo import BURN_ALERTS, slo as fn

    rules = BURN_ALERTS if burn_alerts is None else burn_alerts
    try:
        halo = max(pd.Timedelta(rule[1]) for rule in rules) if len(rules) else None
        halo = max(halo, *(pd.Timedelta(rule[2]) for rule in rules)) if halo is not None else None
    except (TypeError, ValueError, IndexError):
        halo = None  # the pandas call explains the bad rule
    kwargs = {"latency_ms": latency_ms, "quantile": quantile, "burn_alerts": rules}
    table, _ = _windowed(ddf, fn, freq, kwargs, SLO_ROLES, roles, "slo", halo=halo, by=by)
    if len(table):  # the error budget is consumed since the first window of the whole log (per segment)
        from ..metrics._table import ratio

        budget = 1.0 - quantile
        n_bad = table["bad"].to_numpy(dtype=np.float64)
        n_valid = n_bad + table["good"].to_numpy(dtype=np.float64)
        if by is None:
            cum_bad, cum_valid = np.cumsum(n_bad), np.cumsum(n_valid)
        else:  # rows are ordered by segment: a cumulative sum restarted at each segment
            cols = [by] if isinstance(by, str) else list(by)
            seg = table[cols].reset_index(drop=True).groupby(cols, sort=False, dropna=False, observed=True).ngroup()
            frame = pd.DataFrame({"seg": seg.to_numpy(), "bad": n_bad, "valid": n_valid})
            cum_bad = frame.groupby("seg")["bad"].cumsum().to_numpy()
            cum_valid = frame.groupby("seg")["valid"].cumsum().to_numpy()
        consumed = ratio(cum_bad, budget * cum_valid)
        table["budget_consumed"] = consumed
        table["budget_remaining"] = 1.0 - consumed
    return table


def quality(ddf, freq="1D", by=None, confidence_threshold=0.6, decision_threshold=0.5, task="auto",
            pos_label=None, **roles) -> pd.DataFrame:
    """:func:`aimon.quality` on a Dask DataFrame.

    The task (binary, multiclass, regression) is decided once from the whole log, as the pandas
    call decides it, then every chunk is computed with it.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
    freq, confidence_threshold, decision_threshold, task, pos_label, **roles
        As in :func:`aimon.quality` (``by=`` included).

    Returns
    -------
    DataFrame
        Equal to ``aimon.quality(ddf.compute(), ...)``.

    Examples
    --------
    >>> import aimon, dask.dataframe as dd
    >>> df = aimon.datasets.load_credit_scoring().iloc[:5000]
    >>> q = aimon.dask.quality(dd.from_pandas(df, npartitions=3), "1D")
    >>> q.equals(aimon.quality(df, "1D"))
    True
    """
    from ..metrics.quality import quality as fn
    from ._task import global_task

    ddf = _run.dask_frame(ddf, "quality")
    if task == "auto" and pos_label is None:
        task = global_task(ddf, roles)
    kwargs = {"confidence_threshold": confidence_threshold, "decision_threshold": decision_threshold,
              "task": task, "pos_label": pos_label}
    return _windowed(ddf, fn, freq, kwargs, QUALITY_ROLES, roles, "quality", by=by)[0]
