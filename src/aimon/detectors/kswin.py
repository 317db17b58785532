"""KSWIN: Kolmogorov-Smirnov windowing (Raab et al. 2020), River's parameters and semantics."""
from __future__ import annotations

import random
from functools import lru_cache

import numpy as np

from ._base import Detector, check, positive_int, register

SAMPLINGS = ("splitmix", "python")


@lru_cache(maxsize=64)
def k_crit(alpha: float, stat_size: int) -> int:
    """Smallest k with KS p-value(k / r) <= alpha and k / r > 0.1 for two samples of size r.

    The p-value is scipy's ``ks_2samp(method='auto')`` (exact for these sizes), a decreasing
    function of the statistic, so testing ``k >= k_crit`` equals River's test on the p-value.
    """
    import warnings

    from scipy.stats import ks_2samp

    base = np.arange(stat_size, dtype=np.float64)
    for k in range(1, stat_size + 1):
        with warnings.catch_warnings():  # scipy falls back to the asymptotic p-value, as in River
            warnings.simplefilter("ignore", RuntimeWarning)
            res = ks_2samp(base, base + k, method="auto")
        if res.pvalue <= alpha and res.statistic > 0.1:
            return k
    return stat_size + 1


@register
class KSWIN(Detector):
    """Kolmogorov-Smirnov test of the last ``stat_size`` values against a sample of older ones.

    Parameters
    ----------
    alpha : float
        Significance of the KS test (River: 0.005).
    window_size : int
        Length of the sliding window (River: 100).
    stat_size : int
        Size of the recent sample and of the sample drawn from the rest of the window (River: 30).
    seed : int, optional
        Seed of the draws (None: 0, so scans are reproducible).
    sampling : {'splitmix', 'python'}
        'splitmix' draws inside the compiled scan. 'python' replays Python's
        ``random.Random(seed).sample`` as River's ``KSWIN(seed=seed)`` does, giving River's exact
        detections; it prepares the draws in Python (about 10 µs per value), for short streams.

    Notes
    -----
    KS tests compare ranks, so the scale of the values does not matter. After a detection the
    window and the generator restart, as in River. ``statistic`` is the KS distance.

    Examples
    --------
    >>> import numpy as np, aimon
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.normal(0, 1, 1000), rng.normal(2, 1, 1000)]
    >>> aimon.detectors.KSWIN(seed=1).scan(x).indices  # River's alpha: a test per value, chance hits
    array([ 898, 1014, 1115, 1905])
    >>> aimon.detectors.KSWIN(alpha=1e-4, seed=1).scan(x).indices
    array([1016])
    """

    name = "kswin"
    defaults = {"alpha": 0.005, "window_size": 100, "stat_size": 30, "seed": None, "sampling": "splitmix"}
    test_params = {"alpha": 0.01, "window_size": 40, "stat_size": 15, "seed": 3}
    _stat_in_units = False

    def _validate(self, p):
        a = p["alpha"]
        check("alpha", a, isinstance(a, (int, float, np.floating)) and 0 < a < 1, "must be between 0 and 1")
        positive_int(p, "stat_size")
        positive_int(p, "window_size", 2)
        check("stat_size", p["stat_size"], p["stat_size"] * 2 <= p["window_size"],
              f"must be at most half of window_size={p['window_size']} (the older sample is drawn without "
              "replacement from the rest of the window)")
        check("sampling", p["sampling"], isinstance(p["sampling"], str) and p["sampling"] in SAMPLINGS,
              f"must be one of {SAMPLINGS}")
        seed = p["seed"]
        check("seed", seed, seed is None or (isinstance(seed, (int, np.integer)) and 0 <= seed < 2 ** 63),
              "must be None or a non-negative integer")

    @property
    def _seed(self):
        return 0 if self.params["seed"] is None else int(self.params["seed"])

    def _new_state(self):
        from .._kernels.detect_kswin import new_state

        p = self.params
        self._draws = None
        return new_state(p["window_size"], self._seed)

    def _warmup(self, p):
        return p["window_size"]

    def _python_draws(self, n_tests):
        """Rows 0..n_tests-1 of the draws of a fresh ``random.Random(seed)``, as River makes them."""
        p = self.params
        old, r = p["window_size"] - p["stat_size"], p["stat_size"]
        if self._draws is None:
            self._draws = (random.Random(self._seed), np.zeros((0, r), dtype=np.int64))
        rng, rows = self._draws
        if rows.shape[0] < n_tests:
            more = [rng.sample(range(old), r) for _ in range(n_tests - rows.shape[0])]
            rows = np.vstack([rows, np.asarray(more, dtype=np.int64).reshape(-1, r)])
            self._draws = (rng, rows)
        return rows

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_kswin import kswin_scan

        p = self.params
        win, ist, rng = self.state_
        if p["sampling"] == "python":
            table = self._python_draws(int(ist[2]) + x.size)
        else:
            table = np.zeros((0, p["stat_size"]), dtype=np.int64)
        m = kswin_scan(x, p["window_size"], p["stat_size"], k_crit(float(p["alpha"]), p["stat_size"]),
                       np.uint64(self._seed), table, win, ist, rng, out_idx, out_stat)
        return m, 0
