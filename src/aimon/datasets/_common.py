"""Small vectorised building blocks shared by the scenario generators.

Everything here takes and returns plain NumPy arrays, so a scenario can be read as a list of
statistical statements ("income is lognormal, depends on age") without pandas noise.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND
NAT = np.iinfo(np.int64).min  # the int64 bit pattern of NaT


def sigmoid(z):
    """Logistic function (numerically safe for large |z|); returns a new array."""
    out = np.multiply(z, 0.5, dtype=float)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def round_step(x, step):
    """Round to a multiple of the integer ``step`` (e.g. 100 USD); exact in binary floating point."""
    return np.rint(np.asarray(x, dtype=float) / step) * step


def round_dec(x, decimals):
    """Round to ``decimals`` (>= 0) decimals; the result's ``repr`` is the short decimal form.

    An integer divided by an exact power of ten is the double nearest to the decimal number,
    which is what makes a CSV round trip exact and compact.
    """
    scale = 10.0 ** decimals
    out = np.multiply(x, scale, dtype=float)
    np.rint(out, out=out)
    out /= scale
    return out


def draw_codes(rng, n, probs):
    """Draw ``n`` category codes (int8) with the given probabilities."""
    cum = np.cumsum(np.asarray(probs, dtype=float))
    u = rng.random(n) * cum[-1]
    codes = np.zeros(n, dtype=np.int8)
    for threshold in cum[:-1]:  # one cheap comparison per category beats a binary search
        codes += u >= threshold
    return codes


def redraw_codes(rng, codes, sl, probs):
    """Redraw the codes in slice ``sl`` (an event window) with other probabilities, in place."""
    codes[sl] = draw_codes(rng, sl.stop - sl.start, probs)


def categorical(codes, categories):
    """A pandas Categorical (unordered) from int codes; -1 means missing."""
    return pd.Categorical.from_codes(codes, categories=list(categories))


def pareto_tail(rng, n, share, alpha, scale):
    """Multiplicative heavy tail: 1 for most rows, 1 + scale * Lomax(alpha) for ``share`` of them."""
    mult = np.ones(n)
    hit = rng.random(n) < share
    mult[hit] += scale * rng.pareto(alpha, int(hit.sum()))
    return mult


def load_factor(load, strength):
    """Latency multiplier from the relative request rate ``load`` (mean 1): 1 when idle, convex."""
    return 1.0 + strength * np.asarray(load, dtype=float) ** 2


def total_variation(p, q):
    """Total variation distance between two probability vectors."""
    p = np.asarray(p, float) / np.sum(p)
    q = np.asarray(q, float) / np.sum(q)
    return float(0.5 * np.abs(p - q).sum())
