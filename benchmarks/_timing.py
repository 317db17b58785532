"""Shared by the benchmark scripts (run as `python benchmarks/bench_*.py`): telemetry opt-outs and timing.

Every benchmark imports this module first, so the anchor libraries (Evidently, NannyML, River) see
their usage-telemetry opt-outs before they are imported: no benchmark tries to reach a remote host.
`make bench` sets the same variables in its environment.
"""
import os
import time

TELEMETRY_OPT_OUT = {
    "NML_DISABLE_USAGE_LOGGING": "1",  # NannyML's usage logging
    "EVIDENTLY_DISABLE_TELEMETRY": "1",  # Evidently's telemetry flag
    "DO_NOT_TRACK": "1",  # the cross-tool convention (Evidently honours it too)
}
for _name, _value in TELEMETRY_OPT_OUT.items():
    os.environ[_name] = _value

import numpy as np  # noqa: E402


def best_of(fn, repeat=3):
    """(best wall time in seconds over ``repeat`` calls of ``fn()``, the last result)."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def interleaved(fn_a, fn_b, repeat=5):
    """Best-of-``repeat`` times of ``fn_a`` and ``fn_b`` called alternately (a, b, a, b, ...), so a
    busy shared machine slows both sides alike; returns (t_a, t_b, last result of a, of b)."""
    ta = tb = np.inf
    ra = rb = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        ra = fn_a()
        t1 = time.perf_counter()
        rb = fn_b()
        t2 = time.perf_counter()
        ta, tb = min(ta, t1 - t0), min(tb, t2 - t1)
    return ta, tb, ra, rb
