"""Slow, obviously correct references for the diagnosis functions (nothing here imports aimon)."""
from __future__ import annotations

import math

import numpy as np


def autocorr(v, j):
    """rho(j) by the textbook formula, one loop; None marks a missing window (left out of the
    mean and of every product, so that lag j stays j windows apart)."""
    present = [x for x in v if x is not None]
    m = sum(present) / len(present)
    den = sum((x - m) ** 2 for x in present)
    num = sum((v[t] - m) * (v[t + j] - m) for t in range(len(v) - j) if v[t] is not None and v[t + j] is not None)
    return num / den


def effective_n(a, b):
    """Pyper & Peterman (1998) eq. 1: 1/N* = 1/N + 2/N sum_{j<=N/5} (N-j)/N rho_a(j) rho_b(j),
    N the complete pairs; a pair with a missing side is a gap in both series."""
    keep = [math.isfinite(x) and math.isfinite(y) for x, y in zip(a, b)]
    a = [float(x) if k else None for x, k in zip(a, keep)]
    b = [float(y) if k else None for y, k in zip(b, keep)]
    n = sum(keep)
    if n < 3:
        return float(n)
    total = 0.0
    for j in range(1, n // 5 + 1):
        total += (n - j) / n * autocorr(a, j) * autocorr(b, j)
    inv = 1 / n + 2 / n * total
    value = 1 / inv if inv > 0 else n
    return float(min(max(value, 2.0), n))


def lagged_pairs(x, y, lag):
    """[(x[t], y[t+lag])] for every t where both exist and are finite."""
    out = []
    for t in range(len(x)):
        u = t + lag
        if 0 <= u < len(y) and math.isfinite(x[t]) and math.isfinite(y[u]):
            out.append((x[t], y[u]))
    return out


def shrink(d, se):
    """DerSimonian–Laird random-effects: (mu, tau2, shrunk estimates) by the textbook formulas."""
    d, se = np.asarray(d, float), np.asarray(se, float)
    w = 1 / se ** 2
    mu_fixed = sum(w * d) / sum(w)
    q = sum(w * (d - mu_fixed) ** 2)
    k = len(d)
    c = sum(w) - sum(w ** 2) / sum(w)
    tau2 = max(0.0, (q - (k - 1)) / c) if c > 0 else 0.0
    ws = 1 / (se ** 2 + tau2)
    mu = sum(ws * d) / sum(ws)
    b = tau2 / (tau2 + se ** 2)
    return mu, tau2, mu + b * (d - mu)
