"""Readers that turn what deployments store and emit into frames aimon understands.

Each reader returns a plain pandas frame with conventional column names (so roles infer):
parquet inference logs, OpenTelemetry traces, Prometheus range queries and histogram quantiles.
"""
from __future__ import annotations

from .histogram import histogram_quantile
from .otel import read_otel
from .parquet import read_log
from .prometheus import prometheus_range, read_prometheus_json
