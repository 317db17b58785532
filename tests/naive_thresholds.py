"""Slow, obviously correct references for the thresholds package. Nothing here imports aimon."""
from __future__ import annotations

import numpy as np
import pandas as pd


# ---------------------------------------------------------------- alert policy
def policy_episodes(score, open_at, close_at, min_points, cooldown, max_alerts, per, fire_at=np.inf, confirmed=None):
    """Episodes [(start, fire, end, suppressed)] by re-reading the rules point by point.

    An episode fires at point i when the previous ``min_points`` points (i included) all score
    >= open_at (or point i alone scores >= fire_at), no episode is open, and the last episode ended more than ``cooldown`` points
    before i. It ends at the last point >= close_at before the first point < close_at.
    """
    n = len(score)
    ok = [True] * n if confirmed is None else [bool(c > 0) for c in confirmed]
    # a point counts towards a run when it is >= open_at and confirmed (or >= fire_at)
    counts = [score[k] >= open_at and (ok[k] or score[k] >= fire_at) for k in range(n)]
    eps = []
    i = 0
    last_end = None
    while i < n:
        window = score[i - min_points + 1:i + 1] if i - min_points + 1 >= 0 else None
        can = window is not None and all(counts[i - min_points + 1:i + 1])  # NaN >= x is False
        can = can or (score[i] >= fire_at and score[i] >= open_at)
        if can and (last_end is None or i - last_end > cooldown):
            # start of the run of points >= open_at that ends at i
            a = i
            while a - 1 >= 0 and counts[a - 1] and (last_end is None or a - 1 > last_end):
                a -= 1
            j = i
            last_high = i
            while j + 1 < n and not (score[j + 1] < close_at):
                j += 1
                if score[j] >= close_at:
                    last_high = j
            recent = [e for e in eps if not e[3] and i - per < e[1] <= i]
            supp = max_alerts > 0 and len(recent) >= max_alerts
            eps.append((a, i, last_high, supp))
            last_end = last_high
            i = j + 1
            continue
        i += 1
    return eps


# ---------------------------------------------------------------- evaluation
def window_eval(times, flags, windows, start=None):
    """TP windows, false episodes, all episodes, true episodes, delays: explicit loops."""
    times = list(pd.DatetimeIndex(times))
    flags = [bool(f) and (start is None or t >= start) for t, f in zip(times, flags)]
    kept = [(a, b) for a, b in windows if start is None or b >= start]

    def inside(t):
        return any(a <= t <= b for a, b in kept)

    tp, delays = 0, []
    for a, b in kept:
        hits = [t for t, f in zip(times, flags) if f and a <= t <= b]
        if hits:
            tp += 1
            delays.append(hits[0] - a)
    episodes, cur = [], None
    for k, f in enumerate(flags):
        if f:
            cur = [k, k] if cur is None else [cur[0], k]
        elif cur is not None:
            episodes.append(cur)
            cur = None
    if cur is not None:
        episodes.append(cur)
    out_eps, cur = 0, False
    for k, f in enumerate(flags):
        out = f and not inside(times[k])
        if out and not cur:
            out_eps += 1
        cur = out
    true_eps = sum(1 for a, b in episodes if any(inside(times[k]) for k in range(a, b + 1)))
    return {"detected": tp, "windows": len(kept), "false_episodes": out_eps, "episodes": len(episodes),
            "true_episodes": true_eps, "delays": delays}


# ---------------------------------------------------------------- bands
def trailing_median(d, window):
    """Median of the finite values among the ``window`` points before each point."""
    out = np.full(len(d), np.nan)
    for i in range(len(d)):
        past = [v for v in d[max(0, i - window):i] if np.isfinite(v)]
        if len(past) >= min(window, 3):
            out[i] = np.median(past)
    return out


def phase_medians(values, phases, length):
    """Median of ``values`` for each phase 0..length-1 (0 where a phase has no value)."""
    out = np.zeros(length)
    for k in range(length):
        v = [x for x, p in zip(values, phases) if p == k and np.isfinite(x)]
        if v:
            out[k] = np.median(v)
    return out


def acf(x, lag):
    """Autocorrelation at ``lag`` with the overall mean and variance, over pairs both present."""
    x = np.asarray(x, float)
    m = np.nanmean(x)
    v = np.nanmean((x - m) ** 2)
    prods = [(x[i] - m) * (x[i + lag] - m) for i in range(len(x) - lag)
             if np.isfinite(x[i]) and np.isfinite(x[i + lag])]
    return float(np.mean(prods) / v)


def grid_means(series, step):
    """Mean per slot of a regular grid anchored at midnight of the first point (pandas resample)."""
    s = series.dropna()
    s = s[np.isfinite(s.to_numpy(dtype=float))]
    return s.resample(step, origin="start_day").mean()


def nab_score_module(nab_dir):
    """The verified NAB scorer ``nab_score.py`` of ``nab_dir`` (shared/nab-dev), imported from there."""
    import sys

    sys.path.insert(0, str(nab_dir))
    try:
        import nab_score
    finally:
        sys.path.pop(0)
    return nab_score


def likelihood_z(point_score, window, history, clip=3.0):
    """z of the mean clipped score of the last ``window`` points (i included) against the mean and
    sample standard deviation of the ``history`` points before that window; explicit loops."""
    x = [min(max(v, 0.0), clip) if v == v else np.nan for v in point_score]
    out = []
    for i in range(len(x)):
        recent = [v for v in x[max(0, i - window + 1):i + 1] if v == v]
        past = [v for v in x[max(0, i - window - history + 1):max(0, i - window + 1)] if v == v]
        if len(past) < max(2, min(4 * window, history)) or not recent:
            out.append(np.nan)
            continue
        mu = sum(past) / len(past)
        sd = (sum((v - mu) ** 2 for v in past) / (len(past) - 1)) ** 0.5
        out.append((sum(recent) / len(recent) - mu) / max(sd, 1e-3))
    return np.array(out)
