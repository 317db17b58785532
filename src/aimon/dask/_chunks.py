"""Cut a Dask DataFrame into chunks that hold whole time windows, in time order.

A windowed metric is exact only if every row of a window is seen together, in the order the
pandas call would see it. One cheap pass reads the timestamps of each partition (first, last,
count); partitions whose time ranges overlap are grouped (a few late rows at file boundaries),
and the groups are then cut at window starts: chunk k holds the rows whose window starts in
``[cut_k, cut_{k+1})``. Only rows of a window that straddles a partition boundary move to the
neighbouring chunk; every chunk is computed where its partitions live, on the grid of windows of
the whole log (:func:`aimon._log.window_grid`), so labels, origin and empty windows are those of
the pandas call.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._log import _timestamps, window_grid, windows
from ..errors import AimonError, SchemaError
from ..roles import INDEX

#: partitions whose time ranges overlap are read together; more than this many in one group is refused
MAX_OVERLAP = 8


def part_stats(part: pd.DataFrame, col, by=None) -> dict:
    """Rows, rows with a timestamp, first and last time, and the dtype of one partition (on a
    worker); with ``by``, also its distinct segment keys."""
    dtype = part.index.dtype if col == INDEX else part[col].dtype
    out = {"n": len(part), "dtype": str(dtype), "datetime": pd.api.types.is_datetime64_any_dtype(dtype)}
    if not out["datetime"]:
        return out
    t = _timestamps(part, col)[0]
    valid = ~np.asarray(t.isna())
    out["n_valid"] = int(valid.sum())
    if by:  # segments of rows with a time: the others are left out of every table
        out["keys"] = part.loc[valid, by].drop_duplicates().reset_index(drop=True)
        out["categories"] = {c: list(part[c].cat.categories) for c in by
                             if isinstance(part[c].dtype, pd.CategoricalDtype)}
    out["tz"] = str(t.tz)
    if out["n_valid"]:
        tv = t[valid]
        out["lo"], out["hi"] = tv.min(), tv.max()
    return out


def check_stats(stats: list, col) -> None:
    """Refuse timestamps that are not datetimes in some partition, or mix time zones."""
    name = "the index" if col == INDEX else repr(col)
    bad = [i for i, s in enumerate(stats) if s["n"] and not s["datetime"]]
    if bad:
        i = bad[0]
        raise SchemaError([f"Role 'timestamp': {name} is {stats[i]['dtype']} in partition {i} "
                           f"({len(bad)} of {len(stats)} partitions), not datetime64: times cannot be put in "
                           f"order across partitions. Convert it first, e.g. "
                           f"ddf[{col!r}] = dd.to_datetime(ddf[{col!r}], utc=True), or fix the file "
                           f"that stores it as text."])
    zones = {s["tz"] for s in stats if s.get("n_valid")}
    if len(zones) > 1:
        raise SchemaError([f"Role 'timestamp': {name} has different time zones across partitions "
                           f"({', '.join(sorted(zones))}). Convert every partition to one zone first, "
                           f"e.g. with dd.to_datetime(..., utc=True)."])


@dataclass
class Group:
    first: int   # first partition
    last: int    # last partition (inclusive)
    lo: pd.Timestamp
    hi: pd.Timestamp


def groups_of(stats: list, max_overlap: int = MAX_OVERLAP) -> list:
    """Consecutive partitions merged where their time ranges overlap (strictly)."""
    out: list[Group] = []
    for i, s in enumerate(stats):
        if not s.get("n_valid"):
            continue
        g = Group(i, i, s["lo"], s["hi"])
        while out and g.lo < out[-1].hi:
            prev = out.pop()
            g = Group(prev.first, g.last, min(prev.lo, g.lo), max(prev.hi, g.hi))
        out.append(g)
    for g in out:
        members = sum(1 for i in range(g.first, g.last + 1) if stats[i].get("n_valid"))
        if members > max_overlap:
            raise AimonError(
                f"The partitions are not in time order: partitions {g.first} to {g.last} overlap in time "
                f"({members} partitions, more than the {max_overlap} aimon reads together). Sort the log "
                "once, e.g. ddf = ddf.set_index('timestamp') or ddf.sort_values('timestamp'), and "
                "write it back to parquet in time order.")
    return out


def window_starts(first, last, freq) -> pd.DatetimeIndex:
    """Start of every window of ``freq`` over [first, last], as the pandas call lays them."""
    times = pd.DatetimeIndex([first, last])
    with window_grid(first, last):
        win = windows(times, freq)
    if win.side == "left":
        return win.labels
    # right-closed windows ('W', 'ME'): window k starts where k-1 ends; the first holds ``first``
    return pd.DatetimeIndex(win.ends[:-1]).insert(0, first)


@dataclass
class Chunk:
    lo: pd.Timestamp | None       # windows that start in [lo, hi) belong to this chunk
    hi: pd.Timestamp | None
    pieces: list                  # (partition, lo, hi, with_nat): rows of that partition in [lo, hi)
    halo: list                    # (partition, lo, hi): earlier rows a trailing window needs


def plan(stats: list, freq, halo=None, max_overlap: int = MAX_OVERLAP) -> tuple[list, tuple]:
    """Chunks of whole windows, and (first, last) time of the log."""
    groups = groups_of(stats, max_overlap)
    first, last = min(g.lo for g in groups), max(g.hi for g in groups)
    starts = window_starts(first, last, freq)
    starts = starts.tz_convert(first.tz) if first.tz is not None else starts

    def start_of(t):
        return starts[max(int(starts.searchsorted(t, side="right")) - 1, 0)]

    cuts = sorted({start_of(g.lo) for g in groups})
    cuts[0] = None  # the first chunk also takes anything before (nothing, by construction)
    bounds = list(zip(cuts, cuts[1:] + [None]))
    home = {}  # partition -> chunk that also takes its rows without a timestamp
    chunks = [Chunk(lo, hi, [], []) for lo, hi in bounds]
    for g in groups:
        for k, (lo, hi) in enumerate(bounds):
            if (hi is None or g.lo < hi) and (lo is None or g.hi >= lo):
                for p in range(g.first, g.last + 1):
                    if stats[p]["n"]:
                        with_nat = p not in home
                        home.setdefault(p, k)
                        chunks[k].pieces.append((p, lo, hi, with_nat))
            if halo is not None and lo is not None and g.lo < lo and g.hi >= lo - halo:
                for p in range(g.first, g.last + 1):
                    if stats[p].get("n_valid"):
                        chunks[k].halo.append((p, lo - halo, lo))
    # partitions with rows but no timestamp outside every group: counted with the nearest chunk
    for p, s in enumerate(stats):
        if s["n"] and p not in home:
            k = max([home[q] for q in home if q < p] or [0])
            home[p] = k
            chunks[k].pieces.append((p, pd.NaT, pd.NaT, True))
    for c in chunks:
        c.pieces.sort(key=lambda item: item[0])
    return chunks, (first, last)


def take(part: pd.DataFrame, col, lo, hi, with_nat: bool) -> pd.DataFrame:
    """Rows of ``part`` with time in [lo, hi) (None: unbounded), plus those without a time."""
    t = _timestamps(part, col)[0]
    nat = np.asarray(t.isna())
    if lo is pd.NaT:  # only the rows without a time
        return part[nat]
    keep = ~nat
    if lo is not None:
        keep &= np.asarray(t >= lo)
    if hi is not None:
        keep &= np.asarray(t < hi)
    if with_nat:
        keep |= nat
    return part if keep.all() else part[keep]
