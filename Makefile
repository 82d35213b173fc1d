# Early help portal — every target sets up what it needs first, so each works on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup demo serve test test-fast test-browser test-postgres lint format migrate assets browser-deps bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/govuk/.built: node_modules/.installed scripts/build-assets.mjs
	node scripts/build-assets.mjs
	touch $@

assets: static/govuk/.built ## Copy GOV.UK Frontend into static/

setup: $(VENV)/.installed assets ## Install Python and npm dependencies into .venv and node_modules, build assets

migrate: setup ## Apply migrations (and create the cache table)
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

demo: migrate ## Set up, load demo data and serve on http://127.0.0.1:8000 with a task worker
	$(MANAGE) load_demo
	@echo ""
	@echo "  Serving on http://$(HOST):$(PORT)/ — demo accounts are listed in README.md (password: \$${DEMO_PASSWORD:-demo-portal-password})"
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker --interval 1 & \
	  $(MANAGE) encompass_tick --loop & \
	  $(MANAGE) runserver $(HOST):$(PORT)

serve: migrate ## Serve without reloading demo data
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker --interval 1 & \
	  $(MANAGE) encompass_tick --loop & \
	  $(MANAGE) runserver $(HOST):$(PORT)

browser-deps: ## Install Debian's Chromium for the browser tests when it is missing and we can
	@bash scripts/ensure-chromium.sh

test: setup browser-deps ## Run the whole suite (SQLite unless DATABASE_URL is set)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup ## Run the suite without the browser tests
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

test-postgres: setup browser-deps ## Run the whole suite on the local PostgreSQL
	DATABASE_URL=$${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/portal} $(PY) -m pytest $(PYTEST_ARGS)

lint: setup ## ruff, template lint, missing migrations and the production deployment check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(MANAGE) makemigrations --check --dry-run
	bash scripts/check-deploy.sh

format: setup ## Format Python code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup ## Run the benchmarks in bench/ (figures are printed beside their baselines)
	@for b in bench/*/run.py; do [ -f "$$b" ] && $(PY) "$$b"; done; true

clean: ## Remove generated files (not the database)
	rm -rf static/govuk var/static .pytest_cache .ruff_cache
