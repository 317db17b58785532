"""Sphinx configuration: the user guide (Markdown), the tutorial notebooks with their stored
outputs (myst-nb, not re-executed: `make test` already runs them under nbval) and the API
reference generated from the numpydoc docstrings. `make docs` builds it with warnings as errors."""
import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src")))
os.environ.setdefault("MPLBACKEND", "Agg")

project = "pandas-aimon"
author = "pandas-aimon developers"
copyright = "2026, pandas-aimon developers"
import aimon  # noqa: E402

release = version = aimon.__version__

extensions = ["myst_nb", "sphinx.ext.autodoc", "numpydoc", "sphinx.ext.mathjax"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
nb_execution_mode = "off"          # notebooks are executed and checked by nbval in `make test`
nb_output_stderr = "remove-warn"
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = "pandas-aimon"
html_theme_options = {"description": "Monitor deployed AI models from a pandas inference log, in a notebook.",
                      "page_width": "1100px"}
