"""Synthetic inference logs: a simulator and the bundled datasets.

``simulate()`` generates a production-like log (seasonal traffic, heavy-tailed latency, late
labels, labelled incidents and drifts in ``df.attrs["events"]``); ``load_credit_scoring()`` and
``load_chatbot()`` read the pre-generated copies shipped with the package.
"""
from __future__ import annotations

from ._resources import simulate_resources
from .loaders import bundled_file, load_chatbot, load_credit_scoring
from .simulate import SCENARIOS, simulate

__all__ = ["simulate", "simulate_resources", "load_credit_scoring", "load_chatbot", "bundled_file", "SCENARIOS"]
