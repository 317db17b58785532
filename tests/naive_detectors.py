"""Slow, obviously correct change detectors used as references by the tests (no aimon import).

Each takes a list of finite floats and returns the positions of the detections. They follow the
published definitions with a plain loop per value and Python floats (with River's running means,
warm-ups and reset after a detection); KSWIN draws with the same splitmix64 generator as aimon
and asks scipy for the KS p-value directly.
"""
from __future__ import annotations

import math


MASK = (1 << 64) - 1


def cusum(x, k, h, min_instances=30, target=None):
    out, warm, mu0, sp, sn = [], [], target, 0.0, 0.0
    for i, v in enumerate(x):
        if mu0 is None:
            warm.append(v)
            if len(warm) >= min_instances:
                mu0 = sum(warm) / len(warm)
            continue
        sp = max(0.0, sp + v - mu0 - k)
        sn = max(0.0, sn + mu0 - v - k)
        if sp > h or sn > h:
            out.append(i)
            warm, mu0, sp, sn = [], target, 0.0, 0.0
    return out


def page_hinkley(x, min_instances=30, delta=0.005, threshold=50.0, alpha=1 - 1e-4, mode="both"):
    out = []
    n = 0
    mean = inc = dec = 0.0
    lo, hi = math.inf, -1.0
    for i, v in enumerate(x):
        n += 1
        mean += (1.0 / n) * (v - mean)  # the running mean as River keeps it
        inc = alpha * inc + (v - mean) - delta
        dec = alpha * dec + (v - mean) + delta
        lo, hi = min(lo, inc), max(hi, dec)
        if n >= min_instances:
            up, down = inc - lo, hi - dec
            if (mode in ("up", "both") and up > threshold) or (mode in ("down", "both") and down > threshold):
                out.append(i)
                n, mean, inc, dec, lo, hi = 0, 0.0, 0.0, 0.0, math.inf, -1.0
    return out


def ddm(x, warm_start=30, drift_threshold=3.0):
    out, n, p = [], 0, 0.0
    p_min = s_min = None
    for i, v in enumerate(x):
        n += 1
        p += (1.0 / n) * (v - p)
        s = math.sqrt(p * (1 - p) / n)
        if n > warm_start:
            if p_min is None or p + s <= p_min + s_min:
                p_min, s_min = p, s
            if p + s > p_min + drift_threshold * s_min:
                out.append(i)
                n, p, p_min, s_min = 0, 0.0, None, None
    return out


def _splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    z ^= z >> 31
    return state, (z >> 11) / 2.0 ** 53


def _floyd(state, n, r):
    chosen = []
    for t in range(r):
        j = n - r + t
        state, u = _splitmix(state)
        c = int(u * (j + 1))
        chosen.append(j if c in chosen else c)
    return state, chosen


def kswin(x, alpha=0.005, window_size=100, stat_size=30, seed=0):
    """KSWIN with River's window logic and test (p <= alpha and statistic > 0.1)."""
    import warnings

    from scipy.stats import ks_2samp

    out, window, state = [], [], seed
    for i, v in enumerate(x):
        window.append(v)
        window = window[-window_size:]
        if len(window) < window_size:
            continue
        state, picks = _floyd(state, window_size - stat_size, stat_size)
        older = [window[p] for p in picks]
        recent = window[-stat_size:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ks_2samp(older, recent, method="auto")
        if res.pvalue <= alpha and res.statistic > 0.1:
            out.append(i)
            window, state = [], seed
    return out


def adwin(x, delta=0.002, clock=32, max_buckets=5, min_window_length=5, grace_period=10):
    """ADWIN with River's exponential histogram kept as a list of rows of [total, variance] pairs."""
    out = []
    rows, total, var, width, tick = [[]], 0.0, 0.0, 0.0, 0
    for i, v in enumerate(x):
        rows[0].append([v, 0.0])
        width += 1.0
        if width > 1.0:
            d = v - total / (width - 1.0)
            var += (width - 1.0) * d * d / width
        total += v
        r = 0
        while len(rows[r]) == max_buckets + 1:
            size = 2.0 ** r
            (t0, v0), (t1, v1) = rows[r][0], rows[r][1]
            if r + 1 == len(rows):
                rows.append([])
            rows[r + 1].append([t0 + t1, v0 + v1 + size * 0.5 * (t0 / size - t1 / size) ** 2])
            del rows[r][:2]
            if len(rows[r + 1]) <= max_buckets:
                break
            r += 1
        tick += 1
        if tick % clock or width <= grace_period:
            continue
        # cuts from the oldest bucket forwards; the last bucket never starts a sub-window
        cells = [(2.0 ** r, t) for r in range(len(rows) - 1, -1, -1) for t, _ in rows[r]]
        n0 = u0 = 0.0
        n1, u1 = width, total
        hit = False
        for size, t in cells[:-1]:
            n0 += size
            n1 -= size
            u0 += t
            u1 -= t
            if n0 >= min_window_length and n1 >= min_window_length:
                dp = math.log(2.0 * math.log(width) / delta)
                m = 1.0 / (n0 - min_window_length + 1.0) + 1.0 / (n1 - min_window_length + 1.0)
                eps = math.sqrt(max(2.0 * m * (var / width) * dp, 0.0)) + 2.0 / 3.0 * dp * m
                if 2.0 * m * (var / width) * dp >= 0 and abs(u0 / n0 - u1 / n1) > eps:
                    hit = True
                    break
        if hit:
            out.append(i)
            rows, total, var, width, tick = [[]], 0.0, 0.0, 0.0, 0
    return out


def eddm(x, warm_start=30, alpha=0.95, beta=0.9):
    """EDDM: distances between errors; a change when (mean + 2 sd) / its maximum < beta."""
    out, n, last, dists, best = [], 0, 0, [], -1.0
    for i, v in enumerate(x):
        n += 1
        if v != 1.0:
            continue
        dists.append(float(n - last))
        last = n
        if n <= warm_start:
            continue
        k = len(dists)
        m, s2 = 0.0, 0.0
        for j, d in enumerate(dists, 1):  # the running mean and Welford sum of squares River keeps
            old = m
            m += (1.0 / j) * (d - m)
            s2 += (d - old) * (d - m)
        sd = (s2 / (k - 1)) ** 0.5 if k > 1 else 0.0
        level = m + 2.0 * sd
        if level > best:
            best = level
        elif k > warm_start and level / best < beta:
            out.append(i)
            n, last, dists, best = 0, 0, [], -1.0
    return out


def hddm_a(x, drift_confidence=0.001, two_sided=False):
    """HDDM-A: the mean rises (falls) above its lowest (highest) cut point by a Hoeffding bound."""
    out = []
    n, mean, lo, hi = 0.0, 0.0, None, None

    def bound(k):
        return math.sqrt(1.0 / (2.0 * k) * math.log(1.0 / drift_confidence))

    def changed(cut, up):
        if cut[0] == n:
            return False
        m = (n - cut[0]) / cut[0] * (1.0 / n)
        eps = math.sqrt(m / 2.0 * math.log(2.0 / drift_confidence))
        return (mean - cut[1] if up else cut[1] - mean) >= eps

    for i, v in enumerate(x):
        n += 1.0
        mean += (1.0 / n) * (v - mean)
        lo = lo or (n, mean)
        hi = hi or (n, mean)
        if lo[1] + bound(lo[0]) >= mean + bound(n):
            lo = (n, mean)
        if hi[1] - bound(hi[0]) <= mean - bound(n):
            hi = (n, mean)
        if changed(lo, True) or (two_sided and changed(hi, False)):
            out.append(i)
            n, mean, lo, hi = 0.0, 0.0, None, None
    return out


def hddm_w(x, drift_confidence=0.001, lam=0.05, two_sided=False):
    """HDDM-W: exponentially weighted means before and after a cut compared by a McDiarmid bound."""
    out = []
    new = lambda: [0.0, False, 1.0]  # noqa: E731  (ewma, initialised, independent bound condition)

    def update(s, v):
        s[0] = v if not s[1] else lam * v + (1.0 - lam) * s[0]
        s[1] = True
        s[2] = lam * lam + (1.0 - lam) ** 2 * s[2]

    def rose(a, b):  # did sample b's mean rise above sample a's?
        if not (a[1] and b[1]):
            return False
        return b[0] - a[0] > math.sqrt((a[2] + b[2]) * math.log(1.0 / drift_confidence) / 2.0)

    total, s1i, s2i, s1d, s2d = new(), new(), new(), new(), new()
    inc_cut, dec_cut = math.inf, -math.inf
    for i, v in enumerate(x):
        update(total, v)
        eps = math.sqrt(total[2] * math.log(1.0 / drift_confidence) / 2.0)
        if total[0] + eps < inc_cut:
            inc_cut, s1i, s2i = total[0] + eps, list(total), new()
        else:
            update(s2i, v)
        hit = rose(s1i, s2i)
        if total[0] - eps > dec_cut:
            dec_cut, s1d, s2d = total[0] - eps, list(total), new()
        else:
            update(s2d, v)
        if hit or (two_sided and rose(s2d, s1d)):
            out.append(i)
            total, s1i, s2i, s1d, s2d = new(), new(), new(), new(), new()
            inc_cut, dec_cut = math.inf, -math.inf
    return out
