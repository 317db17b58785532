"""One-pass checks over whole columns, so a sorted, clean log costs no temporary masks."""
from __future__ import annotations

import numpy as np
from numba import njit

NAT = np.iinfo(np.int64).min  # NaT in a datetime64 array's int64 view


@njit(cache=True)
def time_scan(i8):
    """(number of NaT, whether the other values never decrease) of int64 timestamps."""
    n_nat = 0
    ascending = True
    prev = NAT
    for i in range(i8.shape[0]):
        v = i8[i]
        if v == NAT:
            n_nat += 1
        else:
            if v < prev:
                ascending = False
            prev = v
    return n_nat, ascending


@njit(cache=True)
def count_nonfinite(x):
    """Number of NaN and infinite values of a float array."""
    n = 0
    for i in range(x.shape[0]):
        v = x[i]
        if not (v - v == 0.0):  # NaN and +-inf give NaN
            n += 1
    return n


@njit(cache=True)
def count_negative(x):
    """Number of values below 0 (NaN is not)."""
    n = 0
    for i in range(x.shape[0]):
        if x[i] < 0:
            n += 1
    return n
