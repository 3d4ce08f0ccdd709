# Two set-up commands: `make site` builds the site, `make test` runs every test (and lint).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Every dependency, runtime and test, pinned: a new release upstream never changes a build.
# `make lock` refreshes it from what pyproject.toml allows today.
CONSTRAINTS := constraints.txt
PIP_INSTALL := $(BIN)/pip install --quiet --constraint $(CONSTRAINTS)
export NO_MKDOCS_2_WARNING := 1

.PHONY: site site-public serve validate test test-quick lint browser-deps bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip --constraint $(CONSTRAINTS)

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP_INSTALL) -e ".[test]"
	touch $(STAMP) $@

site: $(STAMP)  ## build the site into site/
	$(BIN)/mkdocs build --strict

site-public: $(STAMP)  ## build the public site (public incidents only) into site-public/
	$(BIN)/mkdocs build --strict -f mkdocs.public.yml

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000
	$(BIN)/mkdocs serve --dirty

validate: $(STAMP)  ## check every incident file (what the pre-commit hook runs)
	$(BIN)/postmortems validate

browser-deps:  ## Debian's Chromium for the browser tests (Playwright never downloads browsers)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(TEST_STAMP) browser-deps lint  ## every test, lint included
	$(BIN)/pytest -q

test-quick: $(TEST_STAMP)  ## the quick loop while iterating (about 25 s): no test marked slow (browser tests are)
	$(BIN)/pytest -q -m "not slow"

bench: $(STAMP)  ## the benchmarks (figures for the README)
	$(BIN)/python benchmarks/run.py --incidents 1000 10000

lock:  ## re-resolve every dependency to its newest allowed version and pin it in constraints.txt
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e ".[test]"
	{ echo "# Pinned versions of every dependency (runtime and test). Refresh with: make lock"; \
	  .lock-venv/bin/pip freeze --exclude-editable --all; } > $(CONSTRAINTS)
	rm -rf .lock-venv

clean:
	rm -rf site site-public .pytest_cache .ruff_cache
