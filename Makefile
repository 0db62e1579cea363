# kefu — the two commands: `make run` and `make test`. Everything installs from the lock files.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
PYTHON ?= python3.11
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STATIC_VENDOR := src/kefu/web/static/vendor

.PHONY: install frontend run test test-fast lint format clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.8

install: $(UV)
	$(UV) sync --frozen --quiet
	@$(MAKE) --no-print-directory frontend

# Front-end libraries come from the npm registry through package-lock.json and are copied
# into the package; nothing is loaded from a CDN at run time.
frontend: $(STATIC_VENDOR)/.built

$(STATIC_VENDOR)/.built: package.json package-lock.json
	@if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; fi
	mkdir -p $(STATIC_VENDOR)
	@if [ -d node_modules/htmx.org ]; then cp node_modules/htmx.org/dist/htmx.min.js $(STATIC_VENDOR)/htmx.min.js; fi
	@if [ -d node_modules/chart.js ]; then cp node_modules/chart.js/dist/chart.umd.js $(STATIC_VENDOR)/chart.umd.js; fi
	touch $@

run: install
	$(BIN)/kefu run

test: install
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -x -q -m "not slow and not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(VENV) .tools node_modules $(STATIC_VENDOR) .pytest_cache .mypy_cache .ruff_cache
