# Two entry points (README): `make run` screens the embedded demo data, `make test` runs the
# whole test suite. Both create .venv and install the project first, so a fresh clone with
# Python >= 3.11 and pip is all they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := data/raw/demo

.PHONY: install run lint test test-fast bench dictionary clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,ocr]'
	touch $(STAMP)

install: $(STAMP)

# The demo: a synthetic district (40 departments, 2023-2025, labelled anomalies), made offline.
$(DEMO): | $(STAMP)
	$(BIN)/analysis synth --out $(DEMO)

# Chinese chart labels need a CJK font (root and apt-get; without one the charts say so and use
# English labels); report.pdf needs chromium (without it the run says so and skips the PDF).
run: $(STAMP) $(DEMO)
	bin/ensure-cjk-font || echo "no CJK font could be installed: chart labels will be in English"
	$(BIN)/analysis run data/raw --pdf

# Lint and types (configured in pyproject.toml): any finding fails the target, and so `make test`.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

# The browser test needs Debian's chromium; install it when missing (root and apt-get, as in CI).
test: $(STAMP) lint
	bin/ensure-cjk-font || echo "no CJK font could be installed: the chart-font test will say so"
	bin/ensure-chromium || echo "chromium could not be installed: the browser test will say so"
	$(BIN)/python -m pytest

# The unit tier: everything but the end-to-end modules (tests/conftest.py SLOW_MODULES).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

bench: $(STAMP)
	$(BIN)/python bench/bench_text.py
	$(BIN)/python bench/bench_ocr.py --pages 3

dictionary: $(STAMP)
	$(BIN)/analysis dictionary --out docs/data_dictionary.md

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
