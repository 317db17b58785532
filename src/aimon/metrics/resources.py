"""Resource series (GPU/CPU utilisation, memory, queue depth, replicas) beside the model's metrics.

A *resource frame* has a DatetimeIndex (the sample times, e.g. a Prometheus range query at a
1-minute step) and one numeric column per series. :func:`aimon.ops` with ``resources=`` adds,
per window of the log:

- ``<column>_mean`` and ``<column>_max``: mean and maximum of the samples whose time falls in the
  window (windows as ``resample(freq)`` bins them: left-closed, labelled by their start);
  ``resource_samples`` counts them (NaN samples are left out of that column only);
- ``idle_share``: the share of the window's samples that are *idle*: the utilisation column is
  below ``idle_util`` of its scale (0-1, or 0-100 when any value exceeds 1) **and** the requests
  that arrived during the sample (from its time to the next sample's) are fewer than
  ``idle_rate`` times the log's mean requests per sample: capacity that was paid for and not used;
- ``gpu_hours``: sum over the samples of the GPU count (the ``gpus``/``replicas`` column, else 1)
  times the sample's duration (the median spacing of the samples), and ``requests_per_gpu_hour``;
- with ``gpu_hourly_usd``: ``compute_cost`` (gpu_hours * price), ``compute_cost_per_request``, and
  ``total_cost_per_request`` (token cost per request + compute cost per request);
- with a ``value`` role (``value_usd``: value of the task per request): ``value``,
  ``value_per_request`` and ``roi`` = (value - cost) / cost, cost = token cost + compute cost.

The utilisation column is the first whose name contains ``gpu_util``, else ``util``; the GPU
count the first containing ``gpus`` or ``replicas``. ``table.attrs["aimon"]["resources"]``
states all of this for the call.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ._table import ratio, sum_count

UTIL_NAMES = ("gpu_util", "util")
GPU_NAMES = ("gpus", "replicas")


def _find(columns, needles):
    for needle in needles:
        for c in columns:
            if needle in str(c).lower():
                return c
    return None


def check_resources(resources, log_times: pd.DatetimeIndex) -> pd.DataFrame:
    """The numeric columns of ``resources`` sorted by time, in the log's time zone (or a clear error)."""
    if not isinstance(resources, pd.DataFrame):
        raise SchemaError(f"resources= needs a DataFrame of resource series (DatetimeIndex, one column per "
                          f"series), got {type(resources).__name__}.")
    if not isinstance(resources.index, pd.DatetimeIndex):
        raise SchemaError(["resources= needs a DatetimeIndex (the sample times), e.g. the frame "
                           "aimon.io.prometheus_range() returns; set one with res.index = pd.to_datetime(...)."],
                          resources.columns)
    numeric = [c for c in resources.columns if pd.api.types.is_numeric_dtype(resources[c].dtype)
               and not pd.api.types.is_bool_dtype(resources[c].dtype)]
    if not numeric:
        raise SchemaError(["resources= has no numeric column (GPU utilisation, memory, queue depth, ...)."],
                          resources.columns)
    res = resources[numeric]
    if res.index.hasnans:
        res = res[res.index.notna()]
    aware_log, aware_res = log_times.tz is not None, res.index.tz is not None
    if aware_log != aware_res:
        raise SchemaError([f"resources= has {'tz-aware' if aware_res else 'naive'} times and the log "
                           f"{'tz-aware' if aware_log else 'naive'} ones; make them alike, e.g. "
                           "res.index = res.index.tz_localize('UTC')."])
    if aware_log:
        res = res.tz_convert(log_times.tz)
    if not res.index.is_monotonic_increasing:
        res = res.sort_index(kind="stable")
    return res


def sample_seconds(index: pd.DatetimeIndex) -> float:
    """Duration each sample stands for: the median spacing of the sample times (60 s if only one)."""
    if len(index) < 2:
        return 60.0
    d = np.diff(index.as_unit("ns").asi8) / 1e9
    d = d[d > 0]
    return float(np.median(d)) if d.size else 60.0


def span_of(win, freq, first_time) -> tuple[int, int]:
    """[start, end) of the log's windows, in the windows' int64 unit. Calendar windows labelled by
    their end ('W', 'ME') start at the midnight of the log's first day (earlier samples are left out)."""
    if win.side == "right":
        return first_time.normalize().as_unit(win.labels.unit).value, int(win.ends.asi8[-1])
    end = win.labels[-1] + pd.tseries.frequencies.to_offset(freq)
    return int(win.labels.asi8[0]), int(end.as_unit(win.labels.unit).value)


def window_resources(res: pd.DataFrame, win, freq, log_times: pd.DatetimeIndex, requests: np.ndarray,
                     token_cost=None, value=None, gpu_hourly_usd=None, idle_util=0.2, idle_rate=0.5):
    """Columns (dict of arrays, one entry per window of ``win``) and the note for ``attrs``."""
    labels = win.labels
    log_i8 = log_times.as_unit(labels.unit).asi8
    t_all = res.index.as_unit(labels.unit).asi8
    if len(labels):
        lo, hi = span_of(win, freq, log_times[0])
        keep = (t_all >= lo) & (t_all < hi)
    else:
        keep = np.zeros(len(t_all), dtype=bool)
    step = sample_seconds(res.index)
    unit = {"ns": 10 ** 9, "us": 10 ** 6, "ms": 10 ** 3, "s": 1}[labels.unit]
    # requests that arrived during each sample: from its time to the next sample's (the last: one step)
    ends = np.append(t_all[1:], t_all[-1] + int(step * unit)) if len(t_all) else t_all
    per_sample = (np.searchsorted(log_i8, ends, side="left") - np.searchsorted(log_i8, t_all, side="left"))[keep]
    res, t = res[keep], t_all[keep]
    bounds = win.bounds(t)  # samples bounds[k]:bounds[k+1] fall in window k
    cols = {}
    for c in res.columns:
        v = res[c].to_numpy(dtype=np.float64, na_value=np.nan)
        v = np.where(np.isfinite(v), v, np.nan)
        total, count = sum_count(v, bounds)
        cols[f"{c}_mean"] = ratio(total, count)
        cols[f"{c}_max"] = _window_max(v, bounds)
    cols["resource_samples"] = np.diff(bounds).astype(np.int64)
    util_col, gpu_col = _find(res.columns, UTIL_NAMES), _find(res.columns, GPU_NAMES)
    note = {"aggregation": "mean and max of the resource samples whose time falls in the window",
            "sample_seconds": step, "samples": int(len(t)), "samples_outside_windows": int(len(t_all) - len(t)),
            "utilisation_column": util_col, "gpu_count_column": gpu_col}
    if util_col is not None:
        u = res[util_col].to_numpy(dtype=np.float64, na_value=np.nan)
        scale = 100.0 if np.nanmax(np.where(np.isfinite(u), u, np.nan), initial=0.0) > 1.0 else 1.0
        mean_per_sample = float(per_sample.mean()) if per_sample.size else 0.0
        idle = np.where(np.isfinite(u), ((u < idle_util * scale) & (per_sample < idle_rate * mean_per_sample)) * 1.0,
                        np.nan)
        n_idle, n_known = sum_count(idle, bounds)
        cols["idle_share"] = ratio(n_idle, n_known)
        note["idle"] = (f"a sample is idle when {util_col} < {idle_util * scale:g} (idle_util={idle_util:g} of a "
                        f"0-{scale:g} scale) and fewer than {idle_rate * mean_per_sample:.3g} requests arrived "
                        f"during it (idle_rate={idle_rate:g} x the log's mean of {mean_per_sample:.3g})")
    gpus = np.ones(len(t)) if gpu_col is None else res[gpu_col].to_numpy(dtype=np.float64, na_value=np.nan)
    gpu_hours, _ = sum_count(np.where(np.isfinite(gpus), gpus, np.nan) * step / 3600.0, bounds)
    gpu_hours = np.where(cols["resource_samples"] > 0, gpu_hours, np.nan)  # unknown without samples
    cols["gpu_hours"] = gpu_hours
    cols["requests_per_gpu_hour"] = ratio(requests, gpu_hours)
    cost = np.zeros(len(requests)) if token_cost is None else np.asarray(token_cost, dtype=np.float64)
    if gpu_hourly_usd is not None:
        compute = gpu_hours * float(gpu_hourly_usd)
        cols["compute_cost"] = compute
        cols["compute_cost_per_request"] = ratio(compute, requests)
        cost = cost + compute
        cols["total_cost_per_request"] = ratio(cost, requests)
        note["gpu_hourly_usd"] = float(gpu_hourly_usd)
    if value is not None:
        cols["value"] = value
        cols["value_per_request"] = ratio(value, requests)
        cols["roi"] = ratio(value - cost, cost)
    return cols, note


def _window_max(v: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Max of the non-NaN ``v[bounds[k]:bounds[k+1]]`` per window; NaN for an empty or all-NaN window."""
    k = len(bounds) - 1
    if k <= 0:
        return np.zeros(max(k, 0))
    filled = np.append(np.where(np.isnan(v), -np.inf, v), -np.inf)  # the extra value closes empty windows
    starts = np.asarray(bounds[:-1], dtype=np.intp)
    out = np.maximum.reduceat(filled, starts)
    out[(starts == bounds[1:]) | (out == -np.inf)] = np.nan
    return out


def check_price(gpu_hourly_usd):
    if gpu_hourly_usd is None:
        return None
    try:
        price = float(gpu_hourly_usd)
    except (TypeError, ValueError):
        price = np.nan
    if not np.isfinite(price) or price < 0:
        raise SchemaError([f"gpu_hourly_usd={gpu_hourly_usd!r}: give the price of one GPU-hour in USD, e.g. 2.5."])
    return price


def value_sums(values: np.ndarray | None, bounds) -> np.ndarray | None:
    return None if values is None else sum_count(values, bounds)[0]


def attach(df: pd.DataFrame, resources: pd.DataFrame, times: pd.DatetimeIndex) -> pd.DataFrame:
    """A copy of ``df`` with each resource column joined to every request: the latest sample at or
    before the request's time (as-of join), NaN before the first sample or more than two sample
    spacings after the last one."""
    res = check_resources(resources, times)
    clash = [c for c in res.columns if c in df.columns]
    if clash:
        raise SchemaError([f"resources= columns {clash!r} are also columns of the log; rename them first."],
                          df.columns)
    step = sample_seconds(res.index)
    left = pd.DataFrame({"_t": times, "_pos": np.arange(len(df))})
    ok = left["_t"].notna()
    right = res.reset_index(names="_t")
    right["_t"] = right["_t"].astype(left["_t"].dtype)
    joined = pd.merge_asof(left[ok].sort_values("_t", kind="stable"), right, on="_t", direction="backward",
                           tolerance=pd.Timedelta(seconds=2 * step))
    out = df.copy(deep=False)
    for c in res.columns:
        col = np.full(len(df), np.nan)
        col[joined["_pos"].to_numpy()] = joined[c].to_numpy(dtype=np.float64, na_value=np.nan)
        out[c] = col
    return out


def add_to_ops(table, df, roles, log, win, freq, resources, gpu_hourly_usd, idle_util, idle_rate):
    """The hook of :func:`aimon.ops`: resource, compute-cost and ROI columns joined to its table by
    window (with ``by``, every segment row of a window gets the whole window's values)."""
    from .._log import numeric

    price = check_price(gpu_hourly_usd)
    for name, v in (("idle_util", idle_util), ("idle_rate", idle_rate)):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v:
            raise SchemaError([f"{name}={v!r}: give a non-negative number (idle_util=0.2 means 20% utilisation)."])
    if price is not None and resources is None:
        raise SchemaError(["gpu_hourly_usd= prices GPU-hours, which come from resources=: pass the resource "
                           "frame too, e.g. resources=aimon.io.prometheus_range(...)."])
    bounds = win.bounds(log.i8)
    requests = np.diff(bounds).astype(np.float64)
    sums = {}
    for role in ("cost", "value"):
        if roles.get(role) is not None:
            v, _, _ = numeric(df, roles[role], role, log.rows)
            sums[role] = sum_count(v, bounds)[0]
    if resources is not None:
        res = check_resources(resources, log.times)
        cols, note = window_resources(res, win, freq, log.times, requests, sums.get("cost"), sums.get("value"),
                                      price, idle_util, idle_rate)
    else:  # a value role without resources: ROI against the token cost
        cost = sums.get("cost", np.zeros(len(requests)))
        cols = {"value": sums["value"], "value_per_request": ratio(sums["value"], requests),
                "roi": ratio(sums["value"] - cost, cost)}
        note = {}
    if "value" in sums:
        note["roi"] = "(value - cost) / cost per window; cost = token cost" + (" + compute cost" if price else "")
    out = table.copy()
    for name, arr in cols.items():
        col = pd.Series(arr, index=win.labels)
        out[name] = col.reindex(out.index).to_numpy() if len(out) != len(col) else col.to_numpy()
    out.attrs["aimon_resources"] = note
    return out


def attach_roles(df, reference, resources, roles):
    """``df`` (and ``reference`` when it is a frame) with the resource columns joined per request."""
    from .._log import _timestamps
    from ..roles import infer_roles, require

    def one(frame):
        r = infer_roles(frame, **roles)
        require(r, ["timestamp"], frame, "resources=")
        times, _ = _timestamps(frame, r["timestamp"])
        out = attach(frame, resources, times)
        stored = out.attrs.get("aimon_roles", {}).get("features")
        if stored is not None:  # features named with with_roles(): the resource series join them
            out.attrs = {**out.attrs, "aimon_roles": {**out.attrs["aimon_roles"],
                                                      "features": list(stored) + list(resources.columns)}}
        return out

    return one(df), (one(reference) if isinstance(reference, pd.DataFrame) else reference)
