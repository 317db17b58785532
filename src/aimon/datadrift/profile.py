"""Reference profiles: everything later drift calls need from the reference, computed once.

``ref.aimon.profile()`` sorts each numeric column once, cuts it at quantile bin edges, counts
categories and missing values, and keeps the null quantile of each statistic once a call has needed it (see
:mod:`aimon.datadrift.calibrate`). ``drift``, ``drift_over_time`` and the widgets reuse it; it is
saved without pickle (``to_json`` / ``to_npz``) and two profiles can be merged.
"""
from __future__ import annotations

import html
import json
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AimonError, AimonWarning, SchemaError
from . import calibrate
from ._columns import kind_of, levels, numeric_values

FORMAT = "aimon-profile/1"


@dataclass
class ColumnProfile:
    """What the reference says about one column.

    ``values`` (numeric) holds the sorted usable values; ``edges`` the inner quantile bin edges and
    ``counts`` the reference count per bin (numeric) or per category (categorical, labels in
    ``categories``). ``null`` maps a statistic to its null quantile at the calibration size (filled on first use by
    :meth:`Profile.null`).
    """

    name: object
    kind: str
    dtype: str
    n_rows: int
    n_missing: int
    n_invalid: int = 0
    values: np.ndarray | None = None
    edges: np.ndarray | None = None
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    categories: list | None = None
    mean: float = float("nan")
    std: float = float("nan")
    null: dict = field(default_factory=dict)
    stored_range: tuple | None = None  # (min, max) read from a saved profile (schema checks)

    @property
    def n_valid(self) -> int:
        return int(self.n_rows - self.n_missing - self.n_invalid)

    @property
    def value_range(self) -> tuple | None:
        """(min, max) of the usable reference values of a numeric column (None otherwise)."""
        if self.values is not None and self.values.size:
            return float(np.min(self.values)), float(np.max(self.values))
        return None if self.stored_range is None else tuple(self.stored_range)




class Profile:
    """A reference profile: one :class:`ColumnProfile` per column, plus calibration settings.

    Build it with :func:`profile` (``df.aimon.profile()``); save it with :meth:`to_json` or
    :meth:`to_npz`, load it with :meth:`from_json` / :meth:`from_npz`, combine two with
    :meth:`merge`. ``.table`` summarises the columns.

    ``sketched`` maps each numeric column whose ``values`` are a quantile sketch rather than
    all the sorted reference values (:func:`aimon.dask.profile` beyond ``max_values``) to
    ``{"points", "values", "ks_error", "w1_error"}``: points kept, usable values summarised,
    and bounds on how far the sketch's ECDF (sup distance) and Wasserstein-1 distance can be
    from the exact ones. Empty when every column is exact (always so for :func:`aimon.profile`).
    It is saved and loaded with the profile, kept by :meth:`merge`, and drift results against a
    sketched column say so in their ``note``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> ref = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})
    >>> prof = aimon.profile(ref)
    >>> prof.names
    ['x', 'c']
    >>> aimon.Profile.from_json(prof.to_json()).names
    ['x', 'c']
    >>> prof.sketched
    {}
    """

    def __init__(self, columns: dict, bins: int, null_size: int, null_draws: int, null_quantile: float,
                 seed: int, n_rows: int, sketched: dict | None = None):
        self.columns = columns
        self.bins = bins
        self.null_size = null_size
        self.null_draws = null_draws
        self.null_quantile = null_quantile
        self.seed = seed
        self.n_rows = n_rows
        self.sketched = {} if sketched is None else {k: dict(v) for k, v in sketched.items()}

    def null(self, name, method: str) -> float:
        """Null quantile of ``method`` for column ``name`` at the calibration size, computed on first
        use and kept (saved with the profile)."""
        cp = self.columns[name]
        if method not in cp.null:
            cp.null[method] = calibrate.null_quantile(cp, method, self.null_size, self.null_draws,
                                                      self.null_quantile, self.seed)
        return cp.null[method]

    def __getitem__(self, name) -> ColumnProfile:
        return self.columns[name]

    def __contains__(self, name) -> bool:
        return name in self.columns

    @property
    def names(self) -> list:
        return list(self.columns)

    @property
    def table(self) -> pd.DataFrame:
        rows = []
        for c in self.columns.values():
            rows.append({"column": c.name, "kind": c.kind, "dtype": c.dtype, "n_rows": c.n_rows,
                         "missing_share": c.n_missing / c.n_rows if c.n_rows else np.nan,
                         "n_invalid": c.n_invalid, "mean": c.mean, "std": c.std,
                         "levels": len(c.categories) if c.categories is not None else np.nan})
        return pd.DataFrame(rows, columns=["column", "kind", "dtype", "n_rows", "missing_share", "n_invalid",
                                           "mean", "std", "levels"])

    def __repr__(self) -> str:
        return f"Profile({len(self.columns)} columns, {self.n_rows} rows)"

    def _repr_html_(self) -> str:
        t = self.table
        body = "".join(
            f"<tr><td>{html.escape(str(r.column))}</td><td>{html.escape(r.kind)}</td>"
            f"<td>{html.escape(r.dtype)}</td><td>{r.missing_share:.3g}</td></tr>" for r in t.itertuples())
        return (f"<p>Reference profile: {len(t)} columns, {self.n_rows} rows</p><table><thead><tr><th>column</th>"
                f"<th>kind</th><th>dtype</th><th>missing share</th></tr></thead><tbody>{body}</tbody></table>")

    # ------------------------------------------------------------------ persistence
    def _meta(self) -> dict:
        cols = []
        for c in self.columns.values():
            cols.append({"name": c.name, "kind": c.kind, "dtype": c.dtype, "n_rows": c.n_rows,
                         "n_missing": c.n_missing, "n_invalid": c.n_invalid, "categories": c.categories,
                         "mean": c.mean, "std": c.std, "null": c.null,
                         "range": None if c.value_range is None else list(c.value_range),
                         "sketch": self.sketched.get(c.name),
                         "missing_share": c.n_missing / c.n_rows if c.n_rows else None})
        return {"format": FORMAT, "bins": self.bins, "null_size": self.null_size, "null_draws": self.null_draws,
                "null_quantile": self.null_quantile, "seed": self.seed, "n_rows": self.n_rows, "columns": cols}

    def to_json(self, path=None) -> str | None:
        """The profile as JSON text (written to ``path`` when given). Sorted values are stored in
        full, so prefer :meth:`to_npz` for large references."""
        meta = self._meta()
        for m, c in zip(meta["columns"], self.columns.values()):
            m["values"] = None if c.values is None else c.values.tolist()
            m["edges"] = None if c.edges is None else c.edges.tolist()
            m["counts"] = c.counts.tolist()
        text = json.dumps(meta, allow_nan=True)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return None

    @classmethod
    def from_json(cls, text_or_path) -> "Profile":
        """Load a profile written by :meth:`to_json` (JSON text or a path)."""
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            with open(text_or_path, encoding="utf-8") as fh:
                text = fh.read()
        meta = json.loads(text)
        arrays = {}
        for k, m in enumerate(meta.get("columns", [])):
            for key in ("values", "edges", "counts"):
                if m.get(key) is not None:
                    arrays[f"{k}/{key}"] = np.asarray(m[key], dtype=np.float64)
        return cls._from_parts(meta, arrays)

    def to_npz(self, path) -> None:
        """Save as a compressed ``.npz``: arrays as arrays, the rest as JSON text (no pickle)."""
        arrays = {"meta": np.frombuffer(json.dumps(self._meta(), allow_nan=True).encode("utf-8"), dtype=np.uint8)}
        for k, c in enumerate(self.columns.values()):
            for key in ("values", "edges", "counts"):
                arr = getattr(c, key)
                if arr is not None:
                    arrays[f"{k}/{key}"] = arr
        np.savez_compressed(path, **arrays)

    @classmethod
    def from_npz(cls, path) -> "Profile":
        """Load a profile written by :meth:`to_npz` (``allow_pickle`` stays off)."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            arrays = {k: data[k] for k in data.files if k != "meta"}
        return cls._from_parts(meta, arrays)

    @classmethod
    def _from_parts(cls, meta: dict, arrays: dict) -> "Profile":
        if meta.get("format") != FORMAT:
            raise AimonError(f"Not an aimon profile (format {meta.get('format')!r}, expected {FORMAT!r}).")
        cols, sketched = {}, {}
        for k, m in enumerate(meta["columns"]):
            name = m["name"]
            if m.get("sketch"):  # absent in files written before sketches were saved: exact
                sk = m["sketch"]
                sketched[name] = {"points": int(sk["points"]), "values": int(sk["values"]),
                                  "ks_error": float(sk["ks_error"]), "w1_error": float(sk["w1_error"])}
            cols[name] = ColumnProfile(
                name=name, kind=m["kind"], dtype=m["dtype"], n_rows=m["n_rows"], n_missing=m["n_missing"],
                n_invalid=m.get("n_invalid", 0), values=arrays.get(f"{k}/values"), edges=arrays.get(f"{k}/edges"),
                counts=arrays.get(f"{k}/counts", np.zeros(0)), categories=m["categories"], mean=m["mean"],
                std=m["std"], null=m["null"], stored_range=m.get("range"))
        return cls(cols, meta["bins"], meta["null_size"], meta["null_draws"], meta["null_quantile"], meta["seed"],
                   meta["n_rows"], sketched)

    # ------------------------------------------------------------------ merge
    def merge(self, other: "Profile") -> "Profile":
        """The profile of both references together (as if their rows were concatenated).

        Columns must have the same kind in both; a column present in only one profile is kept
        with the rows of that profile only. Bin edges and null quantiles are recomputed. A column
        sketched in either profile stays sketched (see ``sketched``), with error bounds that hold
        for the merged column (:func:`_merge_sketched`).
        """
        if not isinstance(other, Profile):
            raise AimonError(f"merge() needs another Profile, got {type(other).__name__}.")
        cols, sketched = {}, {}
        for name in list(self.columns) + [n for n in other.columns if n not in self.columns]:
            a, b = self.columns.get(name), other.columns.get(name)
            sa, sb = self.sketched.get(name), other.sketched.get(name)
            if a is None or b is None:
                cols[name] = a or b
                if sa or sb:
                    sketched[name] = dict(sa or sb)
                continue
            if a.kind != b.kind:
                raise SchemaError([f"Column {name!r} is {a.kind} in one profile and {b.kind} in the other; "
                                   "profiles can only be merged column by column of the same kind."])
            n_rows, n_missing, n_invalid = a.n_rows + b.n_rows, a.n_missing + b.n_missing, a.n_invalid + b.n_invalid
            if a.kind == "numeric" and any(c.values is None and c.n_valid for c in (a, b)):
                raise AimonError(f"merge(): column {name!r} was saved without its values in one profile "
                                 "(only its range); merge profiles saved by to_json()/to_npz() unchanged.")
            if a.kind == "numeric" and (sa or sb):
                cols[name], sketched[name] = _merge_sketched(a, b, sa, sb, self.bins)
            elif a.kind == "numeric":
                values = np.sort(np.concatenate([a.values, b.values]))
                cols[name] = _numeric_profile(name, a.dtype, values, n_rows, n_missing, n_invalid,
                                              self.bins, self.null_size, self.null_draws, self.null_quantile,
                                              self.seed)
            else:
                cats = list(a.categories) + [c for c in b.categories if c not in a.categories]
                where = {c: i for i, c in enumerate(cats)}
                counts = np.zeros(len(cats))
                counts[: len(a.categories)] += a.counts
                for c, v in zip(b.categories, b.counts):
                    counts[where[c]] += v
                cols[name] = _categorical_profile(name, a.dtype, cats, counts, n_rows, n_missing,
                                                  self.null_size, self.null_draws, self.null_quantile, self.seed)
        return Profile(cols, self.bins, self.null_size, self.null_draws, self.null_quantile, self.seed,
                       self.n_rows + other.n_rows, sketched)


def _merge_sketched(a: ColumnProfile, b: ColumnProfile, sa, sb, bins):
    """Merge two numeric column profiles of which one or both are quantile sketches.

    Why the bounds hold. Let ``n_a``, ``n_b`` be the usable values behind each side (``n_valid``)
    and ``N = n_a + n_b``; ``F_a``, ``F_b`` their exact ECDFs and ``S_a``, ``S_b`` the ECDFs of
    the stored points (``S = F`` on an exact side), with ``sup|S_a - F_a| <= e_a`` (0 when
    exact) and ``int|S_a - F_a| dx <= w_a``. The exact ECDF of the concatenated rows is the
    row-weighted mixture ``F = (n_a F_a + n_b F_b) / N``. Giving every stored point of a side
    the weight ``n_side / points_side``, the weighted union has ECDF
    ``G = (n_a S_a + n_b S_b) / N`` exactly, so ``|G - F| <= (n_a e_a + n_b e_b) / N``
    pointwise (triangle inequality) and ``int|G - F| <= (n_a w_a + n_b w_b) / N``.
    The points kept are ``K`` (all the stored points of both sides) quantiles of that weighted
    union, the one at ``(i + 1/2) / K`` of its total weight for ``i < K``: their ECDF ``R``
    counts the ``i`` with ``(i + 1/2) / K <= G(x)``, which is within ``1/(2K)`` of ``G(x)``;
    we allow ``1/K`` (rounding of the cumulative weights). ``R`` and ``G`` are both 0 below
    the smallest stored point and 1 from the largest, so ``int|R - G| <= (hi - lo) / K``.
    Adding up: ``ks_error = (n_a e_a + n_b e_b) / N + 1/K`` and
    ``w1_error = (n_a w_a + n_b w_b) / N + (hi - lo) / K``. As with one sketch, a KS distance
    against the merged reference moves by at most ``ks_error`` and a Wasserstein-1 distance by
    at most ``w1_error``. Mean and standard deviation are combined exactly (pairwise update).
    """
    na, nb = a.n_valid, b.n_valid
    total = na + nb
    sides = [(c, n) for c, n in ((a, na), (b, nb)) if n and c.values is not None and c.values.size]
    vals = np.concatenate([c.values for c, _ in sides])
    weights = np.concatenate([np.full(c.values.size, n / c.values.size) for c, n in sides])
    order = np.argsort(vals, kind="stable")
    vals, cum = vals[order], np.cumsum(weights[order])
    k = vals.size
    targets = (np.arange(k) + 0.5) * (cum[-1] / k)
    values = vals[np.minimum(np.searchsorted(cum, targets, side="left"), k - 1)]
    cp = _numeric_profile(a.name, a.dtype, values, a.n_rows + b.n_rows, a.n_missing + b.n_missing,
                          a.n_invalid + b.n_invalid, bins, 0, 0, 0, 0)
    n, mean, m2 = 0, 0.0, 0.0
    for c, nc in sides:  # Chan et al.'s pairwise update of (count, mean, sum of squared deviations)
        delta = c.mean - mean
        tot = n + nc
        mean += delta * nc / tot
        m2 += nc * c.std ** 2 + delta ** 2 * n * nc / tot
        n = tot
    cp.mean, cp.std = float(mean), float(np.sqrt(m2 / n))
    ks = sum(n_ * s["ks_error"] for n_, s in ((na, sa), (nb, sb)) if s) / total + 1.0 / k
    w1 = sum(n_ * s["w1_error"] for n_, s in ((na, sa), (nb, sb)) if s) / total + float(vals[-1] - vals[0]) / k
    return cp, {"points": int(k), "values": int(total), "ks_error": float(ks), "w1_error": float(w1)}


# ---------------------------------------------------------------------- building
def _numeric_profile(name, dtype, values, n_rows, n_missing, n_invalid, bins, m, draws, q, seed):
    from .stats import bin_counts, quantile_edges

    inner = quantile_edges(values, bins)
    return ColumnProfile(
        name=name, kind="numeric", dtype=dtype, n_rows=n_rows, n_missing=n_missing, n_invalid=n_invalid,
        values=values, edges=inner, counts=bin_counts(values, inner),
        **_moments(values))


def _moments(values):
    """Mean and standard deviation (ddof=0) of sorted finite values, without overflow: beyond
    ~1e150 the squares overflow, so they are taken of the values divided by the largest one."""
    if not values.size:
        return {"mean": float("nan"), "std": float("nan")}
    scale = max(abs(float(values[0])), abs(float(values[-1])))
    if scale > 1e150:
        v = values / scale
        return {"mean": float(v.mean()) * scale, "std": float(v.std()) * scale}
    return {"mean": float(values.mean()), "std": float(values.std())}


def _categorical_profile(name, dtype, categories, counts, n_rows, n_missing, m, draws, q, seed):
    keep = counts > 0
    categories = [c for c, k in zip(categories, keep) if k]
    counts = np.asarray(counts, dtype=np.float64)[keep]
    return ColumnProfile(name=name, kind="categorical", dtype=dtype, n_rows=n_rows, n_missing=n_missing,
                         categories=categories, counts=counts)


def profile_column(s: pd.Series, name, bins=10, null_size=calibrate.NULL_SIZE, null_draws=calibrate.NULL_DRAWS,
                   null_quantile=calibrate.NULL_QUANTILE, seed=0) -> ColumnProfile:
    """Profile one column (see :func:`profile`)."""
    kind = kind_of(s)
    if kind == "numeric":
        vals, n_missing, n_invalid = numeric_values(s)
        values = vals[~np.isnan(vals)] if n_missing or n_invalid else vals
        if np.may_share_memory(values, s.to_numpy()):
            values = np.sort(values)  # the caller's memory: sort a copy
        else:
            values.sort()  # already a private copy (gathered from a 2-D block, or filtered)
        return _numeric_profile(name, str(s.dtype), values, len(s), n_missing, n_invalid, bins, null_size,
                                null_draws, null_quantile, seed)
    codes, labels = levels(s)
    counts = np.bincount(codes[codes >= 0], minlength=len(labels)).astype(np.float64)
    # labels that collapse to the same JSON-native text are one category
    merged: dict = {}
    for lab, c in zip(labels, counts):
        merged[lab] = merged.get(lab, 0.0) + c
    return _categorical_profile(name, str(s.dtype), list(merged), np.asarray(list(merged.values())), len(s),
                                int((codes < 0).sum()), null_size, null_draws, null_quantile, seed)


MIN_REFERENCE_ROWS = 30  # a shorter reference is profiled with a warning


def profile(df: pd.DataFrame, columns=None, bins: int = 10, null_quantile: float = calibrate.NULL_QUANTILE,
            null_size: int = calibrate.NULL_SIZE, null_draws: int = calibrate.NULL_DRAWS, seed: int = 0,
            **roles) -> Profile:
    """Profile the reference ``df`` once for every later drift call.

    Parameters
    ----------
    df : DataFrame
        The reference rows (e.g. the training data or a known-good period).
    columns : list, optional
        Columns to profile; by default the feature columns (``infer_roles(df)["features"]``).
    bins : int
        Number of reference-quantile bins of numeric columns (binned statistics).
    null_quantile, null_size, null_draws : float, int, int
        Calibration of the thresholds: the ``null_quantile`` of each statistic between
        ``null_draws`` pairs of bootstrap samples of ``null_size`` rows from the reference.
    seed : int
        Seed of the bootstrap (profiles are deterministic).
    **roles
        Role overrides passed to :func:`aimon.infer_roles` (e.g. ``features=[...]``).

    Returns
    -------
    Profile

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> ref = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})
    >>> p = ref.aimon.profile()
    >>> p.table[["column", "kind", "n_rows"]].values.tolist()
    [['x', 'numeric', 100], ['c', 'categorical', 100]]
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"profile() expects a pandas DataFrame, got {type(df).__name__}.")
    null_quantile = check_options(bins, null_size, null_draws, null_quantile)
    if len(df) == 0:
        raise AimonError("The reference has no rows: pass the rows of a known-good period (e.g. "
                         "df[df.index < cutoff]) or a longer time range.")
    if len(df) < MIN_REFERENCE_ROWS:
        warnings.warn(f"The reference has only {len(df)} row(s): against so few values a drift test can "
                      f"hardly detect anything, so 'not drifted' means little. Use at least "
                      f"{MIN_REFERENCE_ROWS} rows (a longer reference period).", AimonWarning, stacklevel=2)
    names = select_columns(df, columns, roles)
    def one(name):
        return profile_column(df[name], name, int(bins), int(null_size), int(null_draws), null_quantile, seed)

    cols = dict(zip(names, map_columns(one, names, len(df))))
    return Profile(cols, int(bins), int(null_size), int(null_draws), null_quantile, seed, len(df))


def check_options(bins, null_size, null_draws, null_quantile):
    """The profile's options, checked (also by ``aimon.dask.profile``); returns the null quantile."""
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or bins < 2:
        raise AimonError(f"bins={bins!r}: use a whole number of at least 2.")
    if not isinstance(null_size, (int, np.integer)) or null_size < 10:
        raise AimonError(f"null_size={null_size!r}: use a whole number of at least 10.")
    if not isinstance(null_draws, (int, np.integer)) or null_draws < 20:
        raise AimonError(f"null_draws={null_draws!r}: use a whole number of at least 20.")
    return calibrate.check_quantile(null_quantile)


THREAD_MIN_ROWS = 200_000  # below this, columns are handled one after the other


def map_columns(fn, items, n_rows):
    """``[fn(item) for item in items]``, in two threads for long frames: the heavy parts (numpy's
    sort, copies) release the GIL, so two columns are sorted at once."""
    items = list(items)
    if n_rows < THREAD_MIN_ROWS or len(items) < 2:
        return [fn(it) for it in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(fn, items))


def select_columns(df: pd.DataFrame, columns, roles: dict) -> list:
    """The columns to compare: ``columns`` if given (each must exist once), else the features."""
    from ..roles import infer_roles

    if columns is None:
        return list(infer_roles(df, **roles)["features"])
    columns = [columns] if isinstance(columns, (str, int)) else list(columns)
    absent = [c for c in columns if c not in df.columns]
    if absent:
        raise SchemaError([f"columns=: {absent!r} not in the frame. Pass existing column names."], df.columns)
    dup = [c for c in columns if not isinstance(df.columns.get_loc(c), (int, np.integer))]
    if dup:
        raise SchemaError([f"columns=: several columns are named {dup[0]!r}; rename them first."], df.columns)
    return columns

