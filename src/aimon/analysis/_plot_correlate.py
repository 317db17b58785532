"""Figures of a :class:`~aimon.analysis.correlate.Correlation` (matplotlib imported lazily)."""
from __future__ import annotations

import numpy as np

from ..errors import AimonError
from ..plotting import _axes

KINDS = ("lags", "overlay", "scatter")


def _segment(result, segment):
    """Rows of ``result.table`` and ``result.series`` for one segment (the first by default)."""
    table, series = result.table, result.series
    if not result.by:
        return table, series, ""
    key = segment if segment is not None else tuple(table.loc[0, result.by])
    key = key if isinstance(key, tuple) else (key,)
    t_mask = np.logical_and.reduce([table[c].to_numpy() == v for c, v in zip(result.by, key)])
    s_mask = np.logical_and.reduce([series[c].to_numpy() == v for c, v in zip(result.by, key)])
    if not t_mask.any():
        raise AimonError(f"segment={segment!r} is not among the segments of this result.")
    label = ", ".join(f"{c}={v}" for c, v in zip(result.by, key))
    return table[t_mask], series[s_mask], label


def plot_correlation(result, kind=None, ax=None, segment=None):
    kind = kind or ("lags" if result.table["lag"].nunique() > 1 else "scatter")
    if kind not in KINDS:
        raise AimonError(f"kind={kind!r}: choose one of {KINDS}.")
    table, series, label = _segment(result, segment)
    suffix = f" ({label})" if label else ""
    ax = _axes(ax, figsize=(8, 3) if kind != "scatter" else (4.5, 4))
    if kind == "lags":
        r = table["r"].to_numpy(float)
        err = np.vstack([r - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - r])
        colors = np.where(table["best"].to_numpy(), "tab:red", "tab:blue")
        ax.bar(table["lag"], r, color=colors, yerr=np.nan_to_num(err), capsize=2, alpha=0.8)
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel(f"lag (windows of {result.freq}; > 0: {result.x} leads)")
        ax.set_ylabel(f"{result.method} r")
        ax.set_title(f"{result.x} vs {result.y}{suffix}", fontsize=10)
    elif kind == "overlay":
        ax.plot(series.index, series["x"].to_numpy(float), lw=1, color="tab:blue", label=str(result.x))
        ax.set_ylabel(str(result.x), color="tab:blue")
        twin = ax.twinx()
        twin.plot(series.index, series["y"].to_numpy(float), lw=1, color="tab:orange", label=str(result.y))
        twin.set_ylabel(str(result.y), color="tab:orange")
        ax.set_title(f"{result.x} and {result.y} per {result.freq}{suffix}", fontsize=10)
    else:
        from .correlate import _lag_pairs

        best = table[table["best"]]
        lag = int(best["lag"].iloc[0]) if len(best) else 0
        a, b = _lag_pairs(series["x"].to_numpy(float), series["y"].to_numpy(float), lag)
        ax.scatter(a, b, s=6, alpha=0.5)
        if len(a) >= 2 and np.ptp(a) > 0:
            slope, intercept = np.polyfit(a, b, 1)
            grid = np.linspace(a.min(), a.max(), 50)
            ax.plot(grid, slope * grid + intercept, color="tab:red", lw=1.2, label=f"fit (lag {lag})")
            ax.legend(fontsize=7, frameon=False)
        ax.set_xlabel(str(result.x))
        ax.set_ylabel(f"{result.y} (lag {lag})")
        ax.set_title(f"{result.x} vs {result.y}{suffix}", fontsize=10)
    ax.grid(alpha=0.3)
    return ax
