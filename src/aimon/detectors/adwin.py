"""ADWIN: adaptive windowing (Bifet & Gavaldà 2007), River's parameters and semantics."""
from __future__ import annotations

from ._base import Detector, check, in_open_unit, positive_int, register


@register
class ADWIN(Detector):
    """Adaptive windowing: a change when two sub-windows of the recent window differ in mean.

    Parameters
    ----------
    delta : float
        Significance of the cut test (smaller: fewer, later detections). River's default 0.002.
    clock : int
        Test every ``clock`` values (River: 32).
    max_buckets : int
        Buckets of each size kept before merging (River: 5; at least 2 here).
    min_window_length : int
        Smallest sub-window tested (River: 5).
    grace_period : int
        No test until the window holds more than this many values (River: 10).
    scale : float, optional
        Divide values by this before scanning. ADWIN's bound assumes values in [0, 1]; use
        :meth:`standardized` (scale = a reference standard deviation) for values on other scales.

    Notes
    -----
    Same detections as ``river.drift.ADWIN`` with the same parameters: after a detection the
    window is dropped and the detector starts afresh (River resets on the next update).
    ``statistic`` is the shift of the mean (recent minus older sub-window) at the cut.

    Examples
    --------
    >>> import numpy as np, aimon
    >>> x = np.r_[np.zeros(1000), np.ones(1000)]
    >>> aimon.detectors.ADWIN().scan(x).indices
    array([1023])
    """

    name = "adwin"
    defaults = {"delta": 0.002, "clock": 32, "max_buckets": 5, "min_window_length": 5, "grace_period": 10}
    scaled = {"delta": 0.002}
    test_params = {"delta": 0.01, "clock": 8}

    def _validate(self, p):
        in_open_unit(p, "delta")
        positive_int(p, "clock")
        positive_int(p, "max_buckets", 2)
        positive_int(p, "min_window_length")
        positive_int(p, "grace_period", 0)
        check("max_buckets", p["max_buckets"], p["max_buckets"] <= 1000, "must be at most 1000")

    def _new_state(self):
        from .._kernels.detect_adwin import new_state

        return new_state(self.params["max_buckets"])

    def _warmup(self, p):
        return max(p["grace_period"] + 1, 2 * p["min_window_length"], p["clock"])

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_adwin import adwin_scan

        p = self.params
        m = adwin_scan(x, p["delta"], p["clock"], p["max_buckets"], float(p["min_window_length"]),
                       float(p["grace_period"]), *self.state_, out_idx, out_stat)
        return m, 0
