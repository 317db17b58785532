"""Timing helper shared by the benchmark scripts (run as `python benchmarks/bench_*.py`)."""
import time

import numpy as np


def best_of(fn, repeat=3):
    """(best wall time in seconds over ``repeat`` calls of ``fn()``, the last result)."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out
