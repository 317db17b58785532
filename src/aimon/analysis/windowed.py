"""One named metric per time window: a raw column's mean, or a metric of ``ops`` / ``quality``.

Diagnosis functions accept any name a user sees in a notebook: a column of the log
(``"latency_ms"``, ``"payload_kb"``: averaged per window), an :func:`aimon.ops` metric
(``"latency_p95"``, ``"error_rate"``, ``"requests"``) or an :func:`aimon.quality` metric
(``"accuracy"``, ``"roc_auc"``, ``"ece"``). ``"correct"`` is accepted for accuracy when the log
has no such column. Tables are computed once per call and shared between names.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._log import numeric, prepare, windows
from ..errors import DataDroppedWarning, SchemaError
from ..roles import infer_roles, require

ALIASES = {"correct": "accuracy", "error": "error_rate", "latency": "latency_mean"}


def is_slice_column(s: pd.Series) -> bool:
    """A column to slice by: categorical, text (object or pandas' string dtype) or boolean."""
    return (isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s.dtype)
            or s.dtype == object or pd.api.types.is_bool_dtype(s.dtype))


class MetricSource:
    """Resolve metric names on one log, computing each underlying table at most once."""

    def __init__(self, df: pd.DataFrame, freq, by=None, resources=None, **roles):
        self.df, self.freq, self.roles, self.resources = df, freq, roles, resources
        self.by = None if by is None else ([by] if isinstance(by, str) else list(by))
        self._tables: dict = {}

    def _table(self, kind):
        if kind not in self._tables:
            from ..metrics.ops import ops
            from ..metrics.quality import quality

            fn = ops if kind == "ops" else quality
            extra = {"resources": self.resources} if kind == "ops" and self.resources is not None else {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataDroppedWarning)
                try:
                    self._tables[kind] = fn(self.df, self.freq, by=self.by, **extra, **self.roles)
                except SchemaError:
                    self._tables[kind] = None  # e.g. no label column: its names are simply not offered
        return self._tables[kind]

    def available(self) -> list[str]:
        """Names offered: numeric columns (not keys such as ``request_id``) and the metrics."""
        r = infer_roles(self.df, **self.roles)
        keys = {r.get("request_id"), r.get("label_time")}
        names = [c for c in self.df.columns if c not in keys and isinstance(c, str)
                 and (pd.api.types.is_numeric_dtype(self.df[c].dtype) or pd.api.types.is_bool_dtype(self.df[c].dtype))]
        for kind in ("ops", "quality"):
            t = self._table(kind)
            if t is not None:
                names += [c for c in t.columns if c not in (self.by or []) and c not in names]
        return names

    def get(self, name) -> pd.DataFrame:
        """Long table: segment columns (if any) and ``value``, indexed by window start."""
        if name in self.df.columns:
            return self._column_mean(name)
        key = ALIASES.get(name, name)
        if self.resources is not None and name in self.resources.columns:
            key = f"{name}_mean"  # a resource series: its mean per window (aimon.metrics.resources)
        for kind in ("ops", "quality"):
            t = self._table(kind)
            if t is not None and key in t.columns:
                out = t[(self.by or []) + [key]].rename(columns={key: "value"})
                out["value"] = out["value"].astype(np.float64)
                return out
        shown = ", ".join(repr(n) for n in self.available()[:60])
        raise SchemaError([f"{name!r} is neither a column of the log nor a metric of ops() or quality(). "
                           f"Available names: {shown}."])

    def _column_mean(self, name) -> pd.DataFrame:
        df = self.df
        r = infer_roles(df, **self.roles)
        require(r, ["timestamp"], df, "a windowed metric")
        log = prepare(df, r)
        s = df[name]
        if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
            raise SchemaError([f"Column {name!r} is {s.dtype}, not numeric: its window mean is undefined. "
                               f"Pass a numeric column, or use it to slice with by={name!r}."], df.columns)
        values, _, _ = numeric(df, name, name, log.order)
        win = windows(log.times, self.freq)
        from ..metrics._table import per_segment, ratio, sum_count

        def compute(pos, bounds):
            total, count = sum_count(values[pos], bounds)
            return {"value": ratio(total, count)}

        return per_segment(df, log, win, self.by, compute)
