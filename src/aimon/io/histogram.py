"""``histogram_quantile`` with Prometheus's rules, on the bucket columns of a frame.

For each row (time) and histogram (the bucket columns that share every label but ``le``):

1. buckets without a value at that time are left out (Prometheus has no sample there);
2. buckets are sorted by their upper bound ``le``; unless the largest is ``+Inf`` the answer is NaN;
3. buckets with the same bound (``le="1"`` and ``le="1.0"``) are added together;
4. counts are made monotonic: a count below an earlier one is raised to it (counters scraped at
   slightly different moments can break cumulativity);
5. fewer than two buckets, or no observations (the ``+Inf`` count is 0): NaN;
6. the rank ``q * total`` is found in the first bucket whose count reaches it. In the ``+Inf``
   bucket the answer is the largest finite bound; in the first bucket with a bound <= 0 it is
   that bound; otherwise it is interpolated linearly within the bucket, the first bucket
   starting at 0;
7. ``q < 0`` gives ``-inf``, ``q > 1`` gives ``+inf``, ``q`` NaN gives NaN.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..errors import SchemaError
from .prometheus import ATTRS_KEY, series_name

_LABELS = re.compile(r'^(?P<name>[^{]*)\{(?P<inner>.*)\}$', re.S)
_PAIR = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')


def parse_labels(column) -> tuple[str, dict] | None:
    """``('name', {labels})`` from a column named ``name{k="v",...}``, or None."""
    m = _LABELS.match(str(column))
    if not m:
        return None
    labels, inner = {}, m.group("inner")
    pos = 0
    while pos < len(inner):
        p = _PAIR.match(inner, pos)
        if not p:
            return None
        labels[p.group(1)] = p.group(2).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        pos = p.end()
    return m.group("name"), labels


def _bound(text):
    try:
        return float(text)  # as Go's ParseFloat: "+Inf", "Inf", "1e0", ".2"
    except (TypeError, ValueError):
        return None


def bucket_columns(frame: pd.DataFrame):
    """{histogram column name: [(upper bound, column), ...]} and the columns without a usable ``le``."""
    stored = (frame.attrs.get(ATTRS_KEY) or {}).get("labels") or {}
    groups, ignored = {}, []
    for col in frame.columns:
        if col in stored:
            labels, name = dict(stored[col]), str(col).split("{", 1)[0]
        else:
            parsed = parse_labels(col)
            if parsed is not None:
                name, labels = parsed
            elif not isinstance(col, bool) and _bound(col) is not None:
                name, labels = "value", {"le": str(col)}
            else:
                ignored.append(col)
                continue
        labels.pop("__name__", None)  # PromQL's histogram_quantile drops the metric name too
        le = _bound(labels.pop("le", None))
        if le is None or not pd.api.types.is_numeric_dtype(frame[col].dtype):
            ignored.append(col)
            continue
        groups.setdefault(series_name(name, labels, not labels), []).append((le, col))
    return groups, ignored


def _search(n, pred) -> int:
    """Go's ``sort.Search``: the smallest ``i`` in ``[0, n)`` with ``pred(i)``, else ``n``."""
    lo, hi = 0, n
    while lo < hi:
        h = (lo + hi) // 2
        if not pred(h):
            lo = h + 1
        else:
            hi = h
    return lo


def bucket_quantile(q: float, bounds, counts) -> float:
    """The ``q`` quantile of one classic histogram (upper bounds and cumulative counts)."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    pairs = sorted((float(b), float(c)) for b, c in zip(bounds, counts))
    if not pairs or not math.isinf(pairs[-1][0]) or pairs[-1][0] < 0:
        return math.nan
    merged = []
    for b, c in pairs:
        if merged and merged[-1][0] == b:
            merged[-1][1] += c
        else:
            merged.append([b, c])
    top = -math.inf
    for item in merged:  # monotonic: raise a count that falls below an earlier one
        if item[1] > top:
            top = item[1]
        elif item[1] < top:
            item[1] = top
    if len(merged) < 2:
        return math.nan
    total = merged[-1][1]
    if total == 0:
        return math.nan
    rank = q * total
    b = _search(len(merged) - 1, lambda i: merged[i][1] >= rank)
    if b == len(merged) - 1:
        return merged[-2][0]
    if b == 0 and merged[0][0] <= 0:
        return merged[0][0]
    start, end, count = 0.0, merged[b][0], merged[b][1]
    if b > 0:
        start = merged[b - 1][0]
        count -= merged[b - 1][1]
        rank -= merged[b - 1][1]
    return start + (end - start) * _divide(rank, count)


def _complete_rows(q: float, bounds: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`bucket_quantile` on many rows that all have every bucket, with array operations."""
    n = counts.shape[0]
    order = np.argsort(bounds, kind="stable")
    bounds, counts = bounds[order], counts[:, order]
    if not n or not (math.isinf(bounds[-1]) and bounds[-1] > 0):
        return np.full(n, np.nan)
    keep = np.r_[True, bounds[1:] != bounds[:-1]]  # equal bounds: add their counts, in order
    merged = counts[:, keep].copy()
    group = np.cumsum(keep) - 1
    for j in np.flatnonzero(~keep):
        merged[:, group[j]] += counts[:, j]
    ub = bounds[keep]
    merged = np.maximum.accumulate(merged, axis=1)  # monotonic (no NaN in these rows)
    if len(ub) < 2:
        return np.full(n, np.nan)
    total = merged[:, -1]
    rank = q * total
    reach = merged[:, :-1] >= rank[:, None]
    b = np.where(reach.any(axis=1), reach.argmax(axis=1), len(ub) - 1)
    rows = np.arange(n)
    prev = np.where(b > 0, merged[rows, np.maximum(b - 1, 0)], 0.0)
    start = np.where(b > 0, ub[np.maximum(b - 1, 0)], 0.0)
    end = ub[np.minimum(b, len(ub) - 1)]
    count = merged[rows, np.minimum(b, len(ub) - 1)] - prev
    r = rank - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        out = start + (end - start) * (r / count)
    out = np.where(b == len(ub) - 1, ub[-2], out)
    out = np.where((b == 0) & (ub[0] <= 0), ub[0], out)
    out[total == 0] = np.nan
    return out


def _divide(a: float, b: float) -> float:
    """IEEE division as Go does it: x/0 is +-inf, 0/0 is NaN (Python would raise)."""
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def histogram_quantile(q, frame: pd.DataFrame) -> pd.DataFrame:
    """The ``q`` quantile of classic Prometheus histograms, per row, as PromQL computes it.

    Parameters
    ----------
    q : float
        Quantile in [0, 1] (outside it the answer is -inf or +inf, as in PromQL).
    frame : DataFrame
        Cumulative bucket counts (or their rates), one column per bucket: as
        :func:`prometheus_range` returns ``sum by (le) (rate(x_bucket[5m]))``, with the ``le``
        label in ``attrs`` or in column names like ``x{le="0.5"}``, or plain numeric column names
        (``0.1, 0.5, inf``). Columns with the same labels apart from ``le`` form one histogram;
        columns without ``le`` are ignored (as PromQL ignores them) and listed in
        ``attrs["aimon_histogram"]["ignored"]``. NaN means "no sample at this time": that bucket
        is left out of that row.

    Returns
    -------
    DataFrame
        Same index, one column per histogram (named by its labels other than ``le``).

    Examples
    --------
    >>> import pandas as pd, aimon
    >>> b = pd.DataFrame({0.1: [2.0, 0.0], 0.5: [8.0, 0.0], float("inf"): [10.0, 0.0]})
    >>> aimon.io.histogram_quantile(0.5, b)["value"].tolist()  # 0.1 + 0.4 * (5 - 2) / 6
    [0.30000000000000004, nan]
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"histogram_quantile() needs a DataFrame of bucket columns, got {type(frame).__name__}.")
    try:
        qf = float(q)
    except (TypeError, ValueError):
        raise SchemaError([f"q={q!r}: give a number between 0 and 1, e.g. 0.95."]) from None
    groups, ignored = bucket_columns(frame)
    if not groups:
        raise SchemaError(["histogram_quantile() found no bucket columns: name them with an 'le' label "
                           "(x{le=\"0.5\"}, as prometheus_range returns 'sum by (le) (rate(x_bucket[5m]))') "
                           "or by their upper bound (0.1, 0.5, inf)."], frame.columns)
    out = {}
    for name, members in groups.items():
        bounds = np.array([b for b, _ in members])
        counts = frame[[c for _, c in members]].to_numpy(dtype=np.float64, na_value=np.nan)
        complete = ~np.isnan(counts).any(axis=1)
        values = np.full(len(frame), np.nan)
        if math.isnan(qf) or qf < 0 or qf > 1:
            any_bucket = ~np.isnan(counts).all(axis=1)  # a row without any bucket has no answer
            values[any_bucket] = bucket_quantile(qf, [math.inf], [1.0])  # NaN, -inf or +inf whatever the buckets
        else:
            values[complete] = _complete_rows(qf, bounds, counts[complete])
            for i in np.flatnonzero(~complete):  # rows where some bucket has no sample: one by one
                row = counts[i]
                present = ~np.isnan(row)
                values[i] = bucket_quantile(qf, bounds[present], row[present]) if present.any() else np.nan
        out[name] = values
    result = pd.DataFrame(out, index=frame.index)
    result.attrs["aimon_histogram"] = {"q": qf, "ignored": [str(c) for c in ignored],
                                       "buckets": {k: [str(c) for _, c in v] for k, v in groups.items()}}
    return result
