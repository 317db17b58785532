"""docs/api.md has an entry for every public name (issue 11, item 10).

Public names: everything ``aimon.__all__`` exports, and the ``__all__`` (or, without one, the
non-underscore names defined in aimon) of every public subpackage: those exported by ``aimon``
plus the ones listed in SUBPACKAGES below. A new public subpackage goes into that one tuple.
An entry is an ``.. autofunction::``/``autoclass``/``autodata``/``autoexception`` line naming
the object by any public path (``aimon.changepoints`` also covers ``aimon.detectors.changepoints``).
``automodule`` with ``:members:`` does not count: it renders nothing for re-exported names.
"""
import importlib
import inspect
import re
import sys
import types
from pathlib import Path

import pytest

import aimon

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api.md"

# Public subpackages not (or not yet) exported by `import aimon`; a missing one is ignored until it exists.
SUBPACKAGES = ("aimon.errors", "aimon.stats", "aimon.detectors", "aimon.datasets", "aimon.widgets",
               "aimon.report", "aimon.gate", "aimon.io", "aimon.estimation", "aimon.dask")

DIRECTIVE = re.compile(r"^\.\. auto(function|class|data|exception|method|attribute):: ([\w.]+)", re.M)


def _module(name):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and (e.name == name or name.startswith(e.name + ".")):
            return None  # the subpackage does not exist (yet)
        pytest.skip(f"{name} needs {e.name}, which is not installed (an optional extra)")


def _public_names(mod):
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")
                 and getattr(getattr(mod, n), "__module__", "").startswith("aimon")]
    return list(names)


def _kind(obj):
    if inspect.isclass(obj):
        return "autoexception" if issubclass(obj, BaseException) else "autoclass"
    return "autofunction" if callable(obj) else "autodata"


def _documented():
    """The objects docs/api.md documents, by identity, and the entries that name nothing."""
    found, stale = {}, []
    for _, path in DIRECTIVE.findall(API.read_text()):
        mod_name, _, attr = path.rpartition(".")
        try:
            obj = getattr(importlib.import_module(mod_name), attr)
        except (ImportError, AttributeError):
            try:  # a method or attribute: Class.member
                owner_mod, _, owner = mod_name.rpartition(".")
                obj = getattr(getattr(importlib.import_module(owner_mod), owner), attr)
            except (ImportError, AttributeError, ValueError):
                stale.append(path)
                continue
        found[id(obj)] = path
    return found, stale


def _modules():
    top = ["aimon"] + [f"aimon.{n}" for n in aimon.__all__ if isinstance(getattr(aimon, n), types.ModuleType)]
    return list(dict.fromkeys(top + list(SUBPACKAGES)))


@pytest.mark.parametrize("module", _modules())
def test_every_public_name_has_an_api_entry(module):
    mod = _module(module)
    if mod is None:
        return  # listed in SUBPACKAGES ahead of its arrival: nothing public yet
    documented, _ = _documented()
    missing = []
    for name in _public_names(mod):
        obj = getattr(mod, name)
        if isinstance(obj, types.ModuleType):
            continue  # a subpackage: checked as a module of its own
        if id(obj) not in documented:
            missing.append(f".. {_kind(obj)}:: {module}.{name}")
    assert not missing, ("docs/api.md has no entry for these public names; add these lines to a "
                         "```{eval-rst} block of docs/api.md:\n  " + "\n  ".join(missing))


def test_api_entries_name_existing_objects():
    _, stale = _documented()
    assert not stale, f"docs/api.md documents names that do not exist (remove or fix them): {stale}"


def test_the_check_would_catch_a_missing_entry(monkeypatch, tmp_path):
    text = API.read_text().replace(".. autofunction:: aimon.stats.kuiper\n", "")
    page = tmp_path / "api.md"
    page.write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "API", page)
    with pytest.raises(AssertionError, match=r"\.\. autofunction:: aimon\.stats\.kuiper"):
        test_every_public_name_has_an_api_entry("aimon.stats")
