"""Seasonal dynamic thresholds and alerting: baselines, bands, walk-forward detection, alert policy.

``fit_thresholds(series)`` learns a :class:`ThresholdModel`; ``model.detect(new)`` judges new
points walk-forward and returns an :class:`AlertLog`; :class:`AlertPolicy` is the separate layer
that decides when anomalous points page; :func:`evaluate_alerts` scores alerts against incidents.
"""
from .alerts import AlertLog
from .evaluate import evaluate_alerts
from .model import ThresholdModel, fit_thresholds
from .policy import AlertPolicy

__all__ = ["AlertLog", "AlertPolicy", "ThresholdModel", "evaluate_alerts", "fit_thresholds"]
