"""``ddf.aimon`` on Dask DataFrames: one line per call, forwarding to :mod:`aimon.dask`.

Registered when dask.dataframe is imported (see :mod:`aimon._dask_hook`); importing this module
registers it too.
"""
from __future__ import annotations

import warnings

from dask.dataframe import DataFrame
from dask.dataframe.extensions import register_dataframe_accessor


def _forward(name: str):
    def method(self, *args, **kwargs):
        import aimon.dask

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = getattr(aimon.dask, name)(self._obj, *args, **kwargs)
        for w in caught:
            warnings.warn(w.message, w.category, stacklevel=2)
        return out

    method.__name__ = name
    method.__qualname__ = f"DaskAimonAccessor.{name}"
    method.__doc__ = f"Same as ``aimon.dask.{name}(ddf, ...)``; see its docstring."
    return method


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
