"""Readers that turn what deployments store into frames aimon understands.

Each reader returns a plain pandas frame with conventional column names, so roles infer.
"""
from __future__ import annotations

from .parquet import read_log
