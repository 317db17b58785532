"""``aimon.io.read_log``: an inference log from parquet files, reading only what is asked for.

Columns and the time range are pushed down to pyarrow: only the named columns are decoded, and
row groups whose timestamp statistics fall outside ``[start, end)`` are skipped unread. The
result is a plain pandas frame (with its stored index restored) for logs that fit in memory;
for larger ones use ``dd.read_parquet`` and ``ddf.aimon`` (:mod:`aimon.dask`).
"""
from __future__ import annotations

import glob
import os

import pandas as pd

from ..errors import AimonError, SchemaError
from ..roles import CONVENTIONAL


def _paths(path_or_glob) -> list:
    if isinstance(path_or_glob, (list, tuple)):
        paths = [os.fspath(p) for p in path_or_glob]
    else:
        path = os.fspath(path_or_glob)
        if any(ch in path for ch in "*?["):
            paths = sorted(glob.glob(path, recursive=True))
        elif os.path.isdir(path):
            paths = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True))
        else:
            paths = [path] if os.path.exists(path) else []
    if not paths:
        raise AimonError(f"read_log(): no parquet file matches {path_or_glob!r}. Give a file, a folder or a "
                         "glob such as 'logs/*.parquet'.")
    return paths


def _time_field(schema, timestamp):
    """The parquet field that holds the request time (a column or the stored pandas index)."""
    names = list(schema.names)
    if timestamp is not None:
        if timestamp not in names:
            raise SchemaError([f"read_log(): timestamp={timestamp!r} is not a column of the files."], names)
        return timestamp
    meta = schema.pandas_metadata or {}
    index_cols = [c for c in meta.get("index_columns", []) if isinstance(c, str)]
    lowered = {n.lower(): n for n in names}
    for name in CONVENTIONAL["timestamp"]:
        if name in lowered:
            return lowered[name]
    import pyarrow as pa

    for name in index_cols:
        if pa.types.is_timestamp(schema.field(name).type):
            return name
    stamps = [n for n in names if pa.types.is_timestamp(schema.field(n).type)]
    return stamps[0] if len(stamps) == 1 else None


def _bound(value, field, keyword):
    import pyarrow as pa

    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise AimonError(f"read_log(): {keyword}={value!r} is not a time ({exc}).") from None
    tz = field.type.tz
    if tz is not None and ts.tz is None:
        ts = ts.tz_localize(tz)
    elif tz is None and ts.tz is not None:
        raise AimonError(f"read_log(): {keyword}={value!r} has a time zone but {field.name!r} is stored without "
                         f"one; pass a naive time (e.g. {keyword}='{ts.tz_convert(None):%Y-%m-%d %H:%M}').")
    return pa.scalar(ts.as_unit("ns") if field.type.unit == "ns" else ts, type=field.type)


def read_log(path_or_glob, columns=None, start=None, end=None, timestamp=None) -> pd.DataFrame:
    """Read an inference log from parquet, only the columns and time range asked for.

    Parameters
    ----------
    path_or_glob : str, path or list
        A parquet file, a folder of them, a glob (``"logs/*.parquet"``) or a list of files.
    columns : list of str, optional
        Columns to read (the timestamp and a stored index are always read). Default: all.
    start, end : str or Timestamp, optional
        Keep requests with ``start <= time < end``; naive bounds are read in the column's zone.
        Row groups outside the range are skipped by their statistics.
    timestamp : str, optional
        The time column, when it is not inferred (conventional names, the stored index, or the
        only timestamp column).

    Returns
    -------
    DataFrame
        Rows in file order (aimon's calls put them in time order).

    Examples
    --------
    >>> import os, tempfile, pandas as pd, aimon, aimon.io
    >>> t = pd.date_range("2026-03-01", periods=96, freq="h")
    >>> df = pd.DataFrame({"latency_ms": range(96), "x": 1.0}, index=t.rename("timestamp"))
    >>> path = os.path.join(tempfile.mkdtemp(), "log.parquet")
    >>> df.to_parquet(path)
    >>> part = aimon.io.read_log(path, columns=["latency_ms"], start="2026-03-02", end="2026-03-03")
    >>> list(part.columns), len(part), str(part.index.min())
    (['latency_ms'], 24, '2026-03-02 00:00:00')
    """
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise AimonError("read_log() needs pyarrow: pip install pandas-aimon[parquet].") from None
    dataset = ds.dataset(_paths(path_or_glob), format="parquet")
    schema = dataset.schema
    field_name = _time_field(schema, timestamp)
    meta = schema.pandas_metadata or {}
    index_cols = [c for c in meta.get("index_columns", []) if isinstance(c, str) and c in schema.names]
    if columns is not None:
        columns = [columns] if isinstance(columns, str) else list(columns)
        absent = [c for c in columns if c not in schema.names]
        if absent:
            raise SchemaError([f"read_log(): columns={absent!r} are not in the files."], list(schema.names))
        columns = list(dict.fromkeys([*columns, *([field_name] if field_name else []), *index_cols]))
    expr = None
    if start is not None or end is not None:
        import pyarrow as pa

        if field_name is None:
            raise SchemaError(["read_log(): start=/end= need a time column; none was found. Name it with "
                               "timestamp='...'."], list(schema.names))
        field = schema.field(field_name)
        if not pa.types.is_timestamp(field.type):
            raise SchemaError([f"read_log(): {field_name!r} is stored as {field.type}, not as a timestamp, so "
                               "start=/end= cannot be pushed down. Rewrite the files with a datetime column, or "
                               "read them whole and filter in pandas."], list(schema.names))
        f = ds.field(field_name)
        if start is not None:
            expr = f >= _bound(start, field, "start")
        if end is not None:
            cond = f < _bound(end, field, "end")
            expr = cond if expr is None else expr & cond
    table = dataset.to_table(columns=columns, filter=expr)
    df = table.to_pandas()
    if columns is not None and field_name in index_cols:
        df = df[[c for c in df.columns if c in columns]]
    return df
