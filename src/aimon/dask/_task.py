"""Decide the task of :func:`aimon.quality` from the whole Dask log, as the pandas call would.

Each partition reports a few facts about its label and prediction columns (any value, 0/1 only,
integral, up to 21 distinct values); the rule of ``aimon.metrics.quality.detect_task`` is then
applied to the facts of all partitions together.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..roles import infer_roles
from ._run import compute

MAX_CLASSES = 20


def facts(part: pd.DataFrame, cols: dict) -> dict:
    from ..metrics.quality import _is_01

    out = {}
    for role, col in cols.items():
        s = part[col]
        f = {"any": bool(s.notna().any()), "is01": _is_01(s), "numeric": pd.api.types.is_numeric_dtype(s.dtype)}
        if f["numeric"]:
            x = s.dropna().to_numpy(dtype=np.float64)
            f["integral"] = bool(np.isfinite(x).all() and np.all(x == np.round(x)))
            u = np.unique(x)
            f["uniq"] = set(u[: MAX_CLASSES + 1].tolist())
        out[role] = f
    return out


def global_task(ddf, roles: dict) -> str:
    """'binary', 'multiclass', 'regression', or 'auto' when the log has neither label nor prediction."""
    import dask

    r = infer_roles(ddf._meta, **roles)
    cols = {k: r[k] for k in ("label", "prediction") if r.get(k) is not None}
    if not cols:
        return "auto"
    parts = ddf[list(dict.fromkeys(cols.values()))].to_delayed()
    found = compute([dask.delayed(facts)(p, cols) for p in parts])
    role = "label" if "label" in cols else "prediction"
    if "label" in cols and "prediction" in cols and not any(f["label"]["any"] for f in found):
        role = "prediction"  # no label has arrived yet: the predictions tell the task
    fs = [f[role] for f in found]
    if all(f["is01"] for f in fs):
        return "binary"
    if pd.api.types.is_numeric_dtype(ddf._meta[cols[role]].dtype) and all(f["numeric"] for f in fs):
        uniq = set().union(*(f.get("uniq", set()) for f in fs))
        integral = all(f.get("integral", True) for f in fs)
        return "multiclass" if integral and len(uniq) <= MAX_CLASSES else "regression"
    return "multiclass"
