"""Every public function and class has a numpydoc docstring with a runnable example, and the
API reference page lists every public name (so the documentation cannot silently fall behind)."""
import importlib
import inspect
import re
from pathlib import Path

import pytest

import aimon

ROOT = Path(__file__).resolve().parents[1]
MODULES = {"datasets", "report", "stats", "detectors", "widgets", "io"}


def public_objects():
    out = {}
    for name in aimon._LAZY:
        if name in MODULES:
            continue
        out[f"aimon.{name}"] = getattr(aimon, name)
    out["aimon.with_roles"], out["aimon.infer_roles"] = aimon.with_roles, aimon.infer_roles
    for name in aimon.stats.__all__:
        obj = getattr(aimon.stats, name)
        if callable(obj) and not name[0].isupper():
            out[f"aimon.stats.{name}"] = obj
    for name in ("ADWIN", "PageHinkley", "CUSUM", "DDM", "EDDM", "HDDM_A", "HDDM_W", "KSWIN"):
        out[f"aimon.detectors.{name}"] = getattr(aimon.detectors, name)
    for name in ("ThresholdTuner", "CorrelationExplorer", "DriftExplorer"):
        out[f"aimon.widgets.{name}"] = getattr(aimon.widgets, name)
    for name in ("read_otel", "prometheus_range", "read_prometheus_json", "histogram_quantile"):
        out[f"aimon.io.{name}"] = getattr(aimon.io, name)
    for name in ("load_credit_scoring", "load_chatbot", "simulate"):
        out[f"aimon.datasets.{name}"] = getattr(aimon.datasets, name)
    out["aimon.io.read_log"] = aimon.io.read_log
    try:  # the Dask calls, when dask is installed (the test extra installs it)
        on_dask = importlib.import_module("aimon.dask")
    except ImportError:
        on_dask = None
    for name in getattr(on_dask, "__all__", []):
        out[f"aimon.dask.{name}"] = getattr(on_dask, name)
    return out


OBJECTS = public_objects()


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_public_object_has_a_numpydoc_docstring_with_an_example(name):
    obj = OBJECTS[name]
    doc = inspect.getdoc(obj) or ""
    assert len(doc.splitlines()) >= 3, f"{name} has no real docstring"
    assert re.search(r"^Examples\n-{8}", doc, re.M), f"{name}: add an Examples section (numpydoc)"
    assert ">>> " in doc, f"{name}: the Examples section needs a doctest"
    if inspect.isfunction(obj) and len(inspect.signature(obj).parameters) > 1:
        assert re.search(r"^(Parameters|Other Parameters)\n-{10}", doc, re.M) or "Same as" in doc, \
            f"{name}: document the parameters (numpydoc 'Parameters' section)"


def test_api_page_lists_every_public_name():
    text = (ROOT / "docs" / "api.md").read_text()
    documented = set(re.findall(r"\.\. auto(?:function|class):: ([\w.]+)", text))
    modules = set(re.findall(r"\.\. automodule:: ([\w.]+)", text))
    missing = [n for n in OBJECTS if n not in documented
               and not any(n.startswith(m + ".") for m in modules)]
    assert not missing, f"add these to docs/api.md: {missing}"
