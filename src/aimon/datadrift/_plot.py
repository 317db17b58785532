"""Figures of drift results: reference vs current distributions, and the window x column heatmap."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..plotting import _axes


def _distribution(ax, cp, current: pd.Series, title: str):
    from ._columns import category_codes, numeric_values

    if cp.kind == "numeric":
        vals, _, _ = numeric_values(current)
        vals = vals[~np.isnan(vals)]
        both = np.concatenate([cp.values, vals]) if cp.values is not None else vals
        if both.size == 0:
            ax.set_title(f"{title} (no values)", fontsize=9)
            return ax
        lo, hi = np.quantile(both, [0.005, 0.995]) if both.size > 1 else (both[0] - 0.5, both[0] + 0.5)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, 41)
        ax.hist(np.clip(cp.values, lo, hi), bins=edges, density=True, alpha=0.5, label="reference")
        ax.hist(np.clip(vals, lo, hi), bins=edges, density=True, alpha=0.5, label="current")
    else:
        codes, unseen = category_codes(current, cp.categories)
        cur = np.bincount(codes[codes >= 0], minlength=len(cp.categories)).astype(float)
        labels = [str(c) for c in cp.categories] + ([f"unseen ({len(unseen)})"] if len(unseen) else [])
        ref = np.append(cp.counts, [0.0] * (len(labels) - len(cp.categories)))
        cur = np.append(cur, [float(unseen.sum())] if len(unseen) else [])
        top = np.argsort(-(ref / max(ref.sum(), 1) + cur / max(cur.sum(), 1)))[:15]
        x = np.arange(top.size)
        ax.bar(x - 0.2, ref[top] / max(ref.sum(), 1), 0.4, label="reference")
        ax.bar(x + 0.2, cur[top] / max(cur.sum(), 1), 0.4, label="current")
        ax.set_xticks(x, [labels[i][:12] for i in top], rotation=45, fontsize=9, ha="right")
        ax.set_ylabel("share", fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=9, frameon=False)
    return ax


def plot_report(report, ax=None, columns=None, max_columns=6):
    import matplotlib.pyplot as plt

    t = report.table
    names = list(t["column"]) if columns is None else list(columns)
    names = names[: max(1, max_columns)] if columns is None else names
    if ax is not None:
        names = names[:1]
    if ax is None:
        ncol = min(3, len(names))
        nrow = int(np.ceil(len(names) / ncol))
        fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 3 * nrow), layout="constrained", squeeze=False)
        axes = axes.ravel()
        for a in axes[len(names):]:
            a.set_visible(False)
    else:
        axes = np.array([ax])
    for a, name in zip(axes, names):
        r = t[t["column"] == name].iloc[0]
        flag = " DRIFT" if r["drifted"] else ""
        _distribution(a, report.profile[name], report._current[name],
                      f"{name}: {r['method']} {r['statistic']:.3g}{flag}")
    return axes[0] if len(names) == 1 else axes[: len(names)]


def plot_timeline(timeline, ax=None, value="statistic"):
    """Heatmap of ``value`` / threshold per window (x) and column (y); drifted cells outlined."""
    ax = _axes(ax, figsize=(10, 0.4 * max(3, timeline.table["column"].nunique()) + 1))
    t = timeline.table
    cols = list(dict.fromkeys(t["column"]))
    wins = pd.DatetimeIndex(sorted(t["window"].unique()))
    ratio = (t[value] / t["threshold"]).to_numpy(dtype=float)
    grid = pd.DataFrame({"w": t["window"], "c": t["column"], "r": ratio}).pivot(index="c", columns="w", values="r")
    grid = grid.reindex(index=cols, columns=wins)
    im = ax.imshow(np.clip(grid.to_numpy(dtype=float), 0, 3), aspect="auto", cmap="Reds", vmin=0, vmax=3,
                   interpolation="nearest")
    flags = t.pivot(index="column", columns="window", values="drifted").reindex(index=cols, columns=wins)
    ys, xs = np.nonzero(flags.fillna(False).to_numpy(dtype=bool))
    ax.scatter(xs, ys, marker="s", s=30, facecolors="none", edgecolors="k", linewidths=0.8)
    ax.set_yticks(np.arange(len(cols)), [str(c) for c in cols], fontsize=9)
    step = max(1, len(wins) // 12)
    daily = len(wins) > 0 and bool(((wins.hour == 0) & (wins.minute == 0)).all())
    fmt = "%m-%d" if daily else "%m-%d %H:%M"   # no constant " 00:00" on daily windows
    ax.set_xticks(np.arange(0, len(wins), step), [w.strftime(fmt) for w in wins[::step]], rotation=45,
                  fontsize=9, ha="right")
    ax.figure.colorbar(im, ax=ax, label="statistic / threshold", shrink=0.8)
    ax.set_title("drift over time (outlined: drifted)", fontsize=10)
    return ax
