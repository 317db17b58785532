"""Two-sample statistics from one merge pass over two sorted samples.

Walking the distinct values of the pooled sample once gives every ECDF- and rank-based
statistic at the same time: the largest ECDF gaps (KS, Kuiper), the L1 and L2 areas between the
ECDFs (Wasserstein-1, energy distance), the midrank sums (Mann-Whitney U with its tie term,
Cramér-von Mises U) and the Anderson-Darling k-sample sum (midrank version, k = 2).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .ksdist import ks_outside_probability

# positions in the output row of `merge_stats`
D_PLUS, D_MINUS, L1, L2, CVM_U, RANK_SUM, TIES, AD_SUM, N_DISTINCT = range(9)
N_OUT = 9


@njit(cache=True)
def merge_stats(x, y, out):
    """Fill ``out`` (length ``N_OUT``) from sorted, NaN-free ``x`` (reference) and ``y``.

    D_PLUS/D_MINUS: max of F - G and of G - F over the pooled values (F, G right-continuous
    ECDFs of x and y); L1/L2: integrals of |F - G| and (F - G)^2; CVM_U: the U of the two-sample
    Cramér-von Mises statistic with midranks; RANK_SUM: midrank sum of x; TIES: sum of t^3 - t
    over tied groups; AD_SUM: the Anderson-Darling A2akN sum before the (N-1)/N factor.
    """
    n1 = x.shape[0]
    n2 = y.shape[0]
    N = n1 + n2
    for t in range(N_OUT):
        out[t] = 0.0
    if n1 == 0 or n2 == 0:
        return
    i = 0
    j = 0
    f = 0.0
    g = 0.0
    prev = 0.0
    u1 = 0.0
    u2 = 0.0
    distinct = 0
    while i < n1 or j < n2:
        if j >= n2 or (i < n1 and x[i] <= y[j]):
            v = x[i]
        else:
            v = y[j]
        if distinct > 0:
            dz = v - prev
            diff = f - g
            out[L1] += abs(diff) * dz
            out[L2] += diff * diff * dz
        i0 = i
        j0 = j
        while i < n1 and x[i] == v:
            i += 1
        while j < n2 and y[j] == v:
            j += 1
        m = i - i0
        k = j - j0
        ell = m + k
        below = i0 + j0
        avg = below + (ell + 1) / 2.0  # midrank of the tied group
        for t in range(i0 + 1, i + 1):
            u1 += (avg - t) * (avg - t)
        for t in range(j0 + 1, j + 1):
            u2 += (avg - t) * (avg - t)
        out[RANK_SUM] += m * avg
        out[TIES] += float(ell) * ell * ell - ell
        b = below + ell / 2.0
        denom = b * (N - b) - N * ell / 4.0
        if denom > 0.0:
            ax = N * (i - m / 2.0) - b * n1
            ay = N * (j - k / 2.0) - b * n2
            out[AD_SUM] += ell / N * (ax * ax / n1 + ay * ay / n2) / denom
        f = i / n1
        g = j / n2
        if f - g > out[D_PLUS]:
            out[D_PLUS] = f - g
        if g - f > out[D_MINUS]:
            out[D_MINUS] = g - f
        prev = v
        distinct += 1
    out[CVM_U] = n1 * u1 + n2 * u2
    out[N_DISTINCT] = distinct


PARALLEL_MIN_WORK = 200_000  # below this many values in all, threads cost more than they save


# Twin drivers that differ only in prange/range (numba fixes `parallel` at compile time).
@njit(cache=True, parallel=True)
def merge_stats_parallel(ref, ref_off, cur, cur_off, ref_of):
    """``merge_stats`` for many pairs at once, in parallel.

    Pair p compares ``cur[cur_off[p]:cur_off[p+1]]`` with reference sample ``r = ref_of[p]``,
    ``ref[ref_off[r]:ref_off[r+1]]`` (every slice sorted, NaN-free). Returns a (pairs, N_OUT) array;
    each pair writes only its own row.
    """
    k = cur_off.shape[0] - 1
    out = np.zeros((k, N_OUT))
    for p in prange(k):
        r = ref_of[p]
        merge_stats(ref[ref_off[r]:ref_off[r + 1]], cur[cur_off[p]:cur_off[p + 1]], out[p])
    return out


@njit(cache=True)
def merge_stats_serial(ref, ref_off, cur, cur_off, ref_of):
    """Serial twin of ``merge_stats_parallel``."""
    k = cur_off.shape[0] - 1
    out = np.zeros((k, N_OUT))
    for p in range(k):
        r = ref_of[p]
        merge_stats(ref[ref_off[r]:ref_off[r + 1]], cur[cur_off[p]:cur_off[p + 1]], out[p])
    return out


def merge_stats_many(ref, ref_off, cur, cur_off, ref_of):
    """``merge_stats`` of every pair (see ``merge_stats_parallel``); work of a pair is its current
    values plus its reference values, and threads are used only when the total is large."""
    work = cur.shape[0] + np.diff(ref_off)[ref_of].sum() if len(ref_of) else 0
    fn = merge_stats_parallel if work >= PARALLEL_MIN_WORK and len(ref_of) > 1 else merge_stats_serial
    return fn(ref, ref_off, cur, cur_off, ref_of)


@njit(cache=True, parallel=True)
def ks_exact_pvalues(d, n1, n2):
    """Exact two-sided KS p-values P(D >= d[w]) for one reference size ``n1`` and window sizes
    ``n2[w]``, all windows at once (scipy's 'exact' method, as ``_pvalues.ks_pvalue``)."""
    out = np.empty(d.shape[0])
    for w in prange(d.shape[0]):
        b = n2[w]
        g = math.gcd(n1, b)
        h = int(np.rint(d[w] * ((n1 // g) * b)))  # round half to even, as np.round
        if h == 0:
            out[w] = 1.0
        else:
            # the tail itself, not 1 - P(inside): exact down to ~1e-300 (as _pvalues.ks_pvalue)
            out[w] = min(max(ks_outside_probability(n1, b, h, b // g, n1 // g), 0.0), 1.0)
    return out


@njit(cache=True)
def matched_gaps(values, ia, ib):
    """Per row r: mean |values[ia[r, i]] - values[ib[r, i]]| over i. With sorted ``values`` and
    sorted rows, that is the Wasserstein-1 distance of two equal-size bootstrap samples (their
    order statistics matched one to one)."""
    rows, m = ia.shape
    out = np.empty(rows)
    for r in range(rows):
        s = 0.0
        for i in range(m):
            s += abs(values[ia[r, i]] - values[ib[r, i]])
        out[r] = s / m
    return out


@njit(cache=True)
def gaps(x, y, out):
    """out[0:4] = [D+, D-, L1, L2] of ``merge_stats`` for sorted, NaN-free, non-empty x and y.

    One merge pass without data-dependent branches: the next value is picked by a comparison
    turned into arithmetic (``i += takex``), the areas grow by |F - G| * dz after every value
    (dz = 0 inside a tied group), and D+/D- are taken only where the next pooled value differs,
    i.e. at the end of a tied group. About twice as fast as a branching merge on continuous data.
    """
    n1 = x.shape[0]
    n2 = y.shape[0]
    i = 0
    j = 0
    dp = 0.0
    dm = 0.0
    l1 = 0.0
    l2 = 0.0
    diff = 0.0
    xv = x[0]
    yv = y[0]
    prev = min(xv, yv)
    for _ in range(n1 + n2):
        takex = xv <= yv
        v = xv if takex else yv
        dz = v - prev
        l1 += abs(diff) * dz
        l2 += diff * diff * dz
        i += takex
        j += 1 - takex
        xv = x[i] if i < n1 else np.inf
        yv = y[j] if j < n2 else np.inf
        diff = i / n1 - j / n2
        end = min(xv, yv) != v
        dp = max(dp, diff if end else 0.0)
        dm = max(dm, -diff if end else 0.0)
        prev = v
    out[0] = dp
    out[1] = dm
    out[2] = l1
    out[3] = l2


def ecdf_gaps(x, y, out):
    """Only D_PLUS, D_MINUS, L1 and L2 of ``merge_stats`` (out[0:4]), in a leaner pass for the
    public KS / Kuiper / Wasserstein / energy functions. (Splitting the pass over threads was
    slower on the shared 2-core test machine, so it stays serial.)"""
    gaps(x, y, out)


@njit(cache=True)
def _gaps_pair(ref, ref_off, cur, cur_off, ref_of, p, row):
    """The lean pass of pair p into ``row`` (an empty side gives 0 gaps)."""
    r = ref_of[p]
    x = ref[ref_off[r]:ref_off[r + 1]]
    y = cur[cur_off[p]:cur_off[p + 1]]
    if x.shape[0] and y.shape[0]:
        gaps(x, y, row)
    else:
        row[:4] = 0.0


# Twin drivers (prange / range): numba fixes ``parallel`` at compile time, see windows.py.
@njit(cache=True, parallel=True)
def gaps_parallel(ref, ref_off, cur, cur_off, ref_of):
    """Like ``merge_stats_parallel`` but only D_PLUS, D_MINUS, L1, L2 (the rest NaN), by the lean pass."""
    out = np.full((cur_off.shape[0] - 1, N_OUT), np.nan)
    for p in prange(out.shape[0]):
        _gaps_pair(ref, ref_off, cur, cur_off, ref_of, p, out[p])
    return out


@njit(cache=True)
def gaps_serial(ref, ref_off, cur, cur_off, ref_of):
    """Serial twin of ``gaps_parallel``."""
    out = np.full((cur_off.shape[0] - 1, N_OUT), np.nan)
    for p in range(out.shape[0]):
        _gaps_pair(ref, ref_off, cur, cur_off, ref_of, p, out[p])
    return out


def gaps_many(ref, ref_off, cur, cur_off, ref_of):
    """The lean pass for every pair, with threads only for large inputs."""
    work = cur.shape[0] + np.diff(ref_off)[ref_of].sum() if len(ref_of) else 0
    fn = gaps_parallel if work >= PARALLEL_MIN_WORK and len(ref_of) > 1 else gaps_serial
    return fn(ref, ref_off, cur, cur_off, ref_of)
