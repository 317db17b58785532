"""``simulate()``: a synthetic inference log that behaves like production traffic.

The log is built in four vectorised steps: the request rate per minute (daily and weekly
seasonality in the business time zone), Poisson arrivals, the scenario's columns (features,
model outputs, late labels, latency and errors) and the injected events, whose ground truth is
returned in ``df.attrs["events"]``. The same arguments always give the same frame.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from ..errors import SchemaError
from . import _chatbot, _credit
from ._arrivals import arrivals, relative_rate
from ._events import MAGNITUDE_MEANING, events_table, reference_days, schedule

SCENARIOS = {
    "credit_scoring": "tabular binary classifier scoring loan applications (New York hours)",
    "chatbot": "LLM customer-support assistant with tokens, cost and feedback (Berlin hours)",
}
_MODULES = {"credit_scoring": _credit, "chatbot": _chatbot}
MAX_ROWS = 200_000_000

__all__ = ["simulate", "SCENARIOS", "MAGNITUDE_MEANING"]


def simulate(days=30, rps=1.0, seed=0, scenario="credit_scoring", start="2026-03-01",
             events=True):
    """Simulate an inference log of a deployed model.

    Parameters
    ----------
    days : float
        Length of the log in days (> 0; fractions allowed).
    rps : float
        Mean request rate over the whole period, in requests per second (> 0). The expected
        number of rows is ``days * 86400 * rps`` (e.g. ``days=1, rps=116`` gives ~10 million).
    seed : int
        Seed of the random generator; the same arguments always give the same frame.
    scenario : {"credit_scoring", "chatbot"}
        Which model is simulated (see ``SCENARIOS``).
    start : str or Timestamp
        Start of the log; a naive time is taken as UTC.
    events : bool
        Inject the labelled incidents and drifts (after a clean reference period of
        ``min(7, days / 2)`` days). Their ground truth is ``df.attrs["events"]``.

    Returns
    -------
    DataFrame
        One row per request, indexed by a sorted tz-aware (UTC) ``timestamp``. ``attrs`` holds
        ``scenario``, ``timezone`` (the business time zone that drives the seasonality),
        ``reference_end`` (end of the clean period), ``simulate_args`` and ``events`` (columns
        event_id, kind, start, end, columns, magnitude, description).

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.simulate(days=1, rps=0.2, seed=1)
    >>> df.index.is_monotonic_increasing, df.attrs["scenario"]
    (True, 'credit_scoring')
    """
    args = _validate(days, rps, seed, scenario, start, events)
    module = _MODULES[args["scenario"]]
    start_ns = pd.Timestamp(args["start"]).value
    rel_rate = relative_rate(start_ns, int(math.ceil(days * 1440.0)), module.SEASON)
    period_end_ns = start_ns + pd.Timedelta(days=days).value
    reference_end_ns = start_ns + pd.Timedelta(days=reference_days(days)).value

    rng = np.random.default_rng(seed)
    ts_ns, load = arrivals(rng, rel_rate, float(rps), start_ns, period_end_ns)
    planned = schedule(module.EVENTS, days, rel_rate, start_ns, period_end_ns) if events else []
    columns = module.generate(rng, ts_ns, load, planned, reference_end_ns, period_end_ns)

    index = pd.DatetimeIndex(pd.to_datetime(ts_ns, unit="ns", utc=True), name="timestamp")
    data = {}
    for name, values in columns.items():
        if name.endswith("_time"):
            values = pd.to_datetime(values, unit="ns", utc=True).array
        data[name] = values
    df = pd.DataFrame(data, index=index, copy=False)
    df.attrs = {
        "scenario": args["scenario"],
        "timezone": module.SEASON.timezone,
        "reference_end": pd.Timestamp(reference_end_ns, unit="ns", tz="UTC"),
        "simulate_args": args,
        "events": events_table(planned),
    }
    return df


def _validate(days, rps, seed, scenario, start, events):
    problems = []
    if not _is_real(days) or not math.isfinite(days) or days <= 0:
        problems.append(f"days={days!r}: pass a positive number of days, e.g. days=30 or days=0.5.")
    if not _is_real(rps) or not math.isfinite(rps) or rps <= 0:
        problems.append(f"rps={rps!r}: pass a positive mean request rate per second, e.g. rps=1.0.")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        problems.append(f"seed={seed!r}: pass a non-negative int, e.g. seed=0.")
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        problems.append(f"scenario={scenario!r}: pass one of {', '.join(map(repr, SCENARIOS))}.")
    if not isinstance(events, (bool, np.bool_)):
        problems.append(f"events={events!r}: pass True (inject the labelled events) or False.")
    try:
        ts = pd.Timestamp(start)
        if pd.isna(ts):
            raise ValueError("NaT")
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    except (TypeError, ValueError) as exc:
        problems.append(f"start={start!r} is not a time ({exc}): pass e.g. start='2026-03-01'.")
        ts = None
    if not problems and days * 86400 * rps > MAX_ROWS:
        problems.append(f"days * 86400 * rps = {days * 86400 * rps:.3g} expected rows is more than "
                        f"{MAX_ROWS:,}: lower days or rps.")
    if problems:
        raise SchemaError(problems)
    return {"scenario": scenario, "days": _plain(days), "rps": _plain(rps), "seed": int(seed),
            "start": ts.isoformat(), "events": bool(events)}


def _plain(x):
    """A Python int or float (JSON-ready) for a numpy or Python number."""
    return int(x) if isinstance(x, numbers.Integral) else float(x)


def _is_real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))
