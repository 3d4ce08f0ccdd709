# Two set-up commands: `make site` builds the site, `make test` runs every test (and lint).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export NO_MKDOCS_2_WARNING := 1

.PHONY: site site-public serve test lint browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP) $@

site: $(STAMP)  ## build the site into site/
	$(BIN)/mkdocs build --strict

site-public: $(STAMP)  ## build the public site (public incidents only) into site-public/
	$(BIN)/mkdocs build --strict -f mkdocs.public.yml

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000
	$(BIN)/mkdocs serve

browser-deps:  ## Debian's Chromium for the browser tests (Playwright never downloads browsers)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(TEST_STAMP) browser-deps lint  ## every test, lint included
	$(BIN)/pytest -q

bench: $(STAMP)  ## the benchmarks (figures for the README)
	$(BIN)/python benchmarks/run.py --incidents 1000 10000

clean:
	rm -rf site site-public .pytest_cache .ruff_cache
