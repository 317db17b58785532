"""Sequential change detectors that scan a whole column at once (numba), with streaming state.

>>> import aimon
>>> sorted(aimon.detectors.REGISTRY)
['adwin', 'cusum', 'ddm', 'eddm', 'hddm_a', 'hddm_w', 'kswin', 'page_hinkley']
"""
from __future__ import annotations

from ._base import REGISTRY, Detector, Scan, get
from .adwin import ADWIN
from .ddm import DDM, EDDM
from .hddm import HDDM_A, HDDM_W
from .kswin import KSWIN
from .mean_shift import CUSUM, PageHinkley


def __getattr__(name):
    if name in ("changepoints", "Changepoints"):
        from . import changepoints as _cp

        return getattr(_cp, name)
    raise AttributeError(f"module 'aimon.detectors' has no attribute {name!r}")


__all__ = ["REGISTRY", "Detector", "Scan", "get", "ADWIN", "PageHinkley", "CUSUM", "DDM", "EDDM", "HDDM_A",
           "HDDM_W", "KSWIN", "changepoints", "Changepoints"]
