"""Column plumbing shared by profiles, reports and timelines: kinds, values, categories.

A column is *numeric* (ints, floats; datetimes and timedeltas as seconds) or *categorical*
(booleans, strings, pandas categoricals, anything else). Missing values (NaN/None/NaT) are
counted; numeric values that are present but unusable (inf, text in a numeric column) are
counted as invalid. Neither enters a distribution.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SchemaError


def kind_of(s: pd.Series) -> str:
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "categorical"
    if (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_datetime64_any_dtype(dt)
            or pd.api.types.is_timedelta64_dtype(dt)):
        return "numeric"
    return "categorical"


def numeric_values(s: pd.Series) -> tuple[np.ndarray, int, int]:
    """(float64 values with NaN where unusable, n_missing, n_invalid) in row order."""
    dt = s.dtype
    if pd.api.types.is_datetime64_any_dtype(dt):
        i8 = s.to_numpy(dtype="datetime64[ns]").view(np.int64) if s.dt.tz is None else \
            s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64)
        vals = i8.astype(np.float64) / 1e9
        vals[i8 == np.iinfo(np.int64).min] = np.nan
    elif pd.api.types.is_timedelta64_dtype(dt):
        vals = s.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        vals = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if not vals.flags.c_contiguous:  # a column of a 2-D block: one gather, then fast passes
            vals = np.ascontiguousarray(vals)
    if np.isfinite(vals).all():  # one pass in the common case
        return vals, 0, 0
    n_missing = int(np.isnan(vals).sum())
    bad = np.isinf(vals)
    n_invalid = int(bad.sum())
    if n_invalid:
        vals = np.where(bad, np.nan, vals)
    return vals, n_missing, n_invalid


def native(value):
    """A JSON-native version of a category label (numpy scalars unwrapped, others as text)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    return str(value)


def levels(s: pd.Series) -> tuple[np.ndarray, list]:
    """Factorize ``s``: (codes with -1 for missing, JSON-native labels of the codes)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = np.asarray(s.cat.codes, dtype=np.int64)
        uniques = list(s.cat.categories)
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
    uniques = pd.Index(uniques)
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        return codes, [str(u) for u in uniques.tolist()]
    return codes, [native(u) for u in uniques]


def category_codes(s: pd.Series, categories: list) -> tuple[np.ndarray, pd.Series]:
    """Codes of ``s`` in ``categories`` (-1 missing, -2 unseen) and the counts of unseen labels."""
    codes, labels = levels(s)
    where = {c: k for k, c in enumerate(categories)}
    lut = np.array([where.get(lab, -2) for lab in labels] + [-1], dtype=np.int64)
    out = lut[codes]  # code -1 (missing) picks the trailing -1
    unseen = pd.Series(dtype=np.int64)
    if (lut[:-1] == -2).any():
        counts = np.bincount(codes[codes >= 0], minlength=len(labels))
        mask = (lut[:-1] == -2) & (counts > 0)
        unseen = pd.Series(counts[mask], index=pd.Index([labels[k] for k in np.flatnonzero(mask)], dtype=object))
    return out, unseen


def check_same_kind(name, ref_kind: str, cur: pd.Series, columns) -> None:
    cur_kind = kind_of(cur)
    if cur_kind != ref_kind:
        raise SchemaError([f"Column {name!r} is {ref_kind} in the reference but {cur_kind} ({cur.dtype}) in "
                           f"the current data. Convert one side, e.g. df[{name!r}] = "
                           f"{'pd.to_numeric(df[' + repr(name) + '], errors=' + repr('coerce') + ')' if ref_kind == 'numeric' else 'df[' + repr(name) + '].astype(str)'}, "
                           "or leave the column out with columns=[...]."], columns)
