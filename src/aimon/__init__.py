"""pandas-aimon: monitor deployed AI models from a pandas inference log.

``import aimon`` registers the ``DataFrame.aimon`` and ``Series.aimon`` accessors and nothing
else: scipy, statsmodels, matplotlib and numba are imported only by the functions that use them.
"""
from __future__ import annotations

from . import errors
from .errors import AimonError, SchemaError
from .roles import infer_roles, with_roles

__version__ = "0.1.0"

_LAZY = {
    "ops": ("aimon.metrics.ops", "ops"),
    "quality": ("aimon.metrics.quality", "quality"),
    "slo": ("aimon.metrics.slo", "slo"),
    "join_labels": ("aimon.metrics.labels", "join_labels"),
    "window_stats": ("aimon.metrics.series", "window_stats"),
    "correlate": ("aimon.analysis.correlate", "correlate"),
    "segments": ("aimon.analysis.segments", "segments"),
    "metric_by_feature": ("aimon.analysis.conditional", "metric_by_feature"),
    "explain": ("aimon.analysis.explain", "explain"),
    "explore": ("aimon.widgets.app", "explore"),
    "widgets": ("aimon.widgets", None),
    "fit_thresholds": ("aimon.thresholds.model", "fit_thresholds"),
    "ThresholdModel": ("aimon.thresholds.model", "ThresholdModel"),
    "AlertPolicy": ("aimon.thresholds.policy", "AlertPolicy"),
    "AlertLog": ("aimon.thresholds.alerts", "AlertLog"),
    "evaluate_alerts": ("aimon.thresholds.evaluate", "evaluate_alerts"),
    "datasets": ("aimon.datasets", None),
    "io": ("aimon.io", None),
    "report": ("aimon.report", None),
    "detectors": ("aimon.detectors", None),
    "changepoints": ("aimon.detectors.changepoints", "changepoints"),
    "retraining_signal": ("aimon.analysis.retraining", "retraining_signal"),
    "stats": ("aimon.stats", None),
    "profile": ("aimon.datadrift.profile", "profile"),
    "Profile": ("aimon.datadrift.profile", "Profile"),
    "drift": ("aimon.datadrift.report", "drift"),
    "DriftReport": ("aimon.datadrift.report", "DriftReport"),
    "drift_over_time": ("aimon.datadrift.timeline", "drift_over_time"),
    "DriftTimeline": ("aimon.datadrift.timeline", "DriftTimeline"),
    "multivariate_drift": ("aimon.datadrift.multivariate", "multivariate_drift"),
    "gate": ("aimon.gating.core", "gate"),
    "check": ("aimon.gating.schema", "check"),
    "GateResult": ("aimon.gating.result", "GateResult"),
    "estimate_performance": ("aimon.estimation.estimate", "estimate_performance"),
    "PerformanceEstimate": ("aimon.estimation.result", "PerformanceEstimate"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        mod = importlib.import_module(module)
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aimon' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


from . import accessor as _accessor  # noqa: E402,F401  (registers df.aimon / series.aimon)
from ._dask_hook import install as _install_dask_hook  # noqa: E402

_install_dask_hook()  # ddf.aimon once dask.dataframe is imported; dask itself is not imported here

__all__ = ["AimonError", "SchemaError", "errors", "infer_roles", "with_roles", *_LAZY]
