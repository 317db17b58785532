"""Slow, obviously correct reference implementations used by the tests.

Nothing here imports aimon. Window membership comes from pandas itself (iterating
``frame.resample(freq)``); window lengths and ends come from explicit calendar arithmetic;
every statistic is a plain loop or a numpy call on the rows of one window.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

QS = (0.5, 0.95, 0.99)


# ---------------------------------------------------------------- windows
def resample_groups(times, freq):
    """[(label, positions of the rows of ``times`` in that window)] as ``resample(freq)`` bins them."""
    times = pd.DatetimeIndex(times)
    frame = pd.DataFrame({"pos": np.arange(len(times))}, index=times)
    frame = frame[frame.index.notna()]
    if len(frame) == 0:
        return []
    return [(label, sorted(g["pos"].tolist())) for label, g in frame.resample(freq)]


def _localize(wall: dt.datetime, tz):
    ts = pd.Timestamp(wall)
    return ts if tz is None else ts.tz_localize(tz)


def window_span(label: pd.Timestamp, freq: str):
    """(start, end) of the window labelled ``label``: rows with start <= t < end belong to it.

    Explicit calendar arithmetic for the frequencies the tests use: fixed lengths ('90min', '1h'),
    days ('1D', '2D': local midnights), weeks ('W', 'W-WED': labelled by their last day, closed on
    the right), month ends ('ME': labelled by the last day) and month starts ('MS').
    """
    tz = label.tz
    wall = label.tz_localize(None).to_pydatetime() if tz is not None else label.to_pydatetime()
    f = freq.upper()
    num = "".join(ch for ch in f if ch.isdigit())
    n = int(num) if num else 1
    unit = f[len(num):]
    if unit == "D":
        return label, _localize(wall + dt.timedelta(days=n), tz)
    if unit.startswith("W"):
        last_day = dt.datetime(wall.year, wall.month, wall.day)
        return (_localize(last_day - dt.timedelta(days=7 * n - 1), tz),
                _localize(last_day + dt.timedelta(days=1), tz))
    if unit == "ME":
        assert n == 1
        first = dt.datetime(wall.year, wall.month, 1)
        nxt = dt.datetime(wall.year + (wall.month == 12), wall.month % 12 + 1, 1)
        return _localize(first, tz), _localize(nxt, tz)
    if unit == "MS":
        assert n == 1
        nxt = dt.datetime(wall.year + (wall.month == 12), wall.month % 12 + 1, 1)
        return label, _localize(nxt, tz)
    return label, label + pd.Timedelta(freq)


def window_seconds(label, freq) -> float:
    start, end = window_span(label, freq)
    return (end - start).total_seconds()


# ---------------------------------------------------------------- values
def to_float(values) -> np.ndarray:
    """Finite numbers as float, everything else (NaN, inf, text, None) as NaN."""
    out = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = np.nan
        out.append(x if np.isfinite(x) else np.nan)
    return np.array(out, dtype=np.float64)


def error_flags(values) -> np.ndarray:
    """1 failed, 0 ok, NaN unknown: bools / 0-1 as is, HTTP status codes (any value > 1) >= 500."""
    x = to_float(values)
    codes = np.nanmax(x) > 1 if np.isfinite(x).any() else False
    out = np.full(len(x), np.nan)
    for i, v in enumerate(x):
        if not np.isnan(v):
            out[i] = float(v >= 500) if codes else float(v)
    return out


def summary(values, qs=QS) -> dict:
    """count, mean, max, quantiles (numpy 'linear') of the finite values."""
    v = np.array([x for x in values if np.isfinite(x)], dtype=np.float64)
    out = {"count": len(v)}
    if len(v) == 0:
        out.update({"mean": np.nan, "max": np.nan, **{q: np.nan for q in qs}})
        return out
    out["mean"] = float(np.mean(v))
    out["max"] = float(np.max(v))
    for q in qs:
        out[q] = float(np.quantile(v, q))
    return out


# ---------------------------------------------------------------- ops
def ops(times, cols: dict, freq: str, labels=None) -> pd.DataFrame:
    """Reference of aimon.ops: one loop over the windows of ``resample(freq)``.

    ``cols`` maps role -> raw values aligned with ``times`` (latency, ttft, error, input_tokens,
    output_tokens, cost). ``labels`` (optional) reindexes onto a given list of windows, with
    empty windows for labels the rows do not reach.
    """
    groups = dict(resample_groups(times, freq))
    if labels is None:
        labels = list(groups)
    arr = {k: (error_flags(v) if k == "error" else to_float(v)) for k, v in cols.items()}
    rows = []
    for label in labels:
        pos = groups.get(label, [])
        row = {"requests": len(pos), "throughput_rps": len(pos) / window_seconds(label, freq)}
        if "error" in arr:
            e = arr["error"][pos]
            known = e[~np.isnan(e)]
            row["errors"] = int(known.sum())
            row["error_rate"] = known.sum() / len(known) if len(known) else np.nan
        if "latency" in arr:
            s = summary(arr["latency"][pos])
            row.update(latency_mean=s["mean"], latency_p50=s[0.5], latency_p95=s[0.95],
                       latency_p99=s[0.99], latency_max=s["max"], latency_missing=len(pos) - s["count"])
        if "ttft" in arr:
            s = summary(arr["ttft"][pos], (0.5, 0.95))
            row.update(ttft_p50=s[0.5], ttft_p95=s[0.95], ttft_missing=len(pos) - s["count"])
        for role in ("input_tokens", "output_tokens", "cost"):
            if role in arr:
                v = arr[role][pos]
                v = v[~np.isnan(v)]
                total = 0.0
                for x in v:
                    total += x
                row[role] = total
                row[f"{role}_per_request"] = total / len(v) if len(v) else np.nan
        rows.append(row)
    columns = ["requests", "throughput_rps"]
    if "error" in arr:
        columns += ["errors", "error_rate"]
    if "latency" in arr:
        columns += [f"latency_{s}" for s in ("mean", "p50", "p95", "p99", "max", "missing")]
    if "ttft" in arr:
        columns += ["ttft_p50", "ttft_p95", "ttft_missing"]
    for role in ("input_tokens", "output_tokens", "cost"):
        if role in arr:
            columns += [role, f"{role}_per_request"]
    return pd.DataFrame(rows, index=pd.DatetimeIndex(labels), columns=columns)


# ---------------------------------------------------------------- slo
def request_bad(latency, error, latency_ms):
    """Per request: 1 bad, 0 good, NaN not judged (nothing known to be bad, something unknown)."""
    lat = to_float(latency) if latency is not None else None
    err = error_flags(error) if error is not None else None
    n = len(lat) if lat is not None else len(err)
    out = np.full(n, np.nan)
    for i in range(n):
        e = err[i] if err is not None else 0.0
        if latency_ms is None:
            out[i] = e
            continue
        slow = np.nan if np.isnan(lat[i]) else float(lat[i] > latency_ms)
        if e == 1 or slow == 1:
            out[i] = 1.0
        elif np.isnan(e) or np.isnan(slow):
            out[i] = np.nan
        else:
            out[i] = 0.0
    return out


def slo(times, latency, error, latency_ms, quantile, freq, alerts, labels=None) -> pd.DataFrame:
    """Reference of aimon.slo; trailing burn rates by a scan over every raw row."""
    times = pd.DatetimeIndex(times)
    bad = request_bad(latency, error, latency_ms)
    groups = dict(resample_groups(times, freq))
    if labels is None:
        labels = list(groups)
    budget = 1 - quantile
    rows = []
    cum_bad = cum_judged = 0
    for label in labels:
        pos = groups.get(label, [])
        b = bad[pos]
        n_bad = int(np.nansum(b))
        judged = int((~np.isnan(b)).sum())
        cum_bad += n_bad
        cum_judged += judged
        comp = (judged - n_bad) / judged if judged else np.nan
        row = {"requests": len(pos), "good": judged - n_bad, "bad": n_bad, "excluded": len(pos) - judged,
               "compliance": comp, "slo_met": True if judged == 0 else comp >= quantile,
               "burn_rate": (1 - comp) / budget if judged else np.nan,
               "budget_consumed": cum_bad / (budget * cum_judged) if cum_judged else np.nan}
        row["budget_remaining"] = 1 - row["budget_consumed"]
        _, end = window_span(label, freq)
        rates = {}
        for name, long_w, short_w, factor in alerts:
            for w in (long_w, short_w):
                if w not in rates:
                    lo = end - pd.Timedelta(w)
                    nb = nj = 0
                    for i in range(len(times)):
                        if times[i] is not pd.NaT and lo <= times[i] < end and not np.isnan(bad[i]):
                            nj += 1
                            nb += bad[i]
                    rates[w] = nb / nj / budget if nj else np.nan
                    row[f"burn_rate_{w}"] = rates[w]
            row[name] = bool(rates[long_w] > factor and rates[short_w] > factor)
        rows.append(row)
    columns = ["requests", "good", "bad", "excluded", "compliance", "slo_met", "burn_rate", "budget_consumed",
               "budget_remaining"]
    for name, long_w, short_w, _ in alerts:
        columns += [f"burn_rate_{w}" for w in (long_w, short_w) if f"burn_rate_{w}" not in columns] + [name]
    return pd.DataFrame(rows, index=pd.DatetimeIndex(labels), columns=columns)


# ---------------------------------------------------------------- random logs (hypothesis)
TZS = (None, "UTC", "America/New_York")
# wall-clock starts just before the spring-forward and fall-back transitions of America/New_York
STARTS = ("2024-03-09 21:13", "2024-11-02 22:41", "2024-01-30 23:59")
LATENCY = (1.0, 1.0, 2.5, 100.0, np.nan, np.inf, -np.inf)


def times_strategy(st, min_size=0, max_size=30, span_s=3 * 86400):
    """Random (unsorted, often duplicated) timestamps: naive or tz-aware, any datetime unit."""

    @st.composite
    def build(draw):
        n = draw(st.integers(min_size, max_size))
        step = draw(st.sampled_from([1, 60, 1800, 3600]))
        offsets = draw(st.lists(st.integers(0, span_s // step), min_size=n, max_size=n))
        tz = draw(st.sampled_from(TZS))
        unit = draw(st.sampled_from(["s", "ms", "us", "ns"]))
        start = pd.Timestamp(draw(st.sampled_from(STARTS)))
        start = start.tz_localize(tz) if tz else start
        times = pd.DatetimeIndex(start + pd.to_timedelta(np.array(offsets, dtype=np.int64) * step, unit="s"))
        return times.as_unit(unit)

    return build()


def values_strategy(st, n, kind):
    if kind == "latency":
        elem = st.one_of(st.sampled_from(LATENCY), st.floats(0, 5000, allow_nan=False))
    elif kind == "error":
        elem = st.booleans()
    elif kind == "status":
        elem = st.sampled_from([200, 201, 404, 499, 500, 503])
    elif kind == "tokens":
        elem = st.integers(0, 2000)
    elif kind == "cost":
        elem = st.one_of(st.floats(0, 1, allow_nan=False), st.just(np.nan))
    elif kind == "segment":
        elem = st.sampled_from(["a", "b", "c"])
    else:
        raise ValueError(kind)
    return st.lists(elem, min_size=n, max_size=n)


def log_strategy(st, min_size=0, max_size=30, span_s=3 * 86400, segment=True):
    """A random inference log: timestamps as index or 'timestamp' column, conventional names."""

    @st.composite
    def build(draw):
        times = draw(times_strategy(st, min_size, max_size, span_s))
        n = len(times)
        cols = {"latency_ms": draw(values_strategy(st, n, "latency")),
                "ttft_ms": draw(values_strategy(st, n, "latency"))}
        if draw(st.booleans()):
            cols["error"] = draw(values_strategy(st, n, "error"))
        else:
            cols["status_code"] = draw(values_strategy(st, n, "status"))
        cols["input_tokens"] = draw(values_strategy(st, n, "tokens"))
        cols["output_tokens"] = draw(values_strategy(st, n, "tokens"))
        cols["cost_usd"] = draw(values_strategy(st, n, "cost"))
        if segment:
            cols["model_version"] = draw(values_strategy(st, n, "segment"))
        cols = {k: np.asarray(v, dtype=np.float64) if k in ("latency_ms", "ttft_ms", "cost_usd") else v
                for k, v in cols.items()}
        if draw(st.booleans()):
            return pd.DataFrame(cols, index=times)
        return pd.DataFrame({"timestamp": times, **cols})

    return build()


ROLE_COLUMNS = {"latency": "latency_ms", "ttft": "ttft_ms", "input_tokens": "input_tokens",
                "output_tokens": "output_tokens", "cost": "cost_usd"}


def log_parts(df):
    """(times, {role: values}) of a frame made by :func:`log_strategy`."""
    times = df.index if isinstance(df.index, pd.DatetimeIndex) else pd.DatetimeIndex(df["timestamp"])
    cols = {role: df[c].tolist() for role, c in ROLE_COLUMNS.items() if c in df.columns}
    for c in ("error", "status_code"):
        if c in df.columns:
            cols["error"] = df[c].tolist()
    return times, cols


def assert_index_equal(left, right, check_freq=False, **kw):
    """pd.testing.assert_index_equal, ignoring ``freq`` on pandas 2 (which lacks check_freq)."""
    if not check_freq:
        left, right = pd.Index(left), pd.Index(right)
        if isinstance(left, pd.DatetimeIndex) and isinstance(right, pd.DatetimeIndex):
            # pandas 2 builds ns indexes from lists of Timestamps whatever their unit
            left, right = left._with_freq(None).as_unit("ns"), right._with_freq(None).as_unit("ns")
    pd.testing.assert_index_equal(left, right, **kw)
