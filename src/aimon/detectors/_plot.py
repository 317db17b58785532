"""Figures of change detections: the rolling metric with the detections marked."""
from __future__ import annotations


def plot_changepoints(result, ax=None):
    """Rolling mean of each segment's stream; dashed vertical lines at the detections."""
    from ..plotting import _axes, shade_events

    ax = _axes(ax)
    table = result.table
    for label, curve in result._curves.items():
        name = str(result.column) if label is None else ", ".join(map(str, label))
        line = ax.plot(curve.index, curve.to_numpy(dtype=float), lw=1, label=name)[0]
        if label is None:
            hits = table
        else:
            mask = (table[result.by].apply(tuple, axis=1) == tuple(label)) if len(table) else []
            hits = table[mask] if len(table) else table
        for t in hits["time"]:
            ax.axvline(t, color=line.get_color(), ls="--", lw=1)
    if result._events is not None:
        shade_events(ax, result._events)
    ax.set_title(f"{result.method}: {len(table)} changes in {result.column}", fontsize=10)
    ax.set_ylabel(f"rolling mean of {result.column}")
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    return ax
