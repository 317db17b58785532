"""The alert policy: when do anomalous points become an alert that pages someone."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..errors import AimonError
from ._grid import points


@dataclass(frozen=True)
class AlertPolicy:
    """Rules that turn per-point anomaly scores into alert episodes.

    A score of 1 is the edge of the band. Durations are a number of points or a duration
    string ('30min'), converted with the step of the series being judged.

    Parameters
    ----------
    min_duration : int or str, default 2
        An episode fires only after this many consecutive points score >= ``open_at``
        (Prometheus' ``for:``). Missing points reset the count.
    open_at : float, default 1.0
        Score that starts counting towards an alert.
    fire_at : float, default 3.0
        A single point scoring this high (three times the band's half-width) fires at
        once, without waiting for ``min_duration``: wait for confirmation of a marginal
        deviation, not of an extreme one. ``float('inf')`` always waits.
    close_at : float, default 0.75
        Hysteresis: an open episode closes at the first point scoring below this (<= open_at).
        Missing points do not close an episode.
    cooldown : int or str, default '1D'
        After an episode closes, no new episode fires for this long: one page per incident,
        not one per re-opening while the metric hovers around the band's edge (on the NAB
        dev set a day cuts false episodes by a quarter at no loss of recall; two days start
        hiding real incidents, benchmarks/bench_thresholds.py).
    max_alerts : int or None, default None
        At most this many episodes fire within any ``per``; further ones are kept in the log,
        marked ``suppressed``, and do not page.
    per : int or str, default '1D'
        Length of the window of ``max_alerts``.

    Examples
    --------
    >>> import numpy as np
    >>> from aimon import AlertPolicy
    >>> AlertPolicy(min_duration=2, cooldown=0).episodes(np.array([0, 1.5, 1.5, 1.5, 0.5, 0, 3.5]), 1)
    [(1, 2, 3, False), (6, 6, 6, False)]
    """

    min_duration: object = 2
    open_at: float = 1.0
    close_at: float = 0.75
    fire_at: float = 3.0
    cooldown: object = "1D"
    max_alerts: object = None
    per: object = "1D"

    def __post_init__(self):
        if isinstance(self.fire_at, str) and self.fire_at in ("inf", "infinity"):   # as written by to_dict
            object.__setattr__(self, "fire_at", float("inf"))
        if not (np.isfinite(self.open_at) and np.isfinite(self.close_at)) or self.close_at > self.open_at:
            raise AimonError(f"AlertPolicy: close_at={self.close_at!r} must be a number <= open_at={self.open_at!r} "
                             f"(hysteresis closes an episode at a lower score than opens it).")
        if not (isinstance(self.fire_at, (int, float)) and self.fire_at >= self.open_at):
            raise AimonError(f"AlertPolicy: fire_at={self.fire_at!r} must be a number >= open_at={self.open_at!r}.")
        if self.max_alerts is not None and (not isinstance(self.max_alerts, (int, np.integer)) or self.max_alerts < 1):
            raise AimonError(f"AlertPolicy: max_alerts={self.max_alerts!r} must be a positive integer or None.")
        for name in ("min_duration", "cooldown", "per"):
            points(getattr(self, name), 10**9, f"AlertPolicy {name}")   # validates the type early

    def points(self, step_ns: int) -> tuple:
        """(min_points, cooldown_points, max_alerts, per_points) on a grid of step ``step_ns``."""
        return (max(1, points(self.min_duration, step_ns, "min_duration")),
                points(self.cooldown, step_ns, "cooldown"),
                int(self.max_alerts or 0), max(1, points(self.per, step_ns, "per")))

    def scan(self, score: np.ndarray, step_ns: int, confirmed=None):
        """Arrays (start, fire, end, suppressed) of the episodes of ``score`` (positions, inclusive).

        ``confirmed`` (optional, one bool per point): where False, a point below ``fire_at``
        does not count towards opening an episode (the anomaly-likelihood gate).
        """
        from .._kernels.alerting import scan

        mp, cd, ma, per = self.points(step_ns)
        score = np.ascontiguousarray(score, dtype=np.float64)
        conf = np.ones(len(score)) if confirmed is None else np.ascontiguousarray(confirmed, dtype=np.float64)
        return scan(score, float(self.open_at), float(self.close_at), mp, cd, ma, per, float(self.fire_at), conf)

    def episodes(self, score, step_ns: int, confirmed=None) -> list:
        """[(start, fire, end, suppressed)] as plain tuples (positions in ``score``)."""
        s, f, e, x = self.scan(score, step_ns, confirmed)
        return [(int(a), int(b), int(c), bool(d)) for a, b, c, d in zip(s, f, e, x)]

    def to_dict(self) -> dict:
        """Plain JSON-able parameters (numbers stay numbers, durations become strings)."""
        out = {}
        for k, v in asdict(self).items():
            if isinstance(v, (bool, np.bool_)):
                raise AimonError(f"AlertPolicy {k}={v!r}: give a number or a duration.")
            if isinstance(v, (int, np.integer)):
                out[k] = int(v)
            elif isinstance(v, (float, np.floating)) or v is None:
                out[k] = v if v is None else (float(v) if np.isfinite(v) else str(float(v)))
            else:
                out[k] = str(pd.Timedelta(v)) if not isinstance(v, str) else v
        return out
