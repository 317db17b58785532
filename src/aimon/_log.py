"""Turn an inference log into sorted arrays once: timestamps, window boundaries, role columns.

Every metric starts here. Rows are put in time order (stable, so equal timestamps keep their
order), rows without a usable timestamp are dropped and counted, and role columns are converted
to float arrays with invalid entries counted rather than silently lost.
"""
from __future__ import annotations

import contextvars
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import AimonWarning, DataDroppedWarning, SchemaError
from .roles import INDEX, SECONDS_LIKE_MEDIAN, UNITS, Roles


@dataclass
class Log:
    """Rows of a frame in time order, with what was dropped on the way."""

    times: pd.DatetimeIndex          # sorted, no NaT
    _order: np.ndarray | None        # positions in the input in time order; None: 0..n-1 (in_order)
    n_rows: int                      # rows in the input frame
    dropped: dict = field(default_factory=dict)  # reason -> number of rows left out
    in_order: bool = False           # every row kept and already in time order (order is 0..n-1)

    @property
    def order(self) -> np.ndarray:
        """Positions in the original frame, in time order (made on first use when in order)."""
        if self._order is None:
            self._order = np.arange(self.n_rows)
        return self._order

    @property
    def i8(self) -> np.ndarray:
        return self.times.asi8

    @property
    def rows(self):
        """Indexer of the input's rows in time order: a plain slice when they already are."""
        return slice(None) if self.in_order else self.order


def _timestamps(df: pd.DataFrame, col) -> tuple[pd.DatetimeIndex, str | None]:
    """Timestamps aligned with the rows of ``df`` (NaT where unusable) and a note on conversion."""
    if col == INDEX:
        return pd.DatetimeIndex(df.index), None
    s = df[col]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.DatetimeIndex(s), None
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise SchemaError(
            [f"Role 'timestamp': column {col!r} holds numbers ({s.dtype}), not times. Convert epoch "
             f"values first, e.g. df[{col!r}] = pd.to_datetime(df[{col!r}], unit='s'), or name the time "
             f"column with timestamp='...'."], df.columns)
    values = s.astype(object).where(s.notna(), None)
    note = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
            if not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
                raise ValueError("mixed time zones")
            if parsed.isna().sum() > values.isna().sum():
                # Timestamps in different zones are coerced to NaT rather than refused: try UTC
                in_utc = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
                if in_utc.isna().sum() < parsed.isna().sum():
                    parsed, note = in_utc, "timestamps with different time zones were converted to UTC"
        except (ValueError, TypeError):
            parsed = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
            note = "timestamps with different time zones were converted to UTC"
    if note:
        n_naive, n_aware = _naive_and_aware(values)
        if n_naive and n_aware:
            note = f"{n_naive} timestamp(s) without a time zone were taken as UTC (the other {n_aware} have one)"
            warnings.warn(f"Column {col!r} mixes {n_naive} timestamp(s) without a time zone with {n_aware} "
                          "that have one; those without were taken as UTC. If they are local times, give "
                          f"them their zone first (e.g. parse df[{col!r}] with pd.to_datetime and "
                          ".dt.tz_localize('Europe/Paris')), or write every value with its offset.",
                          AimonWarning, stacklevel=4)
    return pd.DatetimeIndex(parsed), note


_TZ_SUFFIX = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?|\s*(?:UTC|GMT))\s*$"  # after a clock time


def _naive_and_aware(values: pd.Series) -> tuple[int, int]:
    """How many present values carry no time zone and how many do (strings by their suffix after
    the clock time, datetime objects by their tzinfo)."""
    present = values[values.notna()]
    is_str = present.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    strs = present[is_str].astype(str)
    aware = int(strs.str.contains(r"\d:\d{2}(?::\d{2})?(?:\.\d+)?" + _TZ_SUFFIX, regex=True).sum())
    n_naive = len(strs) - aware
    others = present[~is_str]
    has_tz = others.map(lambda v: getattr(v, "tzinfo", None) is not None).to_numpy(dtype=bool)
    return n_naive + int((~has_tz).sum()), aware + int(has_tz.sum())


def prepare(df: pd.DataFrame, roles: Roles) -> Log:
    """Sort the rows of ``df`` by the timestamp role; count and drop rows without a timestamp."""
    col = roles["timestamp"]
    times, note = _timestamps(df, col)
    from ._kernels.scan import time_scan

    i8 = times.asi8
    n_bad, is_sorted = time_scan(i8)  # one pass, no masks: the common log is sorted and complete
    if len(df) and n_bad == len(df):
        raise SchemaError(
            [f"Role 'timestamp': none of the {len(df)} values of {col if col != INDEX else 'the index'!r} "
             f"could be read as a time. Parse them with pd.to_datetime(..., format=...) or name another "
             f"column with timestamp='...'."], df.columns)
    idx = None
    if n_bad:
        idx = np.flatnonzero(~np.asarray(times.isna()))
    if not is_sorted:
        sub = i8[idx] if n_bad else i8
        idx = np.argsort(sub, kind="stable") if idx is None else idx[np.argsort(sub, kind="stable")]
    dropped = {}
    if n_bad:
        dropped["no_timestamp"] = n_bad
        warnings.warn(f"{n_bad} of {len(df)} rows have no usable timestamp in "
                      f"{col if col != INDEX else 'the index'!r} and were left out (counted in the result).",
                      DataDroppedWarning, stacklevel=3)
    in_order = is_sorted and not n_bad
    out = Log(times=times if in_order else times[idx], _order=idx, n_rows=len(df), dropped=dropped,
              in_order=in_order)
    if note:
        out.dropped["note"] = note
    return out


def numeric(df: pd.DataFrame, col: str, role: str, order: np.ndarray, view: bool = False
            ) -> tuple[np.ndarray, int, int]:
    """Float64 values of ``col`` in ``order``; (values with NaN for unusable, n_missing, n_invalid).

    Missing: NaN/None in the input. Invalid: present but not a finite number (text, inf). Both
    become NaN in the returned array, and the caller reports the counts. ``view=True``: a clean
    float64 column in order may come back as a view of the input (no copy); the caller must then
    never write to it.
    """
    s = df[col]
    if view and s.dtype == np.float64 and isinstance(order, slice):
        raw = np.ascontiguousarray(s.to_numpy())  # a view unless strided; NaN is already NaN
    elif pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        raw = s.to_numpy(dtype=np.float64, na_value=np.nan)
    elif pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype):
        if pd.api.types.is_timedelta64_dtype(s.dtype) and role in ("latency", "ttft"):
            raw = s.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan) * 1000.0
        else:
            raise SchemaError([f"Role {role!r}: column {col!r} holds times ({s.dtype}), not numbers. "
                               f"Name a numeric column with {role}='...'."], df.columns)
    else:
        conv = pd.to_numeric(s.astype(object), errors="coerce")
        raw = np.asarray(conv, dtype=np.float64)
        if s.notna().any() and not np.isfinite(raw).any():
            examples = ", ".join(repr(v) for v in s.dropna().astype(str).unique()[:3])
            raise SchemaError([f"Role {role!r}: column {col!r} holds text ({examples}), not numbers. "
                               f"Convert it with pd.to_numeric(df[{col!r}], errors='coerce') or name "
                               f"another column with {role}='...'."], df.columns)
    from ._kernels.scan import count_nonfinite

    values = raw[order]
    n_unusable = int(count_nonfinite(values))
    if not n_unusable:
        return values, 0, 0
    finite = np.isfinite(values)
    n_missing = int(np.asarray(s.isna())[order].sum())
    n_invalid = n_unusable - n_missing
    values = np.where(finite, values, np.nan)
    return values, n_missing, n_invalid


NON_NEGATIVE = ("latency", "ttft", "input_tokens", "output_tokens", "cost")


def role_values(df: pd.DataFrame, roles: Roles, role: str, order, notes=None, view: bool = False
                ) -> tuple[np.ndarray, int, int]:
    """:func:`numeric` for a role column, in the unit aimon reports (latency and TTFT in ms).

    Negative latencies, TTFTs, token counts and costs cannot be right: they are counted as
    invalid and left out (NaN), like text. A latency whose unit nothing states (no ``_ms``/``_s``
    suffix, no ``latency_unit=``) is read as ms; when its median is below
    ``SECONDS_LIKE_MEDIAN`` it looks like seconds, and a note is added to ``notes``.
    """
    col = roles[role]
    values, n_missing, n_invalid = numeric(df, col, role, order, view)
    if role in roles.units and not pd.api.types.is_timedelta64_dtype(df[col].dtype):
        unit, source = roles.units[role]
        if source == "default" and notes is not None:
            med = np.nanmedian(values) if np.isfinite(values).any() else np.nan
            if np.isfinite(med) and 0 < med < SECONDS_LIKE_MEDIAN:
                notes.append(f"{role} column {col!r} is read as milliseconds (its name states no unit), but its "
                             f"median is {med:.3g}: if it holds seconds, pass {role}_unit='s'.")
        if UNITS[unit] != 1.0:
            values = values * UNITS[unit]
    if role in NON_NEGATIVE:
        from ._kernels.scan import count_negative

        n_neg = int(count_negative(values))
        if n_neg:
            values = np.where(values < 0, np.nan, values)
            n_invalid += n_neg
    return values, n_missing, n_invalid


@dataclass
class Windows:
    """Time windows of one frequency, labelled and closed as ``resample(freq)`` does it."""

    labels: pd.DatetimeIndex
    seconds: np.ndarray   # length of each window
    side: str             # 'left' (labelled by their start) or 'right' (labelled by their last day: 'W', 'ME')
    ends: pd.DatetimeIndex | None = None  # exclusive end of each window (same unit as the times)
    start0: int | None = None  # start of the first window (int64) when earlier rows must be left out

    def bounds(self, i8: np.ndarray) -> np.ndarray:
        """Rows ``bounds[k]:bounds[k+1]`` of the sorted int64 times ``i8`` fall in window k."""
        if len(self.labels) == 0:
            return np.array([len(i8)], dtype=np.int64)
        if self.side == "right":
            first = 0 if self.start0 is None else np.searchsorted(i8, self.start0, side="left")
            b = np.concatenate([[first], np.searchsorted(i8, self.ends.asi8[:-1], side="left"), [len(i8)]])
        else:
            b = np.concatenate([np.searchsorted(i8, self.labels.asi8, side="left"), [len(i8)]])
        b = b.astype(np.int64)
        if len(b):
            b[-1] = len(i8)
        return b


def _after_day(idx: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Midnight (wall clock) after each day of ``idx``."""
    wall = idx.tz_localize(None) + pd.Timedelta(days=1)
    return wall.tz_localize(idx.tz) if idx.tz is not None else wall


def _add_period(label: pd.Timestamp, offset) -> pd.Timestamp:
    if label.tz is not None and isinstance(offset, pd.offsets.Day):
        wall = label.tz_localize(None) + offset
        return wall.tz_localize(label.tz, ambiguous=True, nonexistent="shift_forward")
    return label + offset


_GRID = contextvars.ContextVar("aimon_window_grid", default=None)


@contextmanager
def window_grid(first, last, lo=None, hi=None):
    """Inside this block :func:`windows` lays its windows over ``[first, last]`` (the whole log)
    whatever the rows at hand, and keeps those that start in ``[lo, hi)``.

    This is how a chunk of a larger log (aimon.dask) gets exactly the windows, labels and
    origin that the call on the whole log would give it, empty windows included.
    """
    token = _GRID.set((pd.Timestamp(first), pd.Timestamp(last), lo, hi))
    try:
        yield
    finally:
        _GRID.reset(token)


def to_offset(freq):
    """``pandas.tseries.frequencies.to_offset`` without pandas 2.2's FutureWarning about the case
    of an unknown alias ('nonsense' -> 'NONSENSE'), which it emits just before raising."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return pd.tseries.frequencies.to_offset(freq)


def windows(times: pd.DatetimeIndex, freq) -> Windows:
    """The windows of ``freq`` that cover the sorted ``times``, empty ones included
    (or the windows of the whole log inside :func:`window_grid`)."""
    try:
        offset = to_offset(freq)
        if offset is None or offset.n <= 0:
            raise ValueError("a window needs a positive length")
        grouper = pd.Grouper(freq=freq)
    except (ValueError, TypeError) as exc:
        raise SchemaError([f"freq={freq!r} is not a pandas frequency ({exc}). "
                           "Use e.g. '5min', '1h', '1D'."]) from None
    grid = _GRID.get()
    if len(times) == 0 and grid is None:
        return Windows(times[:0], np.zeros(0), "left", times[:0])
    unit = times.unit
    span = times[[0, -1]] if grid is None else pd.DatetimeIndex(list(grid[:2])).as_unit(unit)
    labels = pd.DatetimeIndex(pd.Series([0, 0], index=span).resample(freq).size().index).as_unit(unit)
    if grouper.closed == "right":
        # resample's right-closed frequencies ('W', 'ME', 'QE', 'YE', ...) are labelled by their
        # last day and hold all of it: window k is [day after label k-1, day after label k).
        start, end = _after_day(labels - offset), _after_day(labels)
    else:
        # consecutive windows touch; the last one ends one period after its label, counted in wall
        # time for whole days so that DST days last 23 or 25 hours (as resample bins them)
        start, end = labels, labels.append(pd.DatetimeIndex([_add_period(labels[-1], offset)]))[1:]
    start, end = start.as_unit(unit), end.as_unit(unit)
    start0 = None
    if grid is not None:  # the windows of the whole log that start in [lo, hi)
        keep = np.ones(len(start), dtype=bool)
        if grid[2] is not None:
            keep &= start >= grid[2]
        if grid[3] is not None:
            keep &= start < grid[3]
        labels, start, end = labels[keep], start[keep], end[keep]
        start0 = int(start.asi8[0]) if len(start) else None
    seconds = np.asarray((end - start).total_seconds(), dtype=np.float64)
    return Windows(labels, seconds, "right" if grouper.closed == "right" else "left", end, start0)


def segments(df: pd.DataFrame, by, log: Log):
    """Split sorted rows by the segment columns ``by``.

    Returns [(key tuple, positions into the sorted rows)], in sorted key order. Rows with a
    missing segment value form their own segment (key NaN) so that no row is lost.
    """
    by = [by] if isinstance(by, str) else list(by)
    absent = [b for b in by if b not in df.columns]
    if absent:
        raise SchemaError([f"by=: column(s) {absent!r} do not exist. Pass existing column names."],
                          df.columns)
    keys = df[by].iloc[log.order].reset_index(drop=True)
    gb = keys.groupby(by, sort=True, dropna=False, observed=True)
    codes = gb.ngroup().to_numpy()
    items = sorted(gb.indices.items(), key=lambda kv: codes[kv[1][0]])
    return by, [(k if isinstance(k, tuple) else (k,), np.asarray(pos)) for k, pos in items]


class Problems:
    """Run several role conversions and report every SchemaError at once, not just the first;
    collect doubts about roles (``notes``) and say them in one warning."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self.problems: list[str] = []
        self.notes: list[str] = []

    def note(self, text) -> None:
        if text:
            self.notes.append(text)

    def warn_any(self, stacklevel=3) -> None:
        if self.notes:
            warnings.warn(" ".join(self.notes), AimonWarning, stacklevel=stacklevel)

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SchemaError as exc:
            self.problems.extend(exc.problems)
            return None

    def raise_any(self) -> None:
        if self.problems:
            raise SchemaError(self.problems, self.df.columns)
