"""``df.aimon.drift_over_time(reference, freq="1D")``: drift of every column in every window.

The reference is profiled (sorted) once; the log is put in time order once, so each window of a
numeric column is a contiguous slice, sorted in place, and compared with the reference by the
kernels in parallel over columns and windows. Thresholds are carried to each window's size (see
:mod:`aimon.datadrift.calibrate`), so small night-time windows need larger shifts than busy ones.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .._log import prepare, windows
from ..errors import SchemaError
from ..roles import infer_roles, require
from . import calibrate
from .report import _as_profile, check_options, plan, run

LONG = ["window", "column", "kind", "method", "statistic", "p_value", "p_adjusted", "threshold", "drifted",
        "value_drifted", "missing_drifted", "effect_size", "n_cur", "missing_cur", "missing_p_value", "unseen",
        "note"]


class DriftTimeline:
    """Drift per window and column.

    Attributes
    ----------
    table : DataFrame
        Long table, one row per (window, column): ``window`` (window start), ``column, kind,
        method, statistic, p_value, p_adjusted, threshold, drifted, value_drifted, missing_drifted,
        effect_size, n_cur, missing_cur, missing_p_value, unseen, note``.
    profile : Profile
        The reference profile used.
    freq : str

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> idx = pd.date_range("2026-01-01", periods=400, freq="h")
    >>> df = pd.DataFrame({"x": np.r_[np.zeros(200), np.ones(200)] + np.random.default_rng(0).normal(size=400)},
    ...                   index=idx)
    >>> tl = df.aimon.drift_over_time(df.iloc[:200], freq="5D")
    >>> tl.to_frame("drifted")["x"].tolist()
    [False, False, True, True]
    """

    def __init__(self, table: pd.DataFrame, profile, freq, skipped: pd.DataFrame, accounting: dict):
        self.table = table
        self.profile = profile
        self.freq = freq
        self.skipped = skipped
        self.accounting = accounting

    def to_frame(self, value: str = "statistic") -> pd.DataFrame:
        """Wide table: one row per window (index), one column per feature, cells ``value``."""
        if value not in self.table.columns:
            raise SchemaError([f"value={value!r} is not a column of the timeline table."], self.table.columns)
        wide = self.table.pivot(index="window", columns="column", values=value)
        wide = wide.reindex(columns=list(dict.fromkeys(self.table["column"])))
        wide.columns.name = None
        return wide

    def drifted_windows(self) -> pd.DataFrame:
        """The rows of ``table`` that drifted."""
        return self.table[self.table["drifted"]].reset_index(drop=True)

    def plot(self, ax=None, value: str = "statistic"):
        """Heatmap: statistic / threshold per window and column, drifted cells outlined."""
        from ._plot import plot_timeline

        return plot_timeline(self, ax=ax, value=value)

    def __repr__(self) -> str:
        n = int(self.table["drifted"].sum())
        return (f"DriftTimeline({self.table['window'].nunique()} windows of {self.freq} x "
                f"{self.table['column'].nunique()} columns, {n} drifted cells)")

    def _repr_html_(self) -> str:
        d = self.drifted_windows()
        rows = "".join(f"<tr><td>{html.escape(str(r.window))}</td><td>{html.escape(str(r.column))}</td>"
                       f"<td>{html.escape(r.method)}</td><td>{r.statistic:.4g}</td><td>{r.threshold:.4g}</td>"
                       f"<td>{html.escape(str(r.note))}</td></tr>" for r in d.head(50).itertuples())
        more = f"<p>… {len(d) - 50} more</p>" if len(d) > 50 else ""
        return (f"<p><b>Drift over time</b>: {html.escape(repr(self))}</p><table><thead><tr><th>window</th>"
                f"<th>column</th><th>method</th><th>statistic</th><th>threshold</th><th>note</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>{more}")


def drift_over_time(df: pd.DataFrame, reference, freq="1D", columns=None, method="auto", threshold=None,
                    alpha: float = 0.05, correction="bh", min_effect=None,
                    min_missing: float = calibrate.MIN_EFFECT["missing"], bins: int = 10,
                    null_quantile: float = calibrate.NULL_QUANTILE, seed: int = 0, **roles) -> DriftTimeline:
    """Drift of each column of ``df`` in each time window of ``freq`` against ``reference``.

    Benjamini-Hochberg runs across columns within each window.

    Parameters
    ----------
    df : DataFrame
        The log to judge, with a time index or a ``timestamp=`` column.
    reference : DataFrame or Profile
        The reference data, or its profile (profiled once and reused for every window).
    freq : str
        Window length (a pandas frequency); windows as ``resample(freq)`` makes them, empty ones
        included.
    columns, method, threshold, alpha, correction, min_effect, min_missing, bins, null_quantile, seed
        As in :func:`aimon.drift`.
    **roles
        Role overrides (``timestamp=``, ``features=``).

    Returns
    -------
    DriftTimeline

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> idx = pd.date_range("2026-01-01", periods=400, freq="h")
    >>> x = np.r_[np.random.default_rng(1).normal(size=300), np.random.default_rng(2).normal(3, 1, 100)]
    >>> df = pd.DataFrame({"x": x}, index=idx)
    >>> tl = df.aimon.drift_over_time(df.iloc[:200], freq="5D")
    >>> tl.to_frame("drifted")["x"].tolist()
    [False, False, True, True]
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"drift_over_time() expects a pandas DataFrame, got {type(df).__name__}.")
    check_options(alpha, correction, min_missing)
    role_names = {k: v for k, v in roles.items() if k != "features"}
    feat = {"features": roles["features"]} if "features" in roles else {}
    r = infer_roles(df, **role_names, **feat)
    require(r, ["timestamp"], df, "drift_over_time")
    log = prepare(df, r)
    win = windows(log.times, freq)
    prof = _as_profile(reference, columns, feat, bins, null_quantile, seed)
    items, skipped = plan(df, prof, columns, method, feat, "drift_over_time")
    rows = log.rows
    items = [(cp, s.iloc[rows] if not isinstance(rows, slice) else s, m) for cp, s, m in items]
    bounds = win.bounds(log.i8)
    results = run(items, prof, bounds, alpha, correction, min_effect, threshold, min_missing)
    k = len(win.labels)
    parts = []
    for res in results:
        part = {"window": win.labels, "column": [res["column"]] * k, "kind": res["kind"], "method": res["method"]}
        for c in LONG[4:]:
            if c in res:
                part[c] = res[c]
        parts.append(pd.DataFrame(part))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LONG)
    table = table[LONG]
    for c in ("drifted", "value_drifted", "missing_drifted"):
        table[c] = table[c].astype(bool)
    for c in ("n_cur", "unseen"):
        table[c] = table[c].astype(np.int64)
    acc = {"rows": log.n_rows, "rows_with_timestamp": int(len(log.times)), "dropped": dict(log.dropped)}
    return DriftTimeline(table, prof, str(freq), skipped, acc)
