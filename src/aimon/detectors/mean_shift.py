"""Detectors of a shift in the mean of a real-valued stream: Page-Hinkley and two-sided CUSUM."""
from __future__ import annotations

import numpy as np

from ._base import Detector, check, non_negative, positive_int, register

MODES = {"up": 1, "down": 2, "both": 3}


@register
class PageHinkley(Detector):
    """Page-Hinkley test of a rise or fall of the mean (River's variant, with a fading factor).

    Parameters
    ----------
    min_instances : int
        Values seen before a detection is possible (River: 30).
    delta : float
        Magnitude of changes that are tolerated (River: 0.005, in the units of the values).
    threshold : float
        Detection threshold lambda (River: 50, in the units of the values).
    alpha : float
        Fading factor of the cumulative sums (River: 1 - 1e-4).
    mode : {'both', 'up', 'down'}
        Which direction of change to detect.
    scale : float, optional
        Divide values by this first, so ``delta`` and ``threshold`` are in its units.

    Notes
    -----
    River's defaults ignore the scale of the data: on values of size ~100 they fire again and
    again. :meth:`standardized` puts ``delta=0.5`` and ``threshold=10`` in units of a reference
    standard deviation, waits for 100 values and turns fading off (``alpha=1``; faded sums wander
    by about ``1 / sqrt(2 (1 - alpha))`` and fire on long quiet streams): about two false
    detections per 100,000 values of Gaussian noise and about 25 values of delay for a one-sigma
    shift. Same detections as ``river.drift.PageHinkley`` with
    the same parameters; resets after each detection. ``statistic`` is the test value (negative
    for a fall).

    Examples
    --------
    >>> import numpy as np, aimon
    >>> rng = np.random.default_rng(1)
    >>> x = np.r_[rng.normal(100, 5, 3000), rng.normal(110, 5, 3000)]
    >>> len(aimon.detectors.PageHinkley().scan(x))  # River's defaults on data of scale 5
    89
    >>> aimon.detectors.PageHinkley.standardized(x[:1000]).scan(x).indices
    array([3005])
    """

    name = "page_hinkley"
    defaults = {"min_instances": 30, "delta": 0.005, "threshold": 50.0, "alpha": 1 - 0.0001, "mode": "both"}
    scaled = {"delta": 0.5, "threshold": 10.0, "alpha": 1.0, "min_instances": 100}
    test_params = {"min_instances": 10, "delta": 0.05, "threshold": 3.0}

    def _validate(self, p):
        positive_int(p, "min_instances")
        non_negative(p, "delta")
        non_negative(p, "threshold")
        a = p["alpha"]
        check("alpha", a, isinstance(a, (int, float, np.floating)) and 0 < a <= 1, "must be in (0, 1]")
        check("mode", p["mode"], isinstance(p["mode"], str) and p["mode"] in MODES, f"must be one of {sorted(MODES)}")

    def _new_state(self):
        from .._kernels.detect_ph_cusum import ph_state

        return ph_state()

    def _warmup(self, p):
        return p["min_instances"]

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_ph_cusum import page_hinkley_scan

        p = self.params
        m = page_hinkley_scan(x, float(p["min_instances"]), p["delta"], p["threshold"], float(p["alpha"]),
                              MODES[p["mode"]], self.state_, out_idx, out_stat)
        return m, 0


@register
class CUSUM(Detector):
    """Two-sided tabular CUSUM (Page 1954) of a shift of the mean away from a target.

    ``S+ = max(0, S+ + x - mu0 - k)`` and ``S- = max(0, S- + mu0 - x - k)``; a change when either
    exceeds ``h``. Both are reset after a detection and, without a ``target``, ``mu0`` is learnt
    again from the next ``min_instances`` values.

    Parameters
    ----------
    k : float
        Allowance (slack), usually half the shift to detect (literature: 0.5 sigma).
    h : float
        Decision interval (literature: 4 or 5 sigma).
    min_instances : int
        Values used to learn ``mu0`` when no ``target`` is given.
    target : float, optional
        The in-control mean (e.g. the mean of a reference period), in the units of the values.
    scale : float, optional
        Divide values (and ``target``) by this first, so ``k`` and ``h`` are in its units.

    Notes
    -----
    River has no two-sided CUSUM; this one is tested against a slow reference. With
    :meth:`standardized` ``k = 0.5`` and ``h = 10`` reference standard deviations (average run
    length without change about 50,000 values of Gaussian noise), and ``mu0`` is learnt from 200
    values. ``statistic`` is ``S+`` at an increase, ``-S-`` at a decrease.

    Examples
    --------
    >>> import numpy as np, aimon
    >>> x = np.r_[np.zeros(100), np.full(100, 2.0)]
    >>> aimon.detectors.CUSUM(k=0.5, h=5).scan(x).indices
    array([103])
    """

    name = "cusum"
    defaults = {"k": 0.5, "h": 5.0, "min_instances": 30, "target": None}
    scaled = {"k": 0.5, "h": 10.0, "min_instances": 200}
    test_params = {"k": 0.25, "h": 3.0, "min_instances": 10}

    def _validate(self, p):
        non_negative(p, "k")
        non_negative(p, "h")
        positive_int(p, "min_instances")
        t = p["target"]
        check("target", t, t is None or (isinstance(t, (int, float, np.integer, np.floating)) and np.isfinite(t)),
              "must be a finite number or None")

    def _new_state(self):
        from .._kernels.detect_ph_cusum import cusum_state

        return cusum_state()

    def _warmup(self, p):
        return 1 if p["target"] is not None else p["min_instances"] + 1

    def _run(self, x, out_idx, out_stat, out_warn):
        from .._kernels.detect_ph_cusum import cusum_scan

        p = self.params
        target = np.nan if p["target"] is None else float(p["target"]) / (self.scale or 1.0)
        m = cusum_scan(x, p["k"], p["h"], float(p["min_instances"]), target, self.state_, out_idx, out_stat)
        return m, 0
