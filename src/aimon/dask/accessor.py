"""``ddf.aimon`` on Dask DataFrames: one line per call, forwarding to :mod:`aimon.dask`.

Registered when dask.dataframe is imported (see :mod:`aimon._dask_hook`); importing this module
registers it too.
"""
from __future__ import annotations

from dask.dataframe import DataFrame
from dask.dataframe.extensions import register_dataframe_accessor


def _forward(name: str):
    """``ddf.aimon.<name>`` forwards to ``aimon.dask.<name>(ddf, ...)`` (the pandas accessor's helper)."""
    from ..accessor import _forward as forward

    return forward("aimon.dask", name, owner="DaskAimonAccessor", call="aimon.dask.{name}(ddf, ...)")


class DaskAimonAccessor:
    """Monitoring calls on a Dask inference log: ``ddf.aimon.ops("1min")``, ... (equal to the pandas calls)."""

    def __init__(self, obj):
        self._obj = obj

    ops = _forward("ops")
    quality = _forward("quality")
    slo = _forward("slo")
    profile = _forward("profile")
    drift = _forward("drift")
    drift_over_time = _forward("drift_over_time")
    changepoints = _forward("changepoints")
    segments = _forward("segments")


if "aimon" not in getattr(DataFrame, "_accessors", set()):  # once, even if this module is reloaded
    register_dataframe_accessor("aimon")(DaskAimonAccessor)
