"""The course notebooks are complete and committed as executed (nbval, run by `make test`, then
compares every stored text output with a fresh run, so a stale output fails CI)."""
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = ["01_quickstart", "02_latency_slos", "03_data_drift", "04_concept_drift", "05_dynamic_thresholds",
            "06_diagnosis", "07_llm_assistant", "11_dask_parquet"]
PRESENT = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def _load(name):
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def _text(cell):
    return "".join(cell["source"])


def test_notebooks_are_numbered_in_teaching_order():
    assert PRESENT, "no notebooks"
    assert all(re.match(r"^\d\d_", n) for n in PRESENT)
    assert [n for n in EXPECTED if n in PRESENT] == PRESENT[: len([n for n in EXPECTED if n in PRESENT])]


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_has_goals_exercises_solutions_and_production_notes(name):
    nb = _load(name)
    md = "\n".join(_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = [_text(c) for c in nb["cells"] if c["cell_type"] == "code"]
    assert re.search(r"you will learn|learning goals", md, re.I), "state the learning goals"
    assert re.search(r"^#+ .*exercise", md, re.I | re.M), "an Exercises section"
    solutions = [c for c in code if re.match(r"#\s*solution", c.strip(), re.I)]
    assert len(solutions) >= 2 and all("assert" in c for c in solutions), "two checked solutions"
    assert re.search(r"^#+ .*in production", md, re.I | re.M), "an 'In production' section"
    assert sum("assert" in c for c in code) >= 4, "key numbers are checked with asserts"


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_is_committed_executed_in_order(name):
    nb = _load(name)
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(isinstance(n, int) for n in counts), "run the notebook (make notebooks) before committing"
    assert counts == sorted(counts) and len(set(counts)) == len(counts), "executed top to bottom, once"
    errors = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, "a stored output is an error"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
