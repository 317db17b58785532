"""Put a metric Series on a regular time grid once, and tell the time of day / week of any timestamp.

Everything downstream (baselines, bands, the alert policy) works on positions of a regular grid,
so durations are point counts. Irregular or duplicated timestamps are averaged into their grid
slot, missing slots become NaN; both are counted, never silently filled into alerts.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AimonError, DataDroppedWarning, SchemaError
from .._log import to_offset

DAY_NS = 86_400 * 10**9


@dataclass
class Grid:
    index: pd.DatetimeIndex      # regular, step ``step_ns``
    values: np.ndarray           # float64, NaN where no usable value
    step_ns: int
    counts: dict = field(default_factory=dict)   # what happened to the input points
    name: str = "value"


def to_offset_ns(freq, what="freq") -> int:
    """Nanoseconds of a fixed frequency ('5min', '1h', a Timedelta); AimonError otherwise."""
    try:
        td = pd.Timedelta(to_offset(freq)) if not isinstance(freq, pd.Timedelta) else freq
    except (ValueError, TypeError):
        raise SchemaError([f"{what}={freq!r} is not a fixed pandas frequency. Use e.g. '5min', '1h', '1D'."]) from None
    ns = int(td.value)
    if ns <= 0:
        raise SchemaError([f"{what}={freq!r} must be a positive duration, e.g. '5min'."])
    return ns


def points(duration, step_ns: int, what: str) -> int:
    """A duration ('2h', a Timedelta) or a number of points, as a number of grid points (>= 0)."""
    if duration is None:
        return 0
    if isinstance(duration, (int, np.integer)) and not isinstance(duration, bool):
        if duration < 0:
            raise AimonError(f"{what}={duration!r} must not be negative.")
        return int(duration)
    try:
        ns = pd.Timedelta(duration).value
    except (ValueError, TypeError):
        raise AimonError(f"{what}={duration!r}: give a number of points or a duration such as '30min'.") from None
    if ns < 0:
        raise AimonError(f"{what}={duration!r} must not be negative.")
    return int(round(ns / step_ns))


def infer_step(i8: np.ndarray) -> int | None:
    d = np.diff(i8)
    d = d[d > 0]
    return int(np.median(d)) if d.size else None


def to_grid(series, freq=None, step_ns=None, what="fit_thresholds()") -> Grid:
    """Validate ``series`` (a numeric Series with a DatetimeIndex) and put it on a regular grid."""
    if isinstance(series, pd.DataFrame):
        raise SchemaError([f"{what} needs one metric: pass a Series, or a DataFrame with the column "
                           f"name, e.g. ops.aimon.fit_thresholds('latency_p95')."], series.columns)
    if not isinstance(series, pd.Series):
        raise SchemaError([f"{what} needs a pandas Series with a DatetimeIndex, got {type(series).__name__}."])
    name = str(series.name) if series.name is not None else "value"
    if not isinstance(series.index, pd.DatetimeIndex):
        raise SchemaError([f"{what}: the series {name!r} has a {type(series.index).__name__}, not a "
                           f"DatetimeIndex. Set one with s.index = pd.to_datetime(...)."])
    s = series
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        raw = s.to_numpy(dtype=np.float64, na_value=np.nan)
        n_text = 0
    else:
        conv = pd.to_numeric(s.astype(object), errors="coerce")
        raw = np.asarray(conv, dtype=np.float64)
        n_text = int(np.count_nonzero(np.isnan(raw) & np.asarray(s.notna())))
        if len(s) and not np.isfinite(raw).any() and s.notna().any():
            raise SchemaError([f"{what}: the series {name!r} holds text ({s.dtype}), not numbers. Convert "
                               f"it with pd.to_numeric(s, errors='coerce')."])
    idx = s.index.as_unit("ns")
    if idx.tz is not None:
        idx = idx.tz_convert("UTC")
    i8 = idx.asi8.copy()
    ok_time = ~np.asarray(idx.isna())
    n_nat = int(len(i8) - ok_time.sum())
    finite = np.isfinite(raw)
    n_inf = int(np.count_nonzero(np.isinf(raw) & ok_time))
    counts = {"points": int(len(raw)), "no_timestamp": n_nat,
              "missing_values": int(np.count_nonzero(np.isnan(raw) & ok_time)) - n_text,
              "invalid_values": n_text + n_inf}
    i8, raw, finite = i8[ok_time], raw[ok_time], finite[ok_time]
    if finite.sum() == 0 and (step_ns is None or not len(i8)):   # detect() on all-NaN points: none judged
        raise AimonError(f"{what}: the series {name!r} has no finite values with a timestamp "
                         f"({counts['points']} points). Nothing to learn from.")
    if step_ns is None:
        # the step of the timestamps, missing values included: NaN gaps must not stretch it
        step_ns = to_offset_ns(freq) if freq is not None else infer_step(np.sort(i8))
        if step_ns is None:
            raise AimonError(f"{what}: the series {name!r} has a single timestamp; give freq=... or more data.")
    order = np.argsort(i8, kind="stable")
    i8, raw, finite = i8[order], raw[order], finite[order]
    # grid anchored at midnight (UTC or naive) of the first point, so slots fall on the clock
    first = (i8[0] // DAY_NS) * DAY_NS
    slot = (i8 - first) // step_ns
    off_grid = int(np.count_nonzero((i8 - first) % step_ns))
    n_slots = int(slot[-1]) + 1
    sums = np.bincount(slot[finite], weights=raw[finite], minlength=n_slots)
    cnt = np.bincount(slot[finite], minlength=n_slots)
    lo = int(slot[finite][0]) if finite.any() else 0
    sums, cnt = sums[lo:], cnt[lo:]
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(cnt > 0, sums / np.maximum(cnt, 1), np.nan)
    dup = int(np.count_nonzero(finite) - np.count_nonzero(cnt))
    any_point = np.bincount(slot, minlength=n_slots)[lo:]
    index = pd.DatetimeIndex(first + (lo + np.arange(len(values), dtype=np.int64)) * step_ns).as_unit("ns")
    index = index.tz_localize("UTC").tz_convert(series.index.tz) if series.index.tz is not None else index
    counts.update(off_grid=off_grid, averaged=dup, empty_slots=int(np.count_nonzero(any_point == 0)),
                  step=str(pd.Timedelta(step_ns)))
    if n_nat or n_text or n_inf:
        warnings.warn(f"{what}: {n_nat + n_text + n_inf} points of {name!r} have no timestamp or a non-numeric "
                      f"or infinite value "
                      f"and were left out (counted in the result's counts).", DataDroppedWarning, stacklevel=3)
    return Grid(index=index, values=values, step_ns=int(step_ns), counts=counts, name=name)


def wall_ns(index: pd.DatetimeIndex) -> np.ndarray:
    """Wall-clock nanoseconds (local time for tz-aware indexes) used for time-of-day phases."""
    if index.tz is not None:
        index = index.tz_localize(None)
    return index.as_unit("ns").asi8


def day_phase(index, step_ns: int, per_day: int) -> np.ndarray:
    return ((wall_ns(index) % DAY_NS) // step_ns).astype(np.int64) % per_day


def phase(index, step_ns: int, period: int, per_day: int = 0) -> np.ndarray:
    """Position of each timestamp in a cycle of ``period`` grid steps, counted on the wall clock.

    The count starts at the Unix epoch, so a daily period (a whole number of steps per day)
    puts midnight at phase 0 and any timestamp, past or future, gets the phase of its time of
    day (or of week). A period of 1 means no seasonality (phase 0 everywhere).
    """
    if period <= 1:
        return np.zeros(len(index), np.int64)
    return ((wall_ns(index) // step_ns) % period).astype(np.int64)
