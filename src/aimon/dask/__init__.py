"""aimon on Dask DataFrames: the same calls, exact, on logs larger than memory.

``import aimon`` never imports dask; once ``dask.dataframe`` is imported, ``ddf.aimon`` exists
(see :mod:`aimon._dask_hook`). Every call here returns what the pandas call returns on the
same rows: windowed metrics run on chunks that hold whole windows, profiles merge partition
profiles, sequential detectors see the rows in time order. Install with
``pip install pandas-aimon[dask]``.
"""
from __future__ import annotations

try:
    import dask.dataframe  # noqa: F401
except ImportError as exc:  # pragma: no cover - the test extra installs dask
    raise ImportError("aimon.dask needs dask and distributed: pip install 'pandas-aimon[dask]'") from exc

from . import accessor  # noqa: F401,E402  (registers ddf.aimon)
from .profile import drift, profile  # noqa: E402
from .segments import segments  # noqa: E402
from .sequential import changepoints  # noqa: E402
from .timeline import drift_over_time  # noqa: E402
from .windowed import ops, quality, slo  # noqa: E402

__all__ = ["ops", "quality", "slo", "profile", "drift", "drift_over_time", "changepoints", "segments"]
