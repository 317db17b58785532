"""`make test` also runs the unit tests on the oldest supported pandas with the newest Python
found (issue 11, item 11): the Makefile's test-matrix target, checked without running it."""
import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _version(python):
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                         text=True, timeout=60)
    return tuple(map(int, out.stdout.split())) if out.returncode == 0 else (0, 0)


def _dry_run(*args):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    out = subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_make_test_ends_with_the_matrix_run():
    recipe = re.search(r"^test:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.S | re.M).group(0)
    assert "test-matrix" in recipe


def test_matrix_uses_pandas_2_2_and_the_newest_python_found():
    text = _dry_run("-B", "test-matrix")
    assert '"pandas>=2.2,<2.3"' in text
    python = re.search(r"(\S+) -m venv \.venv-matrix", text).group(1)
    candidates = glob.glob(os.path.expanduser("~/.pyenv/versions/3.1*/bin/python3"))
    candidates += [p for v in range(11, 17) if (p := shutil.which(f"python3.{v}"))]
    newest = max(_version(p) for p in candidates) if candidates else (0, 0)
    assert _version(python) >= newest, (python, newest)
    assert _version(python) >= (3, 11)
    assert "-m pytest" in text and " tests" in text and "--nbval" not in text
