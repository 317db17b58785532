"""Hide each exercise's solution until the reader asks for it, in every notebook here.

A solution cell (its source starts with ``# Solution``) gets the ``hide-input`` tag, which the
documentation site (myst-nb) renders as a collapsed "show code" toggle, and
``metadata.jupyter.source_hidden``, which JupyterLab shows as a collapsed input. The cell still
runs, and nbval still checks its asserts. `make notebooks` runs this; tests/test_notebooks.py
checks it.

    python notebooks/hide_solutions.py [notebook.ipynb ...]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SOLUTION = re.compile(r"^\s*#\s*solution", re.I)


def is_solution(cell: dict) -> bool:
    return cell["cell_type"] == "code" and bool(SOLUTION.match("".join(cell["source"])))


def hide(path: Path) -> bool:
    """Tag the solution cells of one notebook; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    for cell in nb["cells"]:
        if is_solution(cell):
            meta = cell.setdefault("metadata", {})
            tags = meta.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
            meta.setdefault("jupyter", {})["source_hidden"] = True
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted(Path(__file__).parent.glob("*.ipynb"))
    for p in paths:
        if hide(p):
            print(f"hid the solutions of {p.name}")
