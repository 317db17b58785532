"""Operational metrics per time window: traffic, errors, latency percentiles, tokens and cost."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._log import Problems, numeric, prepare, role_values, windows
from ..roles import CONVENTIONAL, absent_roles_note, infer_roles, require
from ._table import count_at_least, finish, per_segment, ratio, sum_count

QUANTILES = (0.5, 0.95, 0.99)


def error_flags(df: pd.DataFrame, col: str, order: np.ndarray) -> tuple[np.ndarray, int, int]:
    """1.0 for a failed request, 0.0 for a good one, NaN when unknown.

    A boolean or 0/1 column is read as is; a column of HTTP status codes (any value above 1)
    counts codes >= 500 as errors.
    """
    values, n_missing, n_invalid = numeric(df, col, "error", order)
    # fmax/fmin skip NaN without copying the finite values out (NaN only when no value is finite)
    top = np.fmax.reduce(values) if values.size else np.nan
    if top > 1:
        flags = (values >= 500).astype(np.float64)
        if n_missing or n_invalid:
            flags[np.isnan(values)] = np.nan
        values = flags
    elif values.size and np.fmin.reduce(values) < 0:
        from ..errors import SchemaError

        raise SchemaError([f"Role 'error': column {col!r} has negative values; expected a boolean, "
                           "0/1, or HTTP status codes. Name another column with error='...'."], df.columns)
    return values, n_missing, n_invalid


def error_source(df: pd.DataFrame, col: str, order) -> tuple[np.ndarray, int | None, int, int]:
    """What ``error_flags`` reads, without its float copy when it can: for a boolean or integer
    column, (its values in ``order`` as uint8/int64, t, 0, 0) with the errors being the values >= t
    (500 for status codes, 1 for 0/1); otherwise (``error_flags``'s flags, None, missing, invalid)."""
    dt = df[col].dtype
    if isinstance(dt, np.dtype) and (dt.kind == "b" or dt.kind == "i" or (dt.kind == "u" and dt.itemsize < 8)):
        raw = df[col].to_numpy()
        raw = raw.view(np.uint8) if dt.kind == "b" else raw.astype(np.int64, copy=False)
        raw = raw[order]
        top = raw.max() if raw.size else 0
        if top > 1:
            return raw, 500, 0, 0
        if raw.size and raw.min() < 0:
            return error_flags(df, col, order) + (None,)  # raises its SchemaError
        return raw, 1, 0, 0
    values, n_missing, n_invalid = error_flags(df, col, order)
    return values, None, n_missing, n_invalid


def _latency_block(prefix, values, bounds, qs, names, extra_max=True):
    if values is None:
        return {}
    summary = _kernel()(values, bounds, np.asarray(qs, dtype=np.float64))
    cols = {}
    if extra_max:
        cols[f"{prefix}_mean"] = summary[:, 2]
    for j, name in enumerate(names):
        cols[f"{prefix}_{name}"] = summary[:, 4 + j]
    if extra_max:
        cols[f"{prefix}_max"] = summary[:, 3]
    cols[f"{prefix}_missing"] = (np.diff(bounds) - summary[:, 0]).astype(np.int64)
    return cols


def _kernel():
    from .._kernels.windows import window_summary

    return window_summary


def ops(df: pd.DataFrame, freq="5min", by=None, resources=None, gpu_hourly_usd=None, idle_util=0.2,
        idle_rate=0.5, **roles) -> pd.DataFrame:
    """Operational metrics per time window (and segment).

    Parameters
    ----------
    df : DataFrame
        Inference log, one row per request.
    freq : str
        Window length, any pandas frequency (``"1min"``, ``"5min"``, ``"1h"``, ``"1D"``). Windows
        are binned exactly as ``df.resample(freq)`` bins them; empty windows are kept with 0 requests.
    by : str or list of str, optional
        Segment column(s); one row per window and segment.
    resources : DataFrame, optional
        Resource series (DatetimeIndex; GPU/CPU utilisation, memory, queue depth, replicas), e.g.
        from :func:`aimon.io.prometheus_range`: adds ``<series>_mean``/``_max`` per window,
        ``idle_share``, ``gpu_hours``, ``requests_per_gpu_hour`` (see :mod:`aimon.metrics.resources`).
    gpu_hourly_usd : float, optional
        Price of a GPU-hour: adds ``compute_cost``, ``compute_cost_per_request`` and
        ``total_cost_per_request`` (token + compute). A ``value`` role (``value_usd``) adds ``roi``.
    idle_util, idle_rate : float
        A resource sample is idle when utilisation is below ``idle_util`` of its scale and its
        requests are below ``idle_rate`` times the mean per sample.
    **roles
        Column overrides, e.g. ``latency="t_ms"``, ``timestamp="ts"``, ``error="failed"``, and the
        unit of the latency/TTFT columns, ``latency_unit="s"`` (else inferred from the name suffix,
        ``_ms``/``_s``/``_us``, or ms).

    Returns
    -------
    DataFrame indexed by window start: ``requests``, ``throughput_rps``, ``errors``, ``error_rate``,
    ``latency_mean/p50/p95/p99/max`` in ms (numpy's linear quantiles), ``latency_missing`` (requests
    without a usable latency: missing, text or negative), and when present ``ttft_p50/p95``, token and cost totals and per
    request. ``table.attrs['aimon']['excluded']`` counts values left out per role
    (``latency_missing``, ``latency_invalid`` for text, inf or negative values, ...).

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> t = df.aimon.ops("1h")
    >>> int(t["requests"].sum()) == len(df)
    True
    """
    r = infer_roles(df, **roles)
    require(r, ["timestamp"], df, "ops()")
    checks = Problems(df)  # every unusable role column is reported in one error
    log = checks.run(prepare, df, r)
    rows = log.rows if log is not None else slice(None)
    excluded = {}
    arrays = {}
    metric_roles = ("latency", "ttft", "input_tokens", "output_tokens", "cost")
    checks.note(absent_roles_note(df, r, ("latency", "error"), "ops()"))
    if not checks.notes and all(r.get(k) is None and k not in r.declared_absent for k in metric_roles + ("error",)):
        checks.note(f"ops() found no latency or error column (looked for {', '.join(CONVENTIONAL['latency'][:4])}, "
                    f"...; {', '.join(CONVENTIONAL['error'])}): only requests and throughput are reported. "
                    "Name them with latency='...', error='...'.")
    for role in metric_roles:
        if r.get(role) is not None:
            converted = checks.run(role_values, df, r, role, rows, checks.notes, view=True)
            if converted is not None:
                arrays[role], excluded[f"{role}_missing"], excluded[f"{role}_invalid"] = converted
    err = None
    if r.get("error") is not None:
        converted = checks.run(error_source, df, r["error"], rows)
        if converted is not None:
            err, err_at_least, n_missing, n_invalid = converted
            excluded["error_unknown"] = n_missing + n_invalid
    checks.raise_any()
    checks.warn_any()
    win = windows(log.times, freq)

    def compute(pos, bounds):
        requests = np.diff(bounds)
        seconds = win.seconds
        cols = {"requests": requests, "throughput_rps": ratio(requests, seconds)}
        if err is not None:
            if err_at_least is None:
                errors, known = sum_count(err[pos], bounds)
            else:
                errors, known = count_at_least(err[pos], bounds, err_at_least), requests
            cols["errors"] = errors.astype(np.int64)
            cols["error_rate"] = ratio(errors, known)
        if "latency" in arrays:
            cols.update(_latency_block("latency", arrays["latency"][pos], bounds, QUANTILES, ("p50", "p95", "p99")))
        if "ttft" in arrays:
            cols.update(_latency_block("ttft", arrays["ttft"][pos], bounds, (0.5, 0.95), ("p50", "p95"),
                                       extra_max=False))
        for role in ("input_tokens", "output_tokens", "cost"):
            if role in arrays:
                total, counted = sum_count(arrays[role][pos], bounds)
                cols[role] = total
                cols[f"{role}_per_request"] = ratio(total, counted)
        return cols

    table = per_segment(df, log, win, by, compute)
    if resources is not None or gpu_hourly_usd is not None or r.get("value") is not None:
        from .resources import add_to_ops

        table = add_to_ops(table, df, r, log, win, freq, resources, gpu_hourly_usd, idle_util, idle_rate)
    return finish(table, log, freq, excluded, "ops()")
