"""Seasonal shape of a metric: the seasonal component from MSTL, STL, Holt-Winters or rolling medians.

Each method returns the seasonal component at every training point (the sum over the periods);
:func:`profile` turns it into one value per phase of the longest period, which is what the
model keeps and extends to any future timestamp. The level (the slowly moving centre) is not
taken from these fits: it is a trailing robust median computed walk-forward (see ``bands.py``),
so that a level shift is absorbed after a stated time instead of alerting forever.

statsmodels is imported inside the functions (it costs about two seconds to import). STL and
MSTL run with ``*_jump`` settings of a fifth of the shortest period, which makes them
many times faster than the defaults at little cost in fit (benchmarks/bench_thresholds.py);
MSTL runs one pass over the periods (``iterate=1``) with one inner loess iteration per STL
(``inner_iter=1``) for the same reason: on 30 days of 5-minute data its seasonal component
correlates at 0.99999 with two inner iterations, at a quarter of the time.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AimonError

METHODS = ("mstl", "stl", "holt_winters", "rolling_quantile")


def fill(values: np.ndarray) -> np.ndarray:
    """Linear interpolation over missing points (for fitting only: they are never judged)."""
    s = pd.Series(values)
    return s.interpolate(limit_direction="both").to_numpy(dtype=np.float64)


def _jumps(period: int) -> dict:
    j = max(1, period // 5)
    return {"seasonal_jump": j, "trend_jump": j, "low_pass_jump": j}


def _mstl(y, periods):
    from statsmodels.tsa.seasonal import MSTL

    res = MSTL(y, periods=list(periods), iterate=1, stl_kwargs=dict(_jumps(min(periods)), inner_iter=1)).fit()
    seas = np.asarray(res.seasonal, dtype=np.float64)
    return seas.sum(axis=1) if seas.ndim == 2 else seas


def _stl(y, periods):
    from statsmodels.tsa.seasonal import STL

    p = min(periods)
    return np.asarray(STL(y, period=p, **_jumps(p)).fit().seasonal, dtype=np.float64)


def _holt_winters(y, periods):
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    p = min(periods)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # statsmodels' convergence chatter; the fit is checked below
        res = ExponentialSmoothing(y, seasonal="add", seasonal_periods=p,
                                   initialization_method="heuristic").fit()
    seas = np.asarray(res.season, dtype=np.float64)
    if not np.isfinite(seas).all():
        raise AimonError("method='holt_winters' did not converge on this series; use method='mstl'.")
    return seas


def _rolling_quantile(y, periods):
    seas = np.zeros_like(y)
    x = y.copy()
    for p in sorted(periods):
        trend = pd.Series(x).rolling(p, center=True, min_periods=max(2, p // 2)).median().to_numpy()
        dev = x - trend
        ph = np.arange(len(x)) % p
        prof = np.array([np.nanmedian(dev[ph == k]) if np.isfinite(dev[ph == k]).any() else 0.0
                         for k in range(p)])
        seas += prof[ph]
        x = x - prof[ph]
    return seas


def seasonal_component(values: np.ndarray, periods, method: str) -> np.ndarray:
    """Seasonal component (sum over ``periods``, in points) at every point of ``values``."""
    if not periods:
        return np.zeros(len(values))
    y = fill(values)
    fn = {"mstl": _mstl, "stl": _stl, "holt_winters": _holt_winters, "rolling_quantile": _rolling_quantile}[method]
    try:
        seas = fn(y, periods)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise AimonError(f"method={method!r} failed on this series ({exc}); try method='rolling_quantile'.") from None
    if not np.isfinite(seas).all():
        raise AimonError(f"method={method!r} gave a non-finite seasonal component; try method='rolling_quantile'.")
    return seas


def profile(seasonal: np.ndarray, ph: np.ndarray, length: int, observed: np.ndarray) -> np.ndarray:
    """Median seasonal value per phase over the observed points, centred on zero."""
    if length <= 1:
        return np.zeros(1)
    ok = observed & np.isfinite(seasonal)
    order = np.lexsort((seasonal[ok], ph[ok]))
    ph_s, v_s = ph[ok][order], seasonal[ok][order]
    lo = np.searchsorted(ph_s, np.arange(length), "left")
    hi = np.searchsorted(ph_s, np.arange(length), "right")
    out = np.zeros(length)
    has = hi > lo
    mid_lo, mid_hi = (lo + hi - 1) // 2, (lo + hi) // 2
    out[has] = 0.5 * (v_s[np.minimum(mid_lo[has], len(v_s) - 1)] + v_s[np.minimum(mid_hi[has], len(v_s) - 1)])
    if has.any():
        out -= np.median(out[has])
        out[~has] = 0.0
    return out
