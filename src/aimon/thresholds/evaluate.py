"""Window-based evaluation of alerts against labelled incidents (as NAB counts them).

An incident window is detected when at least one alert fires inside it (ends inclusive).
Alerts that fire outside every window are false; consecutive flagged points form one episode.
Precision is counted per episode: TP windows / (TP windows + false episodes), recall is
TP / windows, F1 their harmonic mean. ``alert_precision`` is the share of all episodes that
touch a window, ``delay`` the time from a window's start to its first alert, and
``false_alerts_per_day`` the false episodes per day of the judged period.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AimonError, SchemaError

METRICS = ["windows", "detected", "missed", "false_episodes", "false_flags", "episodes", "true_episodes",
           "precision", "recall", "f1", "alert_precision", "mean_delay", "median_delay",
           "false_alerts_per_day", "days"]


def _flags(alerts):
    from .alerts import AlertLog

    if isinstance(alerts, AlertLog):
        return alerts.flags
    if isinstance(alerts, pd.Series) and isinstance(alerts.index, pd.DatetimeIndex):
        f = pd.to_numeric(alerts, errors="coerce").fillna(0).to_numpy() > 0
        s = pd.Series(f.astype(np.int64), index=alerts.index)
        return s.sort_index() if not s.index.is_monotonic_increasing else s
    raise SchemaError([f"evaluate_alerts() needs an AlertLog (from model.detect) or a Series of 0/1 flags "
                       f"with a DatetimeIndex, got a {type(alerts).__name__}"
                       + (f" with a {type(alerts.index).__name__}." if hasattr(alerts, "index") else ".")])


def _windows(events, kinds, columns, index):
    if isinstance(events, pd.DataFrame):
        missing = [c for c in ("start", "end") if c not in events.columns]
        if missing:
            raise SchemaError([f"evaluate_alerts(): events need 'start' and 'end' columns (missing {missing})."],
                              events.columns)
        ev = events
        if kinds is not None:
            if "kind" not in ev.columns:
                raise SchemaError(["evaluate_alerts(kinds=...): the events have no 'kind' column."], ev.columns)
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            ev = ev[ev["kind"].isin(kinds)]
        if columns is not None:
            if "columns" not in ev.columns:
                raise SchemaError(["evaluate_alerts(columns=...): the events have no 'columns' column."], ev.columns)
            want = [columns] if isinstance(columns, str) else list(columns)
            ev = ev[ev["columns"].astype(str).str.split(",").apply(lambda cs: any(c.strip() in want for c in cs))]
        pairs = list(zip(ev["start"], ev["end"]))
    else:
        try:
            pairs = [(a, b) for a, b in events]
        except (TypeError, ValueError):
            raise SchemaError(["evaluate_alerts(): events must be a DataFrame with start/end columns or a list "
                               "of (start, end) pairs."]) from None
    tz = index.tz
    out = []
    for a, b in pairs:
        a, b = pd.Timestamp(a), pd.Timestamp(b)
        if (a.tz is None) != (tz is None):
            raise SchemaError(["evaluate_alerts(): event times and alert times must both be tz-aware or both "
                               "naive; convert one with tz_localize/tz_convert."])
        if b < a:
            raise AimonError(f"evaluate_alerts(): an event ends ({b}) before it starts ({a}).")
        out.append((a, b))
    return sorted(out)


def _runs(mask):
    m = np.r_[False, mask, False].astype(np.int8)
    d = np.diff(m)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1


def evaluate_alerts(alerts, events, kinds=None, columns=None, start=None, tolerance=None, per_event=False,
                    offset=None):
    """Precision, recall, F1 per alert episode, detection delay and false alerts per day.

    Parameters
    ----------
    alerts : AlertLog or Series
        The result of ``model.detect(...)`` (its firing points count), or 0/1 flags on a
        DatetimeIndex (1 where an alert fires).
    events : DataFrame or list of (start, end)
        Labelled incident windows, e.g. ``df.attrs["events"]`` (columns ``start``, ``end``,
        optionally ``kind`` and ``columns``).
    kinds, columns : str or list, optional
        Keep only events of these kinds / touching these columns (e.g. ``kinds="latency_spike"``).
    start : timestamp, optional
        Ignore flags before it and windows that end before it (e.g. a training or NAB
        probationary period).
    tolerance : str or Timedelta, optional
        Extend each window's end by this much (an alert shortly after a short incident counts).
    per_event : bool, default False
        Return one row per window (start, end, detected, first_alert, delay) instead.
    offset : str or Timedelta, optional
        Added to every alert time before matching. Pass the window length when the metric's
        timestamps label window *starts* (as ``aimon.ops`` does): a window's value, and so its
        alert, is known only at the window's end, and an incident starting inside a window
        would otherwise count the alert as a false one just before it.

    Returns
    -------
    DataFrame
        One row with the columns of ``METRICS`` (delays are Timedeltas; NaT when nothing is detected).

    Examples
    --------
    >>> import pandas as pd, aimon
    >>> idx = pd.date_range("2026-01-01", periods=10, freq="h")
    >>> flags = pd.Series([0, 0, 1, 0, 0, 0, 0, 1, 0, 0], index=idx)
    >>> r = aimon.evaluate_alerts(flags, [(idx[1], idx[3])])
    >>> r[["precision", "recall", "f1"]].round(3).values.tolist()
    [[0.5, 1.0, 0.667]]
    """
    flags = _flags(alerts)
    if offset is not None:
        try:
            shift = pd.Timedelta(offset)
        except (TypeError, ValueError):
            raise SchemaError([f"evaluate_alerts(): offset={offset!r} is not a duration; give e.g. '15min'."]) from None
        flags = flags.set_axis(flags.index + shift)
    index = flags.index.as_unit("ns")
    f = flags.to_numpy() > 0
    t = index.asi8
    wins = _windows(events, kinds, columns, index)
    tol = pd.Timedelta(tolerance) if tolerance is not None else pd.Timedelta(0)
    scored = np.ones(len(f), bool) if start is None else np.asarray(index >= pd.Timestamp(start))
    f = f & scored
    inwin = np.zeros(len(f), bool)
    rows = []
    for a, b in wins:
        if start is not None and b < pd.Timestamp(start):
            continue
        lo = np.searchsorted(t, a.as_unit("ns").value, "left")
        hi = np.searchsorted(t, (b + tol).as_unit("ns").value, "right")
        inwin[lo:hi] = True
        hits = np.flatnonzero(f[lo:hi])
        first = index[lo + hits[0]] if hits.size else pd.NaT
        rows.append({"start": a, "end": b, "detected": bool(hits.size), "first_alert": first,
                     "delay": (first - a) if hits.size else pd.NaT})
    table = pd.DataFrame(rows, columns=["start", "end", "detected", "first_alert", "delay"])
    if per_event:
        return table
    n_win = len(rows)
    tp = int(table["detected"].sum()) if n_win else 0
    fp_starts, _ = _runs(f & ~inwin)
    e_starts, e_ends = _runs(f)
    cum = np.r_[0, np.cumsum(inwin)]
    true_eps = int(np.count_nonzero(cum[e_ends + 1] - cum[e_starts] > 0))
    fp = len(fp_starts)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / n_win if n_win else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    n_scored = int(scored.sum())
    step = np.median(np.diff(t)) if len(t) > 1 else 0
    days = n_scored * step / 86_400e9
    delays = table.loc[table["detected"], "delay"] if n_win else pd.Series([], dtype="timedelta64[ns]")
    out = {"windows": n_win, "detected": tp, "missed": n_win - tp, "false_episodes": fp,
           "false_flags": int(np.count_nonzero(f & ~inwin)), "episodes": len(e_starts), "true_episodes": true_eps,
           "precision": p, "recall": r, "f1": f1,
           "alert_precision": true_eps / len(e_starts) if len(e_starts) else 0.0,
           "mean_delay": delays.mean() if len(delays) else pd.NaT,
           "median_delay": delays.median() if len(delays) else pd.NaT,
           "false_alerts_per_day": fp / days if days > 0 else np.nan, "days": days}
    return pd.DataFrame([out], columns=METRICS)
