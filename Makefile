# Klynge: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
# `klynge` uses the production settings unless told otherwise: the targets that run
# it on a developer's machine choose the development settings.
DEV := DJANGO_SETTINGS_MODULE=klynge.config.settings.dev

.PHONY: install install-dev run serve load test lint typecheck unit bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP)

## install: create .venv and install Klynge
install: $(STAMP)

install-dev: $(DEV_STAMP)

## load: migrate the SQLite database under var/ and load the register and the demo data
load: install
	mkdir -p var
	$(DEV) $(BIN)/klynge migrate --no-input -v 0
	$(DEV) $(BIN)/klynge load-sjaelland
	$(DEV) $(BIN)/klynge load-grants
	$(DEV) $(BIN)/klynge demo

## run: install, migrate, load, and serve on http://$(HOST):$(PORT)
run: load
	@echo ""
	@echo "Klynge kører på http://$(HOST):$(PORT)/  (stop med Ctrl+C)"
	@echo ""
	$(DEV) KLYNGE_DEBUG=1 $(BIN)/klynge runserver --noreload $(HOST):$(PORT)

## test: lint, type checks, import contracts and the whole test suite
test: lint typecheck unit

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache
	DATABASE_URL=sqlite:///:memory: $(DEV) $(BIN)/klynge makemigrations --check --dry-run -v 0

typecheck: install-dev
	$(BIN)/mypy
	$(BIN)/mypy bench

unit: install-dev
	$(BIN)/pytest -n auto

## messages: refresh the da/en catalogues after changing interface text, then fill the new
## msgstr in src/klynge/locale/*/LC_MESSAGES/django.po and run it again to compile
messages: install-dev
	cd src/klynge && $(DEV) ../../$(BIN)/klynge makemessages -l da -l en --no-location --no-obsolete -v 0
	cd src/klynge && $(DEV) ../../$(BIN)/klynge compilemessages -v 0

bench: install-dev
	$(BIN)/python bench/allocation.py
	$(BIN)/python bench/collection.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) var
