"""The result of :func:`aimon.estimate_performance`: a table per window, a plot, a notebook view."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NEXT_STEPS = ("The estimate assumes the relation between score and outcome is unchanged (no concept "
              "drift). Where realized values leave the band it is not: locate the change with "
              "aimon.changepoints and decide with aimon.retraining_signal.")


@dataclass
class PerformanceEstimate:
    """Estimated (and, where labels arrived, realized) performance per window.

    Attributes
    ----------
    table : DataFrame
        One row per window (see :func:`aimon.estimate_performance`).
    metrics : list of str
    calibration : Calibration or list of Calibration
        What was fitted on the reference (``.method``, ``.reason``, the tests' p-values); for a
        multiclass model one per class (one-vs-rest), in the order of ``class_scores``.
    reference_range : dict
        Per metric: ``lower``/``upper`` (mean +/- 3 sd of the reference's per-window values) and
        the number of reference ``windows`` they come from.
    level : float
        Coverage the bands aim for.
    chunking : tuple
        ``("freq", "1D")`` or ``("size", 5000)``.
    excluded : dict
        Rows left out (no usable score, no timestamp ...), per reason.

    Examples
    --------
    >>> import aimon
    >>> df = aimon.datasets.load_credit_scoring()
    >>> ref, cur = df.iloc[:30000], df.iloc[30000:60000]
    >>> est = aimon.estimate_performance(cur, reference=ref, metrics="accuracy", chunk_size=10000)
    >>> len(est.table), est.metrics
    (3, ['accuracy'])
    """

    table: pd.DataFrame
    metrics: list
    calibration: object
    reference_range: dict
    level: float
    chunking: tuple
    excluded: dict = field(default_factory=dict)

    @property
    def alerts(self) -> pd.DataFrame:
        """Windows whose band falls below the reference range."""
        return self.table[self.table["alert"]]

    @property
    def concept_drift(self) -> pd.DataFrame:
        """Windows whose realized value left the band: the estimate cannot be trusted there."""
        return self.table[self.table["concept_drift"]]

    @property
    def calibration_method(self) -> str:
        cal = self.calibration
        if isinstance(cal, list):
            return "one-vs-rest " + "/".join(dict.fromkeys(c.method for c in cal))
        return cal.method

    def summary(self) -> str:
        t = self.table
        how, value = self.chunking
        unit = f"windows of {value}" if how == "freq" else f"chunks of {value} rows"
        cal = self.calibration
        why = "per class: " + "; ".join(c.method for c in cal) if isinstance(cal, list) else cal.reason
        lines = [f"Estimated performance over {len(t)} {unit} (bands at {self.level:.0%}); calibration: "
                 f"{self.calibration_method} ({why})."]
        last = t[t["rows"] > 0].tail(1)
        for m in self.metrics:
            rr = self.reference_range[m]
            now = f"{last[f'{m}_estimate'].iloc[0]:.3f}" if len(last) else "n/a"
            lines.append(f"  {m}: latest estimate {now}; reference range {rr['lower']:.3f} .. {rr['upper']:.3f}; "
                         f"{int(t[f'{m}_alert'].sum())} alert(s).")
        judged = t[[f"{m}_realized" for m in self.metrics]].notna().any(axis=1)
        lines.append(f"  Realized values known in {int(judged.sum())} window(s); concept drift flagged in "
                     f"{int(t['concept_drift'].sum())}.")
        if t["concept_drift"].any():
            lines.append("  " + NEXT_STEPS)
        if self.excluded:
            lines.append("  Rows left out: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in self.excluded.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        lines = self.summary().split("\n")
        head = "<br>".join(html.escape(line) for line in lines)
        return f"<p>{head}</p>{self.table.to_html(escape=True, max_rows=60, float_format=lambda v: f'{v:.4f}')}"

    def plot(self, metric=None, ax=None):
        """Estimate with its band, realized values where known, the reference range, alerts and
        windows flagged as concept drift, for one metric (default: the first)."""
        from ..plotting import _axes

        m = self.metrics[0] if metric is None else metric
        if m not in self.metrics:
            from ..errors import SchemaError

            raise SchemaError([f"plot(metric={m!r}): this estimate has {self.metrics}."])
        ax = _axes(ax)
        t = self.table
        x = t.index if isinstance(t.index, pd.DatetimeIndex) else np.arange(len(t))
        est = t[f"{m}_estimate"].to_numpy(dtype=float)
        ax.fill_between(x, t[f"{m}_lower"].to_numpy(dtype=float), t[f"{m}_upper"].to_numpy(dtype=float),
                        color="tab:blue", alpha=0.2, lw=0, label=f"band ({self.level:.0%})")
        ax.plot(x, est, color="tab:blue", marker="o", ms=3, lw=1, label="estimate")
        real = t[f"{m}_realized"].to_numpy(dtype=float)
        ax.plot(x, real, color="black", marker="s", ms=3, lw=0.8, ls="--", label="realized")
        rr = self.reference_range[m]
        if np.isfinite(rr["lower"]):
            ax.axhspan(rr["lower"], rr["upper"], color="tab:green", alpha=0.08, lw=0, label="reference range")
        alert = t[f"{m}_alert"].to_numpy(dtype=bool)
        ax.scatter(np.asarray(x)[alert], est[alert], color="tab:red", zorder=3, s=25, label="alert")
        drift = t["concept_drift"].to_numpy(dtype=bool) & np.isfinite(real)
        ax.scatter(np.asarray(x)[drift], real[drift], marker="x", color="tab:brown", zorder=4, s=40,
                   label="realized outside band")
        ax.set_title(f"Estimated {m} (calibration: {self.calibration_method})", fontsize=10)
        ax.set_ylabel(m)
        ax.legend(loc="lower left", fontsize=7, ncol=3, frameon=False)
        ax.grid(alpha=0.3)
        return ax
