"""Distances between two histograms (reference and current counts over the same bins).

Bins are numeric bins cut at reference quantiles, or the categories of a categorical column.
Only bins with a count on at least one side matter; PSI and KL need a proportion in every bin,
so an empty bin's proportion is replaced by ``eps`` for those two (and only those two).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

PSI, JS, KL, HELLINGER, TV, CHI2, G, DOF = range(8)
N_OUT = 8


@njit(cache=True)
def histogram_stats(ref, cur, eps, out):
    """Fill ``out`` (length ``N_OUT``) from the bin counts ``ref`` and ``cur`` (float64).

    PSI = sum (q - p) ln(q / p); KL = sum q ln(q / p) (current relative to reference); JS = the
    Jensen-Shannon distance in base 2; HELLINGER = sqrt(sum (sqrt p - sqrt q)^2 / 2); TV = sum |p - q| / 2;
    CHI2 and G: Pearson and likelihood-ratio statistics of the 2 x bins table (bins empty on both
    sides left out), DOF their degrees of freedom. p and q are proportions; NaN when a side is empty.
    """
    for t in range(N_OUT):
        out[t] = np.nan
    nr = 0.0
    nc = 0.0
    for b in range(ref.shape[0]):
        nr += ref[b]
        nc += cur[b]
    if nr <= 0.0 or nc <= 0.0:
        return
    n = nr + nc
    psi = 0.0
    kl = 0.0
    js = 0.0
    hel = 0.0
    tv = 0.0
    chi2 = 0.0
    g = 0.0
    used = 0
    for b in range(ref.shape[0]):
        if ref[b] == 0.0 and cur[b] == 0.0:
            continue
        used += 1
        p = ref[b] / nr
        q = cur[b] / nc
        pe = p if p > 0.0 else eps
        qe = q if q > 0.0 else eps
        psi += (qe - pe) * np.log(qe / pe)
        kl += qe * np.log(qe / pe)
        m = 0.5 * (p + q)
        if p > 0.0:
            js += p * np.log(p / m)
        if q > 0.0:
            js += q * np.log(q / m)
        h = np.sqrt(p) - np.sqrt(q)
        hel += h * h
        tv += abs(p - q)
        total = ref[b] + cur[b]
        er = total * nr / n
        ec = total * nc / n
        chi2 += (ref[b] - er) * (ref[b] - er) / er + (cur[b] - ec) * (cur[b] - ec) / ec
        if ref[b] > 0.0:
            g += ref[b] * np.log(ref[b] / er)
        if cur[b] > 0.0:
            g += cur[b] * np.log(cur[b] / ec)
    out[PSI] = psi
    out[KL] = kl
    out[JS] = np.sqrt(max(0.5 * js, 0.0) / np.log(2.0))
    out[HELLINGER] = np.sqrt(0.5 * hel)
    out[TV] = 0.5 * tv
    out[CHI2] = chi2
    out[G] = 2.0 * g
    out[DOF] = used - 1


@njit(cache=True, parallel=True)
def histogram_stats_parallel(ref, ref_off, cur, cur_off, ref_of, eps):
    """``histogram_stats`` for many pairs in parallel: pair p compares the counts
    ``cur[cur_off[p]:cur_off[p+1]]`` with ``ref[ref_off[r]:ref_off[r+1]]``, r = ref_of[p]
    (both of the same length). Returns a (pairs, N_OUT) array."""
    k = cur_off.shape[0] - 1
    out = np.zeros((k, N_OUT))
    for p in prange(k):
        r = ref_of[p]
        histogram_stats(ref[ref_off[r]:ref_off[r + 1]], cur[cur_off[p]:cur_off[p + 1]], eps, out[p])
    return out


@njit(cache=True)
def histogram_stats_serial(ref, ref_off, cur, cur_off, ref_of, eps):
    """Serial twin of ``histogram_stats_parallel``."""
    k = cur_off.shape[0] - 1
    out = np.zeros((k, N_OUT))
    for p in range(k):
        r = ref_of[p]
        histogram_stats(ref[ref_off[r]:ref_off[r + 1]], cur[cur_off[p]:cur_off[p + 1]], eps, out[p])
    return out


def histogram_stats_many(ref, ref_off, cur, cur_off, ref_of, eps):
    """``histogram_stats`` of every pair; threads only for many bins in all."""
    fn = histogram_stats_parallel if cur.shape[0] >= 200_000 else histogram_stats_serial
    return fn(ref, ref_off, cur, cur_off, ref_of, eps)
