# Fabrique — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/fabrique_ci
CHROMIUM ?= /usr/bin/chromium
export FABRIQUE_HOME := $(CURDIR)

.PHONY: demo test install install-dev assets browser lint typecheck migrations-check audit-if-reachable test-sqlite test-postgres test-databases deploy-check test-browser deploy-and-browser bench audit clean

## make demo: install, migrate, load territories and demo data, serve on http://127.0.0.1:8000 + the task worker
## (e-mails are written to var/mail/, one file each, instead of being sent)
demo: export EMAIL_BACKEND := django.core.mail.backends.filebased.EmailBackend
demo: install assets
	$(BIN)/fabrique migrate --noinput
	$(BIN)/fabrique load_territories
	$(BIN)/fabrique load_reference_indicators
	$(BIN)/fabrique load_demo
	$(BIN)/fabrique run_scheduled
	@echo ""
	@echo "  Fabrique tourne sur http://127.0.0.1:8000 avec son processus de tâches (Ctrl+C arrête les deux)"
	@echo "  Les e-mails envoyés sont écrits dans var/mail/ (un fichier chacun)."
	@echo ""
	@scripts/serve_with_worker.sh $(BIN) 127.0.0.1:8000

## make test: everything CI runs
test: install-dev assets browser lint typecheck migrations-check audit-if-reachable test-databases deploy-and-browser
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

## the whole suite on SQLite, including the bounded Schemathesis run of the API schema
## (tests/api/test_schemathesis.py: 12 derandomized cases per operation and pass, about 70 s of CPU)
test-sqlite: install-dev assets
	$(BIN)/pytest -m "not browser" -q

test-postgres: install-dev assets
	@scripts/run_postgres_tests.sh "$(PG_URL)"

## both at the same time, one core each (what `make test` runs)
test-databases: install-dev assets
	@scripts/run_db_suites.sh "$(PG_URL)"

## the README's "Déployer sur PostgreSQL" section, word for word: production settings, gunicorn, PostgreSQL
## (two roles), Redis cache, collectstatic; then pages served and a public report (scripts/deploy_smoke.py)
deploy-check: install-dev assets
	@scripts/deploy_check.sh

test-browser: install-dev assets
	@scripts/run_browser_tests.sh $(CHROMIUM)

## both at the same time (what `make test` runs): each leaves a core mostly idle
deploy-and-browser: install-dev assets browser
	@scripts/run_deploy_and_browser.sh $(CHROMIUM)

## make audit: known vulnerabilities of the pinned dependencies (pip-audit; needs PyPI's advisory data)
audit: install-dev
	@scripts/audit_dependencies.sh

## in make test: the same audit, failing on a known vulnerability; skipped with a loud message when the
## advisory data cannot be reached at all (PyPI's JSON API answers 404 on the development machines)
audit-if-reachable: install-dev
	@scripts/audit_dependencies.sh --if-reachable

bench: install-dev
	$(BIN)/python bench/territory_search.py
	$(BIN)/python bench/group_needs.py
	$(BIN)/python bench/notifications.py

clean:
	rm -rf $(VENV) node_modules var fabrique/static/fabrique/vendor
