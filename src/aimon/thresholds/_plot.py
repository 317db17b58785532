"""Figure of an AlertLog: series, shaded band, anomalous points, alert episodes as spans."""
from __future__ import annotations

import numpy as np
import pandas as pd


def _date_numbers(times) -> np.ndarray:
    """Matplotlib date numbers of ``times`` (UTC for tz-aware), converted once: handing a
    DatetimeIndex to ``fill_between`` costs more than drawing it (slider moves redraw this)."""
    import matplotlib.dates as mdates

    idx = pd.DatetimeIndex(times)
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    return mdates.date2num(idx.to_numpy())


def plot_alerts(log, ax=None):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5))
    b = log.bands
    x = _date_numbers(log.index)
    ax.fill_between(x, b["lower"].to_numpy(), b["upper"].to_numpy(), color="tab:blue", alpha=0.15,
                    label="band", step="mid")
    ax.plot(x, b["expected"].to_numpy(), color="tab:blue", lw=0.8, label="expected")
    ax.plot(x, log.values, color="black", lw=0.7, label=str(log.name))
    anom = np.isfinite(log.score) & (log.score >= log.policy.open_at)
    if anom.any():
        ax.scatter(x[anom], log.values[anom], s=8, color="tab:red", zorder=3, label="anomalous")
    step = log.step_ns / 86_400e9
    t = log.table
    if len(t):
        starts, ends = _date_numbers(t["start"]), _date_numbers(t["end"]) + step
        for i, (a, e, supp) in enumerate(zip(starts, ends, t["suppressed"])):
            ax.axvspan(a, e, color="grey" if supp else "tab:red", alpha=0.2, label="alert" if i == 0 else None)
    ax.xaxis_date()
    ax.set_title(f"{log.name}: {log.n_alerts} alerts")
    ax.legend(loc="upper left", fontsize="small")
    return ax
