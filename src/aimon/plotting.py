"""matplotlib figures shared by results, the report and widgets (matplotlib imported lazily)."""
from __future__ import annotations

import base64
import io

import pandas as pd

EVENT_COLORS = {
    "latency_spike": "tab:red", "latency_degradation": "tab:orange", "error_burst": "tab:purple",
    "covariate_shift": "tab:green", "category_mix_change": "tab:olive", "missing_surge": "tab:gray",
    "concept_drift": "tab:brown", "rollout": "tab:cyan",
}


def _axes(ax=None, figsize=(10, 3)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def shade_events(ax, events: pd.DataFrame | None, kinds=None, label=True):
    """Shade the time span of each ground-truth event (``df.attrs['events']``) on ``ax``."""
    if events is None or len(events) == 0:
        return ax
    seen = set()
    for ev in events.itertuples(index=False):
        if kinds is not None and ev.kind not in kinds:
            continue
        color = EVENT_COLORS.get(ev.kind, "tab:blue")
        name = ev.kind if (label and ev.kind not in seen) else None
        seen.add(ev.kind)
        ax.axvspan(ev.start, ev.end, color=color, alpha=0.15, label=name, lw=0)
    return ax


def plot_metric(table: pd.DataFrame, columns, ax=None, events=None, event_kinds=None, title=None, ylabel=None,
                centre=False):
    """Line plot of one or more metric columns of a windowed table (index = window start).

    ``centre=True`` draws each point at the middle of its window, so that daily values line up
    with the event spans shaded behind them.
    """
    ax = _axes(ax)
    columns = [columns] if isinstance(columns, str) else list(columns)
    x = table.index
    if centre and len(x) > 1:
        x = x + (x[1] - x[0]) / 2
    for col in columns:
        ax.plot(x, table[col].to_numpy(dtype=float), lw=1, label=str(col))
    shade_events(ax, events, event_kinds)
    if title:
        ax.set_title(title, fontsize=10)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=7, ncol=4, frameon=False)
    ax.grid(alpha=0.3)
    return ax


def figure_to_base64(fig, dpi=80) -> str:
    """PNG of a figure as base64 text, for self-contained HTML; the figure is closed."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")
