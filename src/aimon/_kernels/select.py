"""In-place selection (quickselect): the k-th smallest value without a full sort."""
from __future__ import annotations

from numba import njit


@njit(cache=True)
def select(x, lo, hi, k):
    """Reorder x[lo:hi] in place so that x[k] is its k-th smallest value (lo <= k < hi),
    with no larger value before k and no smaller value after it. No NaN allowed."""
    hi -= 1
    while hi > lo:
        mid = (lo + hi) >> 1
        a = x[lo]
        b = x[mid]
        c = x[hi]
        if a > b:
            a, b = b, a
        if b > c:
            b = c
        if a > b:
            b = a
        pivot = b  # median of three
        i = lo
        j = hi
        while i <= j:
            while x[i] < pivot:
                i += 1
            while x[j] > pivot:
                j -= 1
            if i <= j:
                t = x[i]
                x[i] = x[j]
                x[j] = t
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return
