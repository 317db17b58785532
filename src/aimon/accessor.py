"""``df.aimon`` and ``series.aimon``: a thin facade over the plain functions.

pandas >= 3 builds a new accessor object on every attribute access, so the accessor stores
nothing but the object; every method forwards to a plain function that takes the frame first.
Roles that must persist live in ``DataFrame.attrs`` (see :func:`aimon.with_roles`).
"""
from __future__ import annotations


import warnings

import pandas as pd


def _forward(module: str, name: str, owner: str = "AimonAccessor", call: str = "aimon.{name}(df, ...)"):
    """An accessor method that calls ``aimon.<module>.<name>(obj, ...)``, sharing its docstring.

    Warnings of the call are re-issued from the caller's line: the accessor adds a frame, so a
    warning aimed one level up would otherwise name this file instead of the user's cell.
    """
    import importlib

    def method(self, *args, **kwargs):
        fn = getattr(importlib.import_module(module), name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = fn(self._obj, *args, **kwargs)
        for w in caught:
            warnings.warn(w.message, w.category, stacklevel=2)
        return out

    method.__name__ = name
    method.__qualname__ = f"{owner}.{name}"
    shown = call.format(name=name)
    method.__doc__ = f"Same as ``{shown}``; see its docstring (``help({shown.split('(')[0]})``)."
    return method


@pd.api.extensions.register_dataframe_accessor("aimon")
class AimonAccessor:
    """Monitoring calls on an inference log: ``df.aimon.ops("5min")``, ``df.aimon.quality("1D")``, …"""

    def __init__(self, obj: pd.DataFrame):
        self._obj = obj

    @property
    def roles(self):
        """Which column plays which role, as inferred (and as stored by ``with_roles``)."""
        from .roles import infer_roles

        return infer_roles(self._obj)

    with_roles = _forward("aimon.roles", "with_roles")
    ops = _forward("aimon.metrics.ops", "ops")
    quality = _forward("aimon.metrics.quality", "quality")
    slo = _forward("aimon.metrics.slo", "slo")
    join_labels = _forward("aimon.metrics.labels", "join_labels")
    correlate = _forward("aimon.analysis.correlate", "correlate")
    segments = _forward("aimon.analysis.segments", "segments")
    metric_by_feature = _forward("aimon.analysis.conditional", "metric_by_feature")
    explain = _forward("aimon.analysis.explain", "explain")
    explore = _forward("aimon.widgets.app", "explore")
    fit_thresholds = _forward("aimon.thresholds.model", "fit_thresholds")  # column name picks the metric
    changepoints = _forward("aimon.detectors.changepoints", "changepoints")
    retraining_signal = _forward("aimon.analysis.retraining", "retraining_signal")
    profile = _forward("aimon.datadrift.profile", "profile")
    drift = _forward("aimon.datadrift.report", "drift")
    drift_over_time = _forward("aimon.datadrift.timeline", "drift_over_time")
    multivariate_drift = _forward("aimon.datadrift.multivariate", "multivariate_drift")
    gate = _forward("aimon.gating.core", "gate")  # this frame is the candidate
    check = _forward("aimon.gating.schema", "check")
    estimate_performance = _forward("aimon.estimation.estimate", "estimate_performance")


@pd.api.extensions.register_series_accessor("aimon")
class AimonSeriesAccessor:
    """Monitoring calls on one time-indexed metric or value series."""

    def __init__(self, obj: pd.Series):
        self._obj = obj

    window_stats = _forward("aimon.metrics.series", "window_stats")
    fit_thresholds = _forward("aimon.thresholds.model", "fit_thresholds")  # the series is the metric
