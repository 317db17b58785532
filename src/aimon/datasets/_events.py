"""Where the injected events go, and the ground-truth table that describes them.

A scenario lists its events as :class:`EventSpec` rows. Each owns a *slot*, a fraction of the
part of the log after the clean reference period (the first ``min(7 days, days / 2)``), so that a
one-day simulation still has every event and a long one spreads them out. Slots do not overlap,
so neither do events (the rollout is the exception: it runs in the background). Short incidents
start at the first minute of their slot where the traffic reaches 90% of its maximum within the
slot: incidents happen under load, and a busy window makes them visible in short windows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrivals import BIN_NS
from ..events import EventTable

EVENT_COLUMNS = ["event_id", "kind", "start", "end", "columns", "magnitude", "description"]
REFERENCE_DAYS = 7.0

MAGNITUDE_MEANING = {
    "latency_spike": "latency multiplier during the spike",
    "latency_degradation": "latency multiplier reached at the end (grows linearly from 1)",
    "error_burst": "share of requests that fail during the burst",
    "covariate_shift": "mean shift of each listed feature, in reference standard deviations",
    "category_mix_change": "total variation distance between the usual and the event category mix",
    "missing_surge": "share of rows whose value is missing during the surge",
    "concept_drift": "share of the label-generating logit replaced by a different relation",
    "rollout": "final share of the replaced model's traffic served by the new version "
               "(reached linearly over the first 40% of the window)",
    "hallucination_increase": "multiplier of the hallucination rate of the affected model",
}


@dataclass(frozen=True)
class EventSpec:
    kind: str
    slot: tuple            # (u0, u1): fractions of the post-reference span
    minutes: float | None  # nominal duration; None = until the end of the log
    columns: str
    magnitude: float
    description: str       # may hold "{duration}", filled in with the scheduled duration
    at_peak: bool = False  # start where traffic peaks within the slot


@dataclass(frozen=True)
class Event:
    """A scheduled event: its spec and its window [start_ns, end_ns) in UTC nanoseconds."""

    spec: EventSpec
    start_ns: int
    end_ns: int


def reference_days(days):
    """Length of the clean reference period at the start of the log, in days."""
    return min(REFERENCE_DAYS, days / 2.0)


def schedule(specs, days, rel_rate, start_ns, period_end):
    """Place each spec in its slot, on whole minutes; sorted by start, zero-length ones dropped."""
    total = days * 1440.0
    ref = reference_days(days) * 1440.0
    span = total - ref
    placed = []
    for spec in specs:
        u0, u1 = spec.slot
        lo = int(round(ref + u0 * span))
        hi = int(np.floor(ref + u1 * span))
        if spec.minutes is None:
            placed.append(Event(spec, start_ns + lo * BIN_NS, period_end))
            continue
        length = min(int(round(spec.minutes)), hi - lo)
        if length <= 0:
            continue
        start = lo
        if spec.at_peak and hi - length > lo:
            window = rel_rate[lo:hi - length + 1]
            start = lo + int(np.argmax(window >= 0.9 * window.max()))
        placed.append(Event(spec, start_ns + start * BIN_NS, start_ns + (start + length) * BIN_NS))
    return sorted(placed, key=lambda e: (e.start_ns, e.end_ns))


def of_kind(events, kind):
    """The scheduled events of one kind."""
    return [e for e in events if e.spec.kind == kind]


def rows_in(ts_ns, event):
    """The contiguous slice of (sorted) rows that fall inside an event window."""
    return slice(int(np.searchsorted(ts_ns, event.start_ns, "left")),
                 int(np.searchsorted(ts_ns, event.end_ns, "left")))


def rows_before(ts_ns, t_ns):
    """Slice of rows strictly before ``t_ns``."""
    return slice(0, int(np.searchsorted(ts_ns, t_ns, "left")))


def progress(ts_ns, sl, event):
    """Position of each row of ``sl`` within the event window, from 0 (start) to 1 (end)."""
    return (ts_ns[sl] - event.start_ns) / max(event.end_ns - event.start_ns, 1)


def events_table(events):
    """The ground truth as a DataFrame (tz-aware UTC start/end, one row per event)."""
    rows = []
    for i, ev in enumerate(events, start=1):
        rows.append({
            "event_id": i,
            "kind": ev.spec.kind,
            "start": ev.start_ns,
            "end": ev.end_ns,
            "columns": ev.spec.columns,
            "magnitude": float(ev.spec.magnitude),
            "description": ev.spec.description.format(duration=_duration(ev.end_ns - ev.start_ns)),
        })
    return make_table(rows)


def _duration(ns):
    """A short human duration: '45 minutes', '6 hours', '1.5 days'."""
    minutes = ns / 60e9
    if minutes < 120:
        return f"{minutes:.0f} minutes"
    if minutes < 2 * 1440:
        return f"{minutes / 60:.3g} hours"
    return f"{minutes / 1440:.3g} days"


def make_table(rows):
    """Build the events table with fixed dtypes from row dicts (start/end as int ns or strings)."""
    table = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    return EventTable({
        "event_id": table["event_id"].astype("int64"),
        "kind": table["kind"].astype("str"),
        "start": _utc(table["start"]),
        "end": _utc(table["end"]),
        "columns": table["columns"].astype("str"),
        "magnitude": table["magnitude"].astype("float64"),
        "description": table["description"].astype("str"),
    })


def _utc(values):
    if len(values) and isinstance(values.iloc[0], str):
        return pd.to_datetime(values, format="ISO8601", utc=True).dt.as_unit("ns")
    return pd.to_datetime(values.astype("int64"), unit="ns", utc=True).dt.as_unit("ns")
