"""Error-rate detectors with Hoeffding-type bounds: HDDM-A and HDDM-W (Frías-Blanco et al. 2015)."""
from __future__ import annotations

import numpy as np

from ._base import Detector, check, in_open_unit, register


class _HDDM(Detector):
    binary = True
    _stat_in_units = False

    def _validate(self, p):
        in_open_unit(p, "drift_confidence")
        in_open_unit(p, "warning_confidence")
        check("two_sided_test", p["two_sided_test"], isinstance(p["two_sided_test"], (bool, np.bool_)),
              "must be True or False")
        p["two_sided_test"] = bool(p["two_sided_test"])
        if "lambda_val" in p:
            in_open_unit(p, "lambda_val")

    def _warmup(self, p):
        return 2


@register
class HDDM_A(_HDDM):
    """HDDM with averages: the running error rate exceeds its lowest level by a Hoeffding bound.

    Parameters
    ----------
    drift_confidence, warning_confidence : float
        Confidence levels of the change and warning tests (River: 0.001 and 0.005).
    two_sided_test : bool
        Also detect a fall of the error rate (River: False).

    Notes
    -----
    Same detections as ``river.drift.binary.HDDM_A``; resets after each detection.
    ``statistic`` is the change of the error rate since the cut point.

    Examples
    --------
    >>> import numpy as np, aimon
    >>> rng = np.random.default_rng(0)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.3]
    >>> aimon.detectors.HDDM_A().scan(errors).indices
    array([2097])
    """

    name = "hddm_a"
    defaults = {"drift_confidence": 0.001, "warning_confidence": 0.005, "two_sided_test": False}
    test_params = {"drift_confidence": 0.01, "warning_confidence": 0.05, "two_sided_test": True}

    def _new_state(self):
        from .._kernels.detect_hddm import hddm_a_state

        return hddm_a_state()

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_hddm import hddm_a_scan

        p = self.params
        return hddm_a_scan(x, p["drift_confidence"], p["warning_confidence"], p["two_sided_test"], self.state_,
                           out_idx, out_stat, out_warn)


@register
class HDDM_W(_HDDM):
    """HDDM with weighted averages: exponentially weighted error rates compared by McDiarmid bounds.

    Parameters
    ----------
    drift_confidence, warning_confidence : float
        Confidence levels of the change and warning tests (River: 0.001 and 0.005).
    lambda_val : float
        Weight of the newest value in the moving averages (River: 0.05).
    two_sided_test : bool
        Also detect a fall of the error rate (River: False).

    Notes
    -----
    Same detections as ``river.drift.binary.HDDM_W``; resets after each detection.

    Examples
    --------
    >>> import numpy as np, aimon
    >>> rng = np.random.default_rng(0)
    >>> errors = np.r_[rng.random(2000) < 0.1, rng.random(2000) < 0.5]
    >>> aimon.detectors.HDDM_W().scan(errors).indices[:1]
    array([2014])
    """

    name = "hddm_w"
    defaults = {"drift_confidence": 0.001, "warning_confidence": 0.005, "lambda_val": 0.05,
                "two_sided_test": False}
    test_params = {"drift_confidence": 0.01, "warning_confidence": 0.05, "lambda_val": 0.1, "two_sided_test": True}

    def _new_state(self):
        from .._kernels.detect_hddm import hddm_w_state

        return hddm_w_state()

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_hddm import hddm_w_scan

        p = self.params
        return hddm_w_scan(x, p["drift_confidence"], p["warning_confidence"], p["lambda_val"], p["two_sided_test"],
                           self.state_, out_idx, out_stat, out_warn)
