# Two commands do all the set-up on a fresh clone:
#   make site   - create .venv, install Byline, build the sample site into public/
#   make test   - also check types and import layers (make lint), install the test tools
#                 (Debian chromium, Java, npm packages) and run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test serve check lint golden

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(PY) build.py

serve: $(STAMP)
	$(PY) build.py serve

check: $(STAMP)
	$(PY) build.py check

# Two pytest workers (pytest-xdist): CI has 2 cores, and the suite is kept under 10 minutes there.
test: lint
	scripts/install-test-deps
	$(PY) -m pytest -n 2

# ruff (style and bugs), mypy --strict (types) and lint-imports (the stage layers in pyproject.toml)
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-logo

golden: $(STAMP)
	$(PY) -m tests.golden.regenerate
