"""The aimon.stats docstrings are valid numpydoc on every Python (issue 11, item 11): Python 3.13
strips the common indentation of docstrings at compile time, older versions keep it, and the shared
Parameters section must follow whichever the docstring has."""
import inspect

import pytest

import aimon.stats


@pytest.mark.parametrize("name", [n for n in aimon.stats.__all__ if callable(getattr(aimon.stats, n))
                                  and n != "TestResult"])
def test_parameters_section_is_aligned(name):
    doc = inspect.cleandoc(getattr(aimon.stats, name).__doc__)
    assert "{params}" not in doc
    lines = doc.splitlines()
    start = lines.index("Parameters")
    assert lines[start + 1] == "-" * len("Parameters")
    params = list(inspect.signature(getattr(aimon.stats, name)).parameters)
    entries = [ln for ln in lines[start + 2:] if ln and not ln.startswith(" ")]
    names = [ln.split(" : ")[0] for ln in entries[:len(params)]]
    assert names == params, doc
    body = lines[start + 2:lines.index("Examples")]
    for ln in body:  # an entry at column 0, its description indented by exactly 4
        assert ln == "" or " : " in ln and not ln.startswith(" ") or (ln.startswith("    ") and ln[4] != " "), ln


def test_numpydoc_reads_the_parameters():
    numpydoc = pytest.importorskip("numpydoc.docscrape")
    doc = numpydoc.FunctionDoc(aimon.stats.ks)
    assert [p.name for p in doc["Parameters"]] == ["reference", "current", "method"]
    assert "10,000" in " ".join(doc["Parameters"][2].desc)
