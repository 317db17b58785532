"""Latency/availability SLO compliance and error-budget burn rates (multi-window, multi-burn-rate).

A request is *good* when it succeeded and (for a latency SLO) its latency is at most the target.
The objective says which share must be good (``quantile=0.95``: 95% of requests under
``latency_ms``, i.e. p95 <= target). The error budget is the allowed bad share, ``1 - quantile``;
the burn rate is the observed bad share divided by it (1 = spending the budget exactly on time).
Alerts follow the multi-window rule of the Google SRE workbook: an alert fires when both the long
and the short trailing window burn faster than the factor (page: 1h and 5min above 14.4, or 6h
and 30min above 6; ticket: 3d and 6h above 1).
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .._log import Problems, prepare, role_values, windows
from ..errors import SchemaError
from ..roles import absent_roles_note, infer_roles, require
from ._table import finish, per_segment, ratio, sum_count
from .ops import error_flags

#: (name, long window, short window, burn-rate factor) as recommended for a 30-day SLO.
BURN_ALERTS = (("page_fast", "1h", "5min", 14.4), ("page_slow", "6h", "30min", 6.0), ("ticket", "3D", "6h", 1.0))


def _is_number(x) -> bool:
    """A real number, numpy's included (np.int64(300) from a frame), but not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _trailing_rate(i8, bad_cum, valid_cum, ends, starts):
    """Bad share of requests in [start, end) for each trailing window (int64 times, same unit)."""
    hi = np.searchsorted(i8, ends, side="left")
    lo = np.searchsorted(i8, starts, side="left")
    return ratio(bad_cum[hi] - bad_cum[lo], valid_cum[hi] - valid_cum[lo])


def slo(df: pd.DataFrame, latency_ms=None, quantile=0.95, freq="1h", by=None, burn_alerts=BURN_ALERTS,
        **roles) -> pd.DataFrame:
    """SLO compliance, error budget and burn-rate alerts per time window.

    Parameters
    ----------
    latency_ms : float, optional
        Latency target in ms: a request is good when it succeeded and was at most this slow.
        ``None`` gives an availability SLO (good = no error).
    quantile : float
        The objective, the share of requests that must be good (0.95 for "p95 <= target").
    freq : str
        Reporting window (any pandas frequency).
    by : str or list of str, optional
        Segment column(s).
    burn_alerts : sequence of (name, long, short, factor)
        Multi-window burn-rate alert rules; the default is the SRE workbook's for a 30-day SLO.

    Returns
    -------
    DataFrame indexed by window start: ``requests``, ``good``, ``bad``, ``excluded`` (no latency and
    no error: not judged), ``compliance``, ``slo_met``, ``burn_rate``, cumulative
    ``budget_consumed`` / ``budget_remaining`` since the first window, ``burn_rate_<w>`` over each
    trailing alert window at the window's end, and one boolean column per alert rule.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> s = df.aimon.slo(latency_ms=300, quantile=0.95, freq="1h")
    >>> bool(((s["compliance"] >= 0) & (s["compliance"] <= 1)).all())
    True
    """
    if not (_is_number(quantile) and 0 < quantile < 1):
        raise SchemaError([f"quantile={quantile!r}: give the objective as a share between 0 and 1, e.g. 0.95."])
    if latency_ms is not None and not (_is_number(latency_ms) and latency_ms > 0):
        raise SchemaError([f"latency_ms={latency_ms!r}: give the latency target in milliseconds, e.g. 300."])
    r = infer_roles(df, **roles)
    require(r, ["timestamp"] + (["latency"] if latency_ms is not None else ["error"]), df, "slo()")
    checks = Problems(df)  # every unusable role column is reported in one error, every doubt in one warning
    if r.get("error") is None:
        checks.note(absent_roles_note(df, r, ("error",), "slo()"))
    log = checks.run(prepare, df, r)
    rows = log.rows if log is not None else slice(None)
    flags = checks.run(error_flags, df, r["error"], rows) if r.get("error") is not None else None
    latency = checks.run(role_values, df, r, "latency", rows, checks.notes) if latency_ms is not None else None
    checks.raise_any()
    checks.warn_any()
    win = windows(log.times, freq)
    excluded = {}
    err = np.zeros(len(log.order))
    if flags is not None:
        err, m, i = flags
        excluded["error_unknown"] = m + i
    if latency_ms is not None:
        lat, m, i = latency
        excluded["latency_missing"], excluded["latency_invalid"] = m, i
        slow = np.where(np.isnan(lat), np.nan, (lat > latency_ms).astype(np.float64))
        # bad if it failed or was slow; unknown only when neither is known to be bad
        bad = np.where((err == 1) | (slow == 1), 1.0, np.where(np.isnan(err) | np.isnan(slow), np.nan, 0.0))
    else:
        bad = err
    budget = 1.0 - quantile
    rules = []
    for rule in burn_alerts:
        try:
            name, long_w, short_w, factor = rule
            pd.Timedelta(long_w), pd.Timedelta(short_w)
            rules.append((name, long_w, short_w, float(factor)))
        except (TypeError, ValueError):
            raise SchemaError([f"burn_alerts: {rule!r} is not a rule (name, long window, short window, factor), "
                               "e.g. burn_alerts=[('page', '1h', '5min', 14.4)]."]) from None

    def compute(pos, bounds):
        b = bad[pos]
        i8 = log.i8[pos]
        n_bad, n_valid = sum_count(b, bounds)
        requests = np.diff(bounds)
        compliance = ratio(n_valid - n_bad, n_valid)
        cols = {"requests": requests, "good": (n_valid - n_bad).astype(np.int64), "bad": n_bad.astype(np.int64),
                "excluded": (requests - n_valid).astype(np.int64), "compliance": compliance,
                "slo_met": np.where(np.isnan(compliance), True, compliance >= quantile),
                "burn_rate": ratio(1.0 - compliance, budget)}
        consumed = ratio(np.cumsum(n_bad), budget * np.cumsum(n_valid))
        cols["budget_consumed"] = consumed
        cols["budget_remaining"] = 1.0 - consumed
        known = ~np.isnan(b)
        bad_cum = np.concatenate([[0.0], np.cumsum(np.where(known, b, 0.0))])
        valid_cum = np.concatenate([[0.0], np.cumsum(known.astype(np.float64))])
        ends = win.ends.asi8
        rates = {}
        for name, long_w, short_w, factor in rules:
            for w in (long_w, short_w):
                if w not in rates:
                    starts = (win.ends - pd.Timedelta(w)).as_unit(win.ends.unit).asi8
                    rates[w] = ratio(_trailing_rate(i8, bad_cum, valid_cum, ends, starts), budget)
                    cols[f"burn_rate_{w}"] = rates[w]
            cols[name] = (rates[long_w] > factor) & (rates[short_w] > factor)
        return cols

    table = per_segment(df, log, win, by, compute)
    out = finish(table, log, freq, excluded, "slo()")
    out.attrs["aimon"].update({"latency_ms": latency_ms, "objective": quantile, "error_budget": budget})
    return out
