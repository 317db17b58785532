"""Random test streams with change points, ties and gaps, shared by the detector tests."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


@st.composite
def streams(draw, binary=False, max_n=800, nan=True):
    """A stream of up to ``max_n`` values with 0-2 changes; rounded (ties) or with NaN at times."""
    seed = draw(st.integers(0, 2 ** 32 - 1))
    n = draw(st.integers(0, max_n))
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, n + 1, size=draw(st.integers(0, 2))))
    levels = np.repeat(np.r_[0.0, rng.normal(0, 1.5, len(cuts))], np.diff(np.r_[0, cuts, n]))
    if binary:
        rate = 1 / (1 + np.exp(-(levels - 1.5)))
        x = (rng.random(n) < rate).astype(float)
    else:
        x = levels + rng.normal(0, draw(st.sampled_from([0.1, 1.0, 3.0])), n)
        if draw(st.booleans()):
            x = np.round(x, 1)
    if nan and n and draw(st.booleans()):
        x[rng.random(n) < 0.05] = np.nan
    return x


def shifted(binary, n=3000, at=1500, seed=0):
    """One clear change at ``at``: error rate 0.05 -> 0.4, or mean 0 -> 3 (sd 1)."""
    rng = np.random.default_rng(seed)
    if binary:
        return (rng.random(n) < np.where(np.arange(n) < at, 0.05, 0.4)).astype(float)
    return rng.normal(0, 1, n) + np.where(np.arange(n) < at, 0.0, 3.0)
