"""Request arrivals: a non-homogeneous Poisson process with daily and weekly seasonality.

The rate is piecewise constant per minute. Its shape follows the local clock of the business
(busy office hours, a smaller evening bump, quiet nights, quieter weekends; daylight-saving
changes come for free from the time zone) and is scaled so that its mean over the simulated
period is exactly ``rps``. Per minute the number of requests is Poisson; within the minute the
arrival times are uniform, which is what a Poisson process with a constant rate gives.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import NS_PER_MINUTE

BIN_NS = NS_PER_MINUTE


@dataclass(frozen=True)
class Seasonality:
    """Shape of the request rate over the local day and week (peak level = 1)."""

    timezone: str
    night: float          # rate at night relative to the office-hours plateau
    opens: float          # local hour at which the morning ramp is half way
    closes: float         # local hour at which the evening ramp is half way
    evening: float        # height of an after-work bump around 21:00 (0 = none)
    weekend: float        # Saturday/Sunday multiplier

    def shape(self, local_hour, weekday):
        h = np.asarray(local_hour, dtype=float)
        office = 1.0 / (1.0 + np.exp(-(h - self.opens) / 0.8))
        office = office / (1.0 + np.exp(-(self.closes - h) / 1.0))
        evening = self.evening * np.exp(-(((h - 21.0) / 1.5) ** 2))
        day = office + evening * (1.0 - office)
        level = self.night + (1.0 - self.night) * day
        return np.where(np.asarray(weekday) >= 5, self.weekend * level, level)


def relative_rate(start_ns, n_bins, season):
    """Rate per one-minute bin, relative to the period mean (so its mean is exactly 1)."""
    mid = pd.to_datetime(start_ns + (np.arange(n_bins, dtype=np.int64) * BIN_NS + BIN_NS // 2),
                         unit="ns", utc=True)
    local = mid.tz_convert(season.timezone)
    hour = local.hour.to_numpy() + local.minute.to_numpy() / 60.0
    rate = season.shape(hour, local.day_of_week.to_numpy())
    return rate / rate.mean()


def arrivals(rng, rel_rate, rps, start_ns, end_ns):
    """Sorted arrival times in [start_ns, end_ns) (int64 ns, millisecond resolution) and the
    relative load (rate / mean rate) at each. The last bin may be cut short by ``end_ns``."""
    width = np.ones(len(rel_rate))
    width[-1] = (end_ns - start_ns) / BIN_NS - (len(rel_rate) - 1)
    counts = rng.poisson(rel_rate * rps * 60.0 * width)
    bins = np.repeat(np.arange(len(rel_rate), dtype=np.int64), counts)
    pos = np.sort(bins + rng.random(bins.size) * width[bins])
    last_ms = (end_ns - start_ns - 1) // 1_000_000
    ms = np.minimum(np.rint(pos * 60_000.0).astype(np.int64), last_ms)
    return start_ns + ms * 1_000_000, rel_rate[bins]
