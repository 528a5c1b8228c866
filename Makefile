# Fabrique — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/fabrique_ci
CHROMIUM ?= /usr/bin/chromium
export FABRIQUE_HOME := $(CURDIR)

.PHONY: demo test install install-dev assets browser lint typecheck migrations-check test-sqlite test-postgres test-browser bench audit clean

## make demo: install, migrate, load territories and demo data, serve on http://127.0.0.1:8000
demo: install assets
	$(BIN)/fabrique migrate --noinput
	$(BIN)/fabrique load_territories
	$(BIN)/fabrique load_reference_indicators
	$(BIN)/fabrique load_demo
	@echo ""
	@echo "  Fabrique tourne sur http://127.0.0.1:8000  (Ctrl+C pour arrêter)"
	@echo ""
	$(BIN)/fabrique runserver 127.0.0.1:8000

## make test: everything CI runs
test: install-dev assets browser lint typecheck migrations-check test-sqlite test-postgres test-browser
	@echo "make test: all suites passed"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	$(BIN)/python scripts/vendor_assets.py

browser:
	@scripts/ensure_chromium.sh $(CHROMIUM)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy + django-stubs over fabrique/ (config and baselines in pyproject.toml)
typecheck: install-dev
	$(BIN)/mypy

migrations-check: install-dev
	$(BIN)/fabrique makemigrations --check --dry-run

test-sqlite: install-dev assets
	$(BIN)/pytest -m "not browser" -q

test-postgres: install-dev assets
	@scripts/run_postgres_tests.sh "$(PG_URL)"

test-browser: install-dev assets
	@scripts/run_browser_tests.sh $(CHROMIUM)

## make audit: known vulnerabilities of the pinned dependencies (pip-audit; needs PyPI's advisory data)
audit: install-dev
	@scripts/audit_dependencies.sh

bench: install-dev
	$(BIN)/python bench/territory_search.py
	$(BIN)/python bench/group_needs.py

clean:
	rm -rf $(VENV) node_modules var fabrique/static/fabrique/vendor
