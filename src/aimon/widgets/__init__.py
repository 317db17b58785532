"""ipywidgets apps on top of the public functions: state lives apart from the view.

Each app has a plain *state* object (``settings()``, ``set(...)``, ``to_code()``, the computed
result and figure) and a thin *view* that builds the controls and re-renders on change, so that
tests drive the app headless by setting widget values and reading the state and outputs.
"""
from __future__ import annotations

__all__ = ["CorrelationExplorer", "CorrelationState", "Explorer", "ThresholdTuner", "TunerState", "DriftExplorer",
           "DriftState", "explore"]


def __getattr__(name):
    import importlib

    where = {"CorrelationExplorer": "correlation", "CorrelationState": "correlation",
             "Explorer": "app", "explore": "app", "ThresholdTuner": "tuner", "TunerState": "tuner",
             "DriftExplorer": "drift", "DriftState": "drift"}
    if name in where:
        return getattr(importlib.import_module(f"{__name__}.{where[name]}"), name)
    raise AttributeError(f"module 'aimon.widgets' has no attribute {name!r}")
