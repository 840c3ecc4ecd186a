# Green Technology Exchange — developer commands. `make run` and `make test` work from a fresh
# clone: they create .venv, install the locked dependencies and start embedded PostgreSQL/Redis
# when DATABASE_URL/REDIS_URL are unset (scripts/services.py).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CONSTRAINTS := $(wildcard constraints.txt)
PIP_CONSTRAINTS := $(if $(CONSTRAINTS),-c constraints.txt,)
WITH_SERVICES := $(PY) scripts/with_services.py
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): each gets its own test database and Redis database number.
TEST_WORKERS ?= 2

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export DJANGO_SETTINGS_MODULE ?= config.settings
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run test lint format bench lock messages vendor services-start services-stop clean
.PHONY: backup restore fuzz audit chaos imports duplicates

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-install only when pyproject.toml or constraints.txt changed since the last install.
$(STAMP): pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PY) -m pip install --quiet $(PIP_CONSTRAINTS) -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev dependencies

messages: $(STAMP) ## compile locale/*.po to .mo (pure Python, no gettext needed)
	$(PY) scripts/compile_messages.py

run: $(STAMP) ## run web + Celery worker + beat with demo data (PORT=8000)
	PORT=$(PORT) $(PY) scripts/devstack.py

# settings refuse the development SECRET_KEY when DEBUG is off (as in tests): give tests their own.
test bench: export SECRET_KEY ?= test-only-secret-key-not-for-production
test: $(STAMP) messages ## run the test suite against PostgreSQL and Redis
	$(WITH_SERVICES) pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, the import-linter contracts (pyproject.toml) and the duplicate-code check
	ruff check .
	ruff format --check .
	lint-imports
	$(MAKE) --no-print-directory duplicates

imports: $(STAMP) ## only the import-linter contracts: dependencies point down
	lint-imports

# Pylint's similarities checker: no block of 6+ identical lines outside migrations, tests and
# static files (demo data included in the scan; comments, docstrings and imports ignored).
DUPLICATE_SCOPE := accounts audit catalog core exchange facilities finance imports insight matching notifications \
	programmes licensing registry exportcontrol currencies centres config scripts benchmarks textanalysis
duplicates: $(STAMP) ## report blocks of 6+ identical lines repeated in the code
	pylint --persistent=no --disable=all --enable=duplicate-code --min-similarity-lines=6 \
		--ignore=migrations,tests,static --ignore-comments=yes --ignore-docstrings=yes \
		--ignore-imports=yes $(DUPLICATE_SCOPE)

format: $(STAMP) ## apply ruff's fixes and formatting
	ruff check --fix .
	ruff format .

bench: $(STAMP) messages ## run every benchmarks/*.py script with the services available
	@shopt -s nullglob; scripts=(benchmarks/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "no benchmarks/*.py scripts"; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
		case "$$(basename $$script)" in __init__.py|conftest.py|_*) continue;; esac; \
		echo "== $$script"; $(WITH_SERVICES) python "$$script"; \
	done

backup: $(STAMP) ## pg_dump -Fc of DATABASE_URL + tar of MEDIA_ROOT into .data/backups/<time>/ (TO=dir)
	$(WITH_SERVICES) python scripts/backup.py $(if $(TO),--to $(TO),)

restore: $(STAMP) ## restore BACKUP=dir into DATABASE_URL and MEDIA_ROOT (replaces their data)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=.data/backups/<time>"; exit 2; }
	$(WITH_SERVICES) python scripts/restore.py $(BACKUP) --create --yes

fuzz: export SECRET_KEY ?= test-only-secret-key-not-for-production
fuzz: $(STAMP) messages ## long Schemathesis run: every API operation, every role, all checks (FUZZ_EXAMPLES=50)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} $(WITH_SERVICES) pytest tests/proof/test_fuzz.py -q -s

chaos: $(STAMP) messages ## kill the worker, restart Redis and PostgreSQL of a private stack in .data/chaos
	$(PY) scripts/chaos.py $(CHAOS_ARGS)

audit: $(STAMP) ## pip-audit of the installed dependencies (fails if any cannot be checked)
	pip-audit --strict --progress-spinner off

# Resolve the dependencies from scratch in a throw-away virtualenv, so constraints.txt pins
# exactly what pyproject.toml asks for (nothing installed by hand leaks in).
lock: ## regenerate constraints.txt from pyproject.toml
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e ".[dev]"
	.venv-lock/bin/pip freeze --exclude-editable > constraints.txt
	rm -rf .venv-lock
	@echo "constraints.txt: $$(wc -l < constraints.txt) pins"

vendor: ## re-download static/vendor/ from the npm registry (versions in the script)
	$(PYTHON) scripts/vendor_frontend.py

services-start: $(STAMP) ## start embedded PostgreSQL/Redis and print export lines
	$(PY) scripts/services.py start

services-stop: ## stop the embedded PostgreSQL/Redis
	@if [ -x $(PY) ]; then $(PY) scripts/services.py stop; fi

clean: services-stop ## stop embedded services, remove .data, caches and build output
	rm -rf .data staticfiles test-artifacts .pytest_cache .ruff_cache .venv-lock .import_linter_cache .grimp_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name '*.mo' -path '*/LC_MESSAGES/*' -exec rm -f {} +
