"""Two-sample drift statistics as plain functions: ``aimon.stats.ks(reference, current)``.

``import aimon.stats`` and ``from aimon.stats import ks`` work as well as ``aimon.stats.ks``. The
functions live in :mod:`aimon.datadrift.stats` (see its docstring for the conventions: reference
first, missing values dropped, quantile bins of the reference, ``eps`` for empty bins).
"""
from .datadrift.stats import *  # noqa: F401,F403
from .datadrift.stats import __all__  # noqa: F401
