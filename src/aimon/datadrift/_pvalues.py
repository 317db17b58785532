"""p-values of the two-sample tests, from their statistics and sample sizes.

The statistics come from the kernels; these functions turn them into p-values with the
distributions scipy uses (so that results agree with scipy), imported lazily from scipy.special.
"""
from __future__ import annotations

import math

import numpy as np

KS_EXACT_MAX_N = 10_000  # 'auto' is exact when both samples have at most this many values


def ks_pvalue(d: float, n1: int, n2: int, method: str = "auto") -> float:
    """Two-sided p-value of the two-sample KS statistic ``d`` (scipy's 'auto' rule)."""
    if method == "auto":
        method = "exact" if max(n1, n2) <= KS_EXACT_MAX_N else "asymp"
    if method == "exact":
        from .._kernels.ksdist import ks_outside_probability

        g = math.gcd(n1, n2)
        lcm = (n1 // g) * n2
        h = int(np.round(d * lcm))
        if h == 0:
            return 1.0
        # the tail itself, not 1 - P(inside): exact to the last digits down to ~1e-300
        return float(min(max(ks_outside_probability(n1, n2, h, n2 // g, n1 // g), 0.0), 1.0))
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    return float(np.clip(kolmogorov_sf(d, int(np.round(en))), 0.0, 1.0))


def ks_pvalues(d, n1: int, n2) -> np.ndarray:
    """``ks_pvalue(d[w], n1, n2[w])`` ('auto') for many windows at once: the exact ones in one
    parallel kernel call, the asymptotic ones through one vectorised ``kolmogorov_sfs``."""
    d = np.asarray(d, dtype=np.float64)
    n2 = np.asarray(n2, dtype=np.int64)
    p = np.empty(d.shape)
    exact = np.maximum(n1, n2) <= KS_EXACT_MAX_N
    if exact.any():
        from .._kernels.twosample import ks_exact_pvalues

        p[exact] = ks_exact_pvalues(d[exact], int(n1), n2[exact])
    if (~exact).any():
        m = np.maximum(float(n1), n2[~exact].astype(np.float64))
        n = np.minimum(float(n1), n2[~exact].astype(np.float64))
        en = np.round(m * n / (m + n)).astype(np.int64)
        p[~exact] = np.clip(kolmogorov_sfs(d[~exact], en), 0.0, 1.0)
    return p


def kolmogorov_sfs(x, n) -> np.ndarray:
    """``kolmogorov_sf`` element-wise: the far-tail elements (the same rule) one by one through
    the numba Smirnov sum, all others in one vectorised call of scipy's ``kstwo.sf``."""
    x = np.asarray(x, dtype=np.float64)
    n = np.asarray(n, dtype=np.int64)
    out = np.empty(x.shape)
    t = n * x
    nxx = t * x
    tail = (n > 140) & (x > 0) & (x < 0.5) & (t > 1.0) & (t < n - 1) & (nxx >= 2.2)
    for i in np.flatnonzero(tail):
        out[i] = kolmogorov_sf(float(x[i]), int(n[i]))
    if (~tail).any():
        from scipy.stats import kstwo

        out[~tail] = kstwo.sf(x[~tail], n[~tail])
    return out


def kolmogorov_sf(x: float, n: int) -> float:
    """Survival function of the two-sided one-sample KS statistic for n values (= scipy's
    ``kstwo.sf``). In the far tail (n > 140, 2.2 <= n x^2 < 370, the regime of large drift
    samples) it is twice the one-sided Smirnov tail, summed exactly by a numba kernel; below it
    scipy's own routine is used, and beyond it the tail is 0 (as in scipy)."""
    t = n * x
    nxx = t * x
    if n > 140 and 0 < x < 0.5 and 1.0 < t < n - 1:
        if nxx >= 370.0:
            return 0.0
        if nxx >= 2.2:
            from .._kernels.ksdist import smirnov_sf

            return min(max(2.0 * smirnov_sf(n, x), 0.0), 1.0)
    from scipy.stats import kstwo

    return float(kstwo.sf(x, n))


def _cvm_inf_cdf(x: float) -> float:
    """CDF of the limiting Cramér-von Mises distribution (Csörgő & Faraway 1996, eq. 1.2 and 1.3),
    summed until a term falls below 1e-7, as scipy does."""
    from scipy.special import gammaln, kv

    total, k = 0.0, 0
    while True:
        y = 4 * k + 1
        q = y * y / (16.0 * x)
        term = (math.exp(gammaln(k + 0.5) - gammaln(k + 1)) / (math.pi ** 1.5 * math.sqrt(x))
                * math.sqrt(y) * math.exp(-q) * float(kv(0.25, q)))
        total += term
        if abs(term) < 1e-7:
            return total
        k += 1


def cvm_pvalue(t: float, nx: int, ny: int) -> float:
    """Asymptotic p-value of the two-sample Cramér-von Mises statistic T (Anderson 1962):
    T is standardised by its exact mean and variance, then compared with the limit law."""
    k, n = nx * ny, nx + ny
    et = (1 + 1 / n) / 6
    vt = (n + 1) * (4 * k * n - 3 * (nx ** 2 + ny ** 2) - 2 * k) / (45 * n ** 2 * 4 * k)
    tn = 1 / 6 + (t - et) / math.sqrt(45 * vt)
    if tn < 0.003:
        return 1.0
    if tn >= CVM_TAIL_FROM:
        return cvm_inf_sf(tn)
    return max(1.0 - _cvm_inf_cdf(tn), 0.0)


CVM_TAIL_FROM = 1.0  # from here on (p < 0.0025) the tail is integrated directly, not 1 - CDF


def cvm_inf_sf(x: float) -> float:
    """Upper tail P(W2 > x) of the limiting Cramér-von Mises distribution, computed directly so
    that tiny p-values keep their relative precision (1 - CDF, as scipy returns it, is rounding
    noise below ~1e-7). Smirnov's (1936) inversion of the characteristic function:
    P(W2 > x) = (1/pi) sum_j (-1)^(j+1) int_{(2j-1) pi}^{2j pi} sqrt(-u / sin u) exp(-u^2 x / 2) 2 du / u,
    each integral by QUADPACK with the (u - a)^(-1/2) (b - u)^(-1/2) endpoint singularities as
    its weight; sin u is taken from the distance to the nearer endpoint (no cancellation)."""
    from scipy.integrate import quad

    def smooth_part(u, a, b):  # the integrand times sqrt((u - a)(b - u))
        t, s = u - a, b - u
        if t < s:
            r = (t / math.sin(t) if t > 0 else 1.0) * s
        else:
            r = (s / math.sin(s) if s > 0 else 1.0) * t
        return 2.0 * math.sqrt(r / u) * math.exp(-u * u * x / 2.0)

    total = 0.0
    for j in range(1, 200):
        a, b = (2 * j - 1) * math.pi, 2 * j * math.pi
        v = quad(smooth_part, a, b, args=(a, b), weight="alg", wvar=(-0.5, -0.5),
                 epsabs=0.0, epsrel=1e-13, limit=200)[0]
        total += v if j % 2 else -v
        if abs(v) <= 1e-17 * abs(total) or v == 0.0:
            break
    return float(min(max(total / math.pi, 0.0), 1.0))


def cvm_exact_pvalue(x, y) -> float:
    """Exact p-value for tiny samples (both <= 20 values), from scipy itself: the exact
    null distribution is only needed where it costs nothing."""
    from scipy.stats import cramervonmises_2samp

    return float(cramervonmises_2samp(x, y, method="exact").pvalue)


_AD_B0 = np.array([0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085])
_AD_B1 = np.array([-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615])
_AD_B2 = np.array([-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154])
_AD_SIG = np.array([0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001])


def ad_standardize(a2: float, n1: int, n2: int) -> float:
    """(A2akN - (k - 1)) / sigma for k = 2 samples, sigma^2 from Scholz & Stephens (1987), eq. 4."""
    k = 2
    N = n1 + n2
    H = 1.0 / n1 + 1.0 / n2
    inv = 1.0 / np.arange(N - 1, 1, -1, dtype=np.float64)  # 1/(N-1), ..., 1/2
    hs = np.cumsum(inv)
    h = (hs[-1] if hs.size else 0.0) + 1.0
    g = float(np.sum(hs / np.arange(2, N, dtype=np.float64))) if hs.size else 0.0
    a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H
    b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6
    c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h
    d = (2 * h + 6) * k ** 2 - 4 * h * k
    var = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1.0) * (N - 2.0) * (N - 3.0))
    return (a2 - (k - 1)) / math.sqrt(var)


def ad_pvalue(a2_std: float) -> float:
    """Approximate p-value of the standardised k = 2 Anderson-Darling statistic: quadratic fit of
    log(significance) to the Scholz & Stephens critical values, capped to [0.001, 0.25]."""
    crit = _AD_B0 + _AD_B1 + _AD_B2  # m = k - 1 = 1
    if a2_std < crit.min():
        return 0.25
    if a2_std > crit.max():
        return 0.001
    coef = np.polyfit(crit, np.log(_AD_SIG), 2)
    return float(math.exp(np.polyval(coef, a2_std)))


def _mwu_null_counts(n1: int, n2: int) -> np.ndarray:
    """Number of arrangements giving each U = 0..n1*n2 (no ties), as exact Python integers.

    They are the coefficients of the Gaussian binomial [n1 + n2 choose m] in q (m the smaller
    size), built without recursion as the product over i = 1..m of (1 - q^(n + i)) / (1 - q^i):
    multiplying by 1 - q^k subtracts a shifted copy, dividing by 1 - q^i is a running sum with
    stride i. Integer arithmetic keeps every count exact, so the tail sum has no rounding."""
    m, n = min(n1, n2), max(n1, n2)
    c = np.zeros(m * n + 1, dtype=object)
    c[:] = 0
    c[0] = 1
    for i in range(1, m + 1):
        k = n + i
        c[k:] = c[k:] - c[:-k]  # times (1 - q^k): degree stays <= m n, the quotient is a polynomial
        for r in range(i):
            c[r::i] = np.cumsum(c[r::i])  # divided by (1 - q^i)
    return c


def mwu_pvalue(u1: float, n1: int, n2: int, tie_sum: float) -> float:
    """Two-sided Mann-Whitney p-value as scipy's default: exact when a sample has at most 8 values
    and nothing is tied, else the normal approximation with tie and continuity corrections."""
    u = max(u1, n1 * n2 - u1)
    if (n1 <= 8 or n2 <= 8) and tie_sum == 0:
        c = _mwu_null_counts(n1, n2)
        p = int(c[int(round(u)):].sum()) / int(c.sum())
        return float(min(2 * p, 1.0))
    from scipy.special import ndtr

    n = n1 + n2
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_sum / (n * (n - 1))))
    if s == 0:
        return 1.0
    z = (u - n1 * n2 / 2 - 0.5) / s
    return float(min(2 * ndtr(-z), 1.0))


def chi2_pvalue(stat: float, dof: float) -> float:
    """Upper tail of the chi-square distribution (1.0 for no degrees of freedom)."""
    if not dof > 0:
        return 1.0
    from scipy.special import chdtrc

    return float(chdtrc(dof, stat))


def two_proportion_pvalue(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided pooled two-proportion z-test of k1/n1 against k2/n2."""
    if n1 == 0 or n2 == 0:
        return float("nan")
    p = (k1 + k2) / (n1 + n2)
    var = p * (1 - p) * (1 / n1 + 1 / n2)
    if var == 0:
        return 1.0
    from scipy.special import ndtr

    z = abs(k1 / n1 - k2 / n2) / math.sqrt(var)
    return float(2 * ndtr(-z))


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN stays NaN and is not counted)."""
    p = np.asarray(p, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(scaled[::-1])[::-1]
    out[order] = np.minimum(adj, 1.0)
    return out
