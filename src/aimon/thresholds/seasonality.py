"""Which seasonal periods (daily, weekly) a metric has, decided from its autocorrelation.

A candidate period is tested only when there are more than two full periods of history (the
decomposition needs a period shorter than half the series). The
series is detrended with a centred rolling mean one period long (which removes the trend but
keeps a cycle of that period), and the candidate is kept when the autocorrelation at exactly
one period is at least ``min_acf``. The weekly candidate is tested after the daily profile is
removed, so a strong daily cycle is not mistaken for a weekly one; what is left of a weekly cycle
then is smaller, so its threshold is half of ``min_acf``. Every decision is reported.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._grid import DAY_NS

MIN_ACF = 0.3
MIN_LEFT = 0.01   # weekly is tested only if the daily cycle leaves >= 1% of the variance


def acf_at(x: np.ndarray, lag: int) -> float:
    """Autocorrelation of ``x`` at ``lag`` over the pairs where both values are present."""
    if lag <= 0 or lag >= len(x):
        return np.nan
    a, b = x[:-lag], x[lag:]
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return np.nan
    mean = np.nanmean(x)
    var = np.nanmean((x - mean) ** 2)
    if not var > 0:
        return 0.0
    return float(np.mean((a[ok] - mean) * (b[ok] - mean)) / var)


def _detrend(x: np.ndarray, period: int) -> np.ndarray:
    trend = pd.Series(x).rolling(period, center=True, min_periods=max(2, period // 2)).mean().to_numpy()
    return x - trend


def _remove_profile(x: np.ndarray, ph: np.ndarray, period: int) -> np.ndarray:
    ok = np.isfinite(x)
    sums = np.bincount(ph[ok], weights=x[ok], minlength=period)
    cnt = np.bincount(ph[ok], minlength=period)
    prof = np.where(cnt > 0, sums / np.maximum(cnt, 1), 0.0)
    return x - prof[ph]


def detect_seasonality(values: np.ndarray, day_ph: np.ndarray, step_ns: int, min_acf=MIN_ACF) -> pd.DataFrame:
    """One row per candidate ('daily', 'weekly'): period in points, history, ACF, decision, reason."""
    rows = []
    n_ok = int(np.isfinite(values).sum())
    per_day = DAY_NS // step_ns if DAY_NS % step_ns == 0 else 0
    daily_kept = False
    for name, mult in (("daily", 1), ("weekly", 7)):
        period = per_day * mult
        row = {"candidate": name, "period": period, "periods_of_history": n_ok / period if period else 0.0,
               "acf": np.nan, "min_acf": min_acf, "chosen": False}
        if not per_day:
            row["reason"] = (f"step {pd.Timedelta(step_ns)} does not divide a day: no time-of-day cycle "
                             f"can be aligned")
        elif period < 2:
            row["reason"] = "step of a day or more: no daily cycle within a day"
        elif n_ok <= 2 * period:
            row["reason"] = f"needs more than two full periods ({2 * period + 1} points), has {n_ok}"
        else:
            x = _detrend(values.astype(np.float64), period)
            left = 1.0
            if mult == 7 and daily_kept:
                total = np.nanvar(x)
                x = _remove_profile(x, day_ph, per_day)
                left = np.nanvar(x) / total if total > 0 else 0.0
            r = acf_at(x, period)
            need = min_acf / 2 if (mult == 7 and daily_kept) else min_acf
            row["min_acf"] = need
            if left < MIN_LEFT:
                row.update(acf=r, reason=f"the daily cycle explains {100 * (1 - left):.1f}% of the variance: "
                                         f"nothing weekly is left")
                rows.append(row)
                continue
            row["acf"] = r
            row["chosen"] = bool(r >= need)
            row["reason"] = f"ACF at one period {r:.2f} {'>=' if row['chosen'] else '<'} {need:g}"
            if mult == 7 and daily_kept:
                row["reason"] += " (after removing the daily profile)"
            if mult == 1:
                daily_kept = row["chosen"]
        rows.append(row)
    return pd.DataFrame(rows)
