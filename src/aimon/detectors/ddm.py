"""Error-rate detectors on a 0/1 error stream: DDM and EDDM (River's parameters and semantics)."""
from __future__ import annotations

from ._base import Detector, check, non_negative, positive_int, register


@register
class DDM(Detector):
    """Drift Detection Method (Gama et al. 2004): the error rate rises beyond its best level.

    With ``p`` the error rate so far and ``s = sqrt(p (1 - p) / n)``, a warning when
    ``p + s > p_min + warning_threshold * s_min`` and a change at ``drift_threshold``.

    Parameters
    ----------
    warm_start : int
        Values before the test starts (River: 30).
    warning_threshold, drift_threshold : float
        In units of the Bernoulli standard error (River: 2 and 3).

    Notes
    -----
    Input: 1 = error (wrong prediction), 0 = correct; the test is on the error rate, so it is
    scale-free. Same detections as ``river.drift.binary.DDM``; resets after each detection.
    ``statistic`` is ``(p + s - p_min) / s_min``.

    Examples
    --------
    >>> import numpy as np, aimon
    >>> rng = np.random.default_rng(0)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.3]
    >>> aimon.detectors.DDM().scan(errors).indices
    array([2011])
    """

    name = "ddm"
    binary = True
    defaults = {"warm_start": 30, "warning_threshold": 2.0, "drift_threshold": 3.0}
    test_params = {"warm_start": 10}
    _stat_in_units = False

    def _validate(self, p):
        positive_int(p, "warm_start", 0)
        non_negative(p, "warning_threshold")
        non_negative(p, "drift_threshold")

    def _new_state(self):
        from .._kernels.detect_ddm import ddm_state

        return ddm_state()

    def _warmup(self, p):
        return p["warm_start"] + 1

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_ddm import ddm_scan

        p = self.params
        return ddm_scan(x, float(p["warm_start"]), p["warning_threshold"], p["drift_threshold"], self.state_,
                        out_idx, out_stat, out_warn)


@register
class EDDM(Detector):
    """Early Drift Detection Method (Baena-García et al. 2006): errors come closer together.

    Tracks the mean ``p'`` and standard deviation ``s'`` of the distance between errors; a
    change when ``(p' + 2 s') / max(p' + 2 s') < beta`` (warning below ``alpha``).

    Parameters
    ----------
    warm_start : int
        Values, and errors, before the test starts (River: 30).
    alpha, beta : float
        Warning and change levels, ``alpha >= beta`` (River: 0.95 and 0.9).

    Notes
    -----
    Same detections as ``river.drift.binary.EDDM``; resets after each detection.
    ``statistic`` is the level at the detection.

    Examples
    --------
    >>> import numpy as np, aimon
    >>> rng = np.random.default_rng(0)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.3]
    >>> found = aimon.detectors.EDDM().scan(errors).indices
    >>> len(found), found[found >= 2000][:1]  # EDDM also fires on chance runs of close errors
    (16, array([2018]))
    """

    name = "eddm"
    binary = True
    defaults = {"warm_start": 30, "alpha": 0.95, "beta": 0.9}
    test_params = {"warm_start": 10}
    _stat_in_units = False

    def _validate(self, p):
        positive_int(p, "warm_start", 0)
        non_negative(p, "alpha")
        non_negative(p, "beta")
        check("alpha", p["alpha"], p["alpha"] >= p["beta"], f"must be >= beta={p['beta']!r}")

    def _new_state(self):
        from .._kernels.detect_ddm import eddm_state

        return eddm_state()

    def _warmup(self, p):
        return p["warm_start"] + 1

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_ddm import eddm_scan

        p = self.params
        return eddm_scan(x, float(p["warm_start"]), p["alpha"], p["beta"], self.state_, out_idx, out_stat, out_warn)
