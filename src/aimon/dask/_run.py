"""Run a pandas call of aimon on the chunks of a Dask DataFrame and put the answers together.

The steps: infer roles on the frame's meta, keep only the columns the call reads, read each
partition's timestamps once (:func:`_chunks.part_stats`), plan chunks of whole windows, run the
pandas function on every chunk inside :func:`aimon._log.window_grid` (on the workers), then
concatenate the tables in time order and add up the row accounting. Warnings raised on the
workers come back once, with the counts of the whole log.
"""
from __future__ import annotations

import warnings

import pandas as pd

from .._log import window_grid, windows
from ..errors import AimonError, DataDroppedWarning, SchemaError
from ..roles import CONVENTIONAL, INDEX, infer_roles, require
from . import _chunks


def dask_frame(ddf, what: str):
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        raise SchemaError(f"aimon.dask.{what}() expects a Dask DataFrame, got {type(ddf).__name__}. "
                          f"For a pandas DataFrame call aimon.{what}(df, ...).")
    return ddf


def roles_of(ddf, roles: dict, used: tuple, what: str, extra=()):
    """(roles of the meta, explicit role keywords for the chunk calls, columns to keep)."""
    r = infer_roles(ddf._meta, **roles)
    require(r, ["timestamp"], ddf._meta, what)
    explicit = {role: (r.get(role) if role in used else None) for role in CONVENTIONAL if role != "timestamp"}
    if r["timestamp"] != INDEX:
        explicit["timestamp"] = r["timestamp"]
    keep = [c for c in dict.fromkeys([r["timestamp"], *(explicit[k] for k in used if explicit.get(k)), *extra])
            if c is not None and c != INDEX]
    return r, explicit, keep


def _concat(frames: list) -> pd.DataFrame:
    frames = [f for f in frames if len(f)] or frames[:1]
    return frames[0] if len(frames) == 1 else pd.concat(frames)


def run_chunk(fn, pieces, halo, grid, kwargs, pack):
    """On a worker: the pandas call on one chunk (plus, for trailing windows, earlier rows)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with window_grid(*grid):
            out = fn(_concat(list(halo) + list(pieces)), **kwargs)
        halo_attrs = None
        if halo:  # what the earlier rows add to the row accounting, to take it off again
            first, last, lo, _ = grid
            with window_grid(first, last, lo, lo):
                halo_attrs = fn(_concat(list(halo)), **kwargs).attrs.get("aimon")
    return pack(out), halo_attrs, [(w.category, str(w.message)) for w in caught]


def _identity(out):
    return out


def segmented(df, fn, by, keys, **kwargs):
    """On a worker: ``fn(df, by=by)`` plus empty-window rows for the segments of the whole log
    that have no row in this chunk (the pandas call keeps every segment in every window)."""
    table = fn(df, by=by, **kwargs)
    present = table[by].drop_duplicates() if len(table) else table[by].iloc[:0]
    absent = keys[by].merge(present, on=by, how="left", indicator=True)
    absent = absent[absent["_merge"] == "left_only"][by]
    if not len(absent):
        return table
    empty = fn(df.iloc[:0], **kwargs)
    parts = [table]
    for key in absent.itertuples(index=False):
        part = empty.copy()
        for name, value in reversed(list(zip(by, key))):
            part.insert(0, name, [value] * len(part))
        parts.append(part)
    out = pd.concat(parts)
    out.attrs = table.attrs
    return out


class Plan:
    """Statistics of the partitions and the chunks of one call."""

    def __init__(self, frame, col, freq, halo=None, by=None):
        import dask

        # the statistics come from the very partitions the chunks are cut from: a projection to the
        # time column alone could be partitioned differently (dask fuses small parquet reads)
        self.parts = frame.to_delayed()
        self.stats = compute([dask.delayed(_chunks.part_stats)(p, col, by) for p in self.parts])
        _chunks.check_stats(self.stats, col)
        self.keys = None
        if by:  # every segment of the log, each once, in the order the pandas call puts them
            self.by_dtypes = _by_dtypes(frame._meta, by, self.stats)
            found = [s.pop("keys").astype(self.by_dtypes) for s in self.stats if "keys" in s]
            keys = pd.concat(found, ignore_index=True).drop_duplicates() if found else frame._meta[by]
            rank = keys.groupby(by, sort=True, dropna=False, observed=True).ngroup()
            self.keys = keys.assign(_aimon_rank=rank.to_numpy()).sort_values("_aimon_rank").reset_index(drop=True)
        self.col = col
        self.n_rows = sum(s["n"] for s in self.stats)
        self.n_valid = sum(s.get("n_valid", 0) for s in self.stats)
        self.chunks, self.span = (_chunks.plan(self.stats, freq, halo) if self.n_valid else ([], None))

    def tasks(self, fn, kwargs, pack=_identity):
        import dask

        out = []
        for c in self.chunks:
            pieces = [dask.delayed(_chunks.take)(self.parts[p], self.col, lo, hi, nat) for p, lo, hi, nat in c.pieces]
            halo = [dask.delayed(_chunks.take)(self.parts[p], self.col, lo, hi, False) for p, lo, hi in c.halo]
            out.append(dask.delayed(run_chunk)(fn, pieces, halo, (*self.span, c.lo, c.hi), kwargs, pack))
        return out

    def labels(self, freq) -> pd.DatetimeIndex:
        first, last = self.span
        with window_grid(first, last):
            return windows(pd.DatetimeIndex([first, last]), freq).labels


def _by_dtypes(meta, by, stats) -> dict:
    """dtypes of the segment columns in the whole log: a categorical read from several files has
    the union of their categories, in the order the partitions bring them (as ``ddf.compute()``)."""
    out = {}
    for c in by:
        dtype = meta[c].dtype
        if isinstance(dtype, pd.CategoricalDtype) and "__UNKNOWN_CATEGORIES__" in list(dtype.categories):
            cats: dict = {}
            for s in stats:
                for value in s.get("categories", {}).get(c, []):
                    cats.setdefault(value, None)
            dtype = pd.CategoricalDtype(list(cats), ordered=dtype.ordered)
        out[c] = dtype
    return out


def refuse_no_time(plan: Plan, what: str):
    name = "the index" if plan.col == INDEX else repr(plan.col)
    raise SchemaError([f"Role 'timestamp': none of the {plan.n_rows} values of {name} could be read as a "
                       f"time ({what}). Parse them with dd.to_datetime(..., format=...) or name another column "
                       f"with timestamp='...'."])


# ---------------------------------------------------------------------- merging answers
def merge_attrs(parts: list, halos: list) -> dict:
    """Add up the row accounting of the chunks (``rows``, ``dropped``, ``excluded``, ...), less what
    the earlier rows read for trailing windows (``halos``) added to it."""
    out: dict = {}
    for attrs, halo in zip(parts, halos):
        halo = halo or {}
        for key, value in attrs.items():
            if isinstance(value, dict):
                acc = out.setdefault(key, {})
                for k, v in value.items():
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        acc[k] = acc.get(k, 0) + v - (halo.get(key) or {}).get(k, 0)
                    else:
                        acc.setdefault(k, v)
            elif key in ("rows", "rows_with_timestamp", "unlabelled"):
                out[key] = out.get(key, 0) + value - (halo.get(key) or 0)
            else:
                out.setdefault(key, value)
    for key in ("dropped", "excluded"):
        if key in out:
            out[key] = {k: v for k, v in out[key].items() if not isinstance(v, (int, float)) or v}
    return out


def rewarn(caught: list, attrs: dict, what: str, col, stacklevel: int = 4) -> None:
    """Re-issue the workers' warnings once: the rows-left-out ones with the totals of the log."""
    seen = set()
    for category, message in caught:
        if issubclass(category, DataDroppedWarning) or (category, message) in seen:
            continue
        seen.add((category, message))
        warnings.warn(message, category, stacklevel=stacklevel)
    n_bad = attrs.get("dropped", {}).get("no_timestamp", 0)
    if n_bad:
        name = "the index" if col == INDEX else repr(col)
        warnings.warn(f"{n_bad} of {attrs.get('rows')} rows have no usable timestamp in {name} and were left "
                      "out (counted in the result).", DataDroppedWarning, stacklevel=stacklevel)
    excluded = attrs.get("excluded") or {}
    if excluded:
        parts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in excluded.items())
        warnings.warn(f"{what}: values left out of the metrics: {parts} "
                      "(counted per window and in table.attrs['aimon']).", DataDroppedWarning, stacklevel=stacklevel)


def gather(ddf, keep: list, max_values: int, what: str, advice: str) -> pd.DataFrame:
    """The columns ``keep`` of every row on the client, refused beyond ``max_values`` values."""
    n = int(compute([ddf.shape[0]])[0])
    if n * max(len(keep), 1) > max_values:
        raise AimonError(f"{what}() on Dask gathers {len(keep)} column(s) of every row on the client: {n} rows x "
                         f"{len(keep)} columns is more than max_values={max_values}. {advice}")
    return compute([ddf[keep] if keep else ddf[[]]])[0]


LOST = ("KilledWorker", "CommClosedError", "CancelledError", "FutureCancelledError")


def compute(tasks: list) -> list:
    """Run ``tasks`` (delayed objects or collections); a lost worker or a failed task is an error,
    never a partial answer."""
    import dask

    try:
        with warnings.catch_warnings():  # a reference profile makes a large graph on purpose
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            return list(dask.compute(*tasks))
    except AimonError:
        raise
    except Exception as exc:
        if type(exc).__name__ in LOST:
            raise AimonError(f"The computation on the Dask cluster failed ({type(exc).__name__}: {exc}); "
                             "no partial result is returned. Check the workers' memory limit and logs, "
                             "then run the call again.") from exc
        raise
