"""Pool adjacent violators: the least-squares non-decreasing fit of weighted values."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def pava(y, w):
    """Non-decreasing ``f`` minimising ``sum w * (y - f)**2`` for ``y`` in the order given.

    One left-to-right pass with a stack of blocks (weighted mean, weight, length): a new value
    starts a block, and while a block's mean is below the one before it the two are pooled.
    ``w`` must be positive and finite; ``y`` finite.
    """
    n = y.shape[0]
    mean = np.empty(n)
    weight = np.empty(n)
    size = np.empty(n, dtype=np.int64)
    top = -1
    for i in range(n):
        top += 1
        mean[top] = y[i]
        weight[top] = w[i]
        size[top] = 1
        while top > 0 and mean[top - 1] >= mean[top]:
            wt = weight[top - 1] + weight[top]
            mean[top - 1] = (weight[top - 1] * mean[top - 1] + weight[top] * mean[top]) / wt
            weight[top - 1] = wt
            size[top - 1] += size[top]
            top -= 1
    out = np.empty(n)
    pos = 0
    for b in range(top + 1):
        for _ in range(size[b]):
            out[pos] = mean[b]
            pos += 1
    return out
