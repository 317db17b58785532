"""Resource series of a simulated deployment, driven by its traffic, with labelled incidents.

One sample per minute over the span of a log: ``gpu_util`` (% of the pool's capacity in use),
``queue_depth`` (requests waiting for a GPU), ``replicas`` (GPUs serving) and ``gpu_memory_gb``
(memory used per GPU, of 80). An autoscaler keeps the pool near 65% busy, following the request
rate of 10 minutes earlier, between 1 and 8 GPUs. Incidents (``attrs["events"]``):

- ``gpu_saturation``: during the log's first ``latency_spike`` half the GPUs are lost, the pool
  runs at 100% and requests queue up (this is what slowed them down);
- ``memory_leak``: during the log's ``latency_degradation`` (a KV-cache leak), memory per GPU
  grows steadily to nearly full, and a restart frees it;
- ``over_provisioned_night``: one night the autoscaler is pinned at 8 GPUs that sit idle.

The series depend only on the log's timestamps and events and on ``seed``: the log's rows are
not touched, and the same log always gives the same series.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._events import make_table

CAPACITY_RPM = 3.0       # requests per minute one GPU serves at 100% utilisation
TARGET = 0.65            # utilisation the autoscaler aims for
MAX_GPUS = 8
MEMORY_GB = (38.0, 80.0)  # baseline use per GPU, and what a GPU has
NIGHT = ("21:00:00", "05:00:00")  # UTC hours of the over-provisioned night


def _first(events, kind):
    rows = events[events["kind"] == kind] if events is not None and len(events) else None
    return None if rows is None or not len(rows) else rows.iloc[0]


def simulate_resources(log: pd.DataFrame, seed=0) -> pd.DataFrame:
    """Per-minute GPU utilisation, queue depth, replicas and memory for a simulated log.

    Parameters
    ----------
    log : DataFrame
        A log from :func:`aimon.datasets.simulate` or a bundled loader (DatetimeIndex, and
        ``attrs["events"]``: its first ``latency_spike`` becomes a GPU saturation, its
        ``latency_degradation`` a memory leak).
    seed : int
        Seed of the noise; the same log and seed give the same series.

    Returns
    -------
    DataFrame
        Indexed by minute (UTC), columns ``gpu_util``, ``queue_depth``, ``replicas``,
        ``gpu_memory_gb``; ``attrs["events"]`` lists the incidents (``gpu_saturation``,
        ``memory_leak``, ``over_provisioned_night``).

    Examples
    --------
    >>> import aimon
    >>> log, res = aimon.datasets.load_chatbot(resources=True)
    >>> list(res.columns), list(res.attrs["events"]["kind"])
    (['gpu_util', 'queue_depth', 'replicas', 'gpu_memory_gb'], ['over_provisioned_night', 'gpu_saturation', 'memory_leak'])
    """
    rng = np.random.default_rng([int(seed), 14])
    times = log.index
    minutes = pd.date_range(times[0].floor("min"), times[-1].floor("min"), freq="min", name="timestamp")
    rpm = pd.Series(1, index=times).resample("min").sum().reindex(minutes, fill_value=0).to_numpy(float)
    smooth = pd.Series(rpm).rolling(15, min_periods=1).mean().to_numpy()
    lagged = np.concatenate([np.full(10, smooth[0]), smooth[:-10]])[: len(smooth)]
    replicas = np.clip(np.ceil(lagged / (TARGET * CAPACITY_RPM)), 1, MAX_GPUS)
    events = log.attrs.get("events")
    incidents = []
    t = minutes.asi8

    spike = _first(events, "latency_spike")
    saturated = np.zeros(len(t), dtype=bool)
    if spike is not None:
        saturated = (t >= spike["start"].value) & (t < spike["end"].value)
        replicas[saturated] = np.maximum(1, np.floor(replicas[saturated] / 2))
        incidents.append({"kind": "gpu_saturation", "start": spike["start"].value, "end": spike["end"].value,
                          "columns": "gpu_util,queue_depth,replicas", "magnitude": 0.5,
                          "description": "Half of the GPU pool is lost: utilisation pins at 100% and requests "
                                         "queue, which is what makes them slow (the log's first latency spike)."})
    day = minutes[len(minutes) // 2].normalize()  # the night that starts in the middle of the log
    n0, n1 = day + pd.Timedelta(NIGHT[0]), day + pd.Timedelta(days=1) + pd.Timedelta(NIGHT[1])
    night = (t >= n0.value) & (t < n1.value)
    replicas[night] = MAX_GPUS
    incidents.append({"kind": "over_provisioned_night", "start": n0.value, "end": n1.value,
                      "columns": "replicas,gpu_util", "magnitude": float(MAX_GPUS),
                      "description": f"The autoscaler is pinned at {MAX_GPUS} GPUs for a quiet night: they sit "
                                     "idle and are paid for."})
    load = smooth / (replicas * CAPACITY_RPM)
    util = np.clip(100.0 * np.minimum(load, 1.0) + rng.normal(0.0, 2.0, len(t)), 0.0, 100.0)
    util[saturated] = 100.0
    queue = rng.poisson(20.0 * np.maximum(load - 0.85, 0.0)).astype(float)
    if saturated.any():
        ramp = np.cumsum(saturated)[saturated] / saturated.sum()
        queue[saturated] += np.rint(10.0 + 40.0 * np.minimum(ramp * 3.0, 1.0) + rng.normal(0, 3.0, saturated.sum()))
    memory = MEMORY_GB[0] + 4.0 * util / 100.0 + rng.normal(0.0, 0.4, len(t))
    leak = _first(events, "latency_degradation")
    if leak is not None:
        inside = (t >= leak["start"].value) & (t < leak["end"].value)
        grow = (t[inside] - leak["start"].value) / (leak["end"].value - leak["start"].value)
        memory[inside] += (MEMORY_GB[1] - 3.0 - MEMORY_GB[0]) * grow
        incidents.append({"kind": "memory_leak", "start": leak["start"].value, "end": leak["end"].value,
                          "columns": "gpu_memory_gb", "magnitude": MEMORY_GB[1] - 3.0,
                          "description": "KV-cache leak: memory per GPU grows steadily to nearly full (GB reached), "
                                         "then a restart frees it (the log's latency degradation)."})
    res = pd.DataFrame({"gpu_util": np.round(util, 1), "queue_depth": np.maximum(queue, 0.0),
                        "replicas": replicas, "gpu_memory_gb": np.round(np.minimum(memory, MEMORY_GB[1]), 2)},
                       index=minutes)
    incidents.sort(key=lambda e: e["start"])
    res.attrs["events"] = make_table([{"event_id": i, **e} for i, e in enumerate(incidents, start=1)])
    return res
