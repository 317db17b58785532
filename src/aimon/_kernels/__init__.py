"""numba kernels: plain arrays in, plain arrays out, no pandas.

Importing this package configures numba's on-disk cache before any kernel is compiled: kernels
use ``cache=True``, and numba refuses to cache without a writable directory. When neither the
package folder nor numba's user-wide cache is writable (a read-only install), the cache falls back
to a folder in the temporary directory instead of failing.
"""
from __future__ import annotations

import os
import tempfile


def _writable(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, delete=True)
        probe.close()
        return True
    except OSError:
        return False


def _configure_cache(writable=_writable) -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")
    if writable(here):
        return
    fallback = os.path.join(tempfile.gettempdir(), f"aimon-numba-cache-{os.getuid() if hasattr(os, 'getuid') else 0}")
    os.makedirs(fallback, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = fallback
    import numba

    numba.config.CACHE_DIR = fallback


_configure_cache()
