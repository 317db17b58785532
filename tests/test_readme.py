"""The README and the getting-started page run as written (issue 11, item 9): every ```python
block of each page is executed in order, in one namespace per page, on the bundled data."""
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "docs/getting-started.md"]


def python_blocks(page):
    return re.findall(r"^```python\n(.*?)^```", (ROOT / page).read_text(), re.S | re.M)


@pytest.mark.parametrize("page", PAGES)
def test_every_python_block_runs(page):
    import matplotlib

    matplotlib.use("Agg")
    blocks = python_blocks(page)
    assert blocks, f"{page} has no ```python block"
    ns = {"__name__": "__readme__"}
    for i, code in enumerate(blocks):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the pages show calls, not warning hygiene
            try:
                exec(compile(code, f"{page}[python block {i + 1}]", "exec"), ns)
            except Exception as e:  # noqa: BLE001 - say which block and line failed
                raise AssertionError(f"{page}, python block {i + 1} fails: {type(e).__name__}: {e}") from e
    import matplotlib.pyplot as plt

    plt.close("all")


def test_readme_changepoints_scan_the_error_stream_as_notebook_04_teaches():
    code = "\n".join(python_blocks("README.md"))
    calls = re.findall(r"changepoints\(\"(\w+)\"", code)
    assert calls and set(calls) <= {"misclassified"}, calls


def test_segments_repr_explains_tied_ranks():
    import aimon

    df = aimon.datasets.load_credit_scoring()
    rep = df.aimon.segments("accuracy", by=["region", "channel"], reference=df.attrs["reference_end"])
    ranks = rep.top(5)["rank"]
    text = repr(rep)
    assert ranks.duplicated().any()  # the README's example: four regions share rank 1
    assert "Equal ranks are ties" in text and "Equal ranks are ties" in rep._repr_html_()
    one = df.aimon.segments("accuracy", by=["region"], reference=df.attrs["reference_end"], rank_by="impact")
    if not one.top(5)["rank"].duplicated().any():
        assert "Equal ranks" not in repr(one)
