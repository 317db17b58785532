"""aimon on Dask DataFrames: the same calls, exact, on logs larger than memory.

``import aimon`` never imports dask; once ``dask.dataframe`` is imported, ``ddf.aimon`` exists
(see :mod:`aimon._dask_hook`). Every call here returns what the pandas call returns on the
same rows: windowed metrics run on chunks that hold whole windows, profiles merge partition
profiles, sequential detectors see the rows in time order. Install with
``pip install pandas-aimon[dask]``.
"""
from __future__ import annotations

from .profile import drift, profile
from .sequential import changepoints
from .timeline import drift_over_time
from .windowed import ops, quality, slo

__all__ = ["ops", "quality", "slo", "profile", "drift", "drift_over_time", "changepoints"]
