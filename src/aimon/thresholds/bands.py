"""Centre, phase-dependent robust scale and empirical multiplier: from values to anomaly scores.

expected(t) = level(t) + profile[phase(t)], where ``level(t)`` is the median of the
deseasonalised values of the ``level_window`` points *before* t (so each residual is out of
sample for the level, and a level shift is absorbed after half a window). The residual is
divided by a robust scale that depends on the hour of the day (MAD per hour, shrunk towards
the overall MAD when an hour has few points) and the standardised residual ``z`` is compared
with an empirical quantile of the training ``z`` (not a Gaussian 3σ): score = z / multiplier,
so a score of 1 is the edge of the band. Training points that the level *after* them explains
(the lag right after a level shift) are left out of the quantile, so that a level shift inside
the training period is not mistaken for noise (which would widen the band for good).

A slow drift (a memory leak) is absorbed by the level before any single point leaves the band.
A second, longer-horizon score catches it: the mean of ``z`` over the trailing ``sustain``
points, divided by the same kind of empirical quantile of that mean in training. A point's
score is the larger of the two, so either a sharp or a moderate-but-lasting deviation alerts.
Its floor is ``min_multiplier * min(0.5, 3 / sqrt(sustain))`` (residuals are autocorrelated, so their mean
varies far more than the independent-point rate suggests).

Honest residuals. The seasonal profile is fitted to the same points whose residuals would set
the scale, so those residuals are in-sample: with k cycles of the longest period behind each
phase of the profile, their spread is about ``sqrt((k - 1) / (k + 1))`` of the spread of new
points' residuals (a mean of k values fits each of them; a new point gets none of that help).
Two days of history (k = 2) give bands 1.7 times too narrow, and a weekly profile on four weeks
1.3 times (simulated daily and weekly cycles with 2 to 28 days of history match this within
10%). So the scale is learned from the in-sample residuals widened by ``sqrt((k + 1) / (k - 1))``.
(Learning it from the residuals the points had when judged walk-forward was tried: those also
carry the level's lag after every change and the incidents below the outage cut, and the bands
grew too wide: NAB dev 69.9 against 71.3.)

Anomaly likelihood (after Numenta's HTM detector, Ahmad et al. 2017): some series are chronically
noisy, and their points leave any fixed band every day. The likelihood asks whether the *recent*
scores are unusual for this series: the mean point score over the last ``likelihood_window``
points, compared with the mean and standard deviation of the scores over the ``likelihood``
history before them (a z statistic). An alert opens only where that z is at least
``likelihood_z``, or where a point is so far outside the band that it needs no confirmation
(``AlertPolicy.fire_at``). Scores are clipped at 3 band half-widths so a single past outage does not
dominate the history's spread, and are taken before ``width``, so re-thresholding leaves it unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AimonError
from ._grid import DAY_NS, day_phase, phase
from .baselines import profile, seasonal_component

SHRINK = 50        # pseudo-points of the overall MAD mixed into each hour's MAD
MAD_K = 1.0 / 0.6744897501960817   # MAD of a normal sample -> its standard deviation
SUSTAIN_FLOOR = 3.0
# floating-point noise of the decomposition is ~1e-14 of the values' magnitude: a scale below
# this share of it is rounding, not noise (a noise-free series otherwise bands its own rounding
# and pages on it)
REL_PRECISION = 1e-10
WIDEN_IN_SAMPLE = True   # widen in-sample scales for the profile's fit (off only to measure it)


@dataclass
class State:
    """What a fit learns: the seasonal profile, the scale per hour, the multiplier."""

    step_ns: int
    per_day: int                  # points per day (0 when the step does not divide a day)
    periods: list                 # seasonal periods used, in points
    profile: np.ndarray           # one value per phase of the longest period (length 1: none)
    scale: np.ndarray             # robust scale per hour-of-day bin (length 1: one for all)
    multiplier: float             # empirical quantile of the training z in the alert direction
    level_window: int
    seasonality: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)
    sustain: int = 0              # points of the sustained score (0: off)
    sustain_multiplier: float = np.inf
    cycles: float = np.inf        # cycles of the longest period the profile was fitted on

    @property
    def inflation(self) -> float:
        """How much wider new points' residuals are than the in-sample ones the scale saw."""
        return out_of_sample_inflation(self.cycles) if len(self.profile) > 1 and WIDEN_IN_SAMPLE else 1.0

    @property
    def length(self) -> int:
        return len(self.profile)

    def phases(self, index) -> np.ndarray:
        return phase(index, self.step_ns, self.length, self.per_day) if self.length > 1 else np.zeros(len(index), np.int64)

    def bins(self, index) -> np.ndarray:
        nb = len(self.scale)
        if nb <= 1:
            return np.zeros(len(index), np.int64)
        return (day_phase(index, self.step_ns, self.per_day) * nb // self.per_day).astype(np.int64)


def out_of_sample_inflation(cycles: float) -> float:
    """``sqrt((k + 1) / (k - 1))`` for a profile fitted on ``k`` cycles (k below 2 counts as 2)."""
    if not np.isfinite(cycles):
        return 1.0
    k = max(float(cycles), 2.0)
    return float(np.sqrt((k + 1.0) / (k - 1.0)))


def trailing_level(d_before: np.ndarray, d: np.ndarray, window: int) -> np.ndarray:
    """Median of the ``window`` deseasonalised values before each point of ``d`` (NaN skipped)."""
    both = np.concatenate([d_before[-window:], d]) if len(d_before) else d
    med = pd.Series(both).rolling(window, min_periods=max(1, min(window, 3))).median().shift(1).to_numpy()
    return med[len(both) - len(d):]


def sustained(z: np.ndarray, window: int, clip) -> np.ndarray:
    """Mean of ``z`` clipped to ``[-clip, clip]`` over the trailing ``window`` points (this one
    included; NaN skipped). The clip is the point threshold: a spike adds no more than a point at
    the band edge, so it cannot hold the sustained score up for a whole window after it ended
    (the point score already alerts on it); only a lasting moderate deviation raises the mean."""
    zc = np.clip(z, -np.asarray(clip, dtype=np.float64), np.asarray(clip, dtype=np.float64))
    return pd.Series(zc).rolling(window, min_periods=max(1, window // 2)).mean().to_numpy()


LIKELIHOOD_CLIP = 3.0


def likelihood_z(point_score: np.ndarray, window: int, history: int) -> np.ndarray:
    """z of the mean point score over the trailing ``window`` points (this one included) against
    the mean and standard deviation of the ``history`` points before that window (NaN skipped;
    NaN until the history holds ``4 * window`` points, or all ``history`` when fewer)."""
    x = pd.Series(np.clip(point_score, 0.0, LIKELIHOOD_CLIP))
    past = x.shift(window).rolling(history, min_periods=max(2, min(4 * window, history)))
    recent = x.rolling(window, min_periods=1).mean()
    return ((recent - past.mean()) / np.maximum(past.std().to_numpy(), 1e-3)).to_numpy()


def combined_score(z, multiplier, sustain, sustain_multiplier, direction, width):
    """max(point score, sustained score); NaN where ``z`` is NaN."""
    score = directional(z, direction) / (multiplier * width)
    if sustain > 1:
        ss = directional(sustained(z, sustain, multiplier), direction) / (sustain_multiplier * width)
        score = np.where(np.isnan(score), np.nan, np.fmax(score, ss))
    return score


def directional(z: np.ndarray, direction: str) -> np.ndarray:
    if direction == "up":
        return z
    if direction == "down":
        return -z
    return np.abs(z)


def robust_scale(r: np.ndarray, bins: np.ndarray, nb: int, notes: list, magnitude: float = 0.0) -> np.ndarray:
    """MAD of the residuals per bin, shrunk towards the overall MAD; never zero, and never below
    ``REL_PRECISION * magnitude`` (the values' largest absolute size: rounding is not noise)."""
    ok = np.isfinite(r)
    rr, bb = r[ok], bins[ok]
    if rr.size == 0:  # no residual to learn a scale from (e.g. every point is the level's warm-up)
        notes.append("no residual could be computed in training: the scale is a tiny constant")
        return np.full(nb, 1e-6)
    med = np.median(rr)
    g = MAD_K * np.median(np.abs(rr - med))
    if not g > 0:
        g = 1.2533 * np.mean(np.abs(rr - med))     # mostly-constant series: mean absolute deviation
        if g > 0:
            notes.append("the residuals are mostly constant: the scale is their mean absolute deviation")
    if not g > 0:
        g = 1e-6 * max(1.0, float(np.max(np.abs(rr))) if rr.size else 1.0)
        notes.append("the series is constant in training: any change from it scores as anomalous")
    out = np.full(nb, g)
    if nb > 1:
        for b in range(nb):
            x = rr[bb == b]
            if x.size:
                m = MAD_K * np.median(np.abs(x - np.median(x)))
                out[b] = np.sqrt((x.size * m * m + SHRINK * g * g) / (x.size + SHRINK))
        out = np.maximum(out, 0.25 * g)
    return np.maximum(out, REL_PRECISION * magnitude)


def choose_periods(seasonal, table, per_day) -> list:
    if seasonal is None or seasonal is False:
        return []
    if isinstance(seasonal, str) and seasonal == "auto":
        return [int(r.period) for r in table.itertuples() if r.chosen]
    try:
        names = [seasonal] if isinstance(seasonal, (str, int, np.integer)) else list(seasonal)
    except TypeError:
        names = [seasonal]
    out = []
    for p in names:
        if isinstance(p, str) and p in ("daily", "weekly"):
            out.append(per_day if p == "daily" else 7 * per_day)
        elif isinstance(p, (int, np.integer)) and not isinstance(p, bool) and p >= 2:
            out.append(int(p))
        else:
            raise AimonError(f"seasonal={seasonal!r}: give 'auto', None, 'daily', 'weekly', a period in points "
                             f"(an integer >= 2) or a list of these.")
    return sorted(set(out))


def fit_state(values, index, step_ns, *, periods, method, direction, quantile, level_window,
              min_multiplier, sustain=0, seasonality=None, notes=None,
              seasonal_profile=None, profile_cycles=None, exclude=None) -> tuple[State, np.ndarray, np.ndarray]:
    """Learn a :class:`State` from training ``values`` on the regular ``index``.

    Returns the state, the expected values and the standardised residuals ``z`` of training.
    ``seasonal_profile`` (one value per phase of the longest period) reuses a profile learned
    earlier (on ``profile_cycles`` cycles) instead of decomposing again: only the scales and
    multipliers are relearned. The returned ``z`` are the training residuals over the final
    (widened, out-of-sample) scale, so they agree with the bands.
    ``exclude`` (a mask) leaves points out of the multipliers' quantiles (incidents judged earlier).
    """
    notes = list(notes or [])
    per_day = DAY_NS // step_ns if DAY_NS % step_ns == 0 else 0
    observed = np.isfinite(values)
    length = max(periods) if periods else 1
    nb = min(24, per_day) if (periods and per_day >= 2) else 1
    state = State(step_ns, per_day, list(periods), np.zeros(length), np.ones(nb), 1.0, level_window,
                  seasonality if seasonality is not None else pd.DataFrame(), notes)
    if periods and seasonal_profile is not None:
        state.profile = np.asarray(seasonal_profile, dtype=np.float64)
        state.cycles = np.inf if profile_cycles is None else float(profile_cycles)
    elif periods:
        seas = seasonal_component(values, periods, method)
        state.profile = profile(seas, state.phases(index), length, observed)
        state.cycles = float(np.count_nonzero(observed)) / length
    expected, _ = standardise(state, values, index, np.zeros(0), None, scale=False)
    r = values - expected
    bins = state.bins(index)
    # what new points' residuals will look like: the in-sample ones widened for the profile's fit
    honest_r = r * state.inflation
    magnitude = float(np.max(np.abs(values[observed]))) if observed.any() else 0.0
    state.scale = robust_scale(honest_r, bins, nb, notes, magnitude)
    z = r / state.scale[bins]
    zh = honest_r / state.scale[bins]
    # Right after a level shift the trailing level lags, and that lag is a change, not noise:
    # points that the level of the window *after* them explains (residual less than half) are
    # left out of the quantile, so a shift inside training does not widen the band for good.
    # A short spike is far from both levels and stays in.
    d = values - state.profile[state.phases(index)]
    r_after = d - trailing_level(np.zeros(0), d[::-1], level_window)[::-1]
    lag = np.isfinite(r_after) & (2 * np.abs(r_after) < np.abs(r)) & (np.abs(zh) > 3)
    if exclude is not None:
        lag = lag | exclude
    zd = directional(np.where(lag, np.nan, zh), direction)
    zd = zd[np.isfinite(zd)]
    q = float(np.quantile(zd, quantile)) if zd.size else min_multiplier
    state.multiplier = max(q, min_multiplier)
    if sustain > 1:
        zs = directional(np.where(lag, np.nan, sustained(zh, sustain, state.multiplier)), direction)
        zs = zs[np.isfinite(zs)]
        # the mean of n autocorrelated residuals varies far more than sigma/sqrt(n): the floor
        # allows an effective sample size of n / 9 (3 / sqrt(n)), which cuts the sustained
        # score's false episodes on the NAB dev set and still catches the bundled memory leak;
        # at most half the point floor, so that short windows (4 hourly points) still work
        floor = min_multiplier * min(0.5, SUSTAIN_FLOOR / np.sqrt(sustain))
        state.sustain = int(sustain)
        state.sustain_multiplier = max(float(np.quantile(zs, quantile)) if zs.size else floor, floor)
    return state, expected, z


def standardise(state: State, values, index, before_values, before_index, scale=True):
    """Expected values and standardised residuals of ``values``, the level warmed up on ``before``."""
    prof = state.profile
    d = values - prof[state.phases(index)]
    if len(before_values):
        d_before = before_values - prof[state.phases(before_index)]
    else:
        d_before = np.zeros(0)
    level = trailing_level(d_before, d, state.level_window)
    expected = level + prof[state.phases(index)]
    if not scale:
        return expected, None
    z = (values - expected) / state.scale[state.bins(index)]
    return expected, z
