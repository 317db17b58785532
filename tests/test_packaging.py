"""The package's metadata agrees with itself: pyproject, environment.yml, import cost."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _requirements(lines):
    out = {}
    for line in lines:
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*([<>=!~].*)?$", line)
        if m:
            # an environment marker (``; python_version<'3.11'``) does not change the requirement
            out[m.group(1).lower().replace("_", "-")] = (m.group(2) or "").replace(" ", "").split(";")[0]
    return out


def _toml_list(text, key):
    """The strings of ``key = [ ... ]`` in pyproject.toml (no tomllib needed: Python 3.10)."""
    m = re.search(rf"^{key} = \[(.*?)^\]", text, re.S | re.M)
    assert m, key
    return re.findall(r'"([^"]+)"', m.group(1))


def _pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    return {"project": {"dependencies": _toml_list(text, "dependencies"),
                        "optional-dependencies": {"test": _toml_list(text, "test")}}}


def test_environment_yml_mirrors_pyproject():
    meta = _pyproject()["project"]
    wanted = _requirements(meta["dependencies"] + meta["optional-dependencies"]["test"])
    env_lines = []
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.\-]+[^#]*?)\s*$", line)
        if m and not m.group(1).startswith(("python", "pip", "-e")):
            env_lines.append(m.group(1))
    have = _requirements(env_lines)
    assert have == wanted, f"environment.yml and pyproject.toml disagree: {have} vs {wanted}"


def test_runtime_dependencies_are_the_agreed_ones():
    deps = set(_requirements(_pyproject()["project"]["dependencies"]))
    # plus tomli, the backport of tomllib needed on Python 3.10 only (`aimon gate gate.toml`)
    assert deps == {"numpy", "pandas", "scipy", "statsmodels", "matplotlib", "ipywidgets", "numba", "tomli"}
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'"tomli[^"]*;\s*python_version\s*<\s*.3\.11.', text), "tomli only below Python 3.11"


def test_import_is_light():
    code = ("import sys, aimon, pandas as pd; "
            "heavy = [m for m in ('scipy.stats', 'statsmodels', 'matplotlib', 'numba', 'sklearn') if m in sys.modules]; "
            "print(heavy); assert hasattr(pd.DataFrame, 'aimon') and hasattr(pd.Series, 'aimon')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_import_installs_no_warning_filters():
    code = ("import warnings, numpy, pandas; before = list(warnings.filters); import aimon; "
            "print(warnings.filters == before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_top_level_layout():
    for name in ("pyproject.toml", "README.md", "src/aimon", "notebooks", "tests", "datasets", "docs",
                 "environment.yml", "Makefile", ".ci/run", "benchmarks"):
        assert (ROOT / name).exists(), name
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_every_accessor_method_is_a_plain_function():
    import pandas as pd

    import aimon
    from aimon.accessor import AimonAccessor, AimonSeriesAccessor

    for cls in (AimonAccessor, AimonSeriesAccessor):
        for name, member in vars(cls).items():
            if callable(member) and not name.startswith("_"):
                assert callable(getattr(aimon, name)), name
    assert isinstance(pd.DataFrame().aimon, AimonAccessor)


def test_accessor_warnings_name_the_callers_line():
    import warnings

    import numpy as np
    import pandas as pd

    df = pd.DataFrame({"latency_ms": [1.0, np.nan, 3.0]}, index=pd.date_range("2026-01-01", periods=3, freq="min"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df.aimon.ops("1h")
    assert caught and all(w.filename == __file__ for w in caught), [w.filename for w in caught]
