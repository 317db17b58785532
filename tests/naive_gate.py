"""Slow, obvious references for the release gate's statistics (tests only)."""
import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import norm


def delong_slow(score_c, score_p, y):
    """DeLong et al. (1988) straight from the definition: psi over every (positive, negative) pair.
    Returns (auc_c, auc_p, variance of auc_c - auc_p)."""
    out = []
    for s in (score_c, score_p):
        pos, neg = s[y == 1], s[y == 0]
        psi = (pos[:, None] > neg[None, :]).astype(float) + 0.5 * (pos[:, None] == neg[None, :])
        out.append((psi.mean(), psi.mean(axis=1), psi.mean(axis=0)))
    m, n = len(out[0][1]), len(out[0][2])
    s10 = np.cov(np.vstack([out[0][1], out[1][1]]))
    s01 = np.cov(np.vstack([out[0][2], out[1][2]]))
    s = s10 / m + s01 / n
    return out[0][0], out[1][0], s[0, 0] + s[1, 1] - 2 * s[0, 1]


def tango_numeric(n10, n01, n, delta0):
    """Tango's score test with the restricted MLE found numerically (no closed form): maximise the
    multinomial likelihood of (p10, p01, rest) under p10 - p01 = delta0. Returns (z, p lower-tail)."""
    same = n - n10 - n01

    def nll(p01):
        p10 = p01 + delta0
        rest = 1 - p10 - p01
        return -(n10 * np.log(p10) + n01 * np.log(p01) + same * np.log(rest))

    lo = max(1e-12, -delta0 + 1e-12)
    hi = (1 - delta0) / 2 - 1e-12
    p01 = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13}).x
    z = (n10 - n01 - n * delta0) / np.sqrt(n * (2 * p01 + delta0 * (1 - delta0)))
    return z, norm.cdf(z)
