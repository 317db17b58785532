"""A metric by binned input feature: latency p95 by payload decile, accuracy by channel.

Numeric features are cut at their own quantiles (``bins=10``: deciles; the edges are data values,
numpy's 'inverted_cdf' quantiles, so no bin is empty; tied edges are merged, so a feature with
few distinct values gets fewer bins), each bin closed on the left
``[lo, hi)`` and the last one on both sides. Categorical features get one bin per level (the
most frequent ``max_levels``, the rest pooled in "(other)"). Rows without the feature form a
"(missing)" bin; rows without the metric's outcome are counted in ``attrs``.
"""
from __future__ import annotations

import html
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..errors import SchemaError
from .outcomes import estimate, outcomes

MISSING, OTHER = "(missing)", "(other)"


class ConditionalView:
    """Result of :func:`metric_by_feature`: ``.table`` (one row per bin) and ``.plot()``."""

    def __init__(self, metric, feature, table):
        self.metric, self.feature, self.table = metric, feature, table

    def plot(self, ax=None):
        """The metric per bin with its interval."""
        from ..plotting import _axes

        t = self.table
        ax = _axes(ax, figsize=(7, 3))
        x = np.arange(len(t))
        v = t["value"].to_numpy(float)
        err = np.vstack([v - t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float) - v])
        ax.errorbar(x, v, yerr=np.nan_to_num(err), fmt="o-", ms=3, lw=1, capsize=2)
        ax.set_xticks(x, t["bin"].astype(str), rotation=45, ha="right", fontsize=7)
        ax.set_xlabel(str(self.feature))
        ax.set_ylabel(str(self.metric))
        ax.grid(alpha=0.3)
        return ax

    def __repr__(self):
        return f"{self.metric} by {self.feature}\n{self.table.to_string(index=False)}"

    def _repr_html_(self):
        return (f"<p><b>{html.escape(str(self.metric))}</b> by <code>{html.escape(str(self.feature))}</code></p>"
                + self.table.to_html(escape=True, index=False, float_format="{:.4g}".format, border=0))


def _numeric_bins(x: np.ndarray, bins: int):
    ok = np.isfinite(x)
    edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, bins + 1), method="inverted_cdf")) if ok.any() else np.array([])
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    codes = np.full(len(x), -1, dtype=np.int64)
    if len(edges) >= 2:
        codes[ok] = np.clip(np.searchsorted(edges, x[ok], side="right") - 1, 0, len(edges) - 2)
    labels = [f"[{lo:.4g}, {hi:.4g}{']' if i == len(edges) - 2 else ')'}" for i, (lo, hi)
              in enumerate(zip(edges[:-1], edges[1:]))]
    return codes, labels, edges


def metric_by_feature(df: pd.DataFrame, metric, feature, bins=10, max_levels=20, confidence=0.95,
                      **roles) -> ConditionalView:
    """A per-request metric in bins of one input feature, with intervals.

    Parameters
    ----------
    df : DataFrame
        Inference log.
    metric : str
        ``latency_p95``, ``accuracy``, ``error_rate``, … or a numeric column (see
        :mod:`aimon.analysis.outcomes`).
    feature : str
        Column to bin: numeric (quantile bins) or categorical (one bin per level).
    bins : int
        Number of quantile bins of a numeric feature.
    max_levels : int
        Levels of a categorical feature shown before the rest are pooled into "(other)".
    confidence : float
        Level of the intervals (Agresti–Caffo for rates, s/sqrt(n) for means, order statistics
        for quantiles).

    Returns
    -------
    ConditionalView
        ``.table`` with ``bin``, ``lo``, ``hi`` (numeric features), ``n`` (rows with an outcome),
        ``value``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> v = df.aimon.metric_by_feature("latency_p95", "payload_kb", bins=5)
    >>> bool(v.table["value"].is_monotonic_increasing)
    True
    """
    if feature not in df.columns:
        raise SchemaError([f"feature={feature!r} does not exist; name a column of the log."], df.columns)
    if not (isinstance(bins, (int, np.integer)) and bins >= 1):
        raise SchemaError([f"bins={bins!r}: give a whole number >= 1."])
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise SchemaError([f"confidence={confidence!r}: give a number between 0 and 1."])
    oc = outcomes(df, metric, **roles)
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    s = df[feature]
    numeric = (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype))
    rows = []
    if numeric:
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        codes, labels, edges = _numeric_bins(x, int(bins))
        groups = [(labels[i], codes == i, edges[i], edges[i + 1]) for i in range(len(labels))]
        if (codes < 0).any():
            groups.append((MISSING, codes < 0, np.nan, np.nan))
    else:
        text = s.astype(object).where(s.notna(), MISSING).astype(str).to_numpy()
        counts = pd.Series(text).value_counts()
        keep = list(counts.index[:max_levels])
        groups = [(level, text == level, np.nan, np.nan) for level in keep]
        if len(counts) > max_levels:
            groups.append((OTHER, ~np.isin(text, keep), np.nan, np.nan))
    for label, mask, lo, hi in groups:
        n, value, se = estimate(oc.values[mask], oc.kind, oc.q, z)
        rows.append({"bin": label, "lo": lo, "hi": hi, "n": n, "value": value,
                     "ci_low": value - z * se, "ci_high": value + z * se})
    table = pd.DataFrame(rows, columns=["bin", "lo", "hi", "n", "value", "ci_low", "ci_high"])
    if not numeric:
        table = table.drop(columns=["lo", "hi"])
    table.attrs["aimon"] = {"metric": oc.name, "rows_without_outcome": int(np.isnan(oc.values).sum())}
    return ConditionalView(oc.name, feature, table)
