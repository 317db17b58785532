"""ThresholdModel: a seasonal baseline, time-of-day bands and an alert policy, fitted once."""
from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd

from ..errors import AimonError, DataDroppedWarning, SchemaError
from ._grid import DAY_NS, Grid, points, to_grid, wall_ns
from .alerts import AlertLog
from .bands import choose_periods, directional, fit_state, likelihood_z, standardise, trailing_level
from .baselines import METHODS
from .policy import AlertPolicy
from .seasonality import MIN_ACF, detect_seasonality

DIRECTIONS = ("up", "down", "both")
AUTO_SUSTAIN = "4h"        # sustain='auto' with a one-sided direction
SEASONAL_REFIT = "7D"      # the seasonal profile is re-decomposed at most this often during detect()
AUTO_WINDOW = "28D"        # train_window='auto': this much history ...
TAIL_POINTS = 20           # ... or enough points that this many lie beyond the multiplier's quantile
# judged points this many band half-widths out (an outage) are left out of later refits'
# multipliers: otherwise a four-hour outage sets the band for the four weeks it stays in the
# training window and hides the next incident. Lower values cost false alerts on heavy-tailed
# series whose bursts are their normal behaviour (NAB dev: 3 -> 25 more false episodes).
EXCLUDE_AT = 5.0
PARAMS = ("seasonal", "freq", "method", "direction", "quantile", "width", "min_multiplier", "level_window", "sustain",
          "refit", "train_window", "nonnegative", "min_acf", "likelihood", "likelihood_window", "likelihood_z",
          "policy")


class ThresholdModel:
    """Dynamic thresholds for one metric: seasonal baseline, robust bands, alert policy.

    scikit-learn style: ``__init__`` stores parameters, :meth:`fit` learns the attributes that
    end in ``_`` and returns the model. Use :func:`aimon.fit_thresholds` for the one-call form.

    Parameters
    ----------
    seasonal : 'auto', None, 'daily', 'weekly', int or list, default 'auto'
        Seasonal periods. 'auto' tests daily and weekly cycles by autocorrelation (when there
        are more than two full periods of history) and reports the decision in ``seasonality_``.
        Integers are periods in points.
    freq : str, optional
        Step of the regular grid ('5min'); inferred (median spacing) when omitted. Points off
        the grid are averaged into their slot; empty slots are missing (never alerted on).
    method : {'mstl', 'stl', 'holt_winters', 'rolling_quantile'}, default 'mstl'
        How the seasonal shape is estimated (statsmodels MSTL/STL with fast ``*_jump``
        settings, Holt-Winters additive seasonality, or medians per phase).
    direction : {'up', 'down', 'both'}, default 'both'
        Which deviations alert: 'up' for latency or error rate, 'down' for accuracy or traffic.
    quantile : float, default 0.996
        The band multiplier is this empirical quantile of the training's standardised
        residuals in the alert direction (no Gaussian assumption).
    width : float, default 1.0
        Sensitivity: the band half-width is ``width * multiplier * scale``. :meth:`tune` sets it.
    min_multiplier : float, default 4.0
        Floor on the multiplier, in robust-scale units (MAD), for short or very clean training.
    level_window : str or int, default '1D'
        The centre is the median of the deseasonalised values over this trailing window, so
        a persistent level shift is absorbed after half of it.
    sustain : 'auto', str, int or None, default 'auto'
        Window of the sustained score (the mean standardised residual over it), which catches
        slow drifts that the level would absorb before any single point leaves the band.
        None: only point scores. 'auto': '4h' when ``direction`` is 'up' or 'down' (a metric
        with a bad side, such as latency or accuracy, where a slow drift to that side is a
        degradation: the memory leak of the bundled credit-scoring log) and None for 'both'
        (a metric that wanders both ways, such as traffic or demand, drifts for hours as a
        matter of course: on the NAB dev set the sustained score added a fifth more false
        episodes there).
    refit : str, int or None, default '1D'
        In :meth:`detect`, refit the seasonal profile and scale this often (and earlier while
        the history is short), on data before each point only. None: never.
    train_window : 'auto', str or int, default 'auto'
        Refits use at most this much trailing history. 'auto': 28 days, or more when 28 days
        hold fewer than ``20 / (1 - quantile)`` points (5,000 at 0.996; hourly or half-hourly
        metrics), so that about 20 training points lie beyond the multiplier's quantile and it
        is not set by the two or three largest residuals of a short window.
    nonnegative : bool or None, default None
        The metric cannot be negative (None: decided from training: True if no value is
        negative). Negative values are then left out and counted, and lower bands stop at 0.
    min_acf : float, default 0.3
        Autocorrelation at one period needed to keep a seasonal candidate.
    likelihood : str, int or None, default '7D'
        History of the anomaly likelihood: an alert opens only when the mean point score of the
        last ``likelihood_window`` points is ``likelihood_z`` standard deviations above the mean
        score of this much history before them (or when a point reaches the policy's
        ``fire_at``), so that a chronically noisy series stops paging for its usual noise.
        None: every point outside the band counts.
    likelihood_window : int or str, default 3
        Points (or a duration) of the recent mean score.
    likelihood_z : float, default 2.0
        How unusual the recent scores must be (in standard deviations of the history's scores).
    policy : AlertPolicy, optional
        Alert policy (default ``AlertPolicy()``).

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> idx = pd.date_range("2026-01-01", periods=24 * 21, freq="h")
    >>> daily = 10 + 5 * np.sin(2 * np.pi * idx.hour / 24)
    >>> s = pd.Series(daily + np.random.default_rng(1).normal(0, 0.5, len(idx)), index=idx)
    >>> m = aimon.ThresholdModel(method="stl").fit(s)
    >>> m.periods_
    [24]
    >>> m.predict(pd.date_range("2026-02-01", periods=2, freq="6h")).columns.tolist()
    ['expected', 'lower', 'upper']
    """

    def __init__(self, seasonal="auto", freq=None, method="mstl", direction="both", quantile=0.996, width=1.0,
                 min_multiplier=4.0, level_window="1D", sustain="auto", refit="1D", train_window="auto", nonnegative=None,
                 min_acf=MIN_ACF, likelihood="7D", likelihood_window=3, likelihood_z=2.0, policy=None):
        self.seasonal = seasonal
        self.freq = freq
        self.method = method
        self.direction = direction
        self.quantile = quantile
        self.width = width
        self.min_multiplier = min_multiplier
        self.level_window = level_window
        self.sustain = sustain
        self.refit = refit
        self.train_window = train_window
        self.nonnegative = nonnegative
        self.min_acf = min_acf
        self.likelihood = likelihood
        self.likelihood_window = likelihood_window
        self.likelihood_z = likelihood_z
        self.policy = policy

    # ------------------------------------------------------------ parameters
    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in PARAMS}

    def set_params(self, **params) -> "ThresholdModel":
        """Change parameters in place. Width and policy act at once (no refit needed)."""
        for k, v in params.items():
            if k not in PARAMS:
                raise AimonError(f"ThresholdModel has no parameter {k!r}; parameters: {', '.join(PARAMS)}.")
            setattr(self, k, v)
        return self

    def _check(self):
        if self.method not in METHODS:
            raise AimonError(f"method={self.method!r}: choose one of {', '.join(METHODS)}.")
        if self.direction not in DIRECTIONS:
            raise AimonError(f"direction={self.direction!r}: choose 'up' (latency, error rate), 'down' "
                             f"(accuracy, throughput) or 'both'.")
        if not (isinstance(self.quantile, (float, int)) and 0.5 <= self.quantile < 1):
            raise AimonError(f"quantile={self.quantile!r}: give a probability in [0.5, 1), e.g. 0.995.")
        for name in ("width", "min_multiplier"):
            v = getattr(self, name)
            if not (isinstance(v, (float, int)) and np.isfinite(v) and v > 0):
                raise AimonError(f"{name}={v!r} must be a positive number.")
        v = self.likelihood_z
        if not (isinstance(v, (float, int)) and not isinstance(v, bool) and np.isfinite(v)):
            raise AimonError(f"likelihood_z={v!r} must be a number (standard deviations, e.g. 2.0).")
        if self.policy is not None and not isinstance(self.policy, AlertPolicy):
            raise AimonError(f"policy={self.policy!r}: give an aimon.AlertPolicy(...).")

    @property
    def policy_(self) -> AlertPolicy:
        return self.policy if self.policy is not None else AlertPolicy()

    # ------------------------------------------------------------ fitting
    def _nonneg(self, grid: Grid, decide: bool) -> np.ndarray:
        values = grid.values
        if decide:
            self.nonnegative_ = bool(self.nonnegative) if self.nonnegative is not None else bool(np.nanmin(values) >= 0)
        neg = np.isfinite(values) & (values < 0)
        if self.nonnegative_ and neg.any():
            n = int(neg.sum())
            grid.counts["negative_values"] = n
            warnings.warn(f"{n} negative values of {grid.name!r}, a metric that cannot be negative "
                          f"(nonnegative=True), were left out (counted in the result).", DataDroppedWarning,
                          stacklevel=4)
            values = np.where(neg, np.nan, values)
        return values

    def _fit_arrays(self, values, index, notes=None, reuse=None, exclude=None):
        """A state fitted on ``values`` on the regular ``index`` (used by fit and by every refit).

        With ``reuse`` (an earlier state), its seasonal periods and profile are kept and only the
        scales and multipliers are relearned (a light refit: no decomposition).
        """
        step = self.step_ns_
        if reuse is not None:
            state, expected, z = fit_state(values, index, step, periods=reuse.periods, method=self.method,
                                           direction=self.direction, quantile=self.quantile,
                                           level_window=self.level_window_, min_multiplier=self.min_multiplier,
                                           sustain=self.sustain_, seasonality=reuse.seasonality,
                                           notes=reuse.notes, seasonal_profile=reuse.profile,
                                           profile_cycles=reuse.cycles, exclude=exclude)
            return state, expected, z
        per_day = DAY_NS // step if DAY_NS % step == 0 else 0
        notes = list(notes or [])
        day_ph = (wall_ns(index) % DAY_NS) // step
        if per_day:
            day_ph = (day_ph % per_day).astype(np.int64)
        table = detect_seasonality(values, day_ph.astype(np.int64), step, self.min_acf)
        if isinstance(self.seasonal, str) and self.seasonal == "auto":
            periods = choose_periods("auto", table, per_day)
        elif self.seasonal is None:
            periods = []
        else:
            if not per_day and any(isinstance(p, str) for p in np.atleast_1d(self.seasonal)):
                raise AimonError(f"seasonal={self.seasonal!r} needs a step that divides a day; the series has a "
                                 f"step of {pd.Timedelta(step)}. Resample it (e.g. freq='5min') or use seasonal=None.")
            periods = choose_periods(self.seasonal, table, per_day)
            if any(p < 2 for p in periods):
                notes.append(f"seasonal={self.seasonal!r}: a step of {pd.Timedelta(step)} leaves no daily cycle "
                             f"within a day; only longer periods are used")
                periods = [p for p in periods if p >= 2]
            n_ok = int(np.isfinite(values).sum())
            short = [p for p in periods if n_ok <= 2 * p]    # the decomposition needs period < n / 2
            if short:
                periods = [p for p in periods if n_ok > 2 * p]
                notes.append(f"seasonal={self.seasonal!r}: {n_ok} points are not more than two periods of "
                             f"{max(short)} points, so " + ("that period is left out" if periods else
                                                            "a non-seasonal baseline is used"))
        if self.method != "mstl" and len(periods) > 1 and self.method != "rolling_quantile":
            notes.append(f"method={self.method!r} models one period: the daily one ({min(periods)} points) is used")
            periods = [min(periods)]
        state, expected, z = fit_state(values, index, step, periods=periods, method=self.method,
                                       direction=self.direction, quantile=self.quantile,
                                       level_window=self.level_window_, min_multiplier=self.min_multiplier,
                                       sustain=self.sustain_,
                                       seasonality=table, notes=notes, exclude=exclude)
        return state, expected, z

    def fit(self, series) -> "ThresholdModel":
        """Learn the baseline, scales and multiplier from ``series`` (a time-indexed metric)."""
        self._check()
        grid = to_grid(series, self.freq)
        self.step_ns_ = grid.step_ns
        self.freq_ = pd.tseries.frequencies.to_offset(pd.Timedelta(grid.step_ns)).freqstr
        self.level_window_ = max(3, points(self.level_window, grid.step_ns, "level_window"))
        sustain = self.sustain
        if isinstance(sustain, str) and sustain == "auto":
            sustain = AUTO_SUSTAIN if self.direction in ("up", "down") else None
        self.sustain_ = points(sustain, grid.step_ns, "sustain") if sustain is not None else 0
        self.sustain_ = max(2, self.sustain_) if self.sustain_ else 0
        self.likelihood_ = points(self.likelihood, grid.step_ns, "likelihood") if self.likelihood is not None else 0
        self.likelihood_window_ = max(1, points(self.likelihood_window, grid.step_ns, "likelihood_window"))
        if self.likelihood_:
            self.likelihood_ = max(self.likelihood_, 10 * self.likelihood_window_)
        self.name_ = grid.name
        values = self._nonneg(grid, decide=True)
        if np.isfinite(values).sum() < 3:
            raise AimonError(f"fit_thresholds(): the series {grid.name!r} has {int(np.isfinite(values).sum())} usable "
                             f"points; at least 3 are needed (more than two days for a daily cycle).")
        notes = []
        if grid.counts["off_grid"] or grid.counts["averaged"]:
            notes.append(f"{grid.counts['off_grid']} timestamps off the {self.freq_} grid and "
                         f"{grid.counts['averaged']} duplicates were averaged into their slots")
        if grid.counts["empty_slots"]:
            notes.append(f"{grid.counts['empty_slots']} of {len(values)} grid points have no value "
                         f"(not judged)")
        state, expected, z = self._fit_arrays(values, grid.index, notes)
        self.state_ = state
        self.train_index_ = grid.index
        self.train_values_ = values
        self.counts_ = grid.counts
        self._train_expected, self._train_z = expected, z
        return self

    def _fitted(self):
        if not hasattr(self, "state_"):
            raise AimonError("This ThresholdModel is not fitted yet: call .fit(series) or aimon.fit_thresholds(series).")

    # ------------------------------------------------------------ learned views
    @property
    def seasonality_(self) -> pd.DataFrame:
        """The seasonality decision: one row per candidate period with its ACF and reason."""
        self._fitted()
        return self.state_.seasonality

    @property
    def periods_(self) -> list:
        self._fitted()
        return list(self.state_.periods)

    @property
    def multiplier_(self) -> float:
        self._fitted()
        return self.state_.multiplier

    @property
    def notes_(self) -> list:
        self._fitted()
        return list(self.state_.notes)

    def _likelihood(self, z_before, mult_before, z, mult):
        """Anomaly-likelihood z of each point of ``z``, its history warmed up on ``z_before``."""
        if not getattr(self, "likelihood_", 0):
            return None
        p = directional(np.concatenate([z_before, z]), self.direction) / np.concatenate([mult_before, mult])
        return likelihood_z(p, self.likelihood_window_, self.likelihood_)[len(z_before):]

    def _training_log(self, policy=None) -> AlertLog:
        st = self.state_
        lik = self._likelihood(np.zeros(0), np.zeros(0), self._train_z, np.full(len(self._train_z), st.multiplier))
        return AlertLog(self.train_index_, self.train_values_, self._train_expected, self._train_z,
                        multiplier=st.multiplier, width=self.width, direction=self.direction,
                        policy=policy or self.policy_, step_ns=self.step_ns_,
                        scale=st.scale[st.bins(self.train_index_)], sustain=st.sustain,
                        sustain_multiplier=st.sustain_multiplier, nonnegative=self.nonnegative_,
                        name=self.name_, counts=self.counts_, notes=st.notes,
                        likelihood=lik, likelihood_z=self.likelihood_z)

    @property
    def bands_(self) -> pd.DataFrame:
        """expected, lower, upper over the training period (the level uses only earlier points)."""
        self._fitted()
        return self._training_log().bands

    # ------------------------------------------------------------ prediction and detection
    def predict(self, index) -> pd.DataFrame:
        """expected, lower and upper at any timestamps (e.g. the future).

        The level is the last training level (no trend is extrapolated); the seasonal profile
        and the time-of-day scale are those learned.
        """
        self._fitted()
        if isinstance(index, (pd.Series, pd.DataFrame)):
            index = index.index
        if not isinstance(index, pd.DatetimeIndex):
            try:
                index = pd.DatetimeIndex(index)
            except (TypeError, ValueError):
                raise SchemaError([f"predict() needs timestamps (a DatetimeIndex), got {type(index).__name__}."]) from None
        index = self._same_tz(index, "predict()")
        st = self.state_
        prof = st.profile
        d = self.train_values_ - prof[st.phases(self.train_index_)]
        lvl = trailing_level(d, np.zeros(1), st.level_window)[0]
        expected = lvl + prof[st.phases(index)]
        half = st.multiplier * self.width * st.scale[st.bins(index)]
        lower = expected - half
        if self.nonnegative_:
            lower = np.maximum(lower, 0.0)
        return pd.DataFrame({"expected": expected, "lower": lower, "upper": expected + half}, index=index)

    def _same_tz(self, index, what):
        tz = self.train_index_.tz
        if (index.tz is None) != (tz is None):
            raise SchemaError([f"{what}: the model was fitted on {'tz-aware' if tz is not None else 'naive'} "
                               f"timestamps and got {'tz-aware' if index.tz is not None else 'naive'} ones. "
                               f"Convert with .tz_localize / .tz_convert first."])
        return index.tz_convert(tz) if tz is not None else index

    def detect(self, series=None, refit="default", policy=None) -> AlertLog:
        """Judge ``series`` walk-forward and return its :class:`AlertLog`.

        Each point is scored only with data before it: the training points before the series
        and the series' own earlier points. The seasonal profile and scale are refitted every
        ``refit`` (default: the model's ``refit``; None: never) on at most ``train_window`` of
        trailing history. Without ``series``, the training period is judged with the fitted
        state (cheap: use it to try policies and widths).
        """
        self._fitted()
        policy = policy or self.policy_
        if series is None:
            return self._training_log(policy)
        from .walkforward import judge

        grid = to_grid(series, step_ns=self.step_ns_, what="detect()")
        index = self._same_tz(grid.index, "detect()")
        values = self._nonneg(grid, decide=False)
        refit = self.refit if refit == "default" else refit
        every = points(refit, self.step_ns_, "refit") if refit is not None else 0
        window = max(10, self._train_points())
        before = self.train_index_ < index[0]
        h_idx, h_val = self.train_index_[before], self.train_values_[before]
        initial = self.state_ if before.all() else None   # fitted on exactly the points before

        # the seasonal shape changes slowly: it is re-decomposed every SEASONAL_REFIT, or when the
        # history has grown by half since (a cycle may become testable); the refits in between
        # relearn only the scales and multipliers (cheap)
        full_every = max(every, points(SEASONAL_REFIT, self.step_ns_, "refit"))
        end = int(self.train_index_.as_unit("ns").asi8[-1] // self.step_ns_)
        last = {"state": initial, "at": end, "n": len(self.train_values_)} if initial is not None else {"state": None}

        def fit(v, i, exclude):
            at = int(i.as_unit("ns").asi8[-1] // self.step_ns_)
            if last["state"] is not None and at - last["at"] < full_every and len(v) < 1.5 * last["n"]:
                st = self._fit_arrays(v, i, reuse=last["state"], exclude=exclude)[0]
            else:
                st = self._fit_arrays(v, i, exclude=exclude)[0]
                last.update(at=at, n=len(v))
            last["state"] = st
            return st

        expected, z, mult, scale, smult, fits = judge(
            fit, h_val, h_idx, values, index, refit_every=every, window=window,
            level_window=self.level_window_, min_history=max(10, min(self.level_window_, 50)),
            initial_state=initial, exclude_at=EXCLUDE_AT)
        counts = dict(grid.counts, refits=fits, not_judged=int(np.count_nonzero(~np.isfinite(z))))
        mult = np.where(np.isfinite(mult), mult, self.state_.multiplier)
        smult = np.where(np.isnan(smult), self.state_.sustain_multiplier, smult)
        # training residuals are in-sample (the profile was fitted on them): widened like the
        # scale, they stand for the new points' residuals in the likelihood's history
        zb = self._train_z[before] * self.state_.inflation
        lik = self._likelihood(zb, np.full(len(zb), self.state_.multiplier), z, mult)
        return AlertLog(index, values, expected, z, multiplier=mult, width=self.width, direction=self.direction,
                        policy=policy, step_ns=self.step_ns_, scale=scale, sustain=self.sustain_,
                        sustain_multiplier=smult, nonnegative=self.nonnegative_,
                        name=grid.name, counts=counts, notes=self.state_.notes,
                        likelihood=lik, likelihood_z=self.likelihood_z)

    def _train_points(self) -> int:
        """Points of trailing history a refit uses (``train_window``, with 'auto' resolved)."""
        if isinstance(self.train_window, str) and self.train_window == "auto":
            return max(points(AUTO_WINDOW, self.step_ns_, "train_window"),
                       int(np.ceil(TAIL_POINTS / (1.0 - self.quantile))))
        return points(self.train_window, self.step_ns_, "train_window")

    # ------------------------------------------------------------ tuning
    def tune(self, target_alerts_per_day=0.5, history=None, widths=None) -> "ThresholdModel":
        """A copy whose ``width`` is the smallest that keeps alerts within a daily budget.

        ``history`` (judged walk-forward once, with the model's refits) or, without it, the
        training period is re-thresholded at each candidate width; the first width whose alerts per day are
        <= ``target_alerts_per_day`` is kept. The sweep is in ``tuning_`` of the result.
        """
        self._fitted()
        if not (isinstance(target_alerts_per_day, (int, float)) and target_alerts_per_day >= 0):
            raise AimonError(f"target_alerts_per_day={target_alerts_per_day!r} must be a number >= 0.")
        log = self.detect(history) if history is not None else self.detect()
        grid = np.geomspace(0.25, 16, 49) if widths is None else np.sort(np.asarray(widths, float))
        rows = []
        chosen = float(grid[-1])
        for w in grid:
            rate = log.rethreshold(width=float(w)).n_alerts / max(log.days, 1e-9)
            rows.append({"width": float(w), "alerts_per_day": rate})
            if rate <= target_alerts_per_day:
                chosen = float(w)
                break
        out = self.copy()
        out.width = chosen
        out.tuning_ = pd.DataFrame(rows)
        return out

    def copy(self) -> "ThresholdModel":
        from .persist import from_dict, to_dict

        return from_dict(to_dict(self)) if hasattr(self, "state_") else ThresholdModel(**self.get_params())

    # ------------------------------------------------------------ persistence and display
    def to_json(self) -> str:
        """The parameters and everything learned, as JSON (no pickle). See :meth:`from_json`."""
        from .persist import to_json

        return to_json(self)

    @classmethod
    def from_json(cls, text: str) -> "ThresholdModel":
        """A model from :meth:`to_json` text, identical in every parameter and learned value."""
        from .persist import from_json

        return from_json(text)

    def plot(self, ax=None):
        """The training period: series, band and the alerts the policy would raise."""
        self._fitted()
        return self.detect().plot(ax=ax)

    def __repr__(self):
        changed = {k: v for k, v in self.get_params().items() if v != ThresholdModel().get_params()[k]}
        return f"ThresholdModel({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def _repr_html_(self):
        if not hasattr(self, "state_"):
            return f"<pre>{html.escape(repr(self))}</pre>"
        st = self.state_
        seas = st.seasonality[["candidate", "period", "acf", "chosen", "reason"]].to_html(escape=True, index=False)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in st.notes)
        return (f"<div><b>ThresholdModel</b> on {html.escape(self.name_)}: method {html.escape(self.method)}, "
                f"periods {html.escape(str(st.periods))}, direction {html.escape(self.direction)}, "
                f"multiplier {st.multiplier:.2f} × width {self.width:g}{seas}"
                f"{'<ul>' + notes + '</ul>' if notes else ''}</div>")


def fit_thresholds(obj, column=None, **params) -> ThresholdModel:
    """Fit a :class:`ThresholdModel` (seasonal baseline, bands, alert policy) to one metric.

    Parameters
    ----------
    obj : Series or DataFrame
        A metric with a DatetimeIndex (e.g. ``ops["latency_p95"]``), or a frame of metrics
        (e.g. the output of ``aimon.ops``) with ``column`` naming the metric.
    column : str, optional
        With a DataFrame: the metric column (``ops.aimon.fit_thresholds("latency_p95")``).
    **params
        Parameters of :class:`ThresholdModel` (``seasonal``, ``method``, ``direction``, …).

    Examples
    --------
    >>> import numpy as np, pandas as pd, aimon
    >>> idx = pd.date_range("2026-01-01", periods=24 * 14, freq="h")
    >>> s = pd.Series(50 + 10 * np.sin(2 * np.pi * idx.hour / 24), index=idx, name="latency_p95")
    >>> model = s.aimon.fit_thresholds(direction="up", method="rolling_quantile")
    >>> model.seasonality_[["candidate", "chosen"]].values.tolist()
    [['daily', True], ['weekly', False]]
    """
    if isinstance(obj, pd.DataFrame):
        if column is None:
            raise SchemaError(["fit_thresholds() on a DataFrame needs the metric column, e.g. "
                               "ops.aimon.fit_thresholds('latency_p95')."], obj.columns)
        if column not in obj.columns:
            raise SchemaError([f"fit_thresholds(): column {column!r} does not exist. Pass one of the columns."],
                              obj.columns)
        obj = obj[column]
    elif column is not None:
        raise SchemaError([f"fit_thresholds(): column={column!r} is only for DataFrames; this is a "
                           f"{type(obj).__name__}."])
    return ThresholdModel(**params).fit(obj)
