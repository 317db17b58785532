"""``segments`` on a Dask DataFrame: the slices of a log ranked by how much a metric degraded.

Ranking slices needs every row's outcome next to its slice labels, so the columns the call reads
-- the role columns (time, label, prediction, latency, ...), the slicing columns and a metric
column -- are gathered on the client (within ``max_values``) and :func:`aimon.segments` runs on
them: the report is the pandas one.
"""
from __future__ import annotations

from . import _run

MAX_VALUES = 200_000_000
ADVICE = "Filter the period you compare first (ddf[ddf.timestamp >= ...]), or raise max_values."


def _columns(ddf, metric, by, roles):
    r = _run.infer_roles(ddf._meta, **roles)
    wanted = {c for k, c in r.items() if k != "features" and c is not None}
    wanted |= set([by] if isinstance(by, str) else list(by or []))
    if isinstance(metric, str):
        wanted.add(metric)
    return [c for c in ddf.columns if c in wanted]


def segments(ddf, metric, by, reference=None, min_count=30, max_levels=30, combinations=True, confidence=0.95,
             rank_by="shrunk", higher_is_worse=None, max_values: int = MAX_VALUES, **roles):
    """:func:`aimon.segments` on a Dask DataFrame (and a Dask or pandas reference).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The current log (or the whole log, with ``reference`` a timestamp).
    metric, by, reference, min_count, max_levels, combinations, confidence, rank_by, higher_is_worse, **roles
        As in :func:`aimon.segments`; ``reference`` may also be a Dask DataFrame.
    max_values : int
        Most values (rows x gathered columns) brought to the client.

    Returns
    -------
    SegmentReport
        Equal to ``aimon.segments(ddf.compute(), ...)``.

    Examples
    --------
    >>> import aimon, dask.dataframe as dd
    >>> df = aimon.datasets.load_credit_scoring().iloc[:20000]
    >>> rep = aimon.dask.segments(dd.from_pandas(df, npartitions=4), "latency_p95", by="channel",
    ...                           reference="2026-03-04")
    >>> rep.table.equals(aimon.segments(df, "latency_p95", by="channel", reference="2026-03-04").table)
    True
    """
    import dask.dataframe as dd

    from ..analysis.segments import segments as fn

    ddf = _run.dask_frame(ddf, "segments")
    keep = _columns(ddf, metric, by, roles)
    current = _run.gather(ddf, keep, max_values, "segments", ADVICE)
    if isinstance(reference, dd.DataFrame):
        reference = _run.gather(reference, _columns(reference, metric, by, roles), max_values, "segments", ADVICE)
    return fn(current, metric, by, reference=reference, min_count=min_count, max_levels=max_levels,
              combinations=combinations, confidence=confidence, rank_by=rank_by, higher_is_worse=higher_is_worse,
              **roles)
