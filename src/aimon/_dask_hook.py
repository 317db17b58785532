"""Give Dask DataFrames ``ddf.aimon`` once dask.dataframe is imported, without importing dask here.

``import aimon`` must stay light, so dask is never imported by it. If dask.dataframe is already
loaded, the accessor is registered at once; otherwise a tiny import hook waits for the first
``import dask.dataframe``, lets it run, registers the accessor (``aimon.dask.accessor``) and
removes itself. Nothing else is touched.
"""
from __future__ import annotations

import importlib.abc
import sys

TARGET = "dask.dataframe"


def _register() -> None:
    try:
        import aimon.dask.accessor  # noqa: F401  (registers ddf.aimon)
    except Exception as exc:  # never break the user's own import of dask
        import warnings

        from .errors import AimonWarning

        warnings.warn(f"aimon could not register ddf.aimon on Dask DataFrames: {exc!r}. "
                      "Import aimon.dask to see the error.", AimonWarning, stacklevel=2)


class _Loader(importlib.abc.Loader):
    """The real loader of dask.dataframe, followed by the registration."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _register()

    def __getattr__(self, name):  # resource readers and the like
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        uninstall()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


_FINDER = _Finder()


def uninstall() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def install() -> None:
    """Register now if dask.dataframe is loaded, else when it first is."""
    if TARGET in sys.modules:
        _register()
    elif _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
