"""Windowed calls on a Dask DataFrame: ``ops``, ``quality``, ``slo``, ``drift_over_time``.

Each is the pandas function of the same name run on chunks of whole windows (see
:mod:`aimon.dask._chunks`), so every number is the one the pandas call gives on the same rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AimonError
from . import _run

OPS_ROLES = ("latency", "ttft", "error", "input_tokens", "output_tokens", "cost")
QUALITY_ROLES = ("label", "score", "prediction", "fallback", "hallucination", "feedback")
SLO_ROLES = ("latency", "error")


def _no_by(by, what):
    if by is not None:
        raise AimonError(f"aimon.dask.{what}(): by= is not supported on Dask DataFrames yet. Filter one "
                         f"segment at a time (ddf[ddf[col] == value].aimon.{what}(...)), or compute the "
                         "columns you need into pandas.")


def _windowed(ddf, fn, freq, kwargs, used, roles, what, halo=None):
    ddf = _run.dask_frame(ddf, what)
    r, explicit, keep = _run.roles_of(ddf, roles, used, f"{what}()")
    frame = ddf[keep] if keep else ddf[[]]
    plan = _run.Plan(frame, r["timestamp"], freq, halo)
    call = dict(kwargs, freq=freq, **explicit)
    if plan.n_rows == 0:  # nothing to cut: the pandas call on the empty meta says what it says
        return fn(frame._meta, **call), plan
    if plan.n_valid == 0:
        _run.refuse_no_time(plan, what)
    results = _run.compute(plan.tasks(fn, call))
    tables = [t for t, _, _ in results]
    attrs = _run.merge_attrs([t.attrs.get("aimon", {}) for t in tables], [h for _, h, _ in results])
    table = pd.concat(tables)
    labels = plan.labels(freq)
    if not table.index.equals(labels):  # a broken invariant, never a silently different table
        raise AimonError(f"aimon.dask.{what}(): the chunks' windows do not tile the log's windows; please report.")
    table.index = labels.rename(table.index.name)
    table.attrs["aimon"] = attrs
    _run.rewarn([w for _, _, ws in results for w in ws], attrs, f"{what}()", r["timestamp"])
    return table, plan


def ops(ddf, freq="5min", by=None, **roles) -> pd.DataFrame:
    """:func:`aimon.ops` on a Dask DataFrame: the same table, computed where the windows' rows live.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Inference log (a time index or a ``timestamp`` column), partitions in time order.
    freq, **roles
        As in :func:`aimon.ops`. ``by=`` is not supported yet.

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

    _no_by(by, "ops")
    return _windowed(ddf, fn, freq, {}, OPS_ROLES, roles, "ops")[0]


def slo(ddf, latency_ms=None, quantile=0.95, freq="1h", by=None, burn_alerts=None, **roles) -> pd.DataFrame:
    """:func:`aimon.slo` on a Dask DataFrame.

    Trailing burn-rate windows reach back across chunks: each chunk also reads the rows of the
    longest alert window before it (they are not counted twice).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
    latency_ms, quantile, freq, burn_alerts, **roles
        As in :func:`aimon.slo`. ``by=`` is not supported yet.

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

    _no_by(by, "slo")
    rules = BURN_ALERTS if burn_alerts is None else burn_alerts
    try:
        halo = max(pd.Timedelta(rule[1]) for rule in rules) if len(rules) else None
        halo = max(halo, *(pd.Timedelta(rule[2]) for rule in rules)) if halo is not None else None
    except (TypeError, ValueError, IndexError):
        halo = None  # the pandas call explains the bad rule
    kwargs = {"latency_ms": latency_ms, "quantile": quantile, "burn_alerts": rules}
    table, _ = _windowed(ddf, fn, freq, kwargs, SLO_ROLES, roles, "slo", halo=halo)
    if len(table):  # the error budget is consumed since the first window of the whole log
        budget = 1.0 - quantile
        n_bad = table["bad"].to_numpy(dtype=np.float64)
        n_valid = n_bad + table["good"].to_numpy(dtype=np.float64)
        from ..metrics._table import ratio

        consumed = ratio(np.cumsum(n_bad), budget * np.cumsum(n_valid))
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
        As in :func:`aimon.quality`. ``by=`` is not supported yet.

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

    _no_by(by, "quality")
    ddf = _run.dask_frame(ddf, "quality")
    if task == "auto" and pos_label is None:
        task = global_task(ddf, roles)
    kwargs = {"confidence_threshold": confidence_threshold, "decision_threshold": decision_threshold,
              "task": task, "pos_label": pos_label}
    return _windowed(ddf, fn, freq, kwargs, QUALITY_ROLES, roles, "quality")[0]
