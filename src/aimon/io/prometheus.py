"""Prometheus range queries (``/api/v1/query_range``) and saved responses -> a time-indexed frame.

The HTTP API answers ``{"status": "success", "data": {"resultType": "matrix", "result": [...]}}``
where each result is one series: its ``metric`` labels and ``values``, a list of
``[unix_seconds, "value"]`` pairs (values are strings, ``"NaN"`` and ``"+Inf"`` included). Errors
come back as ``{"status": "error", "errorType": ..., "error": ...}``. Only the standard library
talks HTTP (``urllib``), so nothing beyond aimon's own dependencies is needed.

Columns: a query that returns one series gives one column named after the query; a query that
returns several gives one column per series, named ``name{label="value",...}`` with the series'
labels in sorted order (the form ``histogram_quantile`` reads ``le`` from; ``__name__`` is left
out when every series of the query has the same one). The labels of every column are also in
``frame.attrs["aimon_prometheus"]["labels"]``.
"""
from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AimonError

ATTRS_KEY = "aimon_prometheus"


def series_name(name: str, labels: dict, single: bool) -> str:
    """Column name of one series: ``name`` alone, or ``name{k="v",...}`` with escaped values."""
    if single:
        return name
    inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(v) -> float:
    try:
        return float(v)  # Python reads "NaN", "+Inf", "-Inf" as Prometheus writes them
    except (TypeError, ValueError):
        raise AimonError(f"a sample value {v!r} is not a number") from None


def _series(name: str, payload, where: str) -> list[tuple[str, dict, pd.Series]]:
    """(column, labels, values) for every series of one API response."""
    if not isinstance(payload, dict) or "status" not in payload:
        raise AimonError(f"{where}: not a Prometheus API response (no 'status'); expected "
                         "{'status': 'success', 'data': {'resultType': 'matrix', 'result': [...]}}.")
    if payload["status"] != "success":
        raise AimonError(f"{where}: Prometheus answered {payload.get('errorType', 'error')}: "
                         f"{payload.get('error', payload)}")
    data = payload.get("data") or {}
    kind, result = data.get("resultType"), data.get("result") or []
    if kind == "scalar":
        result = [{"metric": {}, "value": result}]
    elif kind not in ("matrix", "vector"):
        raise AimonError(f"{where}: resultType {kind!r} cannot become a time series (expected matrix, "
                         "vector or scalar).")
    names = {(s.get("metric") or {}).get("__name__") for s in result}
    shared = len(names) == 1  # one metric name for all: the column names need not repeat it
    out = []
    for s in result:
        labels = dict(s.get("metric") or {})
        shown = {k: v for k, v in labels.items() if not (shared and k == "__name__")}
        points = s["values"] if "values" in s else [s["value"]]
        t = np.array([float(p[0]) for p in points], dtype=np.float64)
        v = np.array([_sample(p[1]) for p in points], dtype=np.float64)
        idx = pd.to_datetime(np.rint(t * 1e3).astype(np.int64), unit="ms", utc=True)
        out.append((series_name(name, shown, len(result) == 1), labels, pd.Series(v, index=idx)))
    return out


def frame_of(responses: dict, where: str, meta: dict | None = None) -> pd.DataFrame:
    """One frame from ``{name: api_response}``: the union of the time stamps, NaN where absent."""
    columns, labels, queries = {}, {}, {}
    for name, payload in responses.items():
        got = _series(name, payload, f"{where} (query {name!r})")
        for col, lab, values in got:
            if col in columns:
                raise AimonError(f"{where}: two series would both be named {col!r}; give the queries "
                                 "different names.")
            columns[col], labels[col] = values, lab
        queries[name] = [col for col, _, _ in got]
    if columns:
        df = pd.DataFrame(columns).sort_index()
    else:
        df = pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC"))
    df.index.name = "timestamp"
    df.attrs[ATTRS_KEY] = {"labels": labels, "columns_of": queries, **(meta or {})}
    return df


def _named(queries) -> dict:
    if isinstance(queries, str):
        return {"value": queries}
    if isinstance(queries, dict) and queries and all(isinstance(q, str) for q in queries.values()):
        return {str(k): v for k, v in queries.items()}
    raise AimonError(f"queries={queries!r}: give one PromQL string or a dict name -> PromQL, e.g. "
                     "{'gpu_util': 'avg(DCGM_FI_DEV_GPU_UTIL)'}.")


def _seconds(t, what) -> float:
    try:
        ts = pd.Timestamp(t)
    except (TypeError, ValueError):
        ts = pd.NaT
    if pd.isna(ts):
        raise AimonError(f"{what}={t!r} is not a time: pass e.g. '2026-03-01T08:00Z' or a Timestamp.")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.value / 1e9


def _step_seconds(step) -> float:
    try:
        sec = float(step) if isinstance(step, (int, float)) else pd.Timedelta(step).total_seconds()
    except (TypeError, ValueError):
        sec = np.nan
    if not np.isfinite(sec) or sec <= 0:
        raise AimonError(f"step={step!r}: give a positive duration such as '1min', '15s' or 60 (seconds).")
    return sec


def query_range(url: str, query: str, start: float, end: float, step: float, timeout=30.0) -> dict:
    """The decoded JSON answer of one ``/api/v1/query_range`` call (errors included)."""
    params = urllib.parse.urlencode({"query": query, "start": repr(start), "end": repr(end), "step": repr(step)})
    full = f"{url.rstrip('/')}/api/v1/query_range?{params}"
    try:
        with urllib.request.urlopen(full, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as exc:  # 400/422/503 carry a JSON error body
        body = exc.read()
        if not body:
            raise AimonError(f"prometheus_range(): {url} answered HTTP {exc.code} {exc.reason}.") from None
    except (urllib.error.URLError, OSError) as exc:
        raise AimonError(f"prometheus_range(): cannot reach {url} ({getattr(exc, 'reason', exc)}). Check the "
                         "address, e.g. 'http://127.0.0.1:9090'.") from None
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise AimonError(f"prometheus_range(): {url} did not answer JSON (is it a Prometheus server?): "
                         f"{body[:200]!r}") from None


def prometheus_range(url, queries, start, end, step="1min", timeout=30.0) -> pd.DataFrame:
    """Run PromQL range queries against a Prometheus server and return one time-indexed frame.

    Parameters
    ----------
    url : str
        Base address of the server (or of anything with its HTTP API: Thanos, Mimir, VictoriaMetrics),
        e.g. ``"http://127.0.0.1:9090"``.
    queries : str or dict
        One PromQL expression (its column is ``value``) or ``{name: expression}`` (one column each).
        An expression that returns several series gives one column per series, named
        ``name{label="value",...}``.
    start, end : str or Timestamp
        Time range (a naive time is UTC).
    step : str or float
        Resolution: a pandas duration (``"1min"``, ``"15s"``) or seconds.
    timeout : float
        Seconds to wait for each answer.

    Returns
    -------
    DataFrame
        Indexed by the UTC evaluation times (``timestamp``), NaN where a series has no sample.
        ``attrs["aimon_prometheus"]`` holds ``labels`` (column -> labels), ``columns_of``
        (query name -> its columns), ``queries``, ``url``, ``start``, ``end`` and ``step``.

    Examples
    --------
    >>> import aimon
    >>> res = aimon.io.prometheus_range(  # doctest: +SKIP
    ...     "http://127.0.0.1:9090", {"gpu_util": "avg(DCGM_FI_DEV_GPU_UTIL)"},
    ...     start="2026-03-02T08:00Z", end="2026-03-02T12:00Z", step="1min")
    >>> aimon.io.prometheus_range("http://127.0.0.1:9090", 42, "2026-03-02", "2026-03-03")
    Traceback (most recent call last):
    ...
    aimon.errors.AimonError: queries=42: give one PromQL string or a dict name -> PromQL, e.g. {'gpu_util': 'avg(DCGM_FI_DEV_GPU_UTIL)'}.
    """
    named = _named(queries)
    t0, t1, sec = _seconds(start, "start"), _seconds(end, "end"), _step_seconds(step)
    if t1 < t0:
        raise AimonError(f"end={end!r} is before start={start!r}.")
    responses = {name: query_range(url, q, t0, t1, sec, timeout) for name, q in named.items()}
    meta = {"queries": named, "url": str(url), "start": pd.Timestamp(t0, unit="s", tz="UTC"),
            "end": pd.Timestamp(t1, unit="s", tz="UTC"), "step": sec}
    return frame_of(responses, "prometheus_range()", meta)


def read_prometheus_json(path, name="value") -> pd.DataFrame:
    """Read a saved answer of the Prometheus HTTP API (``query_range`` or ``query``) into a frame.

    Parameters
    ----------
    path : str or Path
        A JSON file (gzip recognised by content) holding one API answer, or a JSON object
        ``{name: answer, ...}`` holding several (for instance several ``curl`` outputs combined).
    name : str
        Column name for a file holding a single answer.

    Returns
    -------
    DataFrame
        As :func:`prometheus_range` returns it.

    Examples
    --------
    >>> import aimon
    >>> path = aimon.datasets.bundled_file("chatbot_prometheus.json.gz")
    >>> res = aimon.io.read_prometheus_json(path)
    >>> res.index.tz is not None, "gpu_util" in res.columns
    (True, True)
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise AimonError(f"read_prometheus_json(): cannot read {str(p)!r} ({exc.strerror}).") from None
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AimonError(f"read_prometheus_json(): {str(p)!r} is not JSON ({exc.msg} at line {exc.lineno}).") \
            from None
    if isinstance(obj, dict) and "status" in obj:
        responses = {name: obj}
    elif isinstance(obj, dict) and obj and all(isinstance(v, dict) and "status" in v for v in obj.values()):
        responses = obj
    else:
        raise AimonError(f"read_prometheus_json(): {str(p)!r} holds neither a Prometheus API answer "
                         "({'status': 'success', 'data': ...}) nor a dict of them.")
    return frame_of(responses, f"read_prometheus_json({p.name!r})", {"path": str(p)})
