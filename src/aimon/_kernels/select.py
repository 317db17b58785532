"""In-place selection (quickselect): the k-th smallest value without a full sort."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def select(x, lo, hi, k):
    """Reorder x[lo:hi] in place so that x[k] is its k-th smallest value (lo <= k < hi),
    with no larger value before k and no smaller value after it. No NaN allowed.

    Quickselect with a median-of-three pivot and branchless partitions (every element is swapped
    and the store position advances by the comparison's 0/1): no mispredicted branch per element.
    Values below the pivot go first; only when none are below (the pivot is the minimum, e.g. ties)
    does a second pass split off the values equal to the pivot, so runs of ties always progress."""
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
        s = lo
        for i in range(lo, hi + 1):
            v = x[i]
            x[i] = x[s]
            x[s] = v
            s += v < pivot
        if k < s:
            hi = s - 1
        elif s > lo:
            lo = s
        else:  # nothing below the pivot: put the values equal to it first
            e = s
            for i in range(s, hi + 1):
                v = x[i]
                x[i] = x[e]
                x[e] = v
                e += v <= pivot
            if k < e:
                return
            lo = e


NBUCKETS = 2048
SMALL = 1024  # below this many values, plain quickselect is as fast


@njit(cache=True)
def _mono(bits):
    # an int64 that orders like the float64 whose bits these are
    return bits ^ ((bits >> 63) & 0x7FFFFFFFFFFFFFFF)


@njit(cache=True)
def _lerp(a, b, t):
    # numpy's 'linear' quantile interpolation, with numpy's formula for t >= 0.5
    d = b - a
    if t >= 0.5:
        return b - d * (1.0 - t)
    return a + d * t


@njit(cache=True)
def _key_range(bits):
    kmin = _mono(bits[0])
    kmax = kmin
    for i in range(1, bits.shape[0]):
        k = _mono(bits[i])
        if k < kmin:
            kmin = k
        elif k > kmax:
            kmax = k
    return kmin, kmax


@njit(cache=True)
def _histogram(bits, kmin, kmax):
    """Bucket counts of the keys; bucket = (key - kmin) >> shift, computed in unsigned arithmetic
    because the span of int64 keys can exceed 2**63."""
    base = np.uint64(kmin)
    span = np.uint64(kmax) - base
    shift = np.uint64(0)
    while (span >> shift) >= np.uint64(NBUCKETS):
        shift += np.uint64(1)
    counts = np.zeros(NBUCKETS, dtype=np.int64)
    for i in range(bits.shape[0]):
        counts[np.int64((np.uint64(_mono(bits[i])) - base) >> shift)] += 1
    return counts, base, shift


@njit(cache=True)
def _kth(x, lo, hi, k):
    """The k-th smallest (k counted from 0 at x[0]) of x[lo:hi]; narrows by histogram, then selects."""
    while hi - lo >= SMALL:
        bits = x[lo:hi].view(np.int64)
        kmin, kmax = _key_range(bits)
        if kmin == kmax:
            return x[lo]
        counts, base, shift = _histogram(bits, kmin, kmax)
        rank = k - lo
        b = 0
        while rank >= counts[b]:
            rank -= counts[b]
            b += 1
        y = np.empty(counts[b])
        n = 0
        for i in range(hi - lo):
            if np.int64((np.uint64(_mono(bits[i])) - base) >> shift) == b:
                y[n] = x[lo + i]
                n += 1
        x, lo, hi, k = y, 0, n, rank  # the bucket holds fewer values than before: this ends
    select(x, lo, hi, k)
    return x[k]


@njit(cache=True)
def smallest_to(x, start, end):
    """Move the smallest of x[start:end] to x[start] (a swap) and return it: the next rank by a
    min scan, cheaper than a selection when the rank is the first of what is left."""
    j = start
    for i in range(start + 1, end):
        if x[i] < x[j]:
            j = i
    v = x[j]
    x[j] = x[start]
    x[start] = v
    return v


@njit(cache=True)
def kth_values(x, lo, hi, ranks, out):
    """out[r] = the ranks[r]-th smallest (0-based) of the finite x[lo:hi]; ranks ascending, except
    that a rank may repeat one asked for earlier (quantile pairs such as 6, 7, 6, 7).
    x[lo:hi] is reordered in place.

    Large inputs: one histogram pass over the order-preserving integer image of the floats
    (roughly logarithmic buckets, so heavy tails are fine), one pass that gathers only the values
    in the buckets holding the wanted ranks, then the same inside each of those buckets until few
    values are left for quickselect. Both passes branch predictably, unlike quickselect's
    partitioning of the whole array.
    """
    m = hi - lo
    nr = ranks.shape[0]
    bits = x[lo:hi].view(np.int64)
    if m < SMALL:
        start = lo  # x[start:hi] holds exactly the values of ranks start - lo and up
        for r in range(nr):
            k = lo + ranks[r]
            if k < start:  # a rank asked for before: its value sits at x[k]
                out[r] = x[k]
            elif r > 0 and k == start:  # the next rank: move the smallest of the rest to x[k]
                out[r] = smallest_to(x, start, hi)
                start = k + 1
            else:
                select(x, start, hi, k)
                out[r] = x[k]
                start = k + 1
        return
    kmin, kmax = _key_range(bits)
    if kmin == kmax:  # all values are the same number
        for r in range(nr):
            out[r] = x[lo]
        return
    counts, base, shift = _histogram(bits, kmin, kmax)
    # which bucket holds each rank, and where each wanted bucket's values go
    slot = np.full(NBUCKETS, -1, dtype=np.int64)
    bucket_first = np.empty(nr, dtype=np.int64)  # rank of the first value of each wanted bucket
    seg = np.zeros(nr + 1, dtype=np.int64)
    rank_slot = np.empty(nr, dtype=np.int64)
    nslots = 0
    cum = 0
    b = 0
    for r in range(nr):  # ranks ascend, so one sweep over the buckets finds them all
        while cum + counts[b] <= ranks[r]:
            cum += counts[b]
            b += 1
        if slot[b] < 0:
            slot[b] = nslots
            bucket_first[nslots] = cum
            seg[nslots + 1] = seg[nslots] + counts[b]
            nslots += 1
        rank_slot[r] = slot[b]
    cand = np.empty(seg[nslots])
    fill = seg[:nslots].copy()
    for i in range(m):
        s = slot[np.int64((np.uint64(_mono(bits[i])) - base) >> shift)]
        if s >= 0:
            cand[fill[s]] = x[lo + i]
            fill[s] += 1
    for r in range(nr):
        s = rank_slot[r]
        out[r] = _kth(cand, seg[s], seg[s + 1], seg[s] + ranks[r] - bucket_first[s])


@njit(cache=True)
def quantile_ranks(qs, m):
    """The two order statistics (0-based ranks) around each numpy 'linear' quantile of m values:
    ranks[2j] and ranks[2j + 1] for qs[j]."""
    nq = qs.shape[0]
    ranks = np.empty(2 * nq, dtype=np.int64)
    for j in range(nq):
        lo = min(int(np.floor(qs[j] * (m - 1))), m - 1)
        ranks[2 * j] = lo
        ranks[2 * j + 1] = min(lo + 1, m - 1)
    return ranks


@njit(cache=True)
def interpolate(values, ranks, qs, m, out, offset):
    """out[offset + j] = the 'linear' quantile qs[j] from the order statistics at ``ranks``."""
    for j in range(qs.shape[0]):
        out[offset + j] = _lerp(values[2 * j], values[2 * j + 1], qs[j] * (m - 1) - ranks[2 * j])


@njit(cache=True)
def quantiles(x, m, qs, out, offset):
    """numpy 'linear' quantiles ``qs`` (ascending) of the finite values x[:m] (reordered in place)
    into out[offset + j]."""
    ranks = quantile_ranks(qs, m)
    values = np.empty(ranks.shape[0])
    kth_values(x, 0, m, ranks, values)
    interpolate(values, ranks, qs, m, out, offset)


@njit(cache=True)
def kth_split(x, m, split, ranks, out):
    """``kth_values(x, 0, m, ranks, out)`` for x[:m] already split in two: every value of
    x[:split] is below every value of x[split:m]. Each rank is selected within its own part only."""
    if m >= SMALL:
        kth_values(x, 0, m, ranks, out)
        return
    start = 0  # x[start:m] holds exactly the values of ranks start and up
    for r in range(ranks.shape[0]):
        k = ranks[r]
        if k < start:  # a rank asked for before: its value sits at x[k]
            out[r] = x[k]
            continue
        if start < split <= k:  # x[start:split] all lie below rank k
            start = split
        end = split if k < split else m
        if k == start:  # the smallest of the part
            smallest_to(x, start, end)
        else:
            select(x, start, end, k)
        out[r] = x[k]
        start = k + 1


@njit(cache=True)
def quantiles_split(x, m, split, qs, out, offset):
    """``quantiles`` for x[:m] split in two as in ``kth_split``."""
    ranks = quantile_ranks(qs, m)
    values = np.empty(ranks.shape[0])
    kth_split(x, m, split, ranks, values)
    interpolate(values, ranks, qs, m, out, offset)
