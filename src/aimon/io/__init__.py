"""Readers that turn the telemetry deployments produce into frames aimon understands.

Each reader returns a plain pandas frame with conventional column names (so roles infer):
OpenTelemetry traces, Prometheus range queries and histogram quantiles.
"""
from __future__ import annotations

from .histogram import histogram_quantile
from .otel import read_otel
from .prometheus import prometheus_range, read_prometheus_json
