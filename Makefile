# 善治 Shanzhi — the README's first two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small
WORKERS ?= 3
export SHANZHI_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test install install-test system-deps demo serve worker lint migrations-check test-sqlite test-postgres test-browser bench clean

$(BIN)/shanzhi: pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(BIN)/shanzhi

install: $(BIN)/shanzhi

# Debian packages: Chinese fonts and pango for PDF notices, Chromium for browser tests, poppler for PDF checks.
system-deps:
	@bash scripts/system-deps.sh

run: install system-deps
	$(BIN)/shanzhi migrate --noinput -v0
	$(BIN)/shanzhi collectstatic --noinput -v0
	$(BIN)/shanzhi demo --scale $(SCALE)
	@$(BIN)/shanzhi demo_accounts
	@echo "善治 is serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop; the task worker runs beside it)"
	@$(BIN)/shanzhi worker & WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT; \
	  $(BIN)/gunicorn shanzhi.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --timeout 120 --access-logfile - --log-level warning

lint: install
	$(BIN)/ruff check .

migrations-check: install
	TESTING=1 $(BIN)/shanzhi makemigrations --check --dry-run

test: install system-deps lint migrations-check
	@echo "== tests on SQLite =="
	env -u DATABASE_URL TESTING=1 $(BIN)/pytest -p no:cacheprovider
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== tests on PostgreSQL ($$DATABASE_URL) =="; \
	  TESTING=1 $(BIN)/pytest -p no:cacheprovider -m "not browser"; \
	else echo "DATABASE_URL not set: PostgreSQL run skipped"; fi

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) var
