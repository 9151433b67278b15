# csdata: `make run` serves the app on the demo warehouse; `make test` runs the whole suite.
VENV   ?= .venv
PYTHON ?= python3
PORT   ?= 8501
DB     ?= $(or $(CSDATA_DB),data/csdata.duckdb)
BIN     = $(VENV)/bin

.PHONY: run test check lint format bench bench-import clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "csdata needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	@test -f "$(DB)" || $(BIN)/csdata init --sample --db "$(DB)"
	$(BIN)/csdata serve --db "$(DB)" --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint test

bench: $(VENV)/.installed
	$(BIN)/csdata bench

bench-import: $(VENV)/.installed
	$(BIN)/python -m csdata.demo.bench_import

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
