"""Walk-forward judgement: every point is scored by a state fitted only on points before it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .bands import standardise


def refit_starts(n_new: int, n_hist: int, every: int, grow: float = 1.5) -> list:
    """Positions (in the new points) where the state is refitted.

    Every ``every`` points, and earlier while the history is short: whenever it has grown by
    ``grow`` times since the last fit (so a model fitted on two days is refreshed at three, four
    and a half, … days instead of waiting a whole week).
    """
    starts = [0]
    last_len = n_hist
    a = 0
    while True:
        by_time = starts[-1] + every if every > 0 else n_new
        by_growth = int(np.ceil(grow * max(last_len, 1))) - n_hist
        a = max(min(by_time, by_growth), starts[-1] + 1)
        if a >= n_new:
            return starts
        starts.append(a)
        last_len = n_hist + a


def judge(fit, hist_values, hist_index, values, index, *, refit_every, window, level_window, min_history,
          initial_state=None, exclude_at=np.inf):
    """Expected value, z, multiplier, scale and sustained multiplier per point, walk-forward.

    ``fit(values, index)`` returns a state; ``hist_*`` are the points before ``index[0]``. With
    ``initial_state`` (a state fitted on exactly that history) the first segment uses it.
    ``refit_every=0`` never refits after the first state. ``fit`` also receives a mask of the
    past points to leave out of the multipliers: judged points whose ``|z|`` reached
    ``exclude_at`` times the multiplier of their time (an incident already alerted on must not
    widen the band for the weeks it stays in the training window).
    """
    n = len(values)
    expected, z = np.full(n, np.nan), np.full(n, np.nan)
    mult, scale, smult = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    all_values = np.concatenate([hist_values, values])
    all_index = hist_index.append(index) if len(hist_values) else index
    n0 = len(hist_values)
    excluded = np.zeros(n0 + n, bool)
    starts = refit_starts(n, n0, refit_every) if refit_every > 0 else [0]
    bounds = starts + [n]
    fits = 0
    for k, a in enumerate(starts):
        b = bounds[k + 1]
        lo = max(0, n0 + a - window)
        past = all_values[lo:n0 + a]
        if k == 0 and initial_state is not None:
            state = initial_state
        elif np.isfinite(past).sum() >= min_history:
            state = fit(past, all_index[lo:n0 + a], excluded[lo:n0 + a])
            fits += 1
        elif k == 0:
            state = None
        if state is None:
            continue
        w0 = max(0, n0 + a - level_window)
        e, zz = standardise(state, values[a:b], index[a:b], all_values[w0:n0 + a], all_index[w0:n0 + a])
        expected[a:b], z[a:b] = e, zz
        mult[a:b] = state.multiplier
        with np.errstate(invalid="ignore"):
            excluded[n0 + a:n0 + b] = np.abs(zz) >= exclude_at * state.multiplier
        smult[a:b] = state.sustain_multiplier
        scale[a:b] = state.scale[state.bins(index[a:b])]
    return expected, z, mult, scale, smult, fits
