"""AlertLog: the alert episodes of one judged series plus its per-point scores."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .bands import combined_score, directional
from .policy import AlertPolicy

EPISODE_COLUMNS = ["start", "fired", "end", "duration", "peak_time", "peak_value", "peak_score",
                   "direction", "severity", "suppressed", "reason", "value", "expected"]
REASONS = ("far outside band", "sustained shift", "likelihood", "outside band")


class AlertLog:
    """Alert episodes of a judged series and the per-point scores behind them.

    Made by :meth:`ThresholdModel.detect`. ``table`` has one row per episode (``start`` of the
    anomalous run, ``fired`` when the policy raised it, ``end`` its last anomalous point,
    ``duration``, ``peak_time``/``peak_value``/``peak_score``, ``direction``, ``severity``
    ('critical' when the peak score is >= 2, else 'warning'), ``suppressed`` by max_alerts, and why
    it fired: ``reason`` is 'far outside band' (a point at or above the policy's ``fire_at``),
    'sustained shift' (the sustained score was the larger one), 'likelihood' (points outside the
    band at a time when recent scores were unusual for this series: the anomaly likelihood
    confirmed them) or 'outside band' (likelihood off); ``value`` and ``expected`` are the
    metric and the band's centre at the point where it fired).
    ``scores`` has value, expected, lower, upper, score and anomalous per point; ``per_day``
    counts the alerts that paged per day; ``flags`` is 1 where an alert fired.
    :meth:`rethreshold` applies another width or policy without recomputing the baseline.

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> idx = pd.date_range("2026-01-01", periods=400, freq="h")
    >>> s = pd.Series(np.random.default_rng(0).normal(10, 1, 400), index=idx)
    >>> s.iloc[300:305] += 15
    >>> log = aimon.fit_thresholds(s.iloc[:250], seasonal=None).detect(s.iloc[250:])
    >>> log.table["fired"].tolist()   # +15 is far outside the band: fires at once
    [Timestamp('2026-01-13 12:00:00')]
    """

    def __init__(self, index, values, expected, z, *, multiplier, width, direction, policy, step_ns,
                 scale, sustain=0, sustain_multiplier=np.inf, nonnegative=False, name="value", counts=None,
                 notes=None, likelihood=None, likelihood_z=2.0):
        self.index = index
        self.values = values
        self.expected = expected
        self.z = z
        self.multiplier = float(multiplier) if np.ndim(multiplier) == 0 else multiplier
        self.width = float(width)
        self.direction = direction
        self.policy = policy
        self.step_ns = int(step_ns)
        self.scale = scale
        self.nonnegative = bool(nonnegative)
        self.name = name
        self.counts = dict(counts or {})
        self.notes = list(notes or [])
        self.sustain = int(sustain)
        self.sustain_multiplier = sustain_multiplier
        self.likelihood = likelihood
        self.likelihood_z = float(likelihood_z)
        self.score = combined_score(z, self.multiplier, self.sustain, sustain_multiplier, direction, self.width)
        # NaN likelihood (history too short yet) does not hold an alert back
        self.confirmed = None if likelihood is None else ~(likelihood < self.likelihood_z)
        self._eps = policy.scan(self.score, self.step_ns, self.confirmed)

    # ------------------------------------------------------------ cheap re-thresholding
    def rethreshold(self, width=None, policy=None) -> "AlertLog":
        """The same judged points with another band ``width`` or :class:`AlertPolicy` (no refit)."""
        return AlertLog(self.index, self.values, self.expected, self.z, multiplier=self.multiplier,
                        width=self.width if width is None else width, direction=self.direction,
                        policy=self.policy if policy is None else policy, step_ns=self.step_ns,
                        scale=self.scale, sustain=self.sustain, sustain_multiplier=self.sustain_multiplier,
                        nonnegative=self.nonnegative, name=self.name,
                        counts=self.counts, notes=self.notes, likelihood=self.likelihood,
                        likelihood_z=self.likelihood_z)

    # ------------------------------------------------------------ results
    @property
    def n_alerts(self) -> int:
        """Episodes that paged (not suppressed)."""
        return int(len(self._eps[3]) - np.count_nonzero(self._eps[3]))

    def _reason(self, f: int) -> str:
        mult = np.broadcast_to(self.multiplier, np.shape(self.z))[f]
        point = directional(np.asarray(self.z[f]), self.direction) / (mult * self.width)
        if point >= self.policy.fire_at:
            return REASONS[0]
        if self.sustain > 1 and self.score[f] > point:
            return REASONS[1]
        return REASONS[2] if self.likelihood is not None else REASONS[3]

    @property
    def table(self) -> pd.DataFrame:
        start, fire, end, supp = self._eps
        rows = []
        step = pd.Timedelta(self.step_ns)
        for a, f, e, x in zip(start, fire, end, supp):
            seg = self.score[a:e + 1]
            p = a + int(np.nanargmax(seg))
            zp = self.z[p]
            rows.append({"start": self.index[a], "fired": self.index[f], "end": self.index[e],
                         "duration": self.index[e] - self.index[a] + step, "peak_time": self.index[p],
                         "peak_value": float(self.values[p]), "peak_score": float(self.score[p]),
                         "direction": "up" if zp >= 0 else "down",
                         "severity": "critical" if self.score[p] >= 2 else "warning", "suppressed": bool(x),
                         "reason": self._reason(f), "value": float(self.values[f]),
                         "expected": float(self.expected[f])})
        return pd.DataFrame(rows, columns=EPISODE_COLUMNS)

    @property
    def bands(self) -> pd.DataFrame:
        half = self.multiplier * self.width * self.scale
        lower = self.expected - half
        if self.nonnegative:
            lower = np.maximum(lower, 0.0)
        return pd.DataFrame({"expected": self.expected, "lower": lower, "upper": self.expected + half},
                            index=self.index)

    @property
    def scores(self) -> pd.DataFrame:
        out = self.bands
        out.insert(0, "value", self.values)
        out["score"] = self.score
        out["anomalous"] = self.score >= self.policy.open_at
        return out

    @property
    def flags(self) -> pd.Series:
        """1 at the points where a (not suppressed) alert fired, else 0."""
        f = np.zeros(len(self.index), np.int64)
        start, fire, end, supp = self._eps
        f[fire[supp == 0]] = 1
        return pd.Series(f, index=self.index, name="alert")

    @property
    def per_day(self) -> pd.Series:
        """Alerts that paged, per calendar day of the judged period (days without alerts: 0)."""
        days = self.index.normalize() if len(self.index) else self.index
        return self.flags.groupby(days).sum().rename("alerts")

    @property
    def days(self) -> float:
        return len(self.index) * self.step_ns / 86_400e9

    def plot(self, ax=None):
        """Series, shaded band, anomalous points and alert episodes as spans; returns the Axes."""
        from ._plot import plot_alerts

        return plot_alerts(self, ax=ax)

    def __repr__(self):
        return (f"AlertLog({self.name!r}: {self.n_alerts} alerts over {self.days:.1f} days, "
                f"{int(np.isfinite(self.score).sum())} points judged)")

    def _repr_html_(self):
        t = self.table
        head = (f"<b>AlertLog</b> {html.escape(str(self.name))}: {self.n_alerts} alerts over "
                f"{self.days:.1f} days, {int(np.isfinite(self.score).sum())} of {len(self.score)} points judged")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<div>{head}{'<ul>' + notes + '</ul>' if notes else ''}"
                f"{t.head(20).to_html(escape=True, index=False) if len(t) else '<p>No episodes.</p>'}</div>")
