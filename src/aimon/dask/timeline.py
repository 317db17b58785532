"""``drift_over_time`` on a Dask DataFrame: every window against one reference profile.

The reference is profiled once (a Dask reference through :func:`aimon.dask.profile`), its null
quantiles are computed once on the client, and the profile travels to the workers once; each
chunk of whole windows is then judged by :func:`aimon.drift_over_time` itself.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..datadrift import calibrate
from ..errors import AimonError
from . import _run


def _pack(timeline):
    return timeline.table, timeline.skipped, timeline.accounting


def _reference(reference, columns, feat, bins, null_quantile, seed):
    import dask.dataframe as dd

    from ..datadrift.report import _as_profile
    from .profile import profile

    if isinstance(reference, dd.DataFrame):
        return profile(reference, columns=columns, bins=bins, null_quantile=null_quantile, seed=seed, **feat)
    return _as_profile(reference, columns, feat, bins, null_quantile, seed)


def drift_over_time(ddf, reference, freq="1D", columns=None, method="auto", threshold=None,
                    alpha: float = 0.05, correction="bh", min_effect=None,
                    min_missing: float = calibrate.MIN_EFFECT["missing"], bins: int = 10,
                    null_quantile: float = calibrate.NULL_QUANTILE, seed: int = 0, **roles):
    """:func:`aimon.drift_over_time` on a Dask DataFrame.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The log to judge, partitions in time order.
    reference : DataFrame, Profile or dask DataFrame
        The reference rows or their profile (a Dask reference is profiled with
        :func:`aimon.dask.profile`).
    freq, columns, method, threshold, alpha, correction, min_effect, min_missing, bins, null_quantile, seed, **roles
        As in :func:`aimon.drift_over_time`.

    Returns
    -------
    DriftTimeline
        Its table equals the pandas call's on the same rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon, dask.dataframe as dd
    >>> idx = pd.date_range("2026-01-01", periods=400, freq="h")
    >>> x = np.r_[np.random.default_rng(1).normal(size=300), np.random.default_rng(2).normal(3, 1, 100)]
    >>> df = pd.DataFrame({"x": x}, index=idx)
    >>> tl = aimon.dask.drift_over_time(dd.from_pandas(df, npartitions=4), df.iloc[:200], freq="5D")
    >>> tl.to_frame("drifted")["x"].tolist()
    [False, False, True, True]
    """
    from ..datadrift.report import check_options, plan
    from ..datadrift.timeline import DriftTimeline, drift_over_time as fn

    ddf = _run.dask_frame(ddf, "drift_over_time")
    check_options(alpha, correction, min_missing)
    feat = {"features": roles["features"]} if "features" in roles else {}
    role_names = {k: v for k, v in roles.items() if k != "features"}
    r, explicit, _ = _run.roles_of(ddf, dict(role_names, **feat), (), "drift_over_time")
    prof = _reference(reference, columns, feat, bins, null_quantile, seed)
    with warnings.catch_warnings():  # the same warnings come back from the chunks, with their rows
        warnings.simplefilter("ignore")
        items, _ = plan(ddf._meta, prof, columns, method, feat, "drift_over_time")
    for cp, _, m in items:  # null quantiles once here, not once per chunk
        if m not in calibrate.P_VALUE_METHODS and threshold is None:
            prof.null(cp.name, m)
    # keep the columns the pandas call would look at, in the frame's order (its features come first)
    wanted = set(r["features"]) | set(prof.names) | set(cp.name for cp, _, _ in items)
    keep = [c for c in ddf.columns if c in wanted or c == r["timestamp"]]
    frame = ddf[keep]
    chunks = _run.Plan(frame, r["timestamp"], freq)
    call = {"freq": freq, "columns": columns, "method": method, "threshold": threshold, "alpha": alpha,
            "correction": correction, "min_effect": min_effect, "min_missing": min_missing, "bins": bins,
            "null_quantile": null_quantile, "seed": seed, **feat,
            **{k: v for k, v in role_names.items() if v is None or v in keep}}
    if chunks.n_rows == 0:
        return fn(frame._meta, prof, **call)
    if chunks.n_valid == 0:
        _run.refuse_no_time(chunks, "drift_over_time")
    call["reference"] = _shared(prof)
    results = _run.compute(chunks.tasks(_call_with_reference, call, _pack))
    tables = [t[0] for t, _, _ in results]
    table = pd.concat(tables, ignore_index=True)
    labels = chunks.labels(freq)
    order = {c: i for i, c in enumerate(dict.fromkeys(table["column"]))}
    pos = np.lexsort((table["window"].to_numpy(), table["column"].map(order).to_numpy()))
    table = table.iloc[pos].reset_index(drop=True)
    if table["window"].nunique() != len(labels):
        raise AimonError("aimon.dask.drift_over_time(): the chunks' windows do not tile the log's windows; "
                         "please report.")
    acc = _run.merge_attrs([t[2] for t, _, _ in results], [None] * len(results))
    _run.rewarn([w for _, _, ws in results for w in ws], {"dropped": acc.get("dropped", {}), "rows": acc.get("rows")},
                "drift_over_time()", r["timestamp"])
    return DriftTimeline(table, prof, str(freq), results[0][0][1], acc)


def _shared(prof):
    """The profile as one task of the graph that every chunk shares: sent once per worker, and,
    unlike scattered data, recomputed if the worker holding it dies."""
    import dask

    return dask.delayed(prof)


def _call_with_reference(df, reference, **kwargs):
    from ..datadrift.timeline import drift_over_time

    return drift_over_time(df, reference, **kwargs)
