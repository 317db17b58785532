# pandas-aimon: `make demo` runs the main job, `make test` the unit tests and notebooks.
# Both create or reuse .venv with any Python >= 3.11 (override with PYTHON=python3.12).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export MPLBACKEND := Agg
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-matrix bench notebooks docs clean system

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "pandas-aimon needs Python >= 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

# After installing, fill numba's cache (python -m aimon._warm, ~20-60 s once) so that the first
# ops()/drift()/explore() does not compile; it never fails the install.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -e .
	$(BIN)/python -m aimon._warm
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test,docs]"
	$(BIN)/python -m aimon._warm
	@touch $@ $(VENV)/.installed-run

demo: $(VENV)/.installed-run
	$(BIN)/aimon demo

# System packages (Debian) that tests start for real, e.g. a Prometheus server or Chromium:
# listed in .ci/system-packages.txt, installed by .ci/setup-system.sh on every run (a no-op when present).
system:
	@bash .ci/setup-system.sh

test: system $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -p no:cacheprovider tests notebooks \
		--nbval --nbval-current-env --nbval-cell-timeout=600 \
		--nbval-sanitize-with notebooks/sanitize.cfg --doctest-modules src/aimon
	$(MAKE) --no-print-directory docs
	$(MAKE) --no-print-directory test-matrix

# The unit tests (tests/; not the notebooks under nbval, not the docs build) once more, in
# .venv-matrix: the oldest supported pandas (2.2.x, with a numpy of its time) on the newest Python
# found (pyenv's 3.1x, else python3.1x on PATH, else $(PYTHON)). MATRIX_PYTHON=... overrides it;
# the interpreter used is printed.
MATRIX_VENV   := .venv-matrix
MATRIX_PINS   ?= "pandas>=2.2,<2.3" "numpy<2.3"
MATRIX_PYTHON ?= $(firstword $(foreach v,16 15 14 13 12 11,$(wildcard $(HOME)/.pyenv/versions/3.$(v)*/bin/python3) \
	$(shell command -v python3.$(v))) $(PYTHON))

$(MATRIX_VENV)/.installed: pyproject.toml
	@test -x $(MATRIX_VENV)/bin/python || $(MATRIX_PYTHON) -m venv $(MATRIX_VENV)
	$(MATRIX_VENV)/bin/python -m pip install -q --disable-pip-version-check -e ".[test,docs]" $(MATRIX_PINS)
	@touch $@

test-matrix: $(MATRIX_VENV)/.installed
	@$(MATRIX_VENV)/bin/python -c 'import sys, pandas, numpy; print("test-matrix: Python", sys.version.split()[0], "from $(MATRIX_PYTHON); pandas", pandas.__version__, "numpy", numpy.__version__)'
	$(MATRIX_VENV)/bin/python -m pytest -q -x -p no:cacheprovider tests

# Anchors with conflicting pins (Evidently needs pandas < 3) live in .venv-bench, built with a
# Python that NannyML supports (3.11 from pyenv when present). Scripts marked "# bench-venv:
# anchors" run there (with aimon installed in it too); the others run in .venv.
BENCH_VENV   := .venv-bench
BENCH_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3) $(shell command -v python3.11) $(PYTHON))

$(BENCH_VENV)/.installed: pyproject.toml
	@test -x $(BENCH_VENV)/bin/python || $(BENCH_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check -e ".[bench,anchors]"
	@touch $@

# The anchors' usage telemetry is switched off (benchmarks/_timing.py sets the same before any import).
bench: export NML_DISABLE_USAGE_LOGGING := 1
bench: export EVIDENTLY_DISABLE_TELEMETRY := 1
bench: export DO_NOT_TRACK := 1
bench: $(VENV)/.installed-test $(BENCH_VENV)/.installed
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test,bench]"
	@for f in benchmarks/bench_*.py; do echo "== $$f"; \
		if grep -q '^# bench-venv: anchors' $$f; then $(BENCH_VENV)/bin/python $$f || exit 1; \
		else $(BIN)/python $$f || exit 1; fi; done

# Re-run every notebook in place so the stored outputs (which nbval compares) are current.
notebooks: $(VENV)/.installed-test
	$(BIN)/python -m pip install -q --disable-pip-version-check nbclient
	$(BIN)/jupyter execute --inplace notebooks/*.ipynb
	$(BIN)/python notebooks/hide_solutions.py

# The documentation site (Sphinx + myst-nb): user guide, the notebooks with their stored outputs,
# the API reference from the docstrings. Warnings are errors; `make test` runs this too.
docs: $(VENV)/.installed-test
	@rm -rf docs/notebooks && mkdir -p docs/notebooks && cp notebooks/*.ipynb docs/notebooks/
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs built: docs/_build/html/index.html"

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(MATRIX_VENV) aimon-demo .pytest_cache
