"""Reference profiles of Dask DataFrames, merged from partition profiles; ``drift`` on Dask.

Each partition sorts its numeric columns and counts its categories where it lives; the client
merges them. While a column has at most ``max_values`` usable values in all (the memory budget:
8 bytes each on the client), the merged sorted values are exactly the ones
:func:`aimon.profile` keeps, so the profile -- and every drift statistic computed from it --
equals the pandas one. Beyond the budget each partition sends ``k_p ~ max_values * n_p / N``
evenly spaced order statistics instead, and the client keeps ``max_values`` quantiles of their
weighted union (a quantile sketch). Then the reference ECDF is off by at most
``eps = sum_p (n_p / N) / k_p + 1 / max_values`` everywhere, so a KS distance moves by at most
``eps`` and a Wasserstein-1 distance by at most ``eps * (max - min)``; ``Profile.sketched``
names the columns concerned with these bounds (an empty dict means exact); it is saved with the
profile, kept by ``Profile.merge``, and drift results against a sketched column say so in their
``note``. Mean and standard deviation are merged exactly either way; category counts are always
exact.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..datadrift import calibrate
from ..errors import AimonError, AimonWarning, SchemaError
from . import _run

#: usable values per numeric column kept exactly (8 bytes each: 400 MB at the default)
MAX_VALUES = 50_000_000


def part_counts(part: pd.DataFrame, names: list) -> dict:
    """Usable values per numeric column and the kind of every column, in one partition."""
    from ..datadrift._columns import kind_of, numeric_values

    out = {}
    for name in names:
        s = part[name]
        kind = kind_of(s)
        if kind == "numeric":
            vals, n_missing, n_invalid = numeric_values(s)
            out[name] = (kind, len(s) - n_missing - n_invalid)
        else:
            out[name] = (kind, 0)
    return out


def part_profile(part: pd.DataFrame, names: list, keep: dict) -> dict:
    """Per column: sorted usable values (or ``keep[name]`` evenly spaced order statistics of
    them), moments, missing/invalid counts; or category labels and counts."""
    from ..datadrift._columns import kind_of, levels, numeric_values

    out = {}
    for name in names:
        s = part[name]
        if kind_of(s) == "numeric":
            vals, n_missing, n_invalid = numeric_values(s)
            values = np.sort(vals[~np.isnan(vals)] if n_missing or n_invalid else vals)
            n = values.size
            mean = float(values.mean()) if n else 0.0
            m2 = float(((values - mean) ** 2).sum()) if n else 0.0
            k = keep.get(name)
            if k is not None and n > k:
                values = values[((np.arange(k) + 0.5) * n / k).astype(np.int64)]
            out[name] = {"kind": "numeric", "n_rows": len(s), "n_missing": n_missing, "n_invalid": n_invalid,
                         "values": values, "n": n, "mean": mean, "m2": m2,
                         "min": float(values[0]) if n else np.nan, "max": float(values[-1]) if n else np.nan}
        else:
            codes, labels = levels(s)
            counts = np.bincount(codes[codes >= 0], minlength=len(labels)).astype(np.float64)
            out[name] = {"kind": "categorical", "n_rows": len(s), "n_missing": int((codes < 0).sum()),
                         "labels": labels, "counts": counts}
    return out


def _merge_numeric(name, dtype, parts, k, settings):
    from ..datadrift.profile import _numeric_profile

    n_rows = sum(p["n_rows"] for p in parts)
    n_missing = sum(p["n_missing"] for p in parts)
    n_invalid = sum(p["n_invalid"] for p in parts)
    total = sum(p["n"] for p in parts)
    if k is None:  # exact: the sorted values pandas would keep
        values = np.sort(np.concatenate([p["values"] for p in parts])) if parts else np.zeros(0)
        return _numeric_profile(name, dtype, values, n_rows, n_missing, n_invalid, *settings), None
    vals = np.concatenate([p["values"] for p in parts])
    weights = np.concatenate([np.full(p["values"].size, p["n"] / max(p["values"].size, 1)) for p in parts])
    order = np.argsort(vals, kind="stable")
    vals, cum = vals[order], np.cumsum(weights[order])
    targets = (np.arange(k) + 0.5) * total / k
    values = vals[np.minimum(np.searchsorted(cum, targets, side="left"), vals.size - 1)]
    cp = _numeric_profile(name, dtype, values, n_rows, n_missing, n_invalid, *settings)
    # moments of the whole column (Chan et al.'s pairwise update), not of the sketch
    n, mean, m2 = 0, 0.0, 0.0
    for p in parts:
        if p["n"]:
            delta = p["mean"] - mean
            tot = n + p["n"]
            mean += delta * p["n"] / tot
            m2 += p["m2"] + delta ** 2 * n * p["n"] / tot
            n = tot
    cp.mean, cp.std = float(mean), float(np.sqrt(m2 / n)) if n else float("nan")
    eps = sum((p["n"] / total) / p["values"].size for p in parts if p["values"].size < p["n"]) + 1.0 / k
    lo, hi = min(p["min"] for p in parts if p["n"]), max(p["max"] for p in parts if p["n"])
    return cp, {"points": int(k), "values": int(total), "ks_error": float(eps), "w1_error": float(eps * (hi - lo))}


def _merge_categorical(name, dtype, parts):
    from ..datadrift.profile import _categorical_profile

    merged: dict = {}
    for p in parts:  # first appearance across partitions in order, as pandas' factorize sees them
        for lab, c in zip(p["labels"], p["counts"]):
            merged[lab] = merged.get(lab, 0.0) + c
    return _categorical_profile(name, dtype, list(merged), np.asarray(list(merged.values()), dtype=np.float64),
                                sum(p["n_rows"] for p in parts), sum(p["n_missing"] for p in parts), 0, 0, 0, 0)


def profile(ddf, columns=None, bins: int = 10, null_quantile: float = calibrate.NULL_QUANTILE,
            null_size: int = calibrate.NULL_SIZE, null_draws: int = calibrate.NULL_DRAWS, seed: int = 0,
            max_values: int = MAX_VALUES, **roles):
    """:func:`aimon.profile` of a Dask DataFrame, merged from partition profiles.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The reference rows.
    columns, bins, null_quantile, null_size, null_draws, seed, **roles
        As in :func:`aimon.profile`.
    max_values : int
        Memory budget: numeric columns with at most this many usable values are kept exactly
        (equal to the pandas profile); larger ones as a quantile sketch of this many points with
        a stated error bound (see the module docstring and ``Profile.sketched``).

    Returns
    -------
    Profile
        With ``.sketched``: {column: {"points", "values", "ks_error", "w1_error"}} for sketched
        columns, empty when the profile is exact.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon, dask.dataframe as dd
    >>> ref = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})
    >>> p = aimon.dask.profile(dd.from_pandas(ref, npartitions=3))
    >>> bool((p["x"].values == aimon.profile(ref)["x"].values).all()), p.sketched
    (True, {})
    """
    import dask

    from ..datadrift.profile import Profile, check_options, select_columns

    ddf = _run.dask_frame(ddf, "profile")
    meta = ddf._meta
    check_options(bins, null_size, null_draws, null_quantile)   # the same checks of the options as pandas
    select_columns(meta, columns, roles)
    if not isinstance(max_values, (int, np.integer)) or max_values < 1000:
        raise AimonError(f"max_values={max_values!r}: use a whole number of at least 1000.")
    names = select_columns(meta, columns, roles)
    parts = ddf[names].to_delayed() if names else []
    counts = _run.compute([dask.delayed(part_counts)(p, names) for p in parts])
    keep = {}
    for name in names:
        kinds = {c[name][0] for c in counts if c}
        if len(kinds) > 1:
            raise SchemaError([f"Column {name!r} is numeric in some partitions and categorical in others; "
                               f"give it one dtype, e.g. ddf[{name!r}] = dd.to_numeric(ddf[{name!r}], "
                               "errors='coerce')."], list(meta.columns))
        total = sum(c[name][1] for c in counts)
        if total > max_values:
            keep[name] = [int(np.ceil(max_values * c[name][1] / total)) for c in counts]
    tasks = [dask.delayed(part_profile)(p, names, {n: keep[n][i] for n in keep}) for i, p in enumerate(parts)]
    profiled = _run.compute(tasks)
    settings = (int(bins), int(null_size), int(null_draws), float(null_quantile), seed)
    cols, sketched = {}, {}
    for name in names:
        mine = [p[name] for p in profiled]
        dtype = str(meta[name].dtype)
        kind = mine[0]["kind"] if mine else "numeric"
        if kind == "numeric":
            cols[name], note = _merge_numeric(name, dtype, mine, max_values if name in keep else None, settings)
            if note:
                sketched[name] = note
        else:
            cols[name] = _merge_categorical(name, dtype, mine)
    n_rows = sum(p[names[0]]["n_rows"] for p in profiled) if names else int(_run.compute([ddf.shape[0]])[0])
    if n_rows == 0:
        raise AimonError("The reference has no rows: pass the rows of a known-good period (e.g. "
                         "ddf[ddf.index < cutoff]) or a longer time range.")
    prof = Profile(cols, int(bins), int(null_size), int(null_draws), float(null_quantile), seed, n_rows, sketched)
    if sketched:
        worst = max(v["ks_error"] for v in sketched.values())
        warnings.warn(f"profile(): {len(sketched)} column(s) have more than max_values={max_values} values and are "
                      f"kept as a quantile sketch (reference ECDF within {worst:.2g}; see Profile.sketched). "
                      "Raise max_values for an exact profile.", AimonWarning, stacklevel=2)
    return prof


def drift(ddf, reference, columns=None, method="auto", threshold=None, alpha: float = 0.05, correction="bh",
          min_effect=None, min_missing: float = calibrate.MIN_EFFECT["missing"], bins: int = 10,
          null_quantile: float = calibrate.NULL_QUANTILE, seed: int = 0, max_values: int = MAX_VALUES, **roles):
    """:func:`aimon.drift` of a Dask DataFrame (the current data) against a reference.

    One window over every row: the compared columns (only those) are gathered on the client,
    which is exact and needs their values to fit ``max_values`` (rows x columns); for longer
    logs use :func:`aimon.dask.drift_over_time`, or filter the period first.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The current data.
    reference : DataFrame, Profile or dask DataFrame
        A Dask reference is profiled with :func:`aimon.dask.profile`.
    columns, method, threshold, alpha, correction, min_effect, min_missing, bins, null_quantile, seed, **roles
        As in :func:`aimon.drift`.
    max_values : int
        Most values (rows x compared columns) gathered on the client.

    Returns
    -------
    DriftReport
        Equal to ``aimon.drift(ddf.compute(), reference)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon, dask.dataframe as dd
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(["a", "b"], 2000)})
    >>> cur = pd.DataFrame({"x": rng.normal(1.0, 1.0, 500), "c": rng.choice(["a", "b"], 500)})
    >>> r = aimon.dask.drift(dd.from_pandas(cur, npartitions=2), ref)
    >>> r.table[["column", "drifted"]].values.tolist()
    [['x', True], ['c', False]]
    """
    import dask.dataframe as dd

    from ..datadrift.report import _as_profile, drift as fn, plan

    ddf = _run.dask_frame(ddf, "drift")
    feat = {"features": roles["features"]} if "features" in roles else {}
    if isinstance(reference, dd.DataFrame):
        reference = profile(reference, columns=columns, bins=bins, null_quantile=null_quantile, seed=seed,
                            max_values=max_values, **feat)
    prof = _as_profile(reference, columns, feat, bins, null_quantile, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan(ddf._meta, prof, columns, method, feat, "drift")  # bad options fail before any work
    r = _run.infer_roles(ddf._meta, **roles)
    wanted = set(r["features"]) | set(prof.names) | set([columns] if isinstance(columns, (str, int)) else columns or [])
    keep = [c for c in ddf.columns if c in wanted]
    current = _run.gather(ddf, keep, max_values, "drift",
                          "Use aimon.dask.drift_over_time(...) (windows computed on the workers), filter a period "
                          "first, or raise max_values.")
    return fn(current, prof, columns=columns, method=method, threshold=threshold, alpha=alpha,
              correction=correction, min_effect=min_effect, min_missing=min_missing, bins=bins,
              null_quantile=null_quantile, seed=seed,
              **{k: v for k, v in roles.items() if k == "features" or v is None or v in keep})
