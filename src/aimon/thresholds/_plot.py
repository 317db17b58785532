"""Figure of an AlertLog: series, shaded band, anomalous points, alert episodes as spans."""
from __future__ import annotations

import numpy as np


def plot_alerts(log, ax=None):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5))
    b = log.bands
    x = log.index
    ax.fill_between(x, b["lower"].to_numpy(), b["upper"].to_numpy(), color="tab:blue", alpha=0.15,
                    label="band", step="mid")
    ax.plot(x, b["expected"].to_numpy(), color="tab:blue", lw=0.8, label="expected")
    ax.plot(x, log.values, color="black", lw=0.7, label=str(log.name))
    anom = np.isfinite(log.score) & (log.score >= log.policy.open_at)
    if anom.any():
        ax.scatter(x[anom], log.values[anom], s=8, color="tab:red", zorder=3, label="anomalous")
    step = np.timedelta64(log.step_ns, "ns")
    t = log.table
    for i, row in enumerate(t.itertuples()):
        ax.axvspan(row.start, row.end + step, color="grey" if row.suppressed else "tab:red", alpha=0.2,
                   label="alert" if i == 0 else None)
    ax.set_title(f"{log.name}: {log.n_alerts} alerts")
    ax.legend(loc="upper left", fontsize="small")
    return ax
