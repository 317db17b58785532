"""Split time-ordered rows into windows: by time (``freq``) or by row count (``chunk_size``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._log import windows
from ..errors import SchemaError


def check(freq, chunk_size):
    """The chunking asked for: ("freq", freq) or ("size", chunk_size); default one day."""
    if freq is not None and chunk_size is not None:
        raise SchemaError(["estimate_performance(): give freq= or chunk_size=, not both."])
    if chunk_size is not None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
            raise SchemaError([f"chunk_size={chunk_size!r}: give a positive whole number of rows."])
        return "size", int(chunk_size)
    return "freq", "1D" if freq is None else freq


def split(times, n: int, how: str, value):
    """Window boundaries over ``n`` rows and the table index (and start/end columns for chunks)."""
    if how == "freq":
        win = windows(times, value)
        return win.bounds(times.asi8), win.labels.rename("window"), {}
    starts = np.arange(0, n, value, dtype=np.int64)
    bounds = np.append(starts, n).astype(np.int64)
    index = pd.RangeIndex(len(starts), name="chunk")
    extra = {}
    if times is not None and n:
        extra = {"start": times[starts], "end": times[bounds[1:] - 1]}
    return bounds, index, extra
